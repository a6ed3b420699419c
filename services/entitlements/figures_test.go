package entitlements_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/entitlements"
	"onestop/services/figures"
	"onestop/services/policy"
	"onestop/services/privacy"
)

// stock is the people eligible now for the test's supports, as the
// policy-delivery table reads them.
func (w *world) stock(t *testing.T) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, id := range []string{"t-unemployed", "t-graduate"} {
		n, err := w.Figures.Stock(context.Background(), "policy", id)
		if err != nil {
			t.Fatal(err)
		}
		out[id] = n["eligible"]
	}
	return out
}

// stockRollups are the stock rollups with their non-zero counts.
func (w *world) stockRollups(t *testing.T) map[string]figures.Rollup {
	t.Helper()
	all, err := w.Figures.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for id := range all {
		if !strings.HasPrefix(id, figures.StockPeriod+"|") {
			delete(all, id)
		}
	}
	return all
}

// TestEligibleCounted (#17, source (十五)): the people eligible for each
// support now follow the snapshots — a gain counted once however often
// the re-check runs (a sweep, a retry after a crash), a loss and an
// erasure taking the person back out, a gain after a loss counted again —
// and a rebuild from the snapshots gives the same numbers at every step,
// the live counts going on from it.
func TestEligibleCounted(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	grad := core.DateOf(w.Clock()).AddYears(-1)
	unemployed := policy.Facts{TargetGroups: []string{"registered_unemployed"}}
	both := policy.Facts{TargetGroups: []string{"registered_unemployed", "college_graduate"}, GraduationDate: &grad}
	working := policy.Facts{TargetGroups: []string{}}
	who := map[string]accounts.Principal{}
	var before bson.Raw // 乙's snapshot before her last change: the crash's
	steps := []struct {
		name string
		do   func(t *testing.T)
		want map[string]int64
	}{
		{"甲 registered unemployed: eligible at her first check", func(t *testing.T) {
			who["甲"] = w.person(t, "甲", unemployed)
		}, map[string]int64{"t-unemployed": 1}},
		{"乙 a graduate, unemployed: both", func(t *testing.T) {
			who["乙"] = w.person(t, "乙", both)
		}, map[string]int64{"t-unemployed": 2, "t-graduate": 1}},
		{"a sweep finds nothing new: counted once", func(t *testing.T) {
			if _, err := w.ent.SweepAll(ctx); err != nil {
				t.Fatal(err)
			}
		}, map[string]int64{"t-unemployed": 2, "t-graduate": 1}},
		{"甲 finds work: out", func(t *testing.T) { w.save(t, who["甲"], working) }, map[string]int64{"t-unemployed": 1, "t-graduate": 1}},
		{"甲 unemployed again: in again", func(t *testing.T) { w.save(t, who["甲"], unemployed) }, map[string]int64{"t-unemployed": 2, "t-graduate": 1}},
		{"乙 finds work, and the refresh crashes before its snapshot: run again, counted once", func(t *testing.T) {
			var err error
			if before, err = w.Store.C(entitlements.Collection.Name).FindOne(ctx, bson.D{{Key: "_id", Value: who["乙"].ID}}).Raw(); err != nil {
				t.Fatal(err)
			}
			w.save(t, who["乙"], policy.Facts{TargetGroups: []string{"college_graduate"}, GraduationDate: &grad})
			if _, err := w.Store.C(entitlements.Collection.Name).ReplaceOne(ctx, bson.D{{Key: "_id", Value: who["乙"].ID}}, before); err != nil {
				t.Fatal(err)
			}
			if _, err := w.ent.Refresh(ctx, who["乙"].ID); err != nil {
				t.Fatal(err)
			}
		}, map[string]int64{"t-unemployed": 1, "t-graduate": 1}},
		{"乙's account erased: out of every count", func(t *testing.T) {
			if err := w.ent.PersonalData().Erase(ctx, privacy.Subject{ID: who["乙"].ID}); err != nil {
				t.Fatal(err)
			}
			// Run again, as an erasure retried: nothing more.
			if err := w.ent.PersonalData().Erase(ctx, privacy.Subject{ID: who["乙"].ID}); err != nil {
				t.Fatal(err)
			}
		}, map[string]int64{"t-unemployed": 1, "t-graduate": 0}},
	}
	for _, st := range steps {
		w.Advance(time.Minute)
		st.do(t)
		if got := w.stock(t); !reflect.DeepEqual(got, withZeros(st.want)) {
			t.Fatalf("%s: eligible now %v, want %v", st.name, got, st.want)
		}
		live := w.stockRollups(t)
		if _, err := w.Figures.Rebuild(ctx, []figures.Source{w.ent.FigureSource()}, nil); err != nil {
			t.Fatal(err)
		}
		if rebuilt := w.stockRollups(t); !reflect.DeepEqual(live, rebuilt) {
			t.Fatalf("%s: a rebuild from the snapshots gives %v, the writes kept %v", st.name, rebuilt, live)
		}
	}
	// A sum of levels across supports is no figure: none is kept.
	for id := range w.stockRollups(t) {
		if strings.Contains(id, "|all|") {
			t.Errorf("a city-wide sum of levels: %s", id)
		}
	}
}

func withZeros(m map[string]int64) map[string]int64 {
	out := map[string]int64{"t-unemployed": 0, "t-graduate": 0}
	for k, v := range m {
		out[k] = v
	}
	return out
}
