package store_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"onestop/services/store"
	"onestop/services/store/storetest"
)

// TestGroupCommitsWaitersTogether holds the first commit open and lets five
// calls come meanwhile: they go in as one second commit, each hears its own
// item's error, and the leader does not wait for them.
func TestGroupCommitsWaitersTogether(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var commits [][]int
	g := store.NewGroup(func(ctx context.Context, items []int) []error {
		mu.Lock()
		first := len(commits) == 0
		commits = append(commits, slices.Clone(items))
		mu.Unlock()
		if first {
			<-release
		}
		errs := make([]error, len(items))
		for i, n := range items {
			if n%2 == 1 {
				errs[i] = fmt.Errorf("odd %d", n)
			}
		}
		return errs
	})
	ctx := context.Background()
	leader := make(chan error)
	go func() { leader <- g.Do(ctx, 0) }()
	for { // the leader's commit is under way
		mu.Lock()
		n := len(commits)
		mu.Unlock()
		if n == 1 {
			break
		}
		runtime.Gosched()
	}
	results := make([]error, 6)
	var wg sync.WaitGroup
	for i := 1; i <= 5; i++ {
		wg.Go(func() { results[i] = g.Do(ctx, i*2-i%2) }) // 1, 4, 3, 8, 5
	}
	for !g.Waiting(5) {
		runtime.Gosched()
	}
	close(release)
	if err := <-leader; err != nil {
		t.Fatalf("leader: %v", err)
	}
	wg.Wait()
	if len(commits) != 2 || len(commits[1]) != 5 {
		t.Fatalf("commits %v, want the leader's then one of five", commits)
	}
	for i := 1; i <= 5; i++ {
		n := i*2 - i%2
		if got, odd := results[i], n%2 == 1; (got != nil) != odd {
			t.Errorf("item %d: error %v", n, got)
		}
	}
}

// TestInsertGroupsAndKeepsEachError: concurrent inserts into one
// collection all go in, fewer commands than documents when they wait for
// each other, and a duplicate is its own caller's duplicate-key error.
func TestInsertGroupsAndKeepsEachError(t *testing.T) {
	s := storetest.New(t, things)
	ctx := context.Background()
	if err := s.Insert(ctx, "things", bson.D{{Key: "_id", Value: "taken"}}); err != nil {
		t.Fatal(err)
	}
	ids := []string{"taken"}
	for i := range 40 {
		ids = append(ids, fmt.Sprintf("t%02d", i))
	}
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() { errs[i] = s.Insert(ctx, "things", bson.D{{Key: "_id", Value: id}, {Key: "n", Value: i}}) })
	}
	wg.Wait()
	if !mongo.IsDuplicateKeyError(errs[0]) {
		t.Fatalf("duplicate: %v", errs[0])
	}
	for i, err := range errs[1:] {
		if err != nil {
			t.Fatalf("%s: %v", ids[i+1], err)
		}
	}
	n, err := s.C("things").CountDocuments(ctx, bson.D{})
	if err != nil || n != int64(len(ids)) {
		t.Fatalf("%d documents (%v), want %d", n, err, len(ids))
	}
	var one bson.M
	if err := s.C("things").FindOne(ctx, bson.D{{Key: "_id", Value: "t07"}}).Decode(&one); err != nil || one["n"] != int32(8) {
		t.Fatalf("t07: %v %v", one, err)
	}
}

// TestInsertCancelled: a caller whose context ends first hears so.
func TestInsertCancelled(t *testing.T) {
	s := storetest.New(t, things)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Insert(ctx, "things", bson.D{{Key: "_id", Value: "x"}}); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
}

// TestSetGroups: concurrent Sets on one collection all land, on the
// documents they name; one naming no document changes nothing and fails
// nobody.
func TestSetGroups(t *testing.T) {
	s := storetest.New(t, things)
	ctx := context.Background()
	for i := range 30 {
		if err := s.Insert(ctx, "things", bson.D{{Key: "_id", Value: fmt.Sprintf("s%02d", i)}, {Key: "n", Value: i}}); err != nil {
			t.Fatal(err)
		}
	}
	errs := make([]error, 31)
	var wg sync.WaitGroup
	for i := range 31 { // s30 is not there
		wg.Go(func() {
			errs[i] = s.Set(ctx, "things", fmt.Sprintf("s%02d", i), bson.D{{Key: "done", Value: true}, {Key: "twice", Value: 2 * i}})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("s%02d: %v", i, err)
		}
	}
	for i := range 30 {
		var d struct {
			N     int  `bson:"n"`
			Done  bool `bson:"done"`
			Twice int  `bson:"twice"`
		}
		if err := s.Get(ctx, "things", fmt.Sprintf("s%02d", i), &d); err != nil || !d.Done || d.Twice != 2*i || d.N != i {
			t.Fatalf("s%02d: %+v %v", i, d, err)
		}
	}
	if n, _ := s.C("things").CountDocuments(ctx, bson.D{}); n != 30 {
		t.Fatalf("%d documents, want 30 (a Set made one)", n)
	}
}
