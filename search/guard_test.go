package search

import (
	"context"
	"errors"
	"fmt"
	"net"
	"onestop/search/searchtest"
	"sync/atomic"
	"testing"
	"time"
)

// flaky is an engine that fails with err while it is set, and counts the
// calls that reach it.
type flaky struct {
	Bleve
	err   atomic.Pointer[error]
	block bool // wait for the deadline instead, like a busy embedded engine
	calls atomic.Int64
}

func (f *flaky) answer(ctx context.Context) error {
	f.calls.Add(1)
	if f.block {
		<-ctx.Done()
		return ctx.Err()
	}
	if e := f.err.Load(); e != nil {
		return *e
	}
	return nil
}

func (f *flaky) Health(ctx context.Context) error { return f.answer(ctx) }
func (f *flaky) Search(ctx context.Context, _ string, _ Query) (*Result, error) {
	return &Result{}, f.answer(ctx)
}

func (f *flaky) fail(err error) { f.err.Store(&err) }

var quick = Deadlines{Read: 200 * time.Millisecond, Write: 200 * time.Millisecond, Pause: time.Hour}

func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	return "http://" + ln.Addr().String()
}

// TestGuardMeiliNotAnswering: a Meilisearch server that refuses or never
// answers is found out within the read deadline, and the calls after it
// fail at once instead of each waiting again; a probe still goes through.
func TestGuardMeiliNotAnswering(t *testing.T) {
	for _, tt := range []struct {
		name string
		url  func(*testing.T) string
	}{
		{"closed port", closedPort},
		{"blackholed", func(t *testing.T) string { return searchtest.Blackhole(t) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := Guard(OpenMeili(tt.url(t), "", "guard_"), quick)
			ctx := context.Background()
			start := time.Now()
			err := g.Health(ctx)
			t.Logf("health answered after %v: %v", time.Since(start).Round(time.Millisecond), err)
			if !errors.Is(err, ErrUnavailable) || !g.Down() {
				t.Fatalf("health: %v, down %v", err, g.Down())
			}
			if _, err := g.Search(ctx, "projects", Query{Text: "創業"}); !errors.Is(err, ErrUnavailable) {
				t.Errorf("search while down: %v", err)
			}
			if err := g.Upsert(ctx, "projects", Doc{ID: "p1"}); !errors.Is(err, ErrUnavailable) {
				t.Errorf("upsert while down: %v", err)
			}
		})
	}
}

func TestGuard(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		set       func(*flaky)
		wantErr   error
		wantDown  bool
		reachesIt int64 // calls that reach the engine out of two searches
	}{
		{"answers", func(*flaky) {}, nil, false, 2},
		{"answers with an error", func(f *flaky) { f.fail(ErrBadQuery) }, ErrBadQuery, false, 2},
		{"connection refused", func(f *flaky) { f.fail(&net.OpError{Op: "dial", Err: errors.New("refused")}) }, ErrUnavailable, true, 1},
		{"cannot be opened", func(f *flaky) { f.fail(fmt.Errorf("%w: read-only", ErrUnavailable)) }, ErrUnavailable, true, 1},
		// An embedded engine past its deadline is busy: that call fails,
		// the next one still tries.
		{"busy past its deadline", func(f *flaky) { f.block = true }, context.DeadlineExceeded, false, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &flaky{}
			tt.set(f)
			g := Guard(f, quick)
			_, err := g.Search(ctx, "x", Query{})
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err %v, want %v", err, tt.wantErr)
			}
			if g.Down() != tt.wantDown {
				t.Errorf("down %v, want %v", g.Down(), tt.wantDown)
			}
			_, _ = g.Search(ctx, "x", Query{})
			if n := f.calls.Load(); n != tt.reachesIt {
				t.Errorf("%d calls reached the engine, want %d", n, tt.reachesIt)
			}
		})
	}
}

// TestGuardComesBack: a health probe that succeeds ends the pause.
func TestGuardComesBack(t *testing.T) {
	ctx := context.Background()
	f := &flaky{}
	f.fail(&net.OpError{Op: "dial", Err: errors.New("refused")})
	g := Guard(f, quick)
	if err := g.Health(ctx); !errors.Is(err, ErrUnavailable) || !g.Down() {
		t.Fatalf("health %v, down %v", err, g.Down())
	}
	f.err.Store(nil)
	if err := g.Health(ctx); err != nil || g.Down() {
		t.Fatalf("after recovery: health %v, down %v", err, g.Down())
	}
	if _, err := g.Search(ctx, "x", Query{}); err != nil {
		t.Fatalf("search after recovery: %v", err)
	}
}

// TestLazy: an engine that cannot be opened is unavailable, is tried again
// on the next call, and once open stays open.
func TestLazy(t *testing.T) {
	var opens atomic.Int64
	var fixed atomic.Bool
	l := NewLazy("test", func() (Engine, error) {
		opens.Add(1)
		if !fixed.Load() {
			return nil, errors.New("index directory is not writable")
		}
		return &flaky{}, nil
	})
	ctx := context.Background()
	if _, err := l.Search(ctx, "x", Query{}); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("search before open: %v", err)
	}
	if err := l.Health(ctx); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("health before open: %v", err)
	}
	fixed.Store(true)
	for range 3 {
		if err := l.Health(ctx); err != nil {
			t.Fatalf("health once openable: %v", err)
		}
	}
	if n := opens.Load(); n != 3 {
		t.Errorf("opened %d times, want 3 (two failures, one success)", n)
	}
	if err := l.Close(); err != nil {
		t.Error(err)
	}
}
