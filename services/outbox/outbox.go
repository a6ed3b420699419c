// Package outbox keeps the search indexes in step with the database. A write
// first records "index X, document Y changed" in the outbox, then changes
// the record, then the outbox applies the change by re-reading the record
// from the database and removes its note. A crash at any step leaves a note
// that Drain applies later; applying is idempotent because it always reads
// the current truth. Rebuild refills an index from the database.
//
// A source may have follow-ups (Source.After: the figures a record counts)
// that run after the answer, for many records at once, before the note is
// removed: so they too happen at least once after a crash, and count once.
package outbox

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"onestop/search"
	"onestop/services/core"
	"onestop/services/store"
)

// Collection holds pending notes; it stays small.
var Collection = store.Collection{Name: "outbox"}

// Source is an indexed kind of record.
type Source struct {
	Index search.Index
	// Load reads a record and converts it to its search document; nil means
	// the record is gone (or no longer listed) and is removed from the index.
	Load func(ctx context.Context, id string) (*search.Doc, error)
	// Each calls fn for every record, for rebuilds.
	Each func(ctx context.Context, fn func(search.Doc) error) error
	// After, when set, does what follows a change of records once their
	// index is written (the figures they count) off the request's path:
	// a write answers once its index is, and After runs a moment later
	// for the records changed meanwhile, together. A record's note stays
	// until After has run for it, so a crash in between leaves the note
	// for Drain, which runs After again: After runs at least once for a
	// change and must count it once (figure events are claimed by id).
	After func(ctx context.Context, ids []string) error
}

// Outbox applies index changes.
type Outbox struct {
	store   *store.Store
	engine  search.Engine
	log     *slog.Logger
	mu      sync.RWMutex
	sources map[string]Source

	draining sync.Mutex

	// Group commit: Apply calls on one index that arrive while its index
	// write is under way join the next batch, committed as one write.
	commits sync.Mutex
	open    map[string]*batch // index → the batch still taking ids
	busy    map[string]bool   // index → a commit is under way

	// Applied notes are removed a moment later, many in one write (see
	// forget): on the embedded store every write waits its turn, and a
	// note's removal needs no hurry — one left behind is applied again.
	forgetMu  sync.Mutex
	forgets   []applied
	forgetDue bool
	flushing  sync.Mutex // one removal at a time

	// Follow-ups (Source.After) of records applied on a request's path,
	// group-committed per index in the background.
	followMu sync.Mutex
	follows  map[string]*store.Group[applied]
	inFlight atomic.Int64 // follow-ups not yet run (see Settle)

	// errs counts the index writes, follow-ups, removals and drains that
	// failed and were left for later (Errors).
	errs  atomic.Int64
	delay time.Duration
}

// applied are notes whose records were read at a time and indexed.
type applied struct {
	ids  []string
	read time.Time
}

// forgetDelay is how long applied notes wait to be removed together.
const forgetDelay = 200 * time.Millisecond

// batch is one group commit: the ids it applies, closed done when it has.
type batch struct {
	ids  []string
	done chan struct{}
	err  error
}

type note struct {
	ID    string    `bson:"_id"` // index + "/" + record id: one note per record
	Index string    `bson:"index"`
	Rec   string    `bson:"rec"`
	At    time.Time `bson:"at"`
}

// New returns an outbox over a store and an engine.
func New(s *store.Store, e search.Engine, log *slog.Logger) *Outbox {
	return &Outbox{store: s, engine: e, log: log, sources: map[string]Source{}, open: map[string]*batch{}, busy: map[string]bool{},
		follows: map[string]*store.Group[applied]{}}
}

// Engine returns the search engine.
func (o *Outbox) Engine() search.Engine { return o.engine }

// Register adds a source; call it before Ensure.
func (o *Outbox) Register(src Source) {
	o.mu.Lock()
	o.sources[src.Index.Name] = src
	o.mu.Unlock()
}

// Ensure declares every registered index, refills those the engine created
// empty, and applies notes left by an earlier run.
func (o *Outbox) Ensure(ctx context.Context) error {
	o.mu.RLock()
	srcs := make([]Source, 0, len(o.sources))
	for _, s := range o.sources {
		srcs = append(srcs, s)
	}
	o.mu.RUnlock()
	for _, s := range srcs {
		rebuilt, err := o.engine.Ensure(ctx, s.Index)
		if err != nil {
			return err
		}
		if rebuilt {
			n, err := o.Rebuild(ctx, s.Index.Name)
			if err != nil {
				return err
			}
			o.log.Info("search index rebuilt from the database", "index", s.Index.Name, "documents", n)
		}
	}
	return o.Drain(ctx)
}

