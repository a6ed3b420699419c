package portal

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/gofiber/fiber/v2"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"onestop/services/core"
	"onestop/services/store"
)

// Idempotency keeps the answers of create requests sent with an
// Idempotency-Key header, so a client that retries (after a timeout, a lost
// connection, a replica that died) gets the first answer back instead of a
// second record. The key is the document's _id — unique across replicas.
var Idempotency = store.Collection{Name: "idempotency"}

// idempotencyRecord is one key's state: pending while the first request
// runs, then the answer it got.
type idempotencyRecord struct {
	ID          string    `bson:"_id"` // hash of caller, route and key
	Fingerprint string    `bson:"fingerprint"`
	Done        bool      `bson:"done"`
	Status      int       `bson:"status,omitempty"`
	ContentType string    `bson:"content_type,omitempty"`
	Body        []byte    `bson:"body,omitempty"`
	CreatedAt   time.Time `bson:"created_at"`
	// Owner is the caller, whose kept answers an erasure deletes (privacy.go).
	Owner string `bson:"owner,omitempty"`
}

// idempotent wraps a create handler. Without the header it does nothing.
// With it: the first request claims the key and its answer is kept (5xx
// answers are not: the key is released so a retry can run); a retry with
// the same key and body gets the kept answer with Idempotent-Replayed; the
// same key with another body is refused; a retry while the first still
// runs is told to wait, until -idempotency-wait says the first died.
func (a *App) idempotent(next fiber.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		key := c.Get("Idempotency-Key")
		if key == "" {
			return next(c)
		}
		if len(key) > 200 || !printable(key) {
			return &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"Idempotency-Key": "error.idempotency.key"}}
		}
		ctx := c.UserContext()
		id := digest(principal(c).ID, c.Method(), c.Path(), key)
		fp := digest(string(c.Body()))
		now := a.clock.Now()
		_, err := a.store.C(Idempotency.Name).InsertOne(ctx, idempotencyRecord{ID: id, Fingerprint: fp, CreatedAt: now, Owner: principal(c).ID})
		if mongo.IsDuplicateKeyError(err) {
			var r idempotencyRecord
			if err := a.store.Get(ctx, Idempotency.Name, id, &r); err != nil {
				return err
			}
			switch {
			case r.Fingerprint != fp:
				return &core.Error{Code: core.Invalid, Message: "error.idempotency.mismatch", Fields: map[string]string{"Idempotency-Key": "error.idempotency.mismatch"}}
			case r.Done:
				c.Set("Idempotent-Replayed", "true")
				c.Set(fiber.HeaderContentType, r.ContentType)
				return c.Status(r.Status).Send(r.Body)
			case now.Sub(r.CreatedAt) < a.cfg.IdempotencyWait:
				return core.Errorf(core.Conflict, "error.idempotency.pending")
			}
			// The first request died unanswered: this one takes the key over.
			if err := a.store.UpdateIf(ctx, Idempotency.Name, id, []store.Cond{store.Eq("created_at", r.CreatedAt)},
				bson.D{{Key: "$set", Value: bson.D{{Key: "created_at", Value: now}}}}); err != nil {
				return core.Errorf(core.Conflict, "error.idempotency.pending")
			}
		} else if err != nil {
			return core.Wrap(err, "claim idempotency key")
		}
		// A create that derives its record's id from the key (core.IDFor)
		// finds its own record when run again after a crash.
		c.SetUserContext(core.WithIDSeed(ctx, id))
		if err := next(c); err != nil {
			if herr := a.http.ErrorHandler(c, err); herr != nil {
				return herr
			}
		}
		status := c.Response().StatusCode()
		if status >= 500 {
			_, _ = a.store.C(Idempotency.Name).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
			return nil
		}
		body := c.Response().Body()
		_ = a.store.UpdateIf(ctx, Idempotency.Name, id, nil, bson.D{{Key: "$set", Value: bson.D{{Key: "done", Value: true}, {Key: "status", Value: status},
			{Key: "content_type", Value: string(c.Response().Header.ContentType())}, {Key: "body", Value: body}}}})
		return nil
	}
}

func digest(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
