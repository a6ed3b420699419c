package core

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"strings"
	"time"
)

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// NewID returns a random, URL-safe identifier of 128 bits. Records use
// string ids we generate, so a read by id is always an exact `_id` match
// (the one filter the embedded store can push down).
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand failed: " + err.Error()) // the runtime guarantees it does not
	}
	return idEncoding.EncodeToString(b[:])
}

// ValidID reports whether s looks like an id made by NewID, so handlers can
// turn garbage into "not found" without a database round trip.
func ValidID(s string) bool {
	if len(s) != 26 {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdefghjkmnpqrstvwxyz", r) {
			return false
		}
	}
	return true
}

// Clock is the time source; tests replace it.
type Clock func() time.Time

// Now returns the current time in UTC, rounded to milliseconds as BSON stores it.
func (c Clock) Now() time.Time {
	if c == nil {
		return time.Now().UTC().Truncate(time.Millisecond)
	}
	return c().UTC().Truncate(time.Millisecond)
}

type idSeedKey struct{}

// WithIDSeed marks ctx as carrying a retried-safe request (an
// Idempotency-Key): the record it creates gets an id derived from seed, so
// running the request again — after a crash left its answer unrecorded —
// finds the record instead of making a second.
func WithIDSeed(ctx context.Context, seed string) context.Context {
	return context.WithValue(ctx, idSeedKey{}, seed)
}

// IDFor returns the id of the record a create makes: derived from the
// request's seed when it has one, else new. A create that uses it treats a
// duplicate id as its own earlier success.
func IDFor(ctx context.Context, kind string) string {
	seed, _ := ctx.Value(idSeedKey{}).(string)
	if seed == "" {
		return NewID()
	}
	sum := sha256.Sum256([]byte(kind + "\x00" + seed))
	return idEncoding.EncodeToString(sum[:16])
}

// IDOf is an id derived from what a record is about (its parts, in
// order): a write that may run again — a worker's retry — makes the same
// record, and a duplicate id tells it the first run did.
func IDOf(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return idEncoding.EncodeToString(sum[:16])
}
