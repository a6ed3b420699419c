// Package rekey rotates the data-encryption key (數據密鑰輪換): it walks every
// record holding sealed values or blind indexes — accounts, profiles,
// contacts, the people reward claims list (lines.go) and the files people
// uploaded (documents.go) — re-seals them
// under the vault's current key, recomputes the stored indexes and moves
// their key documents to the new `_id`s. The imported roster lines keep
// only a blind index, never the number: they are imported again after a
// rotation.
//
// Each record is one step that any crash leaves resumable: the new key
// document is claimed first, then the record is rewritten by a guarded
// update, then the old key document is released. Until the release both
// keys name the record, and look-ups and uniqueness checks try every key of
// the ring (pii.Vault.BlindIndexes), so a half-finished rotation neither
// loses a record nor lets a duplicate in. A record already under the
// current key only has leftover old key documents released, so a second
// run changes nothing, and a run may go on while the portal serves.
package rekey

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"onestop/services/core"
	"onestop/services/pii"
	"onestop/services/store"
)

// sealed is one protected value of a record.
type sealed struct {
	field  string // the vault's field: "phone", "id_number"
	value  string // bson name of the ciphertext
	index  string // bson name of the stored blind index; "" when only the key document holds it
	prefix string // key-collection prefix of the index
}

// target is a collection holding sealed values: accounts.User,
// people.Profile and hotline.Contact (their bson names, repeated here so
// this package needs none of theirs; the portal's rotation tests go through
// those services and would see a drift).
type target struct {
	coll   string
	values []sealed
	// guard makes the step's update and a concurrent writer exclude each
	// other: the conditions hold only on the record as read, and the update
	// makes any writer that read it before stale.
	guard func(doc bson.Raw) ([]store.Cond, bson.D)
	// linked names the profile a contact made from an account copies its
	// indexes from: such a contact holds an index but not the value.
	linked string
	// pending names the array listing the fields whose values the record
	// keeps without holding their keys (a profile's disputed numbers): they
	// are re-sealed and re-indexed, but their keys are another record's.
	pending string
}

var targets = []target{
	{coll: "users", values: []sealed{{"phone", "phone_sealed", "", "phone:"}},
		guard: func(bson.Raw) ([]store.Cond, bson.D) { return nil, nil }},
	{coll: "profiles", values: []sealed{{"id_number", "id_sealed", "id_index", "idno:"}, {"phone", "phone_sealed", "phone_index", "pphone:"}},
		guard: func(doc bson.Raw) ([]store.Cond, bson.D) {
			// Every profile write is guarded on updated_at; moving it on by a
			// millisecond makes a save that read the old ciphertext stale, so
			// it cannot write it back.
			at, ok := doc.Lookup("updated_at").TimeOK()
			if !ok {
				return []store.Cond{store.Eq("updated_at", nil)}, nil
			}
			return []store.Cond{store.Eq("updated_at", at)}, bson.D{{Key: "updated_at", Value: at.Add(time.Millisecond)}}
		}, pending: "pending"},
	{coll: "contacts", values: []sealed{{"phone", "phone_sealed", "phone_index", "cphone:"}, {"id_number", "id_sealed", "id_index", "cidno:"}},
		guard: func(doc bson.Raw) ([]store.Cond, bson.D) {
			// Contacts are written at a version, as the hotline does.
			v, _ := doc.Lookup("version").AsInt64OK()
			return []store.Cond{store.Eq("version", v)}, bson.D{{Key: "version", Value: v + 1}}
		}, linked: "account_id"},
}

// Count is what a run did in one collection.
type Count struct {
	Collection string
	Records    int // records read
	Rekeyed    int // records re-sealed or re-indexed
	// Unknown counts indexes kept as they are because no record holds
	// their value any more (a contact made from a profile whose number
	// changed since): nothing can recompute them, and they find nothing once
	// the old key is gone.
	Unknown int
}

// Failure is a record the run could not re-key.
type Failure struct {
	Collection, ID, Field string
	Err                   error
}

func (f Failure) Error() string {
	return fmt.Sprintf("%s/%s %s: %v", f.Collection, f.ID, f.Field, f.Err)
}

// Report is the outcome of a run.
type Report struct {
	Counts   []Count
	Failures []Failure
	// Stopped is set when the run ended at its limit before the end.
	Stopped bool
}

// Rekeyed is the number of records changed in all collections.
func (r *Report) Rekeyed() int {
	n := 0
	for _, c := range r.Counts {
		n += c.Rekeyed
	}
	return n
}

