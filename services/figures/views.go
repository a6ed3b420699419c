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
	cache   Cache
}

// ViewsDeps wires the views.
type ViewsDeps struct {
	Figures *Service
	Clock   core.Clock
	// Lists are the listed values: the districts of open data,
	// the service types and call topics of the city's tables.
	Lists Lists
}

// NewViews returns the views, with an empty cache.
func NewViews(d ViewsDeps) (*Views, error) {
	if err := core.CheckDeps("figures views", d); err != nil {
		return nil, err
	}
	return &Views{figures: d.Figures, clock: d.Clock, lists: d.Lists}, nil
}

// Cache keeps the sums read for a minute: a dashboard opened again, or by
// another administrator, reads nothing. Per replica; figures a minute old
// are as good as the day's. The zero Cache is empty and ready.
type Cache struct {
	mu      sync.Mutex
	entries map[Query]cached
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

func (c *Cache) get(q Query, now time.Time) (Figures, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[q]
	if !ok || now.Sub(e.at) >= CacheTTL {
		return Figures{}, false
	}
	return e.f, true
}

func (c *Cache) put(q Query, f Figures, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) > cacheLimit {
		c.entries = map[Query]cached{}
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
	if f, ok := v.cache.get(q, now); ok {
		return f, nil
	}
	f, err := v.figures.Read(ctx, q.From, q.To, q.Dim, q.Value)
	if err != nil {
		return f, err
	}
	v.cache.put(q, f, now)
	return f, nil
}

// Figure is one figure of a view: its catalog key, the value as shown,
// and the numbers it is made of (N of Of) for exports. NoteKey and
// NoteArgs say what its note ("of …") says; Note is that in the reader's
// language, set by whoever renders it.
type Figure struct {
	Key      string `json:"key"`
	Value    string `json:"value"`
	N        int64  `json:"n"`
	Of       int64  `json:"of,omitempty"`
	Note     string `json:"note,omitempty"`
	NoteKey  string `json:"-"`
	NoteArgs []any  `json:"-"`
}

// Section is a group of figures under a heading (a catalog key).
type Section struct {
	Key     string   `json:"key"`
	Figures []Figure `json:"figures"`
}

// Breakdown is a small table: one row per value of a dimension. A row's
// first cell is its label: a catalog key when LabelKeys, else a record's
// name as the caller gave it; the renderer puts keys in the reader's
// language.
type Breakdown struct {
	Key       string     `json:"key"`
	Header    []string   `json:"header"` // catalog keys
	Rows      [][]string `json:"rows"`
	LabelKeys bool       `json:"-"`
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

// Records are the records a view's tables list, read by the caller from
// the areas that own them.
type Records struct {
	Policies []Named
	Bases    []Base
}

func tally(key string, n int64) Figure { return Figure{Key: key, Value: fmt.Sprint(n), N: n} }

func share(key string, n, of int64) Figure {
	return Figure{Key: key, Value: percent(n, of), N: n, Of: of}
}

func quantile(key string, f Figures, hist string, q float64) Figure {
	return Figure{Key: key, Value: quant(f, hist, q)}
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
	return noted(Figure{Key: "figures.rating", Value: ratio(n["consult_rating_sum"], n["consult_rated"]), N: n["consult_rating_sum"], Of: n["consult_rated"]}, n["consult_rated"])
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