// Begin records that a record is about to change. Call it before the write.
func (o *Outbox) Begin(ctx context.Context, index, id string) error {
	n := note{ID: index + "/" + id, Index: index, Rec: id, At: time.Now().UTC()}
	err := o.store.Insert(ctx, Collection.Name, n)
	if mongo.IsDuplicateKeyError(err) {
		// A note for this record is pending already; one is enough, but it
		// must now outlive an apply that read the record before this write
		// (see forget), so it is dated again.
		_, err = o.store.C(Collection.Name).UpdateOne(ctx, bson.D{{Key: "_id", Value: n.ID}}, bson.D{{Key: "$set", Value: bson.D{{Key: "at", Value: n.At}}}})
	}
	return core.Wrap(err, "outbox begin")
}

// Apply brings the index up to date with the record after a write. A
// failure is logged, not returned: the write itself succeeded, the note
// stays, and Drain retries it.
func (o *Outbox) Apply(ctx context.Context, index, id string) {
	if err := o.apply(ctx, index, id); err != nil {
		o.errs.Add(1)
		o.log.Warn("search index update deferred", "index", index, "err", err)
	}
}

// Changed is Begin + Apply for writes whose order does not matter (a
// record created with an id nobody knows yet).
func (o *Outbox) Changed(ctx context.Context, index, id string) error {
	if err := o.Begin(ctx, index, id); err != nil {
		return err
	}
	o.Apply(ctx, index, id)
	return nil
}

// apply brings the index up to date with one record and returns once it
// has (or failed). Under load many writers apply at once; each index write
// of a search engine makes a segment that it later has to merge, so calls
// that come while one commit is under way wait for it and then go in
// together as the next one (a group commit): with nobody waiting, a call
// commits at once, alone.
func (o *Outbox) apply(ctx context.Context, index, id string) error {
	o.commits.Lock()
	b := o.open[index]
	if b == nil {
		b = &batch{done: make(chan struct{})}
		o.open[index] = b
	}
	b.ids = append(b.ids, id)
	lead := !o.busy[index]
	if lead {
		o.busy[index] = true
		delete(o.open, index)
	}
	o.commits.Unlock()
	if lead {
		o.commit(ctx, index, b)
		o.handOver(index)
	}
	select {
	case <-b.done:
		return b.err
	case <-ctx.Done():
		return ctx.Err() // the note stays; the batch or Drain applies it
	}
}

func (o *Outbox) commit(ctx context.Context, index string, b *batch) {
	b.err = o.applyBatch(ctx, index, slices.Compact(slices.Sorted(slices.Values(b.ids))), false)
	close(b.done)
}

// handOver commits the batches that filled meanwhile, in the background:
// the caller that led its own batch answers without waiting for others'.
func (o *Outbox) handOver(index string) {
	o.commits.Lock()
	next := o.open[index]
	if next == nil {
		o.busy[index] = false
		o.commits.Unlock()
		return
	}
	delete(o.open, index)
	o.commits.Unlock()
	go func() {
		// The waiters' requests bound how long they wait; the commit itself
		// is bounded by the engine's write deadline.
		o.commit(context.Background(), index, next)
		o.handOver(index)
	}()
}

// applyBatch brings the index up to date with some of its records in one
// index write, runs their follow-ups (now, or in the background when
// later), then removes their notes.
func (o *Outbox) applyBatch(ctx context.Context, index string, ids []string, now bool) error {
	o.mu.RLock()
	src, ok := o.sources[index]
	o.mu.RUnlock()
	if !ok {
		return fmt.Errorf("outbox: no source for index %q", index)
	}
	var docs []search.Doc
	var gone []string
	read := time.Now().UTC()
	for _, id := range ids {
		doc, err := src.Load(ctx, id)
		if err != nil && !core.IsCode(err, core.NotFound) {
			return err
		}
		if doc == nil {
			gone = append(gone, id)
		} else {
			docs = append(docs, *doc)
		}
	}
	if len(docs) > 0 {
		if err := o.engine.Upsert(ctx, index, docs...); err != nil {
			return err
		}
	}
	if len(gone) > 0 {
		if err := o.engine.Delete(ctx, index, gone...); err != nil {
			return err
		}
	}
	done := make([]string, len(ids))
	for i, id := range ids {
		done[i] = index + "/" + id
	}
	a := applied{ids: done, read: read}
	switch {
	case src.After == nil:
		o.forget(a)
	case now:
		if err := src.After(ctx, ids); err != nil {
			return fmt.Errorf("outbox: %s follow-ups: %w", index, err)
		}
		o.forget(a)
	default:
		o.follow(index, src, a)
	}
	return nil
}

