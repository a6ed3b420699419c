package store

import (
	"context"
	"log/slog"
	"time"
)

// Waiting reports whether at least n items wait for the next commit.
func (g *Group[T]) Waiting(n int) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.open != nil && len(g.open.items) >= n
}

// Gate is the embedded store's write gate on its own; background writes
// stand aside for at most yield.
type Gate struct{ g *writeGate }

func NewGate(yield time.Duration) Gate {
	g := newWriteGate(slog.New(slog.DiscardHandler))
	g.yield = yield
	return Gate{g}
}

// Acquire takes the slot as a write with ctx would; Release gives it back.
func (g Gate) Acquire(ctx context.Context) bool { return g.g.acquire(ctx) }
func (g Gate) Release()                         { <-g.g.slot }

// Waiting reports whether at least n writes of requests wait.
func (g Gate) Waiting(n int) bool { return g.g.waiting.Load() >= int64(n) }

// Queue counts n more writes of requests as waiting, for good.
func (g Gate) Queue(n int) { g.g.waiting.Add(int64(n)) }

// IsBackground reports whether ctx is marked as background work.
var IsBackground = isBackground
