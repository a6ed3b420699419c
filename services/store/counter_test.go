package store_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

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
