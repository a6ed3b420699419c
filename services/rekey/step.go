package rekey

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"onestop/services/core"
	"onestop/services/store"
)

// plan is what one record needs: keys to hold, fields to rewrite, keys of
// previous data keys to let go.
type plan struct {
	hold    []heldKey
	set     bson.D
	conds   []store.Cond
	release []string
	unknown int
}

type heldKey struct{ key, field string }

// Step re-keys one record of coll (users, profiles or contacts) and
// reports whether it changed it. Run calls it for every record; it is
// exported so an interrupted rotation can be reproduced record by record.
func (r *Rotator) Step(ctx context.Context, coll, id string) (changed bool, err error) {
	t, ok := targetOf(coll)
	if !ok {
		return false, fmt.Errorf("rekey: %s holds no sealed values", coll)
	}
	doc, err := r.read(ctx, t, id)
	if err != nil {
		return false, err
	}
	changed, _, err = r.step(ctx, t, doc)
	return changed, err
}

// step claims the record's keys under the current data key, rewrites the
// record guarded on what was read, then releases its keys under previous
// data keys. A guard that fails (someone wrote the record meanwhile) makes
// it read the record again and start over, first letting go of keys the
// record no longer needs.
func (r *Rotator) step(ctx context.Context, t target, doc bson.Raw) (changed bool, unknown int, err error) {
	id, _ := doc.Lookup("_id").StringValueOK() // Run checked it
	var claimed []heldKey
	for attempt := 0; ; attempt++ {
		p, err := r.plan(ctx, t, id, doc)
		if err != nil {
			r.releaseStray(ctx, id, claimed, nil)
			return false, 0, err
		}
		r.releaseStray(ctx, id, claimed, p.hold)
		claimed = nil
		for _, h := range p.hold {
			if err := r.claim(ctx, id, h.key); err != nil {
				r.releaseStray(ctx, id, claimed, nil)
				return false, 0, Failure{Collection: t.coll, ID: id, Field: h.field, Err: err}
			}
			claimed = append(claimed, h)
		}
		if len(p.set) > 0 {
			err := r.store.UpdateIf(ctx, t.coll, id, p.conds, bson.D{{Key: "$set", Value: p.set}})
			if core.IsCode(err, core.Conflict) || core.IsCode(err, core.NotFound) {
				if attempt == 10 {
					return false, 0, Failure{Collection: t.coll, ID: id, Err: errors.New("written too often meanwhile; run again")}
				}
				if doc, err = r.read(ctx, t, id); core.IsCode(err, core.NotFound) {
					r.releaseStray(ctx, id, claimed, nil) // deleted meanwhile
					return false, 0, nil
				} else if err != nil {
					return false, 0, err
				}
				continue
			}
			if err != nil {
				return false, 0, err
			}
		}
		for _, k := range p.release {
			if err := r.store.ReleaseKey(ctx, k, id); err != nil {
				return false, 0, err
			}
		}
		return len(p.set) > 0, p.unknown, nil
	}
}

// plan opens every sealed value of the record (a value that opens under
// no key is a Failure) and says what moves to the current key.
func (r *Rotator) plan(ctx context.Context, t target, id string, doc bson.Raw) (*plan, error) {
	p := &plan{}
	for _, s := range t.values {
		ct, ix := str(doc, s.value), str(doc, s.index)
		p.conds = append(p.conds, eq(s.value, ct)...)
		p.conds = append(p.conds, eq(s.index, ix)...)
		plain, err := r.vault.Open(s.field, ct)
		if err != nil {
			return nil, Failure{Collection: t.coll, ID: id, Field: s.field, Err: err}
		}
		if plain == "" && ix != "" && t.linked != "" {
			plain = r.linkedValue(ctx, s, str(doc, t.linked), ix)
		}
		if plain == "" {
			if ix != "" {
				p.unknown++
			}
			continue
		}
		keys := r.vault.IndexKeys(s.prefix, s.field, plain)
		if !pendingIn(doc, t.pending, s.field) {
			p.hold = append(p.hold, heldKey{keys[0], s.field})
			p.release = append(p.release, keys[1:]...)
			if ix != "" && !slices.Contains(keys, s.prefix+ix) {
				p.release = append(p.release, s.prefix+ix) // under a key no longer in the ring
			}
		}
		if !r.vault.Current(ct) {
			p.set = append(p.set, bson.E{Key: s.value, Value: r.vault.Seal(s.field, plain)})
		}
		if s.index != "" && s.prefix+ix != keys[0] {
			p.set = append(p.set, bson.E{Key: s.index, Value: keys[0][len(s.prefix):]})
		}
	}
	if len(p.set) > 0 {
		conds, bump := t.guard(doc)
		p.conds = append(p.conds, conds...)
		p.set = append(p.set, bump...)
	}
	return p, nil
}

