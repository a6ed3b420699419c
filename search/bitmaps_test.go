package search

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestBitmapsAgreeWithScored: the bitmap path finds exactly what Bleve's
// scored search finds — the same documents, totals and facet counts — on
// a corpus with replaced and deleted documents spread over segments, for
// text, filters, ranges and their mixes; and it orders as it promises.
func TestBitmapsAgreeWithScored(t *testing.T) {
	b, err := OpenBleve(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	WarmSegmenter()
	ix := Index{Name: "lib", Text: []string{"title", "summary"}, SearchOnly: []string{"body"},
		Keywords: []string{"kind", "tags"}, Numbers: []string{"yuan"}, Times: []string{"at"}}
	ctx := context.Background()
	if _, err := b.Ensure(ctx, ix); err != nil {
		t.Fatal(err)
	}
	vocab := []string{"農產品", "电商", "直播", "帶貨", "养老", "社区", "服務", "培训", "餐饮", "智能", "门禁", "灌溉"}
	rng := rand.New(rand.NewPCG(1, 2))
	text := func(n int) string {
		s := ""
		for range n {
			s += vocab[rng.IntN(len(vocab))]
		}
		return s
	}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for batch := range 6 { // several batches make several segments
		var docs []Doc
		for i := range 80 {
			n := batch*60 + i // overlapping ids: later batches replace
			f := map[string]any{"title": text(2), "summary": text(4), "body": text(8),
				"kind": []string{"a", "b", "c"}[rng.IntN(3)], "tags": []string{"x", "y", "z"}[:rng.IntN(4)],
				"at": base.Add(time.Duration(rng.IntN(50)) * time.Hour)}
			if rng.IntN(5) > 0 {
				f["yuan"] = float64(rng.IntN(1000))
			}
			docs = append(docs, Doc{ID: fmt.Sprintf("d%03d", n), Fields: f})
		}
		if err := b.Upsert(ctx, ix.Name, docs...); err != nil {
			t.Fatal(err)
		}
		if err := b.Delete(ctx, ix.Name, fmt.Sprintf("d%03d", batch*7)); err != nil {
			t.Fatal(err)
		}
	}
	bi, _ := b.get(ix.Name)
	lo, hi := 200.0, 600.0
	queries := []Query{
		{},
		{Text: "服务"},
		{Text: "农产品带货"},
		{Text: "農產品 帶貨"},
		{Text: "智能门禁", Filters: []Filter{{Field: "kind", Values: []string{"a", "c"}}}},
		{Text: "社", Filters: []Filter{{Field: "tags", Values: []string{"y"}}}},
		{Filters: []Filter{{Field: "kind", Values: []string{"b"}}}, Ranges: []Range{{Field: "yuan", Min: &lo, Max: &hi}}},
		{Text: "养老", Ranges: []Range{{Field: "yuan", Max: &lo}}},
		{Text: "没有的词"},
	}
	for _, q := range queries {
		t.Run(fmt.Sprintf("%q %v %v", q.Text, q.Filters, q.Ranges), func(t *testing.T) {
			q.Facets = []string{"kind", "tags"}
			// Every page of both, so the whole of what each finds.
			all := func(search func(Query) (*Result, error)) *Result {
				var out *Result
				for off := 0; out == nil || off < out.Total; off += MaxLimit {
					p := q
					p.Offset, p.Limit = off, MaxLimit
					if err := bi.decl.validate(&p); err != nil {
						t.Fatal(err)
					}
					r, err := search(p)
					if err != nil {
						t.Fatal(err)
					}
					if out == nil {
						out = r
					} else {
						out.Hits = append(out.Hits, r.Hits...)
					}
				}
				return out
			}
			fast := all(func(p Query) (*Result, error) { return bitmapSearch(ctx, bi, p, p.Text) })
			slow := all(func(p Query) (*Result, error) { return b.scoredSearch(ctx, bi, p, p.Text) })
			if fast.Total != slow.Total {
				t.Errorf("total %d, scored %d", fast.Total, slow.Total)
			}
			ids := func(r *Result) []string {
				var out []string
				for _, h := range r.Hits {
					out = append(out, h.ID)
				}
				return out
			}
			if got, want := slices.Sorted(slices.Values(ids(fast))), slices.Sorted(slices.Values(ids(slow))); !slices.Equal(got, want) {
				t.Errorf("hits differ:\n%v\n%v", got, want)
			}
			for _, f := range q.Facets {
				count := func(r *Result) map[string]int {
					m := map[string]int{}
					for _, c := range r.Facets[f] {
						m[c.Value] = c.Count
					}
					return m
				}
				if !maps.Equal(count(fast), count(slow)) {
					t.Errorf("facet %s: %v, scored %v", f, fast.Facets[f], slow.Facets[f])
				}
			}
			// Stored fields come back as Bleve returns them.
			byID := map[string]Hit{}
			for _, h := range slow.Hits {
				byID[h.ID] = h
			}
			for _, h := range fast.Hits {
				if !maps.EqualFunc(h.Fields, byID[h.ID].Fields, func(a, b any) bool { return fmt.Sprint(a) == fmt.Sprint(b) }) {
					t.Errorf("%s: fields %v, scored %v", h.ID, h.Fields, byID[h.ID].Fields)
				}
			}
			// Without text the order is the newest first, then the id.
			if q.Text == "" {
				for i := 1; i < len(fast.Hits); i++ {
					a, c := fast.Hits[i-1], fast.Hits[i]
					if a.Time("at").Before(c.Time("at")) || a.Time("at").Equal(c.Time("at")) && a.ID > c.ID {
						t.Fatalf("order: %s (%v) before %s (%v)", a.ID, a.Time("at"), c.ID, c.Time("at"))
					}
				}
			}
		})
	}
}

// TestBitmapsPageAndSort: pages are slices of one order; a sort puts the
// documents without a value last, either way.
func TestBitmapsPageAndSort(t *testing.T) {
	b, err := OpenBleve(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ix := Index{Name: "n", Text: []string{"title"}, Numbers: []string{"v"}}
	ctx := context.Background()
	b.Ensure(ctx, ix)
	var docs []Doc
	for i := range 30 {
		f := map[string]any{"title": "社区服务"}
		if i%5 != 0 {
			f["v"] = float64(i % 7)
		}
		docs = append(docs, Doc{ID: fmt.Sprintf("%02d", i), Fields: f})
	}
	b.Upsert(ctx, ix.Name, docs[:15]...)
	b.Upsert(ctx, ix.Name, docs[15:]...)
	for _, desc := range []bool{false, true} {
		all, err := b.Search(ctx, ix.Name, Query{Text: "服务", Sort: []Sort{{Field: "v", Desc: desc}}, Limit: 30})
		if err != nil || all.Total != 30 {
			t.Fatalf("all: %v %v", all, err)
		}
		var paged []Hit
		for off := 0; off < 30; off += 7 {
			r, err := b.Search(ctx, ix.Name, Query{Text: "服务", Sort: []Sort{{Field: "v", Desc: desc}}, Offset: off, Limit: 7})
			if err != nil {
				t.Fatal(err)
			}
			paged = append(paged, r.Hits...)
		}
		for i, h := range all.Hits {
			if paged[i].ID != h.ID {
				t.Fatalf("desc=%v: page order differs at %d: %s vs %s", desc, i, paged[i].ID, h.ID)
			}
			if i == 0 {
				continue
			}
			p := all.Hits[i-1]
			_, pHas := p.Fields["v"]
			_, hHas := h.Fields["v"]
			switch {
			case !pHas && hHas:
				t.Fatalf("desc=%v: %s without a value before %s", desc, p.ID, h.ID)
			case pHas && hHas && (!desc && p.Number("v") > h.Number("v") || desc && p.Number("v") < h.Number("v")):
				t.Fatalf("desc=%v: %s (%v) before %s (%v)", desc, p.ID, p.Number("v"), h.ID, h.Number("v"))
			case pHas == hHas && p.Number("v") == h.Number("v") && p.ID > h.ID:
				t.Fatalf("desc=%v: ties not by id: %s before %s", desc, p.ID, h.ID)
			}
		}
	}
}
