package search_test

import (
	"context"
	"testing"

	"onestop/search"
)

// countingEngine answers every search with the number of searches so far.
type countingEngine struct {
	search.Engine
	searches int
}

func (e *countingEngine) Search(context.Context, string, search.Query) (*search.Result, error) {
	e.searches++
	return &search.Result{Total: e.searches, Hits: []search.Hit{{ID: "a"}}}, nil
}
func (e *countingEngine) Upsert(context.Context, string, ...search.Doc) error { return nil }
func (e *countingEngine) Delete(context.Context, string, ...string) error     { return nil }
func (e *countingEngine) Ensure(context.Context, search.Index) (bool, error)  { return false, nil }

func TestSearchCache(t *testing.T) {
	ctx := context.Background()
	inner := &countingEngine{}
	c := search.Cache(inner)
	lib := search.Query{Text: "社區", Filters: []search.Filter{{Field: "status", Values: []string{"recommended"}}}, Limit: 20}
	total := func(index string, q search.Query) int {
		r, err := c.Search(ctx, index, q)
		if err != nil {
			t.Fatal(err)
		}
		r.Hits[0].ID = "changed by a caller"
		return r.Total
	}
	steps := []struct {
		name  string
		do    func()
		index string
		q     search.Query
		want  int
	}{
		{"first search asks the engine", nil, "projects", lib, 1},
		{"the same search is answered from the cache", nil, "projects", lib, 1},
		{"another query asks the engine", nil, "projects", search.Query{Text: "養老", Limit: 20}, 2},
		{"the same query on another index asks the engine", nil, "people", lib, 3},
		{"a write to another index keeps the answer", func() { c.Upsert(ctx, "people", search.Doc{ID: "x"}) }, "projects", lib, 1},
		{"an upsert to the index drops it", func() { c.Upsert(ctx, "projects", search.Doc{ID: "x"}) }, "projects", lib, 4},
		{"then it is cached again", nil, "projects", lib, 4},
		{"a delete drops it", func() { c.Delete(ctx, "projects", "x") }, "projects", lib, 5},
		{"a rebuild drops it", func() { c.Ensure(ctx, search.Index{Name: "projects"}) }, "projects", lib, 6},
	}
	for _, s := range steps {
		if s.do != nil {
			s.do()
		}
		if got := total(s.index, s.q); got != s.want {
			t.Errorf("%s: answer %d, want %d", s.name, got, s.want)
		}
	}
	if r, _ := c.Search(ctx, "projects", lib); r.Hits[0].ID != "a" {
		t.Errorf("a caller's change reached the cache: %q", r.Hits[0].ID)
	}
}
