// Package figures keeps the numbers the policy is judged by (source (十五):
// initial success, stability, jobs, training effect, service quality) as
// rollups: one document per month and dimension value
// (`2026-11|district|dongcheng`) whose counters and fixed-bucket
// histograms the writes that change them increment. Each event has an id
// and is counted once: a batch of events is journaled, their ids claimed,
// then each rollup gets their sums with the batch's mark, so a count a
// crash cut short is finished at the next start, not lost nor doubled
// (journal.go). A rebuild recomputes every rollup from the records. A page
// view never scans the records.
package figures

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"onestop/services/core"
	"onestop/services/store"
)

// Collections of the package: the rollups and the ids of counted events.
var Collections = []store.Collection{{Name: "rollups"}, {Name: "figure_events"}, {Name: "figure_meta"}, Journals}

// Journals holds each process's last batch of counts until the next (see
// recordAll): what a process killed inside a count leaves to finish.
var Journals = store.Collection{Name: "figure_journals"}

// Version numbers the set of figures the code counts. A portal that finds
// rollups built by an older set rebuilds them once (RebuildIfOld), so
// figures added by an upgrade cover the past, not only writes since.
// 3: check-in counters split into verified and self-reported.
// 4: settled work with a time limit counted again on the day of its limit
// (complaints_due_*, service_due_*, consult_due_*, training_due_*).
// 5: the people eligible now for each support (entitlements' snapshots), a
// stock.
const Version = 5

type meta struct {
	ID      string `bson:"_id"`
	Version int    `bson:"version"`
}

// Event is one countable fact: its id (stable: derived from the record, so
// the rebuild derives the same), the day it counts on, the dimensions it
// falls under, counters to add, and values for histograms.
type Event struct {
	ID     string
	On     core.Date
	Dims   map[string]string // district, industry, group, base, mentor, provider, bank …
	Counts map[string]int64
	Values map[string]float64 // histogram name → value (minutes, days)
	// Stock: the event moves a level that holds now (the people eligible
	// for a support), not a flow of its day: it counts in the stock
	// rollup of each of its dimensions (StockPeriod), whatever its day, and
	// not in the city's ("all": a sum of levels across values is no
	// figure). A record takes its level back with an event of its own.
	Stock bool
}

// StockPeriod is the period of the stock rollups: one per dimension value,
// read by _id (Service.Stock), never by a span of months.
const StockPeriod = "stock"

// Buckets are the upper bounds of every histogram's buckets; a value above
// the last falls in the overflow bucket. Minutes and days both fit: 1 h,
// 2 h … a day is 1440 minutes; days use the low end.
var Buckets = []float64{1, 2, 3, 5, 7, 10, 15, 30, 60, 120, 240, 480, 1440, 2880, 4320, 10080}

// Histograms are the distributions kept; an event may only use these.
var Histograms = []string{"answer_minutes", "decision_days", "case_days", "match_days"}

func bucket(v float64) int {
	i := sort.SearchFloat64s(Buckets, v)
	return i // len(Buckets) is overflow
}

