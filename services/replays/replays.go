// Package replays keeps the answers of create requests sent with an
// Idempotency-Key, so that a client that retries (after a timeout, a lost
// connection, a replica that died) gets the first answer back instead of a
// second record. A key's document id is a hash of caller, route and key —
// unique across replicas, and a read by `_id` on either engine.
package replays

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"onestop/services/core"
	"onestop/services/privacy"
	"onestop/services/store"
)

// Collection holds the keys and their answers.
var Collection = store.Collection{Name: "idempotency"}

// Keep is how long an answer is kept for a retry.
const Keep = 24 * time.Hour

// record is one key's state: pending while the first request runs, then
// the answer it got.
type record struct {
	ID          string    `bson:"_id"`
	Fingerprint string    `bson:"fingerprint"`
	Done        bool      `bson:"done"`
	Status      int       `bson:"status,omitempty"`
	ContentType string    `bson:"content_type,omitempty"`
	Body        []byte    `bson:"body,omitempty"`
	CreatedAt   time.Time `bson:"created_at"`
	// Owner is the caller, whose kept answers an erasure deletes.
	Owner string `bson:"owner,omitempty"`
}

// Answer is a kept answer.
type Answer struct {
	Status      int
	ContentType string
	Body        []byte
}

// Deps wires the store.
type Deps struct {
	Store *store.Store
	Clock core.Clock
	// Wait is how long a first request may run before a retry takes its
	// key over (it died unanswered).
	Wait time.Duration
}

// Store keeps answers.
type Store struct {
	d Deps
}

// New returns the store.
func New(d Deps) (*Store, error) {
	if err := core.CheckDeps("replays", d); err != nil {
		return nil, err
	}
	return &Store{d: d}, nil
}

// Claim takes key id for a request with the given body fingerprint. It
// returns a kept answer when the same request ran before (replay), and
// nil, nil when this request is to run and its answer be kept (Done) or
// dropped (Release). The same key with another body is Invalid; a retry
// while the first still runs is a Conflict, until Wait says it died.
func (s *Store) Claim(ctx context.Context, id, fingerprint, owner string) (*Answer, error) {
	now := s.d.Clock.Now()
	err := s.d.Store.Insert(ctx, Collection.Name, record{ID: id, Fingerprint: fingerprint, CreatedAt: now, Owner: owner})
	if err == nil {
		return nil, nil
	}
	if !mongo.IsDuplicateKeyError(err) {
		return nil, core.Wrap(err, "claim idempotency key")
	}
	var r record
	if err := s.d.Store.Get(ctx, Collection.Name, id, &r); err != nil {
		return nil, err
	}
	switch {
	case r.Fingerprint != fingerprint:
		return nil, &core.Error{Code: core.Invalid, Message: "error.idempotency.mismatch", Fields: map[string]string{"Idempotency-Key": "error.idempotency.mismatch"}}
	case r.Done:
		return &Answer{Status: r.Status, ContentType: r.ContentType, Body: r.Body}, nil
	case now.Sub(r.CreatedAt) < s.d.Wait:
		return nil, core.Errorf(core.Conflict, "error.idempotency.pending")
	}
	// The first request died unanswered: this one takes the key over.
	if err := s.d.Store.UpdateIf(ctx, Collection.Name, id, []store.Cond{store.Eq("created_at", r.CreatedAt)},
		bson.D{{Key: "$set", Value: bson.D{{Key: "created_at", Value: now}}}}); err != nil {
		return nil, core.Errorf(core.Conflict, "error.idempotency.pending")
	}
	return nil, nil
}

// Done keeps the answer of a claimed request. A failure to keep it only
// means a retry runs the request again, which the create's key-derived id
// (core.IDFor) makes find its own record.
func (s *Store) Done(ctx context.Context, id string, a Answer) {
	_ = s.d.Store.Set(ctx, Collection.Name, id, bson.D{{Key: "done", Value: true},
		{Key: "status", Value: a.Status}, {Key: "content_type", Value: a.ContentType}, {Key: "body", Value: a.Body}})
}

// Release frees a claimed key whose request failed on the server's side,
// so a retry runs it again.
func (s *Store) Release(ctx context.Context, id string) {
	_, _ = s.d.Store.C(Collection.Name).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
}

// Purge deletes answers older than Keep; the portal runs it now and then
// (the embedded store has no TTL indexes).
func (s *Store) Purge(ctx context.Context) error {
	_, err := s.d.Store.C(Collection.Name).DeleteMany(ctx, bson.D{{Key: "created_at", Value: bson.D{{Key: "$lt", Value: s.d.Clock.Now().Add(-Keep)}}}})
	return core.Wrap(err, "purge replays")
}

// PersonalData is the store's part of the personal-data contract: the
// answers kept for a retry (a created complaint, with the name in it) are
// the caller's, kept a day at most; on erasure the person's go at once.
func (s *Store) PersonalData() privacy.Area { return area{s} }

type area struct{ s *Store }

func (area) Name() string    { return "replays" }
func (area) Holds() []string { return []string{Collection.Name} }

// Export returns nothing: the answers kept are copies of answers the
// person already had, and of records the other areas export.
func (area) Export(context.Context, string) (*privacy.Part, error) { return &privacy.Part{}, nil }

// Erase deletes the person's kept answers (a small collection: a day's).
func (a area) Erase(ctx context.Context, subj privacy.Subject) error {
	_, err := a.s.d.Store.C(Collection.Name).DeleteMany(ctx, bson.D{{Key: "owner", Value: subj.ID}})
	return core.Wrap(err, "erase replays")
}
