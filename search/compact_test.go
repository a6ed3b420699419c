package search_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"onestop/search"
)

// filesHolding names the files under dir whose bytes contain s.
func filesHolding(t *testing.T, dir, s string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if raw, err := os.ReadFile(p); err == nil && bytes.Contains(raw, []byte(s)) {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// TestCompactLeavesNoTrace: a name replaced (a pseudonymised record) or
// deleted stays in Bleve's segment files until Compact, and is gone from
// every file of the index directory after it — whether the index then has
// several segments or only one with deletions. Lists are unchanged.
func TestCompactLeavesNoTrace(t *testing.T) {
	const name, other = "金絲雀甲乙", "王小明"
	ctx := context.Background()
	doc := func(id, n string) search.Doc {
		return search.Doc{ID: id, Fields: map[string]any{"name": n, "role": "entrepreneur", "created_at": time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}}
	}
	for _, tc := range []struct {
		name  string
		erase func(e *search.Bleve) error
	}{
		{"replaced", func(e *search.Bleve) error { return e.Upsert(ctx, "people", doc("c", "#abc123")) }},
		{"deleted", func(e *search.Bleve) error { return e.Delete(ctx, "people", "c") }},
		{"deleted from a lone segment", func(e *search.Bleve) error {
			if err := e.Compact(ctx, "people"); err != nil { // one segment holding the name
				return err
			}
			return e.Delete(ctx, "people", "c")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			e, err := search.OpenBleve(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			if _, err := e.Ensure(ctx, people); err != nil {
				t.Fatal(err)
			}
			if err := e.Upsert(ctx, "people", doc("o", other)); err != nil {
				t.Fatal(err)
			}
			if err := e.Upsert(ctx, "people", doc("c", name)); err != nil {
				t.Fatal(err)
			}
			if err := tc.erase(e); err != nil {
				t.Fatal(err)
			}
			if got := filesHolding(t, dir, name); len(got) == 0 {
				t.Fatal("the name is not in the files before compaction: the test proves nothing")
			}
			if err := e.Compact(ctx, "people"); err != nil {
				t.Fatal(err)
			}
			if got := filesHolding(t, dir, name); len(got) > 0 {
				t.Errorf("the name is still in %v", got)
			}
			if got := filesHolding(t, dir, other); len(got) == 0 {
				t.Error("the other person's name went too")
			}
			r, err := e.Search(ctx, "people", search.Query{})
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range r.Hits {
				if h.ID != "o" && h.ID != "c" {
					t.Errorf("unexpected hit %q", h.ID)
				}
			}
			if r.Total != len(r.Hits) {
				t.Errorf("total %d, %d hits", r.Total, len(r.Hits))
			}
		})
	}
}