// Upgrade gives every rollup the histograms it lacks (one added by a
// newer version), zeroed, so increments find arrays. It runs at start-up,
// before any write; rollups are few (months × dimension values).
func (s *Service) Upgrade(ctx context.Context) error {
	var fix []string
	err := store.Each(ctx, s.store, "rollups", func(r *bson.Raw) error {
		for _, k := range Histograms {
			if v, err := r.LookupErr("hist", k); err != nil || v.Type != bson.TypeArray {
				id, _ := r.Lookup("_id").StringValueOK()
				fix = append(fix, id)
				break
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range fix {
		var r Rollup
		if err := s.store.Get(ctx, "rollups", id, &r); err != nil {
			return err
		}
		set := bson.D{}
		for _, k := range Histograms {
			h := r.Hist[k]
			if h == nil {
				h = make(Histogram, len(Buckets)+1)
			}
			set = append(set, bson.E{Key: "hist." + k, Value: []int64(h)}) // an array again
		}
		if _, err := s.store.C("rollups").UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: set}}); err != nil {
			return core.Wrap(err, "upgrade rollup")
		}
	}
	return nil
}

// Rollup is one month's figures under one dimension value.
type Rollup struct {
	ID     string               `bson:"_id"`
	Period string               `bson:"period"` // 2026-11
	Dim    string               `bson:"dim"`    // all, district, …
	Value  string               `bson:"value"`
	Counts map[string]int64     `bson:"counts"`
	Hist   map[string]Histogram `bson:"hist"`
}

// Histogram is a histogram's counts by bucket. It decodes from an array,
// or from the document an increment makes of a histogram missing from a
// rollup ({"3": 1}: a replica of an older version created the rollup after
// Upgrade ran); Upgrade turns such a document back into an array.
type Histogram []int64

// UnmarshalBSONValue reads either form.
func (b *Histogram) UnmarshalBSONValue(typ byte, data []byte) error {
	rv := bson.RawValue{Type: bson.Type(typ), Value: data}
	out := make(Histogram, len(Buckets)+1)
	var vals []bson.RawValue
	var keys []string
	switch rv.Type {
	case bson.TypeArray:
		v, err := rv.Array().Values()
		if err != nil {
			return err
		}
		vals = v
	case bson.TypeEmbeddedDocument:
		els, err := rv.Document().Elements()
		if err != nil {
			return err
		}
		for _, e := range els {
			keys, vals = append(keys, e.Key()), append(vals, e.Value())
		}
	default:
		return fmt.Errorf("figures: histogram of type %v", rv.Type)
	}
	for i, v := range vals {
		at := i
		if keys != nil {
			if _, err := fmt.Sscan(keys[i], &at); err != nil {
				continue
			}
		}
		if n, ok := v.AsInt64OK(); ok && at >= 0 && at < len(out) {
			out[at] += n
		}
	}
	*b = out
	return nil
}

// Service records events and reads rollups.
type Service struct {
	store  *store.Store
	group  *store.Group[Event]    // counts written together (see Count)
	holder atomic.Pointer[string] // the _id of this process's journal
	marks  marks                  // of batches no journal holds
	last   struct {               // the batch in the journal (the group's commits write it, one at a time)
		batch   string
		rollups []string
	}
	kill int // tests: a count stops before this write after its journal (killed)
}

// Deps wires the service.
type Deps struct {
	Store *store.Store
}

// New returns the service.
func New(d Deps) (*Service, error) {
	if err := core.CheckDeps("figures", d); err != nil {
		return nil, err
	}
	s := &Service{store: d.Store}
	s.holder.Store(new(core.NewID()))
	s.group = store.NewGroup(func(ctx context.Context, events []Event) []error {
		if err := s.recordAll(ctx, events); err != nil {
			return []error{err}
		}
		return nil
	})
	return s, nil
}

func period(d core.Date) string { return d.String()[:7] }

func rollupID(period, dim, value string) string { return period + "|" + dim + "|" + value }

// Record counts events, each once, together with the counts written
// meanwhile (see Count), and returns when they are counted. Recording the
// same event again changes nothing.
func (s *Service) Record(ctx context.Context, events ...Event) error {
	for _, e := range events {
		if e.ID == "" || e.On.IsZero() {
			return fmt.Errorf("figures: event without id or day")
		}
		if err := check(e); err != nil {
			return err
		}
	}
	// Once claimed, the events' increments must follow: a request that
	// ends meanwhile (its client gone) must not stop them halfway.
	return s.group.Do(context.WithoutCancel(ctx), events...)
}

// Retract takes back an event that was counted: a record whose date was
// corrected (a venture's registration) moves its events, and the old ones
// must stop counting. An event never counted is left alone.
func (s *Service) Retract(ctx context.Context, e Event) error {
	if e.ID == "" || e.On.IsZero() {
		return fmt.Errorf("figures: event without id or day")
	}
	// Once the event's claim is released its decrements must follow: a
	// request that ends meanwhile must not stop them halfway.
	ctx = context.WithoutCancel(ctx)
	r, err := s.store.C("figure_events").DeleteOne(ctx, bson.D{{Key: "_id", Value: e.ID}})
	if err != nil {
		return core.Wrap(err, "release figure event")
	}
	if r.DeletedCount == 0 {
		return nil
	}
	return s.add(ctx, e, -1)
}

// Replace moves a record's events from what it was to what it is: events
// gone or changed (day, dimensions, counts) are retracted, the new ones
// recorded (each once).
func (s *Service) Replace(ctx context.Context, was, is []Event) error {
	keep := map[string]string{}
	for _, e := range is {
		keep[e.ID] = fmt.Sprint(e) // maps print sorted: equal events print the same
	}
	for _, e := range was {
		if keep[e.ID] != fmt.Sprint(e) {
			if err := s.Retract(ctx, e); err != nil {
				return err
			}
		}
	}
	return s.Record(ctx, is...)
}

// add adds an event's counts, times sign, to its rollups.
func (s *Service) add(ctx context.Context, e Event, sign int64) error {
	if err := check(e); err != nil {
		return err
	}
	n := map[string]int64{}
	addEvent(n, e, sign)
	inc := incOps(n)
	if len(inc) == 0 {
		return nil
	}
	for _, t := range targets(e) {
		// Increment, and only when there is no rollup yet create it and
		// increment again; never upsert: an upsert reads the whole collection
		// on the embedded store. Every rollup is born with every histogram's
		// buckets, so an increment always finds its array. Most rollups
		// exist, so this is one write (the embedded store takes writes one
		// at a time).
		if err := s.increment(ctx, t, inc); err != nil {
			return err
		}
	}
	return nil
}

// addEvent adds an event's counts and histogram buckets, times sign, to
// a rollup's increments (by field path).
func addEvent(inc map[string]int64, e Event, sign int64) {
	for k, n := range e.Counts {
		inc["counts."+k] += sign * n
	}
	for k, v := range e.Values {
		inc[fmt.Sprintf("hist.%s.%d", k, bucket(v))] += sign
	}
}

// incOps is an $inc document of increments, in a stable order.
func incOps(inc map[string]int64) bson.D {
	var out bson.D
	for _, k := range sortedKeys(inc) {
		out = append(out, bson.E{Key: k, Value: inc[k]})
	}
	return out
}

func (s *Service) increment(ctx context.Context, t Rollup, inc bson.D) error {
	for attempt := 0; ; attempt++ {
		r, err := s.store.C("rollups").UpdateOne(ctx, bson.D{{Key: "_id", Value: t.ID}}, bson.D{{Key: "$inc", Value: inc}})
		if err != nil {
			return core.Wrap(err, "increment rollup")
		}
		if r.MatchedCount == 1 {
			return nil
		}
		if attempt == 1 {
			return fmt.Errorf("figures: rollup %s neither found nor created", t.ID)
		}
		if _, err := s.store.C("rollups").InsertOne(ctx, newRollup(t)); err != nil && !mongo.IsDuplicateKeyError(err) {
			return core.Wrap(err, "create rollup")
		}
	}
}

// check refuses an event with an undeclared histogram.
func check(e Event) error {
	for k := range e.Values {
		if !slices.Contains(Histograms, k) {
			return fmt.Errorf("figures: undeclared histogram %q", k)
		}
	}
	return nil
}

// targets are the rollups an event counts in: its month for the whole
// city and for each of its dimensions.
func targets(e Event) []Rollup {
	p := period(e.On)
	var out []Rollup
	if e.Stock {
		p = StockPeriod
	} else {
		out = append(out, Rollup{ID: rollupID(p, "all", "all"), Period: p, Dim: "all", Value: "all"})
	}
	for _, d := range sortedKeys(e.Dims) {
		if v := e.Dims[d]; v != "" {
			out = append(out, Rollup{ID: rollupID(p, d, v), Period: p, Dim: d, Value: v})
		}
	}
	return out
}

// newRollup is an empty rollup with every histogram's buckets.
func newRollup(t Rollup) Rollup {
	t.Counts, t.Hist = map[string]int64{}, map[string]Histogram{}
	for _, k := range Histograms {
		t.Hist[k] = make(Histogram, len(Buckets)+1)
	}
	return t
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Figures are rollups summed over a span of months.
type Figures struct {
	Counts map[string]int64
	Hist   map[string]Histogram
}

// Quantile reads a histogram: the upper bound of the bucket holding
// that share of the values (0 without values; the overflow bucket reports
// the last bound).
func (f Figures) Quantile(name string, q float64) float64 {
	h := f.Hist[name]
	var total int64
	for _, n := range h {
		total += n
	}
	if total == 0 {
		return 0
	}
	want := int64(q*float64(total) + 0.999999)
	var seen int64
	for i, n := range h {
		seen += n
		if seen >= want {
			return Buckets[min(i, len(Buckets)-1)]
		}
	}
	return Buckets[len(Buckets)-1]
}

// Read sums the rollups of one dimension value over the months from..to
// (inclusive, "2026-01"); dim "all" is the whole city. It reads one
// document per month, by _id.
func (s *Service) Read(ctx context.Context, from, to, dim, value string) (Figures, error) {
	out := Figures{Counts: map[string]int64{}, Hist: map[string]Histogram{}}
	start, err := time.Parse("2006-01", from)
	if err != nil {
		return out, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"from": "error.date"}}
	}
	end, err := time.Parse("2006-01", to)
	if err != nil || end.Before(start) || end.Sub(start) > 10*366*24*time.Hour {
		return out, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"to": "error.range"}}
	}
	var ids []string
	for m := start; !m.After(end); m = m.AddDate(0, 1, 0) {
		ids = append(ids, rollupID(m.Format("2006-01"), dim, value))
	}
	rollups, err := store.GetMany[Rollup](ctx, s.store, "rollups", ids)
	if err != nil {
		return out, err
	}
	for _, r := range rollups {
		if r == nil {
			continue // no event that month
		}
		for k, n := range r.Counts {
			out.Counts[k] += n
		}
		for k, h := range r.Hist {
			acc := out.Hist[k]
			if acc == nil {
				acc = make(Histogram, len(Buckets)+1)
			}
			for i := range min(len(h), len(acc)) {
				acc[i] += h[i]
			}
			out.Hist[k] = acc
		}
	}
	return out, nil
}

