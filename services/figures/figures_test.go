package figures_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/core"
	"onestop/services/figures"
	"onestop/services/store"
	"onestop/services/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func newFigures(t *testing.T, st *store.Store) *figures.Service {
	t.Helper()
	s, err := figures.New(figures.Deps{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A hand-made set: three decisions in November (2, 3 and 12 days), one in
// December (1 day), one recorded twice.
func TestRecordAndRead(t *testing.T) {
	s := newFigures(t, storetest.New(t, figures.Collections...))
	ctx := context.Background()
	nov, dec := core.NewDate(2026, 11, 20), core.NewDate(2026, 12, 2)
	events := []figures.Event{
		{ID: "loan:a", On: nov, Dims: map[string]string{"bank": "b1"}, Counts: map[string]int64{"loans_decided": 1, "loans_approved": 1}, Values: map[string]float64{"decision_days": 2}},
		{ID: "loan:b", On: nov, Dims: map[string]string{"bank": "b1"}, Counts: map[string]int64{"loans_decided": 1}, Values: map[string]float64{"decision_days": 3}},
		{ID: "loan:c", On: nov, Dims: map[string]string{"bank": "b2"}, Counts: map[string]int64{"loans_decided": 1, "loans_approved": 1}, Values: map[string]float64{"decision_days": 12}},
		{ID: "loan:c", On: nov, Dims: map[string]string{"bank": "b2"}, Counts: map[string]int64{"loans_decided": 1, "loans_approved": 1}, Values: map[string]float64{"decision_days": 12}},
		{ID: "loan:d", On: dec, Dims: map[string]string{"bank": "b1"}, Counts: map[string]int64{"loans_decided": 1, "loans_approved": 1}, Values: map[string]float64{"decision_days": 1}},
	}
	for _, e := range events {
		if err := s.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		from, to, dim, value string
		decided, approved    int64
		median               float64
	}{
		{"2026-11", "2026-11", "all", "all", 3, 2, 3},  // 2, 3, 12: the middle one is in the ≤3 bucket
		{"2026-11", "2026-12", "all", "all", 4, 3, 2},  // 1, 2, 3, 12: the second is in the ≤2 bucket
		{"2026-11", "2026-12", "bank", "b1", 3, 2, 2},  // 2, 3, 1
		{"2026-11", "2026-11", "bank", "b2", 1, 1, 15}, // 12 falls in the ≤15 bucket
		{"2025-01", "2025-12", "all", "all", 0, 0, 0},
	} {
		f, err := s.Read(ctx, tt.from, tt.to, tt.dim, tt.value)
		if err != nil {
			t.Fatal(err)
		}
		if f.Counts["loans_decided"] != tt.decided || f.Counts["loans_approved"] != tt.approved || f.Quantile("decision_days", 0.5) != tt.median {
			t.Errorf("%s..%s %s=%s: %v, median %v", tt.from, tt.to, tt.dim, tt.value, f.Counts, f.Quantile("decision_days", 0.5))
		}
	}
	if _, err := s.Read(ctx, "2026-12", "2026-01", "all", "all"); !core.IsCode(err, core.Invalid) {
		t.Errorf("a reversed range: %v", err)
	}
	if _, err := s.Read(ctx, "1990-01", "2099-12", "all", "all"); !core.IsCode(err, core.Invalid) {
		t.Errorf("an absurd range: %v", err)
	}
	if err := s.Record(ctx, figures.Event{ID: "x", On: nov, Values: map[string]float64{"shoe_size": 42}}); err == nil {
		t.Error("an undeclared histogram was accepted")
	}
}

// After a random sequence of writes and corrections kept incrementally, a
// rebuild from the records gives the same rollups.
func TestRebuildEqualsIncremental(t *testing.T) {
	s := newFigures(t, storetest.New(t, figures.Collections...))
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 2))
	var records []figures.Event
	for range 300 {
		e := figures.Event{ID: fmt.Sprintf("rec:%d", r.IntN(200)), On: core.NewDate(2026, time.Month(1+r.IntN(12)), 1+r.IntN(28)),
			Dims:   map[string]string{"district": []string{"dongcheng", "xicheng", "beishan"}[r.IntN(3)], "bank": fmt.Sprintf("b%d", r.IntN(2))},
			Counts: map[string]int64{"loans_decided": 1, "loans_approved": int64(r.IntN(2))}, Values: map[string]float64{"decision_days": float64(r.IntN(20))}}
		// The record's events are a function of the record: a repeated id
		// is the same record written again (a retry), with the same event.
		// Now and then the record is corrected instead (another day, other
		// dimensions): its old event is replaced.
		if j := slicesIndex(records, e.ID); j >= 0 && r.IntN(3) == 0 {
			if err := s.Replace(ctx, []figures.Event{records[j]}, []figures.Event{e}); err != nil {
				t.Fatal(err)
			}
			records[j] = e
			continue
		} else if j >= 0 {
			e = records[j]
		} else {
			records = append(records, e)
		}
		if err := s.Record(ctx, e); err != nil {
			t.Fatal(err)
		}

	}
	incremental, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.Rebuild(ctx, []figures.Source{{Name: "records", Each: func(ctx context.Context, emit func(figures.Event) error) error {
		for _, e := range records {
			if err := emit(e); err != nil {
				return err
			}
		}
		return nil
	}}}, nil)
	if err != nil || n != len(records) {
		t.Fatalf("rebuild: %d %v", n, err)
	}
	rebuilt, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rebuilt) == 0 || !reflect.DeepEqual(incremental, rebuilt) {
		t.Fatalf("rebuild differs: %d rollups incrementally, %d rebuilt", len(incremental), len(rebuilt))
	}
}

