package privacy

import (
	"context"
	"path"
	"strings"

	"onestop/search"
	"onestop/services/core"
)

// MaxRecords bounds the records of one kind found for one person: far more
// than anyone makes, and a stop should a filter ever match everybody.
const MaxRecords = 10_000

// Find returns the ids of every document of a search index whose keyword
// field has value — how an area finds a person's records (the embedded
// store finds documents only by _id). The ids are collected before any is
// changed, so an erasure that moves records out of a filter skips none.
func Find(ctx context.Context, e search.Engine, index, field, value string) ([]string, error) {
	if value == "" {
		return nil, nil
	}
	var ids []string
	for offset := 0; offset < MaxRecords; offset += search.MaxLimit {
		r, err := e.Search(ctx, index, search.Query{Filters: []search.Filter{{Field: field, Values: []string{value}}},
			Offset: offset, Limit: search.MaxLimit})
		if err != nil {
			return nil, &core.Error{Code: core.Unavailable, Message: "error.search_unavailable", Cause: err}
		}
		for _, h := range r.Hits {
			ids = append(ids, h.ID)
		}
		if len(r.Hits) < search.MaxLimit {
			break
		}
	}
	return ids, nil
}

// Retry runs a read-modify-write step until it does not meet a concurrent
// change (a Conflict), a few times: erasure rewrites whole histories under
// a guard on the version read, and a staff member saving the record at
// that moment only means reading it again.
func Retry(fn func() error) error {
	var err error
	for range 5 {
		if err = fn(); !core.IsCode(err, core.Conflict) {
			return err
		}
	}
	return err
}

// EachRetried runs a read-modify-write step for every record id, each
// retried on a concurrent change (Retry); a record deleted meanwhile is
// skipped. It stops at the first other error, which a retried erasure
// picks up again (each step can run twice).
func EachRetried(ids []string, step func(id string) error) error {
	for _, id := range ids {
		if err := Retry(func() error { return step(id) }); err != nil && !core.IsCode(err, core.NotFound) {
			return err
		}
	}
	return nil
}

// FilePath is where an area puts a document in the archive: under the
// area and the record, by a name that cannot climb out of either.
func FilePath(area, recordID, name string) string {
	name = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r < 0x20 {
			return '_'
		}
		return r
	}, name)
	return path.Join(area, recordID, strings.TrimLeft(name, "."))
}