// Stock reads the levels that hold now under one dimension value (the
// stock rollup, one document by _id); none is an empty map.
func (s *Service) Stock(ctx context.Context, dim, value string) (map[string]int64, error) {
	var r Rollup
	err := s.store.Get(ctx, "rollups", rollupID(StockPeriod, dim, value), &r)
	if core.IsCode(err, core.NotFound) || (err == nil && r.Counts == nil) {
		return map[string]int64{}, nil
	}
	return r.Counts, err
}

// Source derives the events of one kind of record, for rebuilds.
type Source struct {
	Name string
	Each func(ctx context.Context, emit func(Event) error) error
	// Of derives the events of some records (see After).
	Of func(ctx context.Context, ids []string) ([]Event, error)
}

// Rebuild recomputes every rollup from the sources: the rollups and the
// counted ids are dropped, every record's events are summed in memory
// (rollups are few: months × dimension values; the ids are kept to count
// each event once), and the sums and the ids are written in batches. progress, when given, is called with the number
// of events so far. Writes that land while it runs are merged, not lost,
// but may be counted twice or not at all; run it when the portal is quiet,
// or again after.
func (s *Service) Rebuild(ctx context.Context, sources []Source, progress func(int)) (int, error) {
	for _, c := range []string{"rollups", "figure_events"} {
		if _, err := s.store.C(c).DeleteMany(ctx, bson.D{}); err != nil {
			return 0, core.Wrap(err, "clear "+c)
		}
	}
	sums := map[string]*Rollup{}
	seen := map[string]bool{} // an event emitted twice (two sources, a retry) is summed once
	var ids []any
	unordered := options.InsertMany().SetOrdered(false)
	flush := func() error {
		if len(ids) == 0 {
			return nil
		}
		// An id a live write claimed meanwhile is already there: keep going.
		_, err := s.store.C("figure_events").InsertMany(ctx, ids, unordered)
		ids = ids[:0]
		if err != nil && !onlyDuplicates(err) {
			return core.Wrap(err, "claim figure events")
		}
		return nil
	}
	n := 0
	for _, src := range sources {
		err := src.Each(ctx, func(e Event) error {
			if e.ID == "" || e.On.IsZero() {
				return fmt.Errorf("figures: event without id or day")
			}
			if seen[e.ID] {
				return nil
			}
			if err := check(e); err != nil {
				return err
			}
			seen[e.ID] = true
			ids = append(ids, bson.D{{Key: "_id", Value: e.ID}})
			if len(e.Counts)+len(e.Values) > 0 {
				for _, t := range targets(e) {
					r := sums[t.ID]
					if r == nil {
						nr := newRollup(t)
						r = &nr
						sums[t.ID] = r
					}
					for k, c := range e.Counts {
						r.Counts[k] += c
					}
					for k, v := range e.Values {
						r.Hist[k][bucket(v)]++
					}
				}
			}
			n++
			if len(ids) == 1000 {
				if err := flush(); err != nil {
					return err
				}
			}
			if progress != nil && n%1000 == 0 {
				progress(n)
			}
			return nil
		})
		if err != nil {
			return n, fmt.Errorf("rebuild %s: %w", src.Name, err)
		}
	}
	if err := flush(); err != nil {
		return n, err
	}
	keys := sortedKeys(sums)
	for i := 0; i < len(keys); i += 500 {
		batch := make([]any, 0, 500)
		for _, id := range keys[i:min(i+500, len(keys))] {
			batch = append(batch, sums[id])
		}
		_, err := s.store.C("rollups").InsertMany(ctx, batch, unordered)
		if err == nil {
			continue
		}
		if !onlyDuplicates(err) {
			return n, core.Wrap(err, "write rollups")
		}
		// A live write made some of these rollups meanwhile: add the sums
		// to them instead.
		for _, we := range bulkErrors(err) {
			r := batch[we.Index].(*Rollup)
			inc := bson.D{}
			for k, c := range r.Counts {
				inc = append(inc, bson.E{Key: "counts." + k, Value: c})
			}
			for k, h := range r.Hist {
				for b, c := range h {
					if c != 0 {
						inc = append(inc, bson.E{Key: fmt.Sprintf("hist.%s.%d", k, b), Value: c})
					}
				}
			}
			if _, err := s.store.C("rollups").UpdateOne(ctx, bson.D{{Key: "_id", Value: r.ID}}, bson.D{{Key: "$inc", Value: inc}}); err != nil {
				return n, core.Wrap(err, "merge rollup")
			}
		}
	}
	if progress != nil {
		progress(n)
	}
	return n, s.markBuilt(ctx)
}

