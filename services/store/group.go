package store

import (
	"context"
	"errors"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Group gathers concurrent calls into group commits. A call that comes while
// no commit is under way commits at once, alone; calls that come meanwhile
// wait for it and then go in together as the next commit. Under load a
// store that admits one write at a time (the embedded one) so makes one
// write of many; with nobody waiting nothing changes.
type Group[T any] struct {
	// commit writes items and returns one error per item, one error for
	// them all, or nil when all went in. It runs without the callers' cancellation: a batch belongs
	// to all its callers.
	commit func(ctx context.Context, items []T) []error

	mu   sync.Mutex
	open *groupBatch[T] // taking items while a commit is under way
	busy bool
}

type groupBatch[T any] struct {
	items []T
	errs  []error
	done  chan struct{}
	// foreground: a caller is not background work (Background), so the
	// commit is not either, whoever leads it.
	foreground bool
}

// NewGroup returns a group committing with commit.
func NewGroup[T any](commit func(ctx context.Context, items []T) []error) *Group[T] {
	return &Group[T]{commit: commit}
}

// Do puts items in the next commit and waits until it is done, or ctx is;
// it returns the first of its items' errors. Should ctx end first, the
// items may still be written.
func (g *Group[T]) Do(ctx context.Context, items ...T) error {
	if len(items) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err // nothing written
	}
	g.mu.Lock()
	b := g.open
	if b == nil {
		b = &groupBatch[T]{done: make(chan struct{})}
		g.open = b
	}
	from := len(b.items)
	b.items = append(b.items, items...)
	b.foreground = b.foreground || !isBackground(ctx)
	lead := !g.busy
	if lead {
		g.busy, g.open = true, nil
	}
	g.mu.Unlock()
	if lead {
		g.run(context.WithoutCancel(ctx), b)
		if more := g.next(); more != nil {
			// Those that came meanwhile go next, in the background: the
			// leader answers without waiting for others' writes.
			go func() {
				for b := more; b != nil; b = g.next() {
					g.run(context.WithoutCancel(ctx), b)
				}
			}()
		}
	}
	select {
	case <-b.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	if b.errs == nil {
		return nil
	}
	for _, err := range b.errs[from : from+len(items)] {
		if err != nil {
			return err
		}
	}
	return nil
}

func (g *Group[T]) run(ctx context.Context, b *groupBatch[T]) {
	if b.foreground && isBackground(ctx) {
		ctx = context.WithValue(ctx, backgroundKey{}, false)
	}
	b.errs = g.commit(ctx, b.items)
	if len(b.errs) != 0 && len(b.errs) != len(b.items) {
		// One error for the batch: every item's.
		err := errors.Join(b.errs...)
		b.errs = make([]error, len(b.items))
		for i := range b.errs {
			b.errs[i] = err
		}
	}
	close(b.done)
}

// next takes the batch that filled during a commit, or ends the turn.
func (g *Group[T]) next() *groupBatch[T] {
	g.mu.Lock()
	defer g.mu.Unlock()
	b := g.open
	g.open = nil
	g.busy = b != nil
	return b
}

// Insert adds one document to a collection, in a group commit with the
// inserts into the same collection that wait beside it: those that come
// while one is under way go in together as one unordered insert. A
// document's own failure — a duplicate key — is its caller's alone and
// reads as InsertOne's would (mongo.IsDuplicateKeyError).
func (s *Store) Insert(ctx context.Context, coll string, doc any) error {
	return groupOf(s, s.inserts, coll, insertAll).Do(ctx, doc)
}

// groupOf is the collection's group in groups, made on first use.
func groupOf[T any](s *Store, groups *sync.Map, coll string, commit func(context.Context, *mongo.Collection, []T) []error) *Group[T] {
	key := s.db.Name() + "." + coll
	if g, ok := groups.Load(key); ok {
		return g.(*Group[T])
	}
	c := s.C(coll)
	g, _ := groups.LoadOrStore(key, NewGroup(func(ctx context.Context, items []T) []error { return commit(ctx, c, items) }))
	return g.(*Group[T])
}

// insertAll inserts docs in one command and says which failed.
func insertAll(ctx context.Context, c *mongo.Collection, docs []any) []error {
	if len(docs) == 1 {
		// One alone is sent as it would be on its own, error and all.
		if _, err := c.InsertOne(ctx, docs[0]); err != nil {
			return []error{err}
		}
		return nil
	}
	_, err := c.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	return eachError(err, len(docs))
}

// eachError spreads an unordered bulk write's error over its n writes:
// each write's own failure, as the single write would have returned it,
// or, for what is no one write's fault, the error for every one of them.
func eachError(err error, n int) []error {
	if err == nil {
		return nil
	}
	errs := make([]error, n)
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil {
		for i := range errs {
			errs[i] = err
		}
		return errs
	}
	for _, we := range bwe.WriteErrors {
		if we.Index >= 0 && we.Index < n {
			errs[we.Index] = mongo.WriteException{WriteErrors: []mongo.WriteError{we.WriteError}, Labels: bwe.Labels}
		}
	}
	return errs
}

// Set sets fields of one document, found by _id, in a group commit with the
// other Sets on the same collection that wait beside it (one unordered
// update of many statements). A document that is not there is not an
// error: Set is for what may be written blind (a kept answer), not for a
// guarded change (UpdateIf).
func (s *Store) Set(ctx context.Context, coll, id string, fields bson.D) error {
	return groupOf(s, s.sets, coll, setAll).Do(ctx, setOne{id: id, fields: fields})
}

type setOne struct {
	id     string
	fields bson.D
}

// setAll sends sets as one update command and says which failed.
func setAll(ctx context.Context, c *mongo.Collection, sets []setOne) []error {
	models := make([]mongo.WriteModel, len(sets))
	for i, st := range sets {
		models[i] = mongo.NewUpdateOneModel().SetFilter(bson.D{{Key: "_id", Value: st.id}}).SetUpdate(bson.D{{Key: "$set", Value: st.fields}})
	}
	_, err := c.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
	return eachError(err, len(sets))
}
