package figures_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/core"
	"onestop/services/figures"
	"onestop/services/store/storetest"
)

// journalEvents touch five rollups: the city's, two districts', one
// group's, in November, and the city's in December.
func journalEvents() []figures.Event {
	nov, dec := core.NewDate(2026, 11, 20), core.NewDate(2026, 12, 2)
	return []figures.Event{
		{ID: "req:a", On: nov, Dims: map[string]string{"district": "d1", "group": "g1"}, Counts: map[string]int64{"service_requests": 1}, Values: map[string]float64{"answer_minutes": 4}},
		{ID: "req:b", On: nov, Dims: map[string]string{"district": "d2"}, Counts: map[string]int64{"service_requests": 1}},
		{ID: "req:c", On: dec, Counts: map[string]int64{"service_requests": 1}},
	}
}

// TestKilledCountIsFinishedOnce kills a count at each of its writes — and
// after its last, before the next batch — and starts another process on
// the same store: its Recover makes the figures those of the count done
// whole, once, and a second Recover or the same events again change
// nothing.
func TestKilledCountIsFinishedOnce(t *testing.T) {
	ctx := context.Background()
	events := journalEvents()
	ref := newFigures(t, storetest.New(t, figures.Collections...))
	if err := ref.Record(ctx, events...); err != nil {
		t.Fatal(err)
	}
	want, err := ref.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for kill := 0; kill <= 6; kill++ { // 1: before the claims, 2…6: before a rollup's sums; 0: after all
		t.Run(fmt.Sprintf("kill=%d", kill), func(t *testing.T) {
			st := storetest.New(t, figures.Collections...)
			dead, err := figures.Killed(st, kill)
			if err != nil {
				t.Fatal(err)
			}
			if err := dead.Record(ctx, events...); (err != nil) != (kill > 0) {
				t.Fatalf("the killed count answered %v", err)
			}
			next := newFigures(t, st)
			for pass, journals := range []int{1, 0} {
				n, err := next.Recover(ctx, time.Time{})
				if err != nil || n != journals {
					t.Fatalf("recover pass %d: %d journals, %v; want %d", pass+1, n, err, journals)
				}
				assertSnapshot(t, next, want)
			}
			if err := next.Record(ctx, events...); err != nil {
				t.Fatal(err)
			}
			assertSnapshot(t, next, want)
		})
	}
}

func assertSnapshot(t *testing.T, s *figures.Service, want map[string]figures.Rollup) {
	t.Helper()
	got, err := s.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rollups %v, want %v", got, want)
	}
}

// TestBatchMarksDoNotPileUp: rollups carry the marks of batches a journal
// still holds, and lose the others at their next update.
func TestBatchMarksDoNotPileUp(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t, figures.Collections...)
	s := newFigures(t, st)
	on := core.NewDate(2026, 11, 20)
	for i := range 20 {
		e := figures.Event{ID: fmt.Sprintf("req:%d", i), On: on, Counts: map[string]int64{"service_requests": 1}}
		if err := s.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	var r struct {
		Counts  map[string]int64 `bson:"counts"`
		Batches bson.M           `bson:"batches"`
	}
	if err := st.Get(ctx, "rollups", "2026-11|all|all", &r); err != nil {
		t.Fatal(err)
	}
	if r.Counts["service_requests"] != 20 || len(r.Batches) > 2 {
		t.Fatalf("%d counted, marks of %d batches: %v", r.Counts["service_requests"], len(r.Batches), r.Batches)
	}
}