// Built reports the version of the figures the rollups hold (0: never
// rebuilt by a versioned portal).
func (s *Service) Built(ctx context.Context) (int, error) {
	var m meta
	err := s.store.Get(ctx, "figure_meta", "version", &m)
	if core.IsCode(err, core.NotFound) {
		return 0, nil
	}
	return m.Version, err
}

func (s *Service) markBuilt(ctx context.Context) error {
	_, err := s.store.C("figure_meta").DeleteOne(ctx, bson.D{{Key: "_id", Value: "version"}})
	if err == nil {
		_, err = s.store.C("figure_meta").InsertOne(ctx, meta{ID: "version", Version: Version})
	}
	return core.Wrap(err, "mark figures built")
}

// RebuildIfOld rebuilds the rollups when an older version built them,
// holding a lease so one replica does it; it reports whether it did.
func (s *Service) RebuildIfOld(ctx context.Context, sources []Source, holder string, now time.Time) (bool, error) {
	v, err := s.Built(ctx)
	if err != nil || v >= Version {
		return false, err
	}
	if ok, err := s.store.Acquire(ctx, "figures-rebuild", holder, now, time.Hour); err != nil || !ok {
		return false, err
	}
	_, err = s.Rebuild(ctx, sources, nil)
	return err == nil, err
}

