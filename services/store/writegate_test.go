package store_test

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"onestop/services/store"
)

// TestBackgroundWritesGoAfterRequests holds the gate while a background
// write and then a request's write wait for it: once it is free the
// request's write goes first, though it came second.
func TestBackgroundWritesGoAfterRequests(t *testing.T) {
	g := store.NewGate(time.Hour)
	ctx := context.Background()
	if !g.Acquire(ctx) {
		t.Fatal("the free gate was not taken")
	}
	var mu sync.Mutex
	var order []string
	var wg sync.WaitGroup
	in := func(name string, ctx context.Context) {
		if !g.Acquire(ctx) {
			t.Errorf("%s: not admitted", name)
			return
		}
		mu.Lock()
		order = append(order, name)
		mu.Unlock()
		g.Release()
	}
	wg.Go(func() { in("background", store.Background(ctx)) })
	wg.Go(func() { in("request", ctx) })
	for !g.Waiting(1) {
		runtime.Gosched()
	}
	g.Release()
	wg.Wait()
	if len(order) != 2 || order[0] != "request" {
		t.Fatalf("admitted in the order %v, want the request first", order)
	}
}

// TestBackgroundWritesAreNotStarved: with requests' writes waiting for
// good, a background write stands aside only as long as its bound allows
// — and, unbounded, until its context ends.
func TestBackgroundWritesAreNotStarved(t *testing.T) {
	for _, tc := range []struct {
		name  string
		yield time.Duration
		want  bool
	}{
		{"bounded", time.Millisecond, true},
		{"unbounded", time.Hour, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := store.NewGate(tc.yield)
			g.Queue(1) // a request's write that always waits
			ctx, cancel := context.WithTimeout(store.Background(context.Background()), 200*time.Millisecond)
			defer cancel()
			if got := g.Acquire(ctx); got != tc.want {
				t.Fatalf("admitted %v, want %v", got, tc.want)
			}
		})
	}
}

// TestGroupCommitOfARequestIsNotBackground: a commit led by background
// work but carrying a request's item is sent as the request's.
func TestGroupCommitOfARequestIsNotBackground(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var background []bool
	g := store.NewGroup(func(ctx context.Context, items []int) []error {
		mu.Lock()
		first := len(background) == 0
		background = append(background, store.IsBackground(ctx))
		mu.Unlock()
		if first {
			<-release
		}
		return nil
	})
	bg := store.Background(context.Background())
	done := make(chan error, 1)
	go func() { done <- g.Do(bg, 1) }() // leads, alone
	for {
		mu.Lock()
		n := len(background)
		mu.Unlock()
		if n == 1 {
			break
		}
		runtime.Gosched()
	}
	var wg sync.WaitGroup
	wg.Go(func() { _ = g.Do(context.Background(), 2) }) // a request's item
	for !g.Waiting(1) {
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(background) != 2 || !background[0] || background[1] {
		t.Fatalf("commits sent as background: %v, want [true false]", background)
	}
}
