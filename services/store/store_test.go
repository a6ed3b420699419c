package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/core"
	"onestop/services/store"
	"onestop/services/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var things = store.Collection{Name: "things"}

// TestReadByIDIsAnIndexSearch proves the embedded starter's extra index is
// used: SQLite's plan for a read by `_id` is a SEARCH, not a SCAN.
func TestReadByIDIsAnIndexSearch(t *testing.T) {
	s := storetest.New(t, things)
	if !s.Embedded() {
		t.Skip("query plans are FerretDB's; TEST_MONGODB_URI points at MongoDB")
	}
	ctx := context.Background()
	for i := range 50 {
		if _, err := s.C("things").InsertOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprintf("k%03d", i)}, {Key: "n", Value: i}}); err != nil {
			t.Fatal(err)
		}
	}
	var out bson.M
	cmd := bson.D{
		{Key: "explain", Value: bson.D{{Key: "find", Value: "things"}, {Key: "filter", Value: bson.D{{Key: "_id", Value: "k007"}}}}},
	}
	if err := s.DB().RunCommand(ctx, cmd).Decode(&out); err != nil {
		t.Fatal(err)
	}
	plan := fmt.Sprint(out["queryPlanner"])
	if !strings.Contains(plan, "SEARCH") || !strings.Contains(plan, "__id_lookup") {
		t.Fatalf("read by _id is not an index search; plan: %s", plan)
	}
	if out["filterPushdown"] != true {
		t.Fatalf("filter not pushed down: %v", out)
	}
}

func TestEnsureIsIdempotent(t *testing.T) {
	s := storetest.New(t, things)
	for range 2 {
		if err := s.Ensure(context.Background(), things, store.Keys); err != nil {
			t.Fatal(err)
		}
	}
}

