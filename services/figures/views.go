package figures

import (
	"context"
	"fmt"
	"sync"
	"time"

	"onestop/services/core"
)

// Views computes what the dashboards show from the rollups alone: a
// page view never scans the records. It puts nothing in a reader's
// language: labels and notes are catalog keys with their numbers, for the
// HTTP layer to translate when it renders.
type Views struct {
	figures *Service
	clock   core.Clock
	lists   Lists
	overdue map[string]OverdueCounter
	cache   Cache
}

// The kinds of work with a time limit whose rate counts what is still
// open past it (OverdueCounter).
const (
	OverdueComplaints    = "complaints"
	OverdueConsultations = "consultations"
	OverdueServices      = "service_requests"
	OverdueTraining      = "training"
)

// OverdueKinds are every kind a view needs a counter for.
var OverdueKinds = []string{OverdueComplaints, OverdueConsultations, OverdueServices, OverdueTraining}

// OverdueCounter counts, at the moment of reading, one kind's items still
// open whose time limit fell in [from, until) and filed under dim=value
// (dim "all": every one; a dimension the kind is not filed under: none,
// as its rollups hold none there either). It asks the search index of open
// items: an item becomes overdue by the clock, with no write to count, so
// a rollup cannot know it.
type OverdueCounter func(ctx context.Context, dim, value string, from, until time.Time) (int64, error)

// ViewsDeps wires the views.
type ViewsDeps struct {
	Figures *Service
	Clock   core.Clock
	// Lists are the listed values: the districts of open data,
	// the service types and call topics of the city's tables.
	Lists Lists
	// Overdue are the counters of open overdue work, by kind (every one of
	// OverdueKinds), from the areas that own the records.
	Overdue map[string]OverdueCounter
}

// NewViews returns the views, with an empty cache.
func NewViews(d ViewsDeps) (*Views, error) {
	if err := core.CheckDeps("figures views", d); err != nil {
		return nil, err
	}
	for _, k := range OverdueKinds {
		if d.Overdue[k] == nil {
			// A rate without its open overdue work would read better than
			// it is: refuse to start rather than show it.
			return nil, fmt.Errorf("figures views: no counter of overdue %s", k)
		}
	}
	return &Views{figures: d.Figures, clock: d.Clock, lists: d.Lists, overdue: d.Overdue}, nil
}

// Cache keeps the sums read for a minute: a dashboard opened again, or by
// another administrator, reads nothing. Per replica; figures a minute old
// are as good as the day's. The zero Cache is empty and ready.
type Cache struct {
	mu      sync.Mutex
	entries map[cacheKey]cached
}

// cacheKey is a query and what was read for it: the rollups' sums ("") or
// a count of open overdue work ("overdue:complaints").
type cacheKey struct {
	Query
	What string
}

type cached struct {
	f  Figures
	at time.Time
}

// CacheTTL is how long a sum read is served from the cache.
const CacheTTL = time.Minute

// cacheLimit bounds the entries: past it the cache starts again.
const cacheLimit = 10_000

// Forget empties the cache, so the next read sees every write before it.
func (c *Cache) Forget() {
	c.mu.Lock()
	c.entries = nil
	c.mu.Unlock()
}

func (c *Cache) get(q cacheKey, now time.Time) (Figures, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[q]
	if !ok || now.Sub(e.at) >= CacheTTL {
		return Figures{}, false
	}
	return e.f, true
}

func (c *Cache) put(q cacheKey, f Figures, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) > cacheLimit {
		c.entries = map[cacheKey]cached{}
	}
	c.entries[q] = cached{f: f, at: now}
}

// Forget empties the views' cache (after writes a reader must see).
func (v *Views) Forget() { v.cache.Forget() }

// Lists are the values of the listed dimensions the views know.
func (v *Views) Lists() Lists { return v.lists }

// Parse checks a view's query against the views' lists (see ParseQuery).
func (v *Views) Parse(get func(key string, def ...string) string, now core.Date) (Query, error) {
	return ParseQuery(get, now, v.lists)
}

// Read sums the rollups of one span and filter, through the cache. The
// cache ages in wall time, not by the views' clock: it is about how fresh
// the sums read are, not about the day the figures count.
func (v *Views) Read(ctx context.Context, q Query) (Figures, error) {
	now := time.Now()
	if f, ok := v.cache.get(cacheKey{Query: q}, now); ok {
		return f, nil
	}
	f, err := v.figures.Read(ctx, q.From, q.To, q.Dim, q.Value)
	if err != nil {
		return f, err
	}
	v.cache.put(cacheKey{Query: q}, f, now)
	return f, nil
}

// Stock reads the levels that hold now under dim=value (Service.Stock),
// through the cache: they change with the writes, not with a span.
func (v *Views) Stock(ctx context.Context, dim, value string) (map[string]int64, error) {
	key, wall := cacheKey{Query: Query{Dim: dim, Value: value}, What: StockPeriod}, time.Now()
	if f, ok := v.cache.get(key, wall); ok {
		return f.Counts, nil
	}
	n, err := v.figures.Stock(ctx, dim, value)
	if err != nil {
		return nil, err
	}
	v.cache.put(key, Figures{Counts: n}, wall)
	return n, nil
}

