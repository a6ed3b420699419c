package store_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"onestop/services/store"
	"onestop/services/store/storetest"
)

// TestBumpCountsConcurrentCallersOnce: forty callers at once each get a
// different count, 1 to 40, so a limit checked on the returned count
// admits exactly its number.
func TestBumpCountsConcurrentCallersOnce(t *testing.T) {
	s := storetest.New(t, things)
	const n = 40
	counts := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			c, err := s.Bump(context.Background(), "things", "limit:x", time.Now().Add(time.Minute))
			if err != nil {
				t.Error(err)
			}
			counts[i] = c
		})
	}
	wg.Wait()
	slices.Sort(counts)
	for i, c := range counts {
		if c != i+1 {
			t.Fatalf("counts %v: want each of 1..%d once", counts, n)
		}
	}
}

// TestNextNumbersConcurrentCallersOnce: forty callers at once each get a
// different number of a series, 1 to 40, and another series counts apart.
func TestNextNumbersConcurrentCallersOnce(t *testing.T) {
	s := storetest.New(t, store.Sequences)
	const n = 40
	got := make([]int64, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			v, err := s.Next(context.Background(), "complaints:2026")
			if err != nil {
				t.Error(err)
			}
			got[i] = v
		})
	}
	wg.Wait()
	slices.Sort(got)
	for i, v := range got {
		if v != int64(i+1) {
			t.Fatalf("numbers %v: want each of 1..%d once", got, n)
		}
	}
	if v, err := s.Next(context.Background(), "complaints:2027"); err != nil || v != 1 {
		t.Errorf("a new series starts at %d (%v), want 1", v, err)
	}
}