func TestKeys(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	if err := s.ClaimKey(ctx, "email:a@b.cn", "u1", "error.taken"); err != nil {
		t.Fatal(err)
	}
	// Claiming again as the same owner is a safe retry.
	if err := s.ClaimKey(ctx, "email:a@b.cn", "u1", "error.taken"); err != nil {
		t.Fatalf("retry by owner: %v", err)
	}
	err := s.ClaimKey(ctx, "email:a@b.cn", "u2", "error.taken")
	if !core.IsCode(err, core.Conflict) {
		t.Fatalf("second owner: got %v, want conflict", err)
	}
	if owner, err := s.KeyOwner(ctx, "email:a@b.cn"); err != nil || owner != "u1" {
		t.Fatalf("owner = %q, %v", owner, err)
	}
	// Only the owner releases.
	if err := s.ReleaseKey(ctx, "email:a@b.cn", "u2"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.KeyOwner(ctx, "email:a@b.cn"); err != nil {
		t.Fatal("key released by a non-owner")
	}
	if err := s.ReleaseKey(ctx, "email:a@b.cn", "u1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.KeyOwner(ctx, "email:a@b.cn"); !core.IsCode(err, core.NotFound) {
		t.Fatalf("after release: %v", err)
	}
}

// TestKeysRace: of many writers claiming one key at once exactly one wins.
func TestKeysRace(t *testing.T) {
	s := storetest.New(t)
	var wins atomic.Int32
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			if s.ClaimKey(context.Background(), "phone:x", fmt.Sprint("u", i), "error.taken") == nil {
				wins.Add(1)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d writers claimed one key", wins.Load())
	}
}

func TestUpdateIf(t *testing.T) {
	s := storetest.New(t, things)
	ctx := context.Background()
	_, err := s.C("things").InsertOne(ctx, bson.D{{Key: "_id", Value: "b1"}, {Key: "status", Value: "open"}, {Key: "free", Value: int64(1)}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		id    string
		conds []store.Cond
		want  core.Code
	}{
		{"missing document", "nope", []store.Cond{store.Eq("status", "open")}, core.NotFound},
		{"stale status", "b1", []store.Cond{store.Eq("status", "closed")}, core.Conflict},
		{"missing field equals nil", "b1", []store.Cond{store.Eq("other", nil)}, ""},
		{"wrong type never equal", "b1", []store.Cond{store.Eq("free", "1")}, core.Conflict},
		{"number guard fails", "b1", []store.Cond{store.Gt("free", 5)}, core.Conflict},
		{"all hold", "b1", []store.Cond{store.Eq("status", "open"), store.Gte("free", 1), store.Ne("status", "x")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.UpdateIf(ctx, "things", tt.id, tt.conds, bson.D{{Key: "$set", Value: bson.D{{Key: "touched", Value: true}}}})
			if tt.want == "" && err != nil {
				t.Fatalf("got %v", err)
			}
			if tt.want != "" && !core.IsCode(err, tt.want) {
				t.Fatalf("got %v, want %s", err, tt.want)
			}
		})
	}
}

// TestUpdateIfNoLostUpdate: many writers race to take the last seat; the
// guard lets exactly one through and the counter never goes negative.
func TestUpdateIfNoLostUpdate(t *testing.T) {
	s := storetest.New(t, things)
	ctx := context.Background()
	if _, err := s.C("things").InsertOne(ctx, bson.D{{Key: "_id", Value: "base"}, {Key: "free", Value: int64(3)}}); err != nil {
		t.Fatal(err)
	}
	var ok atomic.Int32
	var wg sync.WaitGroup
	for range 12 {
		wg.Go(func() {
			err := s.UpdateIf(ctx, "things", "base", []store.Cond{store.Gt("free", 0)},
				bson.D{{Key: "$inc", Value: bson.D{{Key: "free", Value: int64(-1)}}}})
			if err == nil {
				ok.Add(1)
			} else if !core.IsCode(err, core.Conflict) {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	var doc struct{ Free int64 }
	if err := s.Get(ctx, "things", "base", &doc); err != nil {
		t.Fatal(err)
	}
	if ok.Load() != 3 || doc.Free != 0 {
		t.Fatalf("%d takers, %d left; want 3 and 0", ok.Load(), doc.Free)
	}
}

func TestUpdateIfOnTime(t *testing.T) {
	s := storetest.New(t, things)
	ctx := context.Background()
	at := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	s.C("things").InsertOne(ctx, bson.D{{Key: "_id", Value: "r"}, {Key: "updated_at", Value: at}})
	set := bson.D{{Key: "$set", Value: bson.D{{Key: "updated_at", Value: at.Add(time.Second)}}}}
	if err := s.UpdateIf(ctx, "things", "r", []store.Cond{store.Eq("updated_at", at)}, set); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateIf(ctx, "things", "r", []store.Cond{store.Eq("updated_at", at)}, set); !core.IsCode(err, core.Conflict) {
		t.Fatalf("second update on the old time: %v", err)
	}
}

// TestConcurrentIncrementsAreNotLost: the embedded FerretDB runs an update
// as a read and then a write, so two at once on one document could both
// read the same value; its writes go in one at a time (writeGate), so
// none is lost. MongoDB holds this by itself.
func TestConcurrentIncrementsAreNotLost(t *testing.T) {
	s := storetest.New(t, store.Collection{Name: "counters"})
	ctx := context.Background()
	if _, err := s.C("counters").InsertOne(ctx, bson.D{{Key: "_id", Value: "c"}, {Key: "n", Value: 0}}); err != nil {
		t.Fatal(err)
	}
	const workers, each = 8, 40
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				if _, err := s.C("counters").UpdateOne(ctx, bson.D{{Key: "_id", Value: "c"}}, bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: 1}}}}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	var got struct{ N int }
	if err := s.Get(ctx, "counters", "c", &got); err != nil {
		t.Fatal(err)
	}
	if got.N != workers*each {
		t.Errorf("n = %d after %d increments", got.N, workers*each)
	}
}