// onlyDuplicates reports whether a bulk insert failed on duplicate keys
// alone.
func onlyDuplicates(err error) bool {
	errs := bulkErrors(err)
	if len(errs) == 0 {
		return false
	}
	for _, we := range errs {
		if we.Code != 11000 {
			return false
		}
	}
	return true
}

func bulkErrors(err error) []mongo.BulkWriteError {
	var bwe mongo.BulkWriteException
	if errors.As(err, &bwe) && bwe.WriteConcernError == nil {
		return bwe.WriteErrors
	}
	return nil
}

// Snapshot returns every rollup's non-zero counts and histograms, for tests
// that compare a rebuild with the incrementally kept values (a counter
// taken back to zero and one never counted are the same figure).
func (s *Service) Snapshot(ctx context.Context) (map[string]Rollup, error) {
	out := map[string]Rollup{}
	err := store.Each(ctx, s.store, "rollups", func(r *Rollup) error {
		for k, n := range r.Counts {
			if n == 0 {
				delete(r.Counts, k)
			}
		}
		for k, h := range r.Hist {
			if !slices.ContainsFunc(h, func(n int64) bool { return n != 0 }) {
				delete(r.Hist, k)
			}
		}
		if len(r.Counts)+len(r.Hist) > 0 {
			out[r.ID] = *r
		}
		return nil
	})
	return out, err
}