// Err is nil when every value was re-keyed.
func (r *Report) Err() error {
	if len(r.Failures) == 0 {
		return nil
	}
	errs := []error{fmt.Errorf("%d values could not be re-keyed", len(r.Failures))}
	for i, f := range r.Failures {
		if i == 10 {
			errs = append(errs, fmt.Errorf("… and %d more", len(r.Failures)-10))
			break
		}
		errs = append(errs, f)
	}
	return errors.Join(errs...)
}

// Options tune a run.
type Options struct {
	// Limit stops the run after this many records were changed (0: no
	// limit), to spread a rotation over quiet hours; the next run goes on.
	Limit int
	// PageSize is how many records are read at a time (default 500).
	PageSize int
	// Progress, when set, is told the records read so far in a collection
	// of total.
	Progress func(coll string, done, total int)
}

// Rotator re-keys the records of one database under a vault's current key.
type Rotator struct {
	store *store.Store
	vault *pii.Vault
	// conflictWait is how long a key held by another record is waited for:
	// a registration claims its key and lets it go again when it finds the
	// value held under an old key.
	conflictWait time.Duration
}

// New returns a rotator.
func New(s *store.Store, v *pii.Vault) *Rotator {
	return &Rotator{store: s, vault: v, conflictWait: 2 * time.Second}
}

// Run walks every collection holding sealed values, in `_id` order a page
// at a time (the embedded store reads a page with one scan; MongoDB with
// its `_id` index), and re-keys each record. A value that opens under no
// key of the vault is a Failure; the run goes on with the rest and its
// report's Err says what failed.
func (r *Rotator) Run(ctx context.Context, opt Options) (*Report, error) {
	if opt.PageSize <= 0 {
		opt.PageSize = 500
	}
	rep := &Report{}
	changed := 0
	for _, t := range targets {
		c := Count{Collection: t.coll}
		total, err := r.store.C(t.coll).CountDocuments(ctx, bson.D{})
		if err != nil {
			return rep, core.Wrap(err, "count "+t.coll)
		}
		last := ""
		for !rep.Stopped {
			page, err := r.page(ctx, t, last, opt.PageSize)
			if err != nil {
				return rep, err
			}
			for _, doc := range page {
				id, ok := doc.Lookup("_id").StringValueOK()
				if !ok {
					return rep, fmt.Errorf("rekey: %s holds a record whose _id is not a string", t.coll)
				}
				last = id
				c.Records++
				did, unknown, err := r.step(ctx, t, doc)
				var f Failure
				switch {
				case errors.As(err, &f):
					rep.Failures = append(rep.Failures, f)
				case err != nil:
					return rep, err
				}
				c.Unknown += unknown
				if did {
					c.Rekeyed++
					changed++
				}
				if opt.Limit > 0 && changed >= opt.Limit {
					rep.Stopped = true
					break
				}
			}
			if opt.Progress != nil {
				opt.Progress(t.coll, c.Records, int(total))
			}
			if len(page) < opt.PageSize {
				break
			}
		}
		rep.Counts = append(rep.Counts, c)
		if rep.Stopped {
			break
		}
	}
	if !rep.Stopped {
		if err := r.lines(ctx, opt, rep); err != nil {
			return rep, err
		}
		if err := r.files(ctx, opt, rep); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// page reads the next records after last, only the fields a step needs.
func (r *Rotator) page(ctx context.Context, t target, last string, size int) ([]bson.Raw, error) {
	cur, err := r.store.C(t.coll).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: last}}}},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(size)).SetProjection(t.projection()))
	if err != nil {
		return nil, core.Wrap(err, "scan "+t.coll)
	}
	var out []bson.Raw
	for cur.Next(ctx) {
		out = append(out, append(bson.Raw(nil), cur.Current...))
	}
	err = cur.Err()
	cur.Close(ctx)
	return out, core.Wrap(err, "scan "+t.coll)
}

// projection is the fields a step reads.
func (t target) projection() bson.D {
	proj := bson.D{{Key: "updated_at", Value: 1}, {Key: "version", Value: 1}}
	for _, s := range t.values {
		proj = append(proj, bson.E{Key: s.value, Value: 1})
		if s.index != "" {
			proj = append(proj, bson.E{Key: s.index, Value: 1})
		}
	}
	for _, f := range []string{t.linked, t.pending} {
		if f != "" {
			proj = append(proj, bson.E{Key: f, Value: 1})
		}
	}
	return proj
}

func targetOf(coll string) (target, bool) {
	for _, t := range targets {
		if t.coll == coll {
			return t, true
		}
	}
	return target{}, false
}
