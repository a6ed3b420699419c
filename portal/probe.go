package portal

import (
	"context"
	"fmt"
	"onestop/services/core"
	"sync"
	"sync/atomic"
	"time"
)

// probes are the dependencies' states as the last probe found them.
// /readyz answers from them at once and never waits on a dependency: an
// orchestrator's probe gives up after its own timeout (a second, by
// default, on Kubernetes), and a blackholed search engine used to hold
// every /readyz for its 2 s deadline, so every replica would have left
// the service together.
type probes struct {
	mu      sync.Mutex
	last    probed
	running atomic.Bool // probeLoop keeps last fresh
}

type probed struct {
	at       time.Time // zero before the first probe
	database string    // ok, unreachable
	search   string    // ok, degraded
	pending  int64     // outbox notes; -1 unknown
}

const (
	// probeEvery is how often the dependencies are probed while serving.
	probeEvery = 2 * time.Second
	// probeTimeout bounds each probe: a dependency that does not answer
	// within it is reported as not answering.
	probeTimeout = time.Second
)

// probe asks the database and the search engine, each within
// probeTimeout, and keeps what they said.
func (a *App) probe(ctx context.Context) {
	within := func(fn func(context.Context) error) error {
		ctx, cancel := context.WithTimeout(ctx, probeTimeout)
		defer cancel()
		return fn(ctx)
	}
	database, search, pending := "ok", "ok", int64(-1)
	if within(a.store.Ping) != nil {
		database = "unreachable"
	}
	if within(a.engine.Health) != nil {
		// Search down degrades lists but not the portal: stay ready.
		search = "degraded"
	}
	_ = within(func(ctx context.Context) (err error) {
		pending, err = a.bureau.Outbox.Pending(ctx)
		if err != nil {
			pending = -1
		}
		return err
	})
	a.probes.mu.Lock()
	defer a.probes.mu.Unlock()
	a.probes.last = probed{at: time.Now(), database: database, search: search, pending: pending}
}

// lastProbe is what the last probe found.
func (a *App) lastProbe() probed {
	a.probes.mu.Lock()
	defer a.probes.mu.Unlock()
	return a.probes.last
}

// probeLoop probes every probeEvery until ctx ends.
func (a *App) probeLoop(ctx context.Context) {
	a.probes.running.Store(true)
	defer a.probes.running.Store(false)
	core.Every(ctx, probeEvery, func() { a.probe(ctx) })
}

// readiness is what /readyz answers: whether to send traffic here (the
// database answered the last probe and the portal is not stopping), and
// the states behind it. An app that is not serving (tests drive it
// in-process) has no probe loop, and probes on each call.
func (a *App) readiness(ctx context.Context) (map[string]string, bool) {
	if !a.probes.running.Load() {
		a.probe(ctx)
	}
	p := a.lastProbe()
	ok := a.ready.Load() && p.database == "ok"
	st := map[string]string{"status": "ready", "database": a.store.Engine(), "search": a.engine.Name(),
		"database_state": p.database, "search_state": p.search, "checked_at": p.at.UTC().Format(time.RFC3339)}
	if !a.ready.Load() {
		st["status"] = "stopping"
	}
	if p.pending >= 0 {
		st["search_pending"] = fmt.Sprint(p.pending)
	}
	return st, ok
}