// SourceOf derives the events of every record of a collection, for
// rebuilds: events is the same function the write path counts with.
func SourceOf[T any](s *store.Store, coll string, events func(*T) []Event) Source {
	return Source{Name: coll, Each: func(ctx context.Context, emit func(Event) error) error {
		return store.Each(ctx, s, coll, func(r *T) error {
			for _, e := range events(r) {
				if err := emit(e); err != nil {
					return err
				}
			}
			return nil
		})
	}, Of: func(ctx context.Context, ids []string) ([]Event, error) {
		recs, err := store.GetMany[T](ctx, s, coll, ids)
		var out []Event
		for _, r := range recs {
			if r != nil {
				out = append(out, events(r)...)
			}
		}
		return out, err
	}}
}

// After is the follow-up of an indexed collection's writes
// (outbox.Source.After): it counts the events of the records changed,
// together with those other follow-ups count meanwhile. It may run more
// than once for a change — after a crash, beside another replica's drain
// — and counts each event once. (A crash inside a count, between the claim
// of its events and their increments, still loses them until a rebuild.)
// Nil for a nil service.
func (s *Service) After(src Source) func(ctx context.Context, ids []string) error {
	if s == nil {
		return nil
	}
	return func(ctx context.Context, ids []string) error {
		events, err := src.Of(ctx, ids)
		if err != nil {
			return err
		}
		if len(events) == 0 {
			return nil
		}
		return s.group.Do(ctx, events...)
	}
}

// Count records a record's events, each once. A failure is logged, not
// returned: the write they count happened, and a rebuild recovers the
// count. A nil service counts nothing.
//
// Counts that arrive while another's are being written go in together
// next (a group commit, as the outbox's): one write claims all their
// events, and each rollup they touch is incremented once for all. Under
// load that turns three or four writes a request into a share of a few
// (#22); a count alone is written at once, as before. Count returns when
// its events are counted.
func (s *Service) Count(ctx context.Context, what, id string, events []Event) {
	if s == nil || len(events) == 0 {
		return
	}
	if err := s.group.Do(context.WithoutCancel(ctx), events...); err != nil {
		slog.Warn("figures", "record", what+"/"+id, "events", len(events), "err", err)
	}
}
