package search

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/meilisearch/meilisearch-go"
)

// ErrUnavailable is returned while the engine does not answer: lists
// degrade, writes keep their outbox notes, and nothing waits on it.
var ErrUnavailable = errors.New("search: engine unavailable")

// Deadlines bound the engine's calls. A request can afford a short wait for
// a list; index writes (a Meilisearch task, a Bleve batch) get longer.
type Deadlines struct {
	Read  time.Duration // Search, Count, Health
	Write time.Duration // Ensure, Upsert, Delete
	// Pause is how long calls fail at once after the engine was found not
	// answering, so a dead or blackholed engine costs one wait, not one per
	// request. Health and Ensure still go through: they bring it back.
	Pause time.Duration
}

// DefaultDeadlines: a search answers within 2 s or the page degrades.
var DefaultDeadlines = Deadlines{Read: 2 * time.Second, Write: 10 * time.Second, Pause: 5 * time.Second}

// Guarded is an Engine whose calls end within their deadlines and which,
// once the engine stopped answering, fails fast until it answers again.
type Guarded struct {
	Engine
	d         Deadlines
	downUntil atomic.Int64 // Unix nanoseconds
}

// Guard wraps e.
func Guard(e Engine, d Deadlines) *Guarded { return &Guarded{Engine: e, d: d} }

// Down reports whether the engine was last found not answering.
func (g *Guarded) Down() bool { return time.Now().UnixNano() < g.downUntil.Load() }

func (g *Guarded) call(ctx context.Context, limit time.Duration, probe bool, fn func(context.Context) error) error {
	if !probe && g.Down() {
		return ErrUnavailable
	}
	cctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	err := fn(cctx)
	switch {
	case err == nil:
		g.downUntil.Store(0)
	case ctx.Err() == nil && unanswered(err):
		g.downUntil.Store(time.Now().Add(g.d.Pause).UnixNano())
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return err
}

// unanswered tells an engine that is not there (no connection, no answer
// in time over the network, an index that cannot be opened) from one that
// answered with an error. An embedded engine past its deadline is busy, not
// gone: that call fails, the next ones still try.
func unanswered(err error) bool {
	if errors.Is(err, ErrUnavailable) {
		return true
	}
	var oe *net.OpError
	var ue *url.Error
	if errors.As(err, &oe) || errors.As(err, &ue) {
		return true
	}
	var me *meilisearch.Error
	return errors.As(err, &me) && (me.ErrCode == meilisearch.CommunicationError || me.ErrCode == meilisearch.TimeoutError)
}

// Ensure implements Engine.
func (g *Guarded) Ensure(ctx context.Context, ix Index) (rebuilt bool, err error) {
	err = g.call(ctx, g.d.Write, true, func(ctx context.Context) (err error) {
		rebuilt, err = g.Engine.Ensure(ctx, ix)
		return err
	})
	return rebuilt, err
}

// Upsert implements Engine.
func (g *Guarded) Upsert(ctx context.Context, index string, docs ...Doc) error {
	return g.call(ctx, g.d.Write, false, func(ctx context.Context) error { return g.Engine.Upsert(ctx, index, docs...) })
}

// Delete implements Engine.
func (g *Guarded) Delete(ctx context.Context, index string, ids ...string) error {
	return g.call(ctx, g.d.Write, false, func(ctx context.Context) error { return g.Engine.Delete(ctx, index, ids...) })
}

// Search implements Engine.
func (g *Guarded) Search(ctx context.Context, index string, q Query) (r *Result, err error) {
	err = g.call(ctx, g.d.Read, false, func(ctx context.Context) (err error) {
		r, err = g.Engine.Search(ctx, index, q)
		return err
	})
	return r, err
}

// Count implements Engine.
func (g *Guarded) Count(ctx context.Context, index string) (n int, err error) {
	err = g.call(ctx, g.d.Read, false, func(ctx context.Context) (err error) {
		n, err = g.Engine.Count(ctx, index)
		return err
	})
	return n, err
}

// Health implements Engine.
func (g *Guarded) Health(ctx context.Context) error {
	return g.call(ctx, g.d.Read, true, g.Engine.Health)
}

// Lazy is an Engine opened on first need and again after every failure to
// open (an index directory that cannot be written yet), so the portal
// starts and serves while search is unavailable, and search comes back
// without a restart.
type Lazy struct {
	name string
	open func() (Engine, error)
	mu   sync.Mutex
	e    atomic.Pointer[Engine]
}

// NewLazy returns an engine named name that open opens.
func NewLazy(name string, open func() (Engine, error)) *Lazy {
	return &Lazy{name: name, open: open}
}

// Get returns the engine, opening it if it is not open yet.
func (l *Lazy) Get() (Engine, error) {
	if e := l.e.Load(); e != nil {
		return *e, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if e := l.e.Load(); e != nil {
		return *e, nil
	}
	e, err := l.open()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	l.e.Store(&e)
	return e, nil
}

// Name implements Engine.
func (l *Lazy) Name() string { return l.name }

// Ensure implements Engine.
func (l *Lazy) Ensure(ctx context.Context, ix Index) (bool, error) {
	e, err := l.Get()
	if err != nil {
		return false, err
	}
	return e.Ensure(ctx, ix)
}

// Upsert implements Engine.
func (l *Lazy) Upsert(ctx context.Context, index string, docs ...Doc) error {
	e, err := l.Get()
	if err != nil {
		return err
	}
	return e.Upsert(ctx, index, docs...)
}

// Delete implements Engine.
func (l *Lazy) Delete(ctx context.Context, index string, ids ...string) error {
	e, err := l.Get()
	if err != nil {
		return err
	}
	return e.Delete(ctx, index, ids...)
}

// Search implements Engine.
func (l *Lazy) Search(ctx context.Context, index string, q Query) (*Result, error) {
	e, err := l.Get()
	if err != nil {
		return nil, err
	}
	return e.Search(ctx, index, q)
}

// Count implements Engine.
func (l *Lazy) Count(ctx context.Context, index string) (int, error) {
	e, err := l.Get()
	if err != nil {
		return 0, err
	}
	return e.Count(ctx, index)
}

// Health implements Engine.
func (l *Lazy) Health(ctx context.Context) error {
	e, err := l.Get()
	if err != nil {
		return err
	}
	return e.Health(ctx)
}

// Close implements Engine.
func (l *Lazy) Close() error {
	if e := l.e.Load(); e != nil {
		return (*e).Close()
	}
	return nil
}