func slicesIndex(list []figures.Event, id string) int {
	for i, e := range list {
		if e.ID == id {
			return i
		}
	}
	return -1
}

// A rollup written before a histogram existed gets it, zeroed, and then
// counts into it.
func TestUpgradeAddsHistograms(t *testing.T) {
	st := storetest.New(t, figures.Collections...)
	s := newFigures(t, st)
	ctx := context.Background()
	if _, err := st.C("rollups").InsertOne(ctx, bson.D{{Key: "_id", Value: "2026-11|all|all"}, {Key: "period", Value: "2026-11"}, {Key: "dim", Value: "all"},
		{Key: "value", Value: "all"}, {Key: "counts", Value: bson.D{{Key: "calls", Value: int64(3)}}}, {Key: "hist", Value: bson.D{}}}); err != nil {
		t.Fatal(err)
	}
	// A rollup an older replica made after the upgrade: the increment
	// turned the missing histogram into a document. It still reads.
	if _, err := st.C("rollups").InsertOne(ctx, bson.D{{Key: "_id", Value: "2026-10|all|all"}, {Key: "period", Value: "2026-10"}, {Key: "dim", Value: "all"},
		{Key: "value", Value: "all"}, {Key: "counts", Value: bson.D{{Key: "match_decided", Value: int64(2)}}},
		{Key: "hist", Value: bson.D{{Key: "match_days", Value: bson.D{{Key: "3", Value: int64(2)}}}}}}); err != nil {
		t.Fatal(err)
	}
	if f, err := s.Read(ctx, "2026-10", "2026-10", "all", "all"); err != nil || f.Quantile("match_days", 0.5) != 5 {
		t.Fatalf("a histogram kept as a document: %+v %v", f, err)
	}
	if err := s.Upgrade(ctx); err != nil {
		t.Fatal(err)
	}
	var raw bson.Raw
	if err := st.C("rollups").FindOne(ctx, bson.D{{Key: "_id", Value: "2026-10|all|all"}}).Decode(&raw); err != nil || raw.Lookup("hist", "match_days").Type != bson.TypeArray {
		t.Fatalf("not an array again: %v %v", raw, err)
	}
	if f, _ := s.Read(ctx, "2026-10", "2026-10", "all", "all"); f.Quantile("match_days", 0.5) != 5 {
		t.Fatalf("the counts were lost in the upgrade: %+v", f)
	}
	if err := s.Record(ctx, figures.Event{ID: "m1", On: core.NewDate(2026, 11, 3), Values: map[string]float64{"match_days": 4}, Counts: map[string]int64{"match_decided": 1}}); err != nil {
		t.Fatal(err)
	}
	f, err := s.Read(ctx, "2026-11", "2026-11", "all", "all")
	if err != nil || f.Counts["calls"] != 3 || f.Quantile("match_days", 0.5) != 5 {
		t.Fatalf("after the upgrade: %+v %v", f, err)
	}
}

// A write that lands while a rebuild runs is merged into the rebuilt
// rollups, and the rebuild does not fail on it.
func TestRebuildWithLiveWrites(t *testing.T) {
	s := newFigures(t, storetest.New(t, figures.Collections...))
	ctx := context.Background()
	on := core.NewDate(2026, 11, 3)
	live := figures.Event{ID: "live:1", On: on, Dims: map[string]string{"district": "xicheng"}, Counts: map[string]int64{"calls": 1}}
	n, err := s.Rebuild(ctx, []figures.Source{{Name: "records", Each: func(ctx context.Context, emit func(figures.Event) error) error {
		for i := range 5 {
			if i == 2 {
				if err := s.Record(ctx, live); err != nil { // a live write, after the rebuild cleared the rollups
					return err
				}
			}
			if err := emit(figures.Event{ID: fmt.Sprintf("rec:%d", i), On: on, Dims: map[string]string{"district": "xicheng"}, Counts: map[string]int64{"calls": 1}}); err != nil {
				return err
			}
		}
		return nil
	}}}, nil)
	if err != nil || n != 5 {
		t.Fatalf("rebuild: %d %v", n, err)
	}
	for _, dim := range [][2]string{{"all", "all"}, {"district", "xicheng"}} {
		f, err := s.Read(ctx, "2026-11", "2026-11", dim[0], dim[1])
		if err != nil || f.Counts["calls"] != 6 {
			t.Errorf("%v: %v (%v)", dim, f.Counts, err)
		}
	}
}

