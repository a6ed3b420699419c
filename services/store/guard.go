package store

import (
	"context"
	"errors"
	"hash/fnv"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"onestop/services/core"
)

// Cond is one expectation about a stored field, checked atomically with an
// update (optimistic concurrency: "only if status is still submitted").
type Cond struct {
	Field string
	Op    string // "$eq", "$ne", "$gt", "$gte", "$lt", "$lte"
	Value any
}

// Eq expects field == v.
func Eq(field string, v any) Cond { return Cond{field, "$eq", v} }

// Ne expects field != v.
func Ne(field string, v any) Cond { return Cond{field, "$ne", v} }

// Gt expects field > v (numbers).
func Gt(field string, v any) Cond { return Cond{field, "$gt", v} }

// Gte expects field >= v (numbers).
func Gte(field string, v any) Cond { return Cond{field, "$gte", v} }

// Lt expects field < v (numbers).
func Lt(field string, v any) Cond { return Cond{field, "$lt", v} }

// ErrStale is returned when a guarded update finds the document changed.
var ErrStale = core.Errorf(core.Conflict, "error.stale")

// UpdateIf applies update to document id of coll only if every condition
// holds, as one atomic step. It returns NotFound when the document does not
// exist and ErrStale when a condition fails.
//
// On MongoDB this is one conditional UpdateOne. The embedded store would scan
// the whole collection for any filter beyond `_id`, so there the conditions
// are checked in Go under a per-document lock held across read and write;
// the embedded store is served by exactly one process, so the lock is as
// strong as the server-side filter.
func (s *Store) UpdateIf(ctx context.Context, coll, id string, conds []Cond, update bson.D) error {
	c := s.C(coll)
	if s.embedded == nil {
		filter := bson.D{{Key: "_id", Value: id}}
		for _, cd := range conds {
			filter = append(filter, bson.E{Key: cd.Field, Value: bson.D{{Key: cd.Op, Value: cd.Value}}})
		}
		res, err := c.UpdateOne(ctx, filter, update)
		if err != nil {
			return core.Wrap(err, "guarded update "+coll)
		}
		if res.MatchedCount == 1 {
			return nil
		}
		return s.missingOrStale(ctx, coll, id)
	}

	mu := s.embedded.lock(coll, id)
	mu.Lock()
	defer mu.Unlock()
	raw, err := c.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return core.Errorf(core.NotFound, "error.not_found")
	}
	if err != nil {
		return core.Wrap(err, "guarded read "+coll)
	}
	for _, cd := range conds {
		if !cd.holds(raw) {
			return ErrStale
		}
	}
	_, err = c.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, update)
	return core.Wrap(err, "guarded update "+coll)
}

func (s *Store) missingOrStale(ctx context.Context, coll, id string) error {
	n, err := s.C(coll).CountDocuments(ctx, bson.D{{Key: "_id", Value: id}})
	if err != nil {
		return core.Wrap(err, "guarded update "+coll)
	}
	if n == 0 {
		return core.Errorf(core.NotFound, "error.not_found")
	}
	return ErrStale
}

func (cd Cond) holds(doc bson.Raw) bool {
	v, err := doc.LookupErr(splitPath(cd.Field)...)
	if err != nil {
		// A missing field equals nil, as in a Mongo filter.
		switch cd.Op {
		case "$eq":
			return cd.Value == nil
		case "$ne":
			return cd.Value != nil
		}
		return false
	}
	cmp, ok := compare(v, cd.Value)
	if !ok {
		return cd.Op == "$ne"
	}
	switch cd.Op {
	case "$eq":
		return cmp == 0
	case "$ne":
		return cmp != 0
	case "$gt":
		return cmp > 0
	case "$gte":
		return cmp >= 0
	case "$lt":
		return cmp < 0
	case "$lte":
		return cmp <= 0
	}
	return false
}

// compare orders a stored value against a Go value of a comparable kind.
func compare(v bson.RawValue, want any) (int, bool) {
	switch w := want.(type) {
	case string:
		s, ok := v.StringValueOK()
		if !ok {
			return 0, false
		}
		switch {
		case s < w:
			return -1, true
		case s > w:
			return 1, true
		}
		return 0, true
	case bool:
		b, ok := v.BooleanOK()
		if !ok {
			return 0, false
		}
		if b == w {
			return 0, true
		}
		return 1, true
	case int:
		return compareNum(v, float64(w))
	case int32:
		return compareNum(v, float64(w))
	case int64:
		return compareNum(v, float64(w))
	case float64:
		return compareNum(v, w)
	case time.Time:
		dt, ok := v.DateTimeOK()
		if !ok {
			return 0, false
		}
		return cmpFloat(float64(dt), float64(w.UnixMilli())), true
	}
	return 0, false
}

func compareNum(v bson.RawValue, w float64) (int, bool) {
	var f float64
	switch v.Type {
	case bson.TypeInt32:
		f = float64(v.Int32())
	case bson.TypeInt64:
		f = float64(v.Int64())
	case bson.TypeDouble:
		f = v.Double()
	default:
		return 0, false
	}
	return cmpFloat(f, w), true
}

func cmpFloat(f, w float64) int {
	switch {
	case f < w:
		return -1
	case f > w:
		return 1
	}
	return 0
}

func splitPath(p string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(p); i++ {
		if p[i] == '.' {
			parts = append(parts, p[start:i])
			start = i + 1
		}
	}
	return append(parts, p[start:])
}

const lockStripes = 256

func (e *embedded) lock(coll, id string) *sync.Mutex {
	h := fnv.New32a()
	h.Write([]byte(coll))
	h.Write([]byte{0})
	h.Write([]byte(id))
	return &e.locks[h.Sum32()%lockStripes]
}