// follow runs applied records' follow-ups in the background, with those
// of the records applied meanwhile, and then forgets their notes. Should
// they fail, the notes stay for Drain.
func (o *Outbox) follow(index string, src Source, a applied) {
	o.followMu.Lock()
	g := o.follows[index]
	if g == nil {
		g = store.NewGroup(func(ctx context.Context, as []applied) []error {
			var ids []string
			for _, a := range as {
				for _, note := range a.ids {
					ids = append(ids, note[len(index)+1:])
				}
			}
			ctx, cancel := context.WithTimeout(ctx, time.Minute)
			defer cancel()
			if err := src.After(ctx, slices.Compact(slices.Sorted(slices.Values(ids)))); err != nil {
				o.errs.Add(1)
				o.log.Warn("follow-ups deferred", "index", index, "records", len(ids), "err", err)
				return []error{err}
			}
			for _, a := range as {
				o.forget(a)
			}
			return nil
		})
		o.follows[index] = g
	}
	o.followMu.Unlock()
	o.inFlight.Add(1)
	go func() {
		defer o.inFlight.Add(-1)
		if o.delay > 0 {
			time.Sleep(o.delay)
		}
		g.Do(context.Background(), a)
	}()
}

// DelayFollowUps makes follow-ups wait d after their index write before
// they run (zero: at once). Call it before the outbox is used.
func (o *Outbox) DelayFollowUps(d time.Duration) { o.delay = d }

// Settle waits until the follow-ups under way have run, or ctx ends: a
// portal that stops lets them finish rather than leave them to the next
// start.
func (o *Outbox) Settle(ctx context.Context) error {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for o.inFlight.Load() > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}

// forget removes applied notes a moment later, together with those other
// requests applied meanwhile: one write for many. A note dated after its
// record was read (written again since, see Begin) stays for its own
// apply. Should the process stop first, the notes stay and are applied
// again, which changes nothing.
func (o *Outbox) forget(a applied) {
	o.forgetMu.Lock()
	defer o.forgetMu.Unlock()
	o.forgets = append(o.forgets, a)
	if !o.forgetDue {
		o.forgetDue = true
		time.AfterFunc(forgetDelay, func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := o.flushForgets(ctx); err != nil {
				o.errs.Add(1)
				o.log.Warn("outbox notes not removed; they will be applied again", "err", err)
			}
		})
	}
}

// flushForgets removes the applied notes queued so far, in one write.
func (o *Outbox) flushForgets(ctx context.Context) error {
	o.flushing.Lock()
	defer o.flushing.Unlock()
	o.forgetMu.Lock()
	batch := o.forgets
	o.forgetDue = false
	o.forgetMu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	var or bson.A
	for _, a := range batch {
		// Dates are stored to the millisecond: a note dated in the
		// millisecond of the read may be newer than it, so it stays (and
		// is applied once more).
		or = append(or, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: a.ids}}}, {Key: "at", Value: bson.D{{Key: "$lt", Value: a.read.Truncate(time.Millisecond)}}}})
	}
	// The outbox is small, so even a store that cannot use the _id index
	// for this filter reads little.
	_, err := o.store.C(Collection.Name).DeleteMany(ctx, bson.D{{Key: "$or", Value: or}})
	o.forgetMu.Lock()
	o.forgets = o.forgets[len(batch):] // whether removed or not: a note left is applied again
	o.forgetMu.Unlock()
	return err
}

// drainBatch is how many notes of one index Drain applies in one index
// write: a search engine commits a batch about as fast as one document.
const drainBatch = 200

// Drain applies every pending note, in batches per index; it fails when any
// note could not be applied (the note stays for the next run). One drain
// runs at a time in a process; replicas may drain side by side, since
// applying a note twice gives the same index.
func (o *Outbox) Drain(ctx context.Context) error {
	return o.drain(ctx, time.Time{})
}