// Overdue counts kind's items still open past a time limit that fell in
// the query's span, up to the moment of reading (see OverdueCounter),
// through the cache. The rollups count the items settled by the month of
// their limit, so the two together are every item whose limit fell in the
// span and that is settled or late.
func (v *Views) Overdue(ctx context.Context, kind string, q Query) (int64, error) {
	count := v.overdue[kind]
	if count == nil {
		return 0, fmt.Errorf("figures: no counter of overdue %s", kind)
	}
	key, wall := cacheKey{Query: q, What: "overdue:" + kind}, time.Now()
	if f, ok := v.cache.get(key, wall); ok {
		return f.Counts["n"], nil
	}
	from, err1 := time.ParseInLocation("2006-01", q.From, core.CST)
	to, err2 := time.ParseInLocation("2006-01", q.To, core.CST)
	if err1 != nil || err2 != nil {
		return 0, &core.Error{Code: core.Invalid, Message: "error.invalid"}
	}
	until := to.AddDate(0, 1, 0)
	if now := v.clock.Now(); now.Before(until) {
		until = now // a limit still ahead is not late yet
	}
	var n int64
	if until.After(from) {
		var err error
		if n, err = count(ctx, q.Dim, q.Value, from, until); err != nil {
			return 0, err
		}
	}
	v.cache.put(key, Figures{Counts: map[string]int64{"n": n}}, wall)
	return n, nil
}

// Figure is one figure of a view: its catalog key, its kind, the value
// as shown and as a number, and the numbers it is made of (N of Of). A
// rate names what N and Of count (NumKey, OfKey with OfArgs: catalog
// keys; Numerator and Denominator: those in the reader's language, set by
// whoever renders it), and a time-limit rate says how many of Of are
// still open past their limit (OpenOverdue, named by OverdueKey).
// NoteKey and NoteArgs say what its note says when it is not the rate's
// formula; Note is the note in the reader's language.
type Figure struct {
	Key   string `json:"key"`
	Kind  string `json:"kind"`  // count, rate, ratio, or upto (a distribution's bound)
	Value string `json:"value"` // as shown: "12", "54.3%", "1.25", "≤ 3", or "—" when there is none
	// Number is the value as a number: a count, a rate as a fraction
	// (0.543), a ratio, a bound; absent when there is none.
	Number      *float64 `json:"number,omitempty"`
	N           int64    `json:"n"`
	Of          int64    `json:"of,omitempty"`
	OpenOverdue *int64   `json:"open_overdue,omitempty"`
	Numerator   string   `json:"numerator,omitempty"`
	Denominator string   `json:"denominator,omitempty"`
	Note        string   `json:"note,omitempty"`
	NoteKey     string   `json:"-"`
	NoteArgs    []any    `json:"-"`
	NumKey      string   `json:"-"`
	NumArgs     []any    `json:"-"`
	OfKey       string   `json:"-"`
	OfArgs      []any    `json:"-"`
	OverdueKey  string   `json:"-"`
}

// Kinds of figure.
const (
	KindCount = "count"
	KindRate  = "rate"
	KindRatio = "ratio"
	KindUpTo  = "upto"
)

// Section is a group of figures under a heading (a catalog key).
type Section struct {
	Key     string   `json:"key"`
	Figures []Figure `json:"figures"`
}

// Breakdown is a small table: one row per value of a dimension. A row's
// first cell is its label: a catalog key when LabelKeys, else a record's
// name as the caller gave it; the renderer puts keys in the reader's
// language. Kinds say what each column holds (label, count or rate), so
// an export can write numbers as numbers.
type Breakdown struct {
	Key       string   `json:"key"`
	Header    []string `json:"header"` // catalog keys
	Kinds     []string `json:"kinds"`  // per column: label, count, rate, yuan
	Rows      [][]Cell `json:"rows"`
	LabelKeys bool     `json:"-"`
	// Note is a catalog key saying how to read the table, shown under its
	// title ("" when it needs none).
	Note string `json:"-"`
}

// Cell is one cell of a table: the text shown and, for a number, the
// number (a rate as a fraction; none for a label or a rate without a
// denominator).
type Cell struct {
	Text   string   `json:"text"`
	Number *float64 `json:"number,omitempty"`
}

// KindLabel is a breakdown column of labels; KindYuan one of amounts of
// money, in yuan with fen (a cell's number is yuan).
const (
	KindLabel = "label"
	KindYuan  = "yuan"
)

func labelCell(s string) Cell { return Cell{Text: s} }

func countCell(n int64) Cell { return Cell{Text: fmt.Sprint(n), Number: num(float64(n))} }

// yuanCell is an amount kept in fen, shown in yuan as money is across the
// portal: 1,234.50.
func yuanCell(fen int64) Cell { return Cell{Text: Yuan(fen), Number: num(float64(fen) / 100)} }

// Yuan writes an amount in fen as yuan with thousands separators and two
// decimals (123456 → 1,234.56).
func Yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	s := fmt.Sprint(fen / 100)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return fmt.Sprintf("%s%s.%02d", sign, s, fen%100)
}

