package store

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"onestop/services/core"
)

// Keys is the key collection: one document per unique secondary key
// (`email:a@b.cn`, `phone:<blind index>`, `ext:projects:P-17`) whose `_id` is
// the key and whose owner is the id of the record holding it. Inserting the
// key before the record makes uniqueness atomic on both engines, and a
// look-up by key is an `_id` read.
var Keys = Collection{Name: "keys"}

type keyDoc struct {
	ID    string    `bson:"_id"`
	Owner string    `bson:"owner"`
	At    time.Time `bson:"at"`
}

// ClaimKey records key as owned by owner; a key already held by someone else
// is a Conflict with message conflictKey. Claiming a key one already owns
// succeeds, so retries are safe.
func (s *Store) ClaimKey(ctx context.Context, key, owner, conflictKey string) error {
	_, err := s.C(Keys.Name).InsertOne(ctx, keyDoc{ID: key, Owner: owner, At: time.Now().UTC()})
	if err == nil {
		return nil
	}
	if !mongo.IsDuplicateKeyError(err) {
		return core.Wrap(err, "claim key")
	}
	held, err := s.KeyOwner(ctx, key)
	if err == nil && held == owner {
		return nil
	}
	return core.Errorf(core.Conflict, conflictKey)
}

// KeyOwner returns the owner of key, or NotFound.
func (s *Store) KeyOwner(ctx context.Context, key string) (string, error) {
	var k keyDoc
	if err := s.Get(ctx, Keys.Name, key, &k); err != nil {
		return "", err
	}
	return k.Owner, nil
}

// ReleaseKey deletes key if owner holds it. It reads then deletes by `_id`
// (a conditional delete would scan the embedded store); a key is only
// released by its owner's own write path, so the gap is harmless.
func (s *Store) ReleaseKey(ctx context.Context, key, owner string) error {
	held, err := s.KeyOwner(ctx, key)
	if core.IsCode(err, core.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if held != owner {
		return nil
	}
	_, err = s.C(Keys.Name).DeleteOne(ctx, bson.D{{Key: "_id", Value: key}})
	return core.Wrap(err, "release key")
}

// Get reads the document with the given `_id` into out; a missing document
// is NotFound.
func (s *Store) Get(ctx context.Context, coll, id string, out any) error {
	err := s.C(coll).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(out)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return core.Errorf(core.NotFound, "error.not_found")
	}
	return core.Wrap(err, "get "+coll)
}

// GetMany reads documents by `_id`, several at a time: on the embedded store
// a filter other than one exact `_id` scans the collection, and one read
// after another waits its turn for a connection each time under load. The
// result is in the order of ids, nil where a document is missing.
func GetMany[T any](ctx context.Context, s *Store, coll string, ids []string) ([]*T, error) {
	got := make([]*T, len(ids))
	errs := make([]error, len(ids))
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			var v T
			switch err := s.Get(ctx, coll, id, &v); {
			case err == nil:
				got[i] = &v
			case !core.IsCode(err, core.NotFound):
				errs[i] = err
			}
		})
	}
	wg.Wait()
	return got, errors.Join(errs...)
}

// Each decodes every document of a collection into a T and calls fn with
// it; rebuilds and batch jobs use it (it reads the whole collection).
func Each[T any](ctx context.Context, s *Store, coll string, fn func(*T) error) error {
	cur, err := s.C(coll).Find(ctx, bson.D{})
	if err != nil {
		return core.Wrap(err, "scan "+coll)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var v T
		if err := cur.Decode(&v); err != nil {
			return core.Wrap(err, "decode "+coll)
		}
		if err := fn(&v); err != nil {
			return err
		}
	}
	return core.Wrap(cur.Err(), "scan "+coll)
}

// ReleaseKeyAny deletes a key whoever holds it; only for undoing a claim
// the caller has just made under a unique owner value.
func (s *Store) ReleaseKeyAny(ctx context.Context, key string) error {
	_, err := s.C(Keys.Name).DeleteOne(ctx, bson.D{{Key: "_id", Value: key}})
	return core.Wrap(err, "release key")
}

// ClaimKeys claims keys[0] like ClaimKey, and refuses with the same
// Conflict when any other of keys is held by someone else: they are one
// value's keys under the previous data keys of a rotation, so a value a
// record still holds under an old index stays taken. The current key is
// claimed before the others are checked and the rotation claims a record's
// new key before releasing the old one, so one of two such writers always
// sees the other. fresh reports whether this call made the claim, so a
// caller undoing its work releases only what it took.
func (s *Store) ClaimKeys(ctx context.Context, keys []string, owner, conflictKey string) (fresh bool, err error) {
	held, err := s.KeyOwner(ctx, keys[0])
	if err != nil && !core.IsCode(err, core.NotFound) {
		return false, err
	}
	fresh = held != owner
	if err := s.ClaimKey(ctx, keys[0], owner, conflictKey); err != nil {
		return false, err
	}
	for _, k := range keys[1:] {
		held, err := s.KeyOwner(ctx, k)
		if core.IsCode(err, core.NotFound) || (err == nil && held == owner) {
			continue
		}
		if fresh {
			_ = s.ReleaseKey(context.WithoutCancel(ctx), keys[0], owner)
		}
		if err != nil {
			return false, err
		}
		return false, core.Errorf(core.Conflict, conflictKey)
	}
	return fresh, nil
}

// KeyOwnerAny returns the owner of the first of keys that exists (one
// value's keys under every data key of a rotation), or NotFound.
func (s *Store) KeyOwnerAny(ctx context.Context, keys ...string) (string, error) {
	for _, k := range keys {
		owner, err := s.KeyOwner(ctx, k)
		if !core.IsCode(err, core.NotFound) {
			return owner, err
		}
	}
	return "", core.Errorf(core.NotFound, "error.not_found")
}

// MoveKey hands key from one owner to another in one guarded step (staff
// settling whose a number is); a key nobody holds is claimed for to, and a
// key a third record holds is a Conflict.
func (s *Store) MoveKey(ctx context.Context, key, from, to string) error {
	err := s.UpdateIf(ctx, Keys.Name, key, []Cond{Eq("owner", from)}, bson.D{{Key: "$set", Value: bson.D{{Key: "owner", Value: to}}}})
	switch {
	case core.IsCode(err, core.NotFound):
		return s.ClaimKey(ctx, key, to, "error.stale")
	case core.IsCode(err, core.Conflict):
		if held, _ := s.KeyOwner(ctx, key); held == to {
			return nil
		}
	}
	return err
}