// drain applies the pending notes written before since (all when zero).
func (o *Outbox) drain(ctx context.Context, since time.Time) error {
	o.draining.Lock()
	defer o.draining.Unlock()
	if err := o.flushForgets(ctx); err != nil { // not to apply those again
		return core.Wrap(err, "outbox drain")
	}
	// While the engine is down, reading every pending record only to fail
	// at its index write would load the database for nothing, every pass.
	if err := o.engine.Health(ctx); err != nil {
		return fmt.Errorf("outbox: search engine: %w", err)
	}
	filter := bson.D{}
	if !since.IsZero() {
		filter = bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: since}}}}
	}
	cur, err := o.store.C(Collection.Name).Find(ctx, filter)
	if err != nil {
		return core.Wrap(err, "outbox drain")
	}
	var notes []note
	if err := cur.All(ctx, &notes); err != nil {
		return core.Wrap(err, "outbox drain")
	}
	byIndex := map[string][]string{}
	for _, n := range notes {
		byIndex[n.Index] = append(byIndex[n.Index], n.Rec)
	}
	var failed int
	var first error
	for _, index := range slices.Sorted(maps.Keys(byIndex)) {
		for ids := range slices.Chunk(byIndex[index], drainBatch) {
			if err := o.applyBatch(ctx, index, ids, true); err != nil {
				if failed += len(ids); first == nil {
					first = err
				}
				o.errs.Add(1)
				o.log.Warn("outbox notes not applied", "index", index, "notes", len(ids), "err", err)
			}
		}
	}
	if failed > 0 {
		return fmt.Errorf("outbox: %d notes not applied: %w", failed, first)
	}
	// What the drain applied goes now: a drained outbox is empty.
	return core.Wrap(o.flushForgets(ctx), "outbox drain")
}

// Pending counts notes not yet applied (those applied and about to be
// removed are not counted).
func (o *Outbox) Pending(ctx context.Context) (int64, error) {
	n, err := o.store.C(Collection.Name).EstimatedDocumentCount(ctx)
	o.forgetMu.Lock()
	for _, a := range o.forgets {
		n -= int64(len(a.ids))
	}
	o.forgetMu.Unlock()
	return max(n, 0), err
}

// Rebuild refills an index from the database and returns the number of
// documents indexed; progress, when given, hears the count as it grows.
func (o *Outbox) Rebuild(ctx context.Context, index string, progress ...func(int)) (int, error) {
	o.mu.RLock()
	src, ok := o.sources[index]
	o.mu.RUnlock()
	if !ok {
		return 0, fmt.Errorf("outbox: no source for index %q", index)
	}
	const batch = 500
	var buf []search.Doc
	n := 0
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		err := o.engine.Upsert(ctx, index, buf...)
		n += len(buf)
		buf = buf[:0]
		for _, p := range progress {
			p(n)
		}
		return err
	}
	err := src.Each(ctx, func(d search.Doc) error {
		buf = append(buf, d)
		if len(buf) == batch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	return n, err
}

// Count says how many documents the database holds for an index and how
// many the engine has: once the outbox has drained, the two agree.
func (o *Outbox) Count(ctx context.Context, index string) (db, indexed int, err error) {
	o.mu.RLock()
	src, ok := o.sources[index]
	o.mu.RUnlock()
	if !ok {
		return 0, 0, fmt.Errorf("outbox: no source for index %q", index)
	}
	if err := src.Each(ctx, func(search.Doc) error { db++; return nil }); err != nil {
		return 0, 0, err
	}
	indexed, err = o.engine.Count(ctx, index)
	return db, indexed, err
}

// Run drains the outbox every interval until ctx ends, so notes left by a
// failed search engine or follow-up are applied once it is back. Notes
// younger than the interval are left to the writes under way that made
// them.
func (o *Outbox) Run(ctx context.Context, every time.Duration) {
	core.Every(ctx, every, func() {
		if err := o.drain(ctx, time.Now().Add(-every)); err != nil && ctx.Err() == nil {
			o.errs.Add(1)
			o.log.Warn("outbox drain", "err", err)
		}
	})
}

// Errors is how many outbox operations failed and were left for a later
// pass since this process started: index writes, follow-ups, note
// removals, drains.
func (o *Outbox) Errors() int64 { return o.errs.Load() }

// Indexes names the registered indexes.
func (o *Outbox) Indexes() []string {
	o.mu.RLock()
	defer o.mu.RUnlock()
	names := make([]string, 0, len(o.sources))
	for n := range o.sources {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// SourceFor is the Source of a collection whose records map one to one to
// search documents.
func SourceFor[T any](s *store.Store, coll string, ix search.Index, toDoc func(*T) *search.Doc) Source {
	return Source{
		Index: ix,
		Load: func(ctx context.Context, id string) (*search.Doc, error) {
			var v T
			if err := s.Get(ctx, coll, id, &v); err != nil {
				return nil, err
			}
			return toDoc(&v), nil
		},
		Each: func(ctx context.Context, fn func(search.Doc) error) error {
			return store.Each(ctx, s, coll, func(v *T) error { return fn(*toDoc(v)) })
		},
	}
}
