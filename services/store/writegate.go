package store

import (
	"context"
	"log/slog"
	"sync"
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
// The gate sits in the driver's command monitor: Started runs after the
// command is built and before it is sent, and Succeeded or Failed runs
// once its answer is in, for every command Started saw.
type writeGate struct {
	slot chan struct{}
	held sync.Map // request id of a command holding the slot → gateHold
	log  *slog.Logger
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
	return &writeGate{slot: make(chan struct{}, 1), log: log}
}

// monitor wraps next (nil for none) with the gate.
func (g *writeGate) monitor(next *event.CommandMonitor) *event.CommandMonitor {
	if next == nil {
		next = &event.CommandMonitor{}
	}
	return &event.CommandMonitor{
		Started: func(ctx context.Context, e *event.CommandStartedEvent) {
			if gatedCommands[e.CommandName] {
				select {
				case g.slot <- struct{}{}:
					g.held.Store(e.RequestID, gateHold{what: commandOn(e), since: time.Now()})
				case <-ctx.Done():
					// The driver sees the context done and does not send it.
				}
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

func (g *writeGate) release(requestID int64) {
	if h, ok := g.held.LoadAndDelete(requestID); ok {
		<-g.slot
		if d := time.Since(h.(gateHold).since); d >= slowHold {
			g.log.Warn("slow write held the embedded store", "command", h.(gateHold).what, "ms", d.Milliseconds())
		}
	}
}
