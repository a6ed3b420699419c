// Package figures keeps the numbers the policy is judged by (source (十五):
// initial success, stability, jobs, training effect, service quality) as
// rollups: one document per month and dimension value
// (`2026-11|district|dongcheng`) whose counters and fixed-bucket
// histograms the writes that change them increment. Each event has an id
// and is counted once (the id is claimed first); a rebuild recomputes every
// rollup from the records, so a count lost to a crash between claim and
// increment is recovered. A page view never scans the records.
package figures

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"onestop/services/core"
	"onestop/services/store"
)

// Collections of the package: the rollups and the ids of counted events.
var Collections = []store.Collection{{Name: "rollups"}, {Name: "figure_events"}}

// Event is one countable fact: its id (stable: derived from the record, so
// the rebuild derives the same), the day it counts on, the dimensions it
// falls under, counters to add, and values for histograms.
type Event struct {
	ID     string
	On     core.Date
	Dims   map[string]string // district, industry, group, base, mentor, provider, bank …
	Counts map[string]int64
	Values map[string]float64 // histogram name → value (minutes, days)
}

// Buckets are the upper bounds of every histogram's buckets; a value above
// the last falls in the overflow bucket. Minutes and days both fit: 1 h,
// 2 h … a day is 1440 minutes; days use the low end.
var Buckets = []float64{1, 2, 3, 5, 7, 10, 15, 30, 60, 120, 240, 480, 1440, 2880, 4320, 10080}

// Histograms are the distributions kept; an event may only use these.
var Histograms = []string{"answer_minutes", "decision_days", "case_days"}

func bucket(v float64) int {
	i := sort.SearchFloat64s(Buckets, v)
	return i // len(Buckets) is overflow
}

// Rollup is one month's figures under one dimension value.
type Rollup struct {
	ID     string             `bson:"_id"`
	Period string             `bson:"period"` // 2026-11
	Dim    string             `bson:"dim"`    // all, district, …
	Value  string             `bson:"value"`
	Counts map[string]int64   `bson:"counts"`
	Hist   map[string][]int64 `bson:"hist"`
}

// Service records events and reads rollups.
type Service struct {
	store *store.Store
}

// New returns the service.
func New(s *store.Store) *Service { return &Service{store: s} }

func period(d core.Date) string { return d.String()[:7] }

func rollupID(period, dim, value string) string { return period + "|" + dim + "|" + value }

// Record counts an event once. It claims the event's id, then increments
// the month's rollup for "all" and for each of its dimensions. Recording
// the same event again changes nothing.
func (s *Service) Record(ctx context.Context, e Event) error {
	if e.ID == "" || e.On.IsZero() {
		return fmt.Errorf("figures: event without id or day")
	}
	_, err := s.store.C("figure_events").InsertOne(ctx, bson.D{{Key: "_id", Value: e.ID}})
	if mongo.IsDuplicateKeyError(err) {
		return nil
	}
	if err != nil {
		return core.Wrap(err, "claim figure event")
	}
	return s.apply(ctx, e)
}

func (s *Service) apply(ctx context.Context, e Event) error {
	inc := bson.D{}
	for k, n := range e.Counts {
		inc = append(inc, bson.E{Key: "counts." + k, Value: n})
	}
	for k, v := range e.Values {
		if !slices.Contains(Histograms, k) {
			return fmt.Errorf("figures: undeclared histogram %q", k)
		}
		inc = append(inc, bson.E{Key: fmt.Sprintf("hist.%s.%d", k, bucket(v)), Value: int64(1)})
	}
	if len(inc) == 0 {
		return nil
	}
	p := period(e.On)
	targets := [][2]string{{"all", "all"}}
	for _, d := range sortedKeys(e.Dims) {
		if v := e.Dims[d]; v != "" {
			targets = append(targets, [2]string{d, v})
		}
	}
	for _, t := range targets {
		id := rollupID(p, t[0], t[1])
		// Insert then increment, never upsert: an upsert reads the whole
		// collection on the embedded store. Every rollup is born with every
		// histogram's buckets, so an increment always finds its array.
		hist := map[string][]int64{}
		for _, k := range Histograms {
			hist[k] = make([]int64, len(Buckets)+1)
		}
		_, err := s.store.C("rollups").InsertOne(ctx, Rollup{ID: id, Period: p, Dim: t[0], Value: t[1], Counts: map[string]int64{}, Hist: hist})
		if err != nil && !mongo.IsDuplicateKeyError(err) {
			return core.Wrap(err, "create rollup")
		}
		if _, err := s.store.C("rollups").UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$inc", Value: inc}}); err != nil {
			return core.Wrap(err, "increment rollup")
		}
	}
	return nil
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
	Hist   map[string][]int64
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
	out := Figures{Counts: map[string]int64{}, Hist: map[string][]int64{}}
	start, err := time.Parse("2006-01", from)
	if err != nil {
		return out, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"from": "error.date"}}
	}
	end, err := time.Parse("2006-01", to)
	if err != nil || end.Before(start) || end.Sub(start) > 10*366*24*time.Hour {
		return out, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"to": "error.range"}}
	}
	for m := start; !m.After(end); m = m.AddDate(0, 1, 0) {
		var r Rollup
		err := s.store.Get(ctx, "rollups", rollupID(m.Format("2006-01"), dim, value), &r)
		if core.IsCode(err, core.NotFound) {
			continue
		}
		if err != nil {
			return out, err
		}
		for k, n := range r.Counts {
			out.Counts[k] += n
		}
		for k, h := range r.Hist {
			acc := out.Hist[k]
			if acc == nil {
				acc = make([]int64, len(Buckets)+1)
			}
			for i := range min(len(h), len(acc)) {
				acc[i] += h[i]
			}
			out.Hist[k] = acc
		}
	}
	return out, nil
}

// Source derives the events of one kind of record, for rebuilds.
type Source struct {
	Name string
	Each func(ctx context.Context, emit func(Event) error) error
}

// Rebuild recomputes every rollup from the sources: the rollups and the
// counted ids are dropped, then every record's events are recorded again.
// progress, when given, is called with the number of events so far.
func (s *Service) Rebuild(ctx context.Context, sources []Source, progress func(int)) (int, error) {
	for _, c := range []string{"rollups", "figure_events"} {
		if _, err := s.store.C(c).DeleteMany(ctx, bson.D{}); err != nil {
			return 0, core.Wrap(err, "clear "+c)
		}
	}
	n := 0
	for _, src := range sources {
		err := src.Each(ctx, func(e Event) error {
			if err := s.Record(ctx, e); err != nil {
				return err
			}
			n++
			if progress != nil && n%100 == 0 {
				progress(n)
			}
			return nil
		})
		if err != nil {
			return n, fmt.Errorf("rebuild %s: %w", src.Name, err)
		}
	}
	if progress != nil {
		progress(n)
	}
	return n, nil
}

// Snapshot returns every rollup, for tests that compare a rebuild with the
// incrementally kept values.
func (s *Service) Snapshot(ctx context.Context) (map[string]Rollup, error) {
	out := map[string]Rollup{}
	err := store.Each(ctx, s.store, "rollups", func(r *Rollup) error {
		out[r.ID] = *r
		return nil
	})
	return out, err
}