// linkedValue finds the value behind a contact's index in the profile it
// was made from, if that profile still holds it.
func (r *Rotator) linkedValue(ctx context.Context, s sealed, profileID, ix string) string {
	var prof bson.Raw
	if profileID == "" || r.store.C("profiles").FindOne(ctx, bson.D{{Key: "_id", Value: profileID}}).Decode(&prof) != nil {
		return ""
	}
	plain, err := r.vault.Open(s.field, str(prof, s.value))
	if err != nil || plain == "" || !slices.Contains(r.vault.BlindIndexes(s.field, plain), ix) {
		return ""
	}
	return plain
}

// claim takes key for id. A key held by another record is waited for a
// little (a registration holds its key only until it finds the value taken
// under an old key), then it is a conflict: two records carry one value.
func (r *Rotator) claim(ctx context.Context, id, key string) error {
	wait := 50 * time.Millisecond
	deadline := time.Now().Add(r.conflictWait)
	for {
		held, err := r.store.KeyOwner(ctx, key)
		if err == nil && held == id {
			return nil
		}
		if err != nil && !core.IsCode(err, core.NotFound) {
			return err
		}
		err = r.store.ClaimKey(ctx, key, id, "error.stale")
		if !core.IsCode(err, core.Conflict) {
			return err
		}
		if time.Now().After(deadline) {
			return errors.New("its value is held by another record under the current key")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 500*time.Millisecond)
	}
}

// releaseStray lets go of keys an earlier attempt claimed that the record,
// as read again, does not hold.
func (r *Rotator) releaseStray(ctx context.Context, id string, claimed, hold []heldKey) {
	for _, c := range claimed {
		if !slices.Contains(hold, c) {
			_ = r.store.ReleaseKey(context.WithoutCancel(ctx), c.key, id)
		}
	}
}

func (r *Rotator) read(ctx context.Context, t target, id string) (bson.Raw, error) {
	var doc bson.Raw
	err := r.store.C(t.coll).FindOne(ctx, bson.D{{Key: "_id", Value: id}}, options.FindOne().SetProjection(t.projection())).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, core.Errorf(core.NotFound, "error.not_found")
	}
	return doc, core.Wrap(err, "read "+t.coll)
}

// str is a string field of doc, "" when it is missing (or name is "").
func str(doc bson.Raw, name string) string {
	if name == "" {
		return ""
	}
	s, _ := doc.Lookup(name).StringValueOK()
	return s
}

// eq expects a field as read. An empty field is left to the target's
// guard: records omit it or store "", and a condition cannot say "either".
func eq(field, v string) []store.Cond {
	if v == "" {
		return nil
	}
	return []store.Cond{store.Eq(field, v)}
}

// pendingIn reports whether the record's pending array (if it has one)
// names field.
func pendingIn(doc bson.Raw, array, field string) bool {
	if array == "" {
		return false
	}
	vals, ok := doc.Lookup(array).ArrayOK()
	if !ok {
		return false
	}
	all, _ := vals.Values()
	for _, v := range all {
		if s, ok := v.StringValueOK(); ok && s == field {
			return true
		}
	}
	return false
}
