// Package search is the one place with two implementations behind an
// interface: lists, filters, facets, sorting and Chinese full-text search
// come from an Engine — embedded Bleve on one machine, a Meilisearch server
// beyond it. MongoDB stays the source of truth; every index can be rebuilt
// from it, so nothing here is precious.
package search

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Engine is a search engine holding several indexes.
type Engine interface {
	// Name says which engine this is, for logs and readiness.
	Name() string
	// Ensure declares an index; it is idempotent. It reports rebuilt=true when
	// the index was (re)created empty, so the caller refills it from the
	// database.
	Ensure(ctx context.Context, ix Index) (rebuilt bool, err error)
	// Upsert adds or replaces documents; they are searchable when it returns.
	Upsert(ctx context.Context, index string, docs ...Doc) error
	// Delete removes documents by id; unknown ids are ignored.
	Delete(ctx context.Context, index string, ids ...string) error
	// Search runs a query.
	Search(ctx context.Context, index string, q Query) (*Result, error)
	// Count returns the number of documents in an index.
	Count(ctx context.Context, index string) (int, error)
	// Health reports whether the engine answers.
	Health(ctx context.Context) error
	Close() error
}

// Index declares an index: which fields are searched as text and which are
// filtered, faceted or sorted on. Only declared fields are indexed, so a
// field that must never be searchable (an ID number) cannot leak in.
type Index struct {
	Name string
	Text []string // Chinese full text, returned with hits and highlightable
	// SearchOnly text is searched but neither stored nor returned (long
	// descriptions): it costs far less to index.
	SearchOnly []string
	Keywords   []string // exact values (a string or a list of strings): filters and facets
	Numbers    []string // numeric filters and sorting
	Times      []string // time.Time, sortable
	// ReadMostly marks an index searched far more than it is written (a
	// catalogue): the embedded engine keeps it in fewer, larger segments
	// and merges more on a write. It is no part of what the index holds.
	ReadMostly bool `json:"-"`
}

// fields are the stored fields, returned with hits.
func (ix Index) fields() []string {
	return slices.Concat(ix.Text, ix.Keywords, ix.Numbers, ix.Times)
}

// searched are the text fields a query looks in.
func (ix Index) searched() []string { return slices.Concat(ix.Text, ix.SearchOnly) }

func (ix Index) has(field string, kinds ...[]string) bool {
	for _, k := range kinds {
		if slices.Contains(k, field) {
			return true
		}
	}
	return false
}

// Doc is one document: its id and its declared fields.
type Doc struct {
	ID     string
	Fields map[string]any
}

// Query asks an index for one page of hits.
type Query struct {
	Text    string
	Filters []Filter // all must hold
	Ranges  []Range  // all must hold
	Sort    []Sort   // empty: by relevance, then newest
	Facets  []string // keyword fields to count
	// Highlight names text fields to return highlighted snippets of.
	Highlight []string
	Offset    int
	Limit     int
}

// Filter keeps documents whose keyword field has one of Values.
type Filter struct {
	Field  string
	Values []string
}

// Range keeps documents whose numeric field lies in [Min, Max]; nil is open.
type Range struct {
	Field    string
	Min, Max *float64
}

// Sort orders by a numeric or time field.
type Sort struct {
	Field string
	Desc  bool
}

// Result is one page of hits.
type Result struct {
	Total  int
	Hits   []Hit
	Facets map[string][]FacetCount
}

// Hit is one document found, with its stored fields and, when asked, the
// highlighted snippets of text fields (safe HTML: escaped text and <mark>).
type Hit struct {
	ID         string
	Fields     map[string]any
	Highlights map[string]string
}

// FacetCount is how many hits have a keyword value.
type FacetCount struct {
	Value string
	Count int
}

// ErrUnknownIndex is returned for an index that was never ensured.
var ErrUnknownIndex = errors.New("search: unknown index")

// ErrBadQuery is returned for a query that names undeclared fields or is
// otherwise malformed; it is the caller's bug, never the user's input.
var ErrBadQuery = errors.New("search: bad query")

// MaxLimit bounds one page.
const MaxLimit = 100

// validate checks a query against the index declaration: only declared
// fields may be filtered, sorted or faceted, which also closes filter
// injection on Meilisearch (no attribute names come from users).
func (ix Index) validate(q *Query) error {
	if q.Limit <= 0 {
		q.Limit = 20
	}
	if q.Limit > MaxLimit {
		q.Limit = MaxLimit
	}
	if q.Offset < 0 {
		q.Offset = 0
	}
	for _, f := range q.Filters {
		if !ix.has(f.Field, ix.Keywords) {
			return fmt.Errorf("%w: filter on %q", ErrBadQuery, f.Field)
		}
	}
	for _, r := range q.Ranges {
		if !ix.has(r.Field, ix.Numbers) {
			return fmt.Errorf("%w: range on %q", ErrBadQuery, r.Field)
		}
	}
	for _, s := range q.Sort {
		if !ix.has(s.Field, ix.Numbers, ix.Times, ix.Keywords) {
			return fmt.Errorf("%w: sort on %q", ErrBadQuery, s.Field)
		}
	}
	for _, f := range q.Facets {
		if !ix.has(f, ix.Keywords) {
			return fmt.Errorf("%w: facet on %q", ErrBadQuery, f)
		}
	}
	for _, f := range q.Highlight {
		if !ix.has(f, ix.Text) {
			return fmt.Errorf("%w: highlight on %q", ErrBadQuery, f)
		}
	}
	return nil
}

// sortFacets orders facet counts by count, then value, the way Bleve does.
func sortFacets(c []FacetCount) {
	slices.SortFunc(c, func(a, b FacetCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Value, b.Value)
	})
}
