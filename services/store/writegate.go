package store

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/event"
)

// writeGate admits one write command at a time to the embedded store.
//
// SQLite lets one writer in at a time. When several wait, its busy handler
// sleeps between tries (up to 100 ms a try), so a writer can lose the race
// again and again: BenchmarkConcurrentWrites measured a write p99 of 2.2 s
// with 32 writers. Queued here instead, writers go in turn, handed over in
// microseconds, and SQLite never sees a second writer. Reads are not gated
// (WAL lets them run beside the writer).
//
// Writes of background work (Background: the leased workers, a sweep over
// everyone) go in only while no request's write waits, or once they have
// waited backgroundWait: a re-check of 100,000 people makes some 1,500
// writes a second when let, and taking turns with it the load program's
// writes had a p99 of 189 ms (1 s pauses; 143 ms once it stood aside).
//
// The gate sits in the driver's command monitor: Started runs after the
// command is built and before it is sent, and Succeeded or Failed runs
// once its answer is in, for every command Started saw.
type writeGate struct {
	slot    chan struct{}
	waiting atomic.Int64  // writes of requests waiting for the slot
	yield   time.Duration // how long a background write stands aside at most
	held    sync.Map      // request id of a command holding the slot → gateHold
	log     *slog.Logger
}

// backgroundWait is the longest a background write stands aside for the
// writes of requests: under writes that never stop, it still goes on.
const backgroundWait = time.Second

// backgroundKey marks a context as background work.
type backgroundKey struct{}

// Background marks ctx as work no one waits on; on the embedded store its
// writes let the writes of requests go first.
func Background(ctx context.Context) context.Context {
	return context.WithValue(ctx, backgroundKey{}, true)
}

func isBackground(ctx context.Context) bool {
	b, _ := ctx.Value(backgroundKey{}).(bool)
	return b
}

// gateHold is a command holding the gate: what it is and since when.
type gateHold struct {
	what  string
	since time.Time
}

// slowHold is how long a write may hold the gate before it is logged:
// every other write waits that long behind it.
const slowHold = 250 * time.Millisecond

// gatedCommands change data or schema; FerretDB runs each in a SQLite write
// transaction.
var gatedCommands = map[string]bool{
	"insert": true, "update": true, "delete": true, "findAndModify": true,
	"create": true, "createIndexes": true, "drop": true, "dropIndexes": true, "dropDatabase": true,
}

func newWriteGate(log *slog.Logger) *writeGate {
	return &writeGate{slot: make(chan struct{}, 1), yield: backgroundWait, log: log}
}

// monitor wraps next (nil for none) with the gate.
func (g *writeGate) monitor(next *event.CommandMonitor) *event.CommandMonitor {
	if next == nil {
		next = &event.CommandMonitor{}
	}
	return &event.CommandMonitor{
		Started: func(ctx context.Context, e *event.CommandStartedEvent) {
			if gatedCommands[e.CommandName] && g.acquire(ctx) {
				g.held.Store(e.RequestID, gateHold{what: commandOn(e), since: time.Now()})
			}
			if next.Started != nil {
				next.Started(ctx, e)
			}
		},
		Succeeded: func(ctx context.Context, e *event.CommandSucceededEvent) {
			g.release(e.RequestID)
			if next.Succeeded != nil {
				next.Succeeded(ctx, e)
			}
		},
		Failed: func(ctx context.Context, e *event.CommandFailedEvent) {
			g.release(e.RequestID)
			if next.Failed != nil {
				next.Failed(ctx, e)
			}
		},
	}
}

// acquire takes the slot, a background write after the requests' writes
// that wait; false when ctx ended first (the driver then sees the context
// done and does not send the command).
func (g *writeGate) acquire(ctx context.Context) bool {
	if !isBackground(ctx) {
		g.waiting.Add(1)
		defer g.waiting.Add(-1)
		select {
		case g.slot <- struct{}{}:
			return true
		case <-ctx.Done():
			return false
		}
	}
	until := time.Now().Add(g.yield)
	for {
		select {
		case g.slot <- struct{}{}:
		case <-ctx.Done():
			return false
		}
		if g.waiting.Load() == 0 || time.Now().After(until) {
			return true
		}
		<-g.slot // to the request's write that waits: it is queued on the slot
		time.Sleep(yieldPause)
	}
}

// yieldPause is how long a background write steps back before it tries
// again: about one write on the embedded store.
const yieldPause = 2 * time.Millisecond

func (g *writeGate) release(requestID int64) {
	if h, ok := g.held.LoadAndDelete(requestID); ok {
		<-g.slot
		if d := time.Since(h.(gateHold).since); d >= slowHold {
			g.log.Warn("slow write held the embedded store", "command", h.(gateHold).what, "ms", d.Milliseconds())
		}
	}
}