func rateCell(n, of int64) Cell {
	c := Cell{Text: percent(n, of)}
	if of != 0 {
		c.Number = num(float64(n) / float64(of))
	}
	return c
}

// CohortRow follows the ventures started in one quarter: how many
// operated at each check-in as staff recorded or verified it, and, apart,
// as the people said themselves.
type CohortRow struct {
	Quarter   string    `json:"quarter"`
	Started   int64     `json:"started"`
	Operating [4]int64  `json:"operating"` // verified, at 6, 12, 24, 36 months
	Shares    [4]string `json:"shares"`    // of those started; "…" before the quarter's ventures all reach it
	// SelfOperating and SelfShares are the self-reported answers nobody
	// has verified yet (waiting outliers count in neither).
	SelfOperating [4]int64  `json:"self_operating"`
	SelfShares    [4]string `json:"self_shares"`
}

// CohortMonths are the check-ins a cohort is followed at.
var CohortMonths = [4]int{6, 12, 24, 36}

// View is everything a dashboard shows, exports and serves as JSON.
type View struct {
	Query      Query            `json:"query"`
	Sections   []Section        `json:"sections"`
	Breakdowns []Breakdown      `json:"breakdowns,omitempty"`
	Cohorts    []CohortRow      `json:"cohorts"`
	Counts     map[string]int64 `json:"-"`
	Computed   time.Time        `json:"computed_at"`
}

// Named is a record a table has a row for, with its name as shown.
type Named struct{ ID, Name string }

// Base is an incubation base (孵化基地) as its table row needs it.
type Base struct {
	ID, Name         string
	Seats, FreeSeats int
}

// Applied is a support applied for (its policy declares how: policy.Apply)
// as the policy-delivery table lists it: Kind is the application's kind
// (a loan's figures are the loan files'); Active, whether it may be applied
// for today.
type Applied struct {
	ID, Name, Kind string
	Active         bool
}

// Records are the records a view's tables list, read by the caller from
// the areas that own them.
type Records struct {
	Policies []Named
	// Applied are the supports applied for, in the catalogue's order.
	Applied []Applied
	Bases   []Base
}

func num(f float64) *float64 { return &f }

func tally(key string, n int64) Figure {
	return Figure{Key: key, Kind: KindCount, Value: fmt.Sprint(n), Number: num(float64(n)), N: n}
}

// rate is a share with its parts named: N (what numKey says) of Of (what
// ofKey says).
func rate(key string, n int64, numKey string, of int64, ofKey string, ofArgs ...any) Figure {
	f := Figure{Key: key, Kind: KindRate, Value: percent(n, of), N: n, Of: of, NumKey: numKey, OfKey: ofKey, OfArgs: ofArgs}
	if of != 0 {
		f.Number = num(float64(n) / float64(of))
	}
	return f
}

// dueRate is a time-limit rate (限時辦結率 and its kin): of the items whose
// limit fell in the span, those settled in time, over those settled plus
// those still open past their limit when read. Work that is overdue and
// open counts as late; an item neither settled nor due yet is in neither.
func dueRate(key string, onTime, settled, overdue int64, numKey, ofKey, overdueKey string) Figure {
	f := rate(key, onTime, numKey, settled+overdue, ofKey)
	f.OpenOverdue, f.OverdueKey = &overdue, overdueKey
	return f
}

func ratioFigure(key string, n, of int64, numKey, ofKey string) Figure {
	f := Figure{Key: key, Kind: KindRatio, Value: ratio(n, of), N: n, Of: of, NumKey: numKey, OfKey: ofKey}
	if of != 0 {
		f.Number = num(float64(n) / float64(of))
	}
	return f
}

func quantile(key string, f Figures, hist string, q float64) Figure {
	fg := Figure{Key: key, Kind: KindUpTo, Value: quant(f, hist, q)}
	if v := f.Quantile(hist, q); v != 0 {
		fg.Number = num(v)
	}
	return fg
}

// noted adds the "of …" note: the figure's key with ".of", over n.
func noted(fg Figure, n int64) Figure {
	fg.NoteKey, fg.NoteArgs = fg.Key+".of", []any{n}
	return fg
}

// answerTime is the median answer time, noted with the 90th percentile.
func answerTime(f Figures) Figure {
	fg := quantile("figures.answer_minutes", f, "answer_minutes", 0.5)
	if p90 := quant(f, "answer_minutes", 0.9); p90 != "—" {
		fg.NoteKey, fg.NoteArgs = "figures.answer_minutes.of", []any{p90}
	}
	return fg
}

func rating(n map[string]int64) Figure {
	f := ratioFigure("figures.rating", n["consult_rating_sum"], n["consult_rated"], "", "")
	return noted(f, n["consult_rated"])
}

func percent(n, of int64) string {
	if of == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(of))
}

func ratio(n, of int64) string {
	if of == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f", float64(n)/float64(of))
}

func quant(f Figures, name string, q float64) string {
	v := f.Quantile(name, q)
	if v == 0 {
		return "—"
	}
	return fmt.Sprintf("≤ %g", v)
}