// Rollups of an older version are rebuilt once, by one replica.
func TestRebuildIfOld(t *testing.T) {
	s := newFigures(t, storetest.New(t, append(figures.Collections, store.Leases)...))
	ctx := context.Background()
	src := []figures.Source{{Name: "records", Each: func(ctx context.Context, emit func(figures.Event) error) error {
		return emit(figures.Event{ID: "rec:1", On: core.NewDate(2025, 3, 1), Counts: map[string]int64{"ventures_started": 1}})
	}}}
	now := time.Now()
	for i, want := range []bool{true, false} {
		did, err := s.RebuildIfOld(ctx, src, "replica-a", now)
		if err != nil || did != want {
			t.Fatalf("run %d: %v %v", i, did, err)
		}
	}
	if v, _ := s.Built(ctx); v != figures.Version {
		t.Fatalf("built %d", v)
	}
	if f, _ := s.Read(ctx, "2025-03", "2025-03", "all", "all"); f.Counts["ventures_started"] != 1 {
		t.Fatalf("the past was not counted: %v", f.Counts)
	}
}

// A stock is a level that holds now, whatever the days of its moves: it
// is read whole (Stock), never in a span of months, has no city-wide sum,
// and a rebuild from the same events gives it again.
func TestStock(t *testing.T) {
	s := newFigures(t, storetest.New(t, figures.Collections...))
	ctx := context.Background()
	level := func(id string, on core.Date, policy string, n int64) figures.Event {
		return figures.Event{ID: id, On: on, Stock: true, Dims: map[string]string{"policy": policy}, Counts: map[string]int64{"eligible": n}}
	}
	events := []figures.Event{
		level("in:a", core.NewDate(2025, 3, 1), "p1", 1),
		level("in:b", core.NewDate(2026, 11, 2), "p1", 1),
		level("in:b", core.NewDate(2026, 11, 2), "p1", 1), // a retry
		level("in:c", core.NewDate(2026, 11, 3), "p2", 1),
		level("out:a", core.NewDate(2026, 11, 20), "p1", -1),
	}
	for _, e := range events {
		if err := s.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	check := func(when string) {
		t.Helper()
		for policy, want := range map[string]int64{"p1": 1, "p2": 1, "p3": 0} {
			if n, err := s.Stock(ctx, "policy", policy); err != nil || n["eligible"] != want {
				t.Errorf("%s: %s eligible now %v (%v), want %d", when, policy, n, err, want)
			}
		}
		if f, err := s.Read(ctx, "2025-01", "2026-12", "policy", "p1"); err != nil || len(f.Counts) != 0 {
			t.Errorf("%s: a stock read as a span: %v (%v)", when, f.Counts, err)
		}
		if f, err := s.Read(ctx, "2025-01", "2026-12", "all", "all"); err != nil || len(f.Counts) != 0 {
			t.Errorf("%s: a city-wide sum of levels: %v (%v)", when, f.Counts, err)
		}
	}
	check("kept")
	if _, err := s.Rebuild(ctx, []figures.Source{{Name: "levels", Each: func(ctx context.Context, emit func(figures.Event) error) error {
		for _, e := range events {
			if err := emit(e); err != nil {
				return err
			}
		}
		return nil
	}}}, nil); err != nil {
		t.Fatal(err)
	}
	check("rebuilt")
}

// TestConcurrentCountsGoTogether (#22): counts made at once by many
// requests are written together — fewer writes than one by one — and add
// up to what counting them one by one gives, each event once however
// often it comes.
func TestConcurrentCountsGoTogether(t *testing.T) {
	st := storetest.New(t, figures.Collections...)
	together, alone := newFigures(t, st), newFigures(t, storetest.New(t, figures.Collections...))
	ctx := context.Background()
	day := core.NewDate(2026, 11, 20)
	event := func(i int) figures.Event {
		k := i % 40 // the same event twice
		return figures.Event{ID: fmt.Sprintf("loan:%d", k), On: day, Dims: map[string]string{"bank": fmt.Sprintf("b%d", k%3)},
			Counts: map[string]int64{"loans_decided": 1}, Values: map[string]float64{"decision_days": float64(k % 9)}}
	}
	before := st.Writes()
	done := make(chan struct{})
	for i := range 80 { // 40 events, each counted twice
		go func() {
			together.Count(ctx, "loan", fmt.Sprint(i), []figures.Event{event(i)})
			done <- struct{}{}
		}()
	}
	for range 80 {
		<-done
	}
	writes := st.Writes() - before
	for i := range 80 {
		alone.Count(ctx, "loan", fmt.Sprint(i), []figures.Event{event(i)})
	}
	got, err := together.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want, err := alone.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("together %v\nalone %v", got, want)
	}
	if f, _ := together.Read(ctx, "2026-11", "2026-11", "all", "all"); f.Counts["loans_decided"] != 40 {
		t.Errorf("decided = %d, want 40 (each event once)", f.Counts["loans_decided"])
	}
	// One by one, each new event is a claim and two increments (all, its
	// bank): 120 writes at least.
	if writes >= 120 {
		t.Errorf("%d writes for 80 concurrent counts", writes)
	}
	t.Logf("%d writes for 80 concurrent counts of 40 events", writes)
}
