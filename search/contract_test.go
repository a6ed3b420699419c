package search_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"
	"testing"
	"time"

	"onestop/search"
)

// engines returns every engine the contract runs against: always Bleve, and
// Meilisearch when MEILI_URL is set.
func engines(t *testing.T) map[string]search.Engine {
	t.Helper()
	out := map[string]search.Engine{}
	b, err := search.OpenBleve(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	out["bleve"] = b
	if url := os.Getenv("MEILI_URL"); url != "" {
		m := search.OpenMeili(url, os.Getenv("MEILI_API_KEY"), fmt.Sprintf("test%d_", time.Now().UnixNano()))
		t.Cleanup(func() { m.Close() })
		out["meili"] = m
	}
	return out
}

var people = search.Index{
	Name:     "people",
	Text:     []string{"name", "bio"},
	Keywords: []string{"role", "district", "groups"},
	Numbers:  []string{"age"},
	Times:    []string{"created_at"},
}

func seed(t *testing.T, e search.Engine) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.Ensure(ctx, people); err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	docs := []search.Doc{
		{ID: "p1", Fields: map[string]any{"name": "王小明", "bio": "返鄉創業，經營農產品加工", "role": "entrepreneur", "district": "東城區", "groups": []string{"migrant_worker"}, "age": 32, "created_at": base}},
		{ID: "p2", Fields: map[string]any{"name": "李華", "bio": "大學畢業生，做信息服務", "role": "entrepreneur", "district": "西城區", "groups": []string{"graduate", "unemployed"}, "age": 23, "created_at": base.Add(time.Hour)}},
		{ID: "p3", Fields: map[string]any{"name": "張老師", "bio": "創業導師，擅長融資", "role": "mentor", "district": "東城區", "age": 51, "created_at": base.Add(2 * time.Hour)}},
		{ID: "p4", Fields: map[string]any{"name": "Zhao Lei", "bio": "community service startup", "role": "entrepreneur", "district": "南區", "groups": []string{"graduate"}, "age": 27, "created_at": base.Add(3 * time.Hour),
			"id_number": "110101199003077777"}}, // undeclared: must not be indexed
		{ID: "p5", Fields: map[string]any{"name": "陈建华", "bio": "社区养老服务，带动就业十人", "role": "mentor", "district": "北區", "age": 45, "created_at": base.Add(-time.Hour)}},
	}
	if err := e.Upsert(ctx, "people", docs...); err != nil {
		t.Fatal(err)
	}
}

func ids(r *search.Result) []string {
	var out []string
	for _, h := range r.Hits {
		out = append(out, h.ID)
	}
	return out
}

func f(v float64) *float64 { return &v }

func TestContract(t *testing.T) {
	tests := []struct {
		name  string
		q     search.Query
		want  []string // in order
		total int
	}{
		{"all, newest first", search.Query{}, []string{"p4", "p3", "p2", "p1", "p5"}, 5},
		{"chinese word", search.Query{Text: "創業"}, nil, 2},
		{"simplified finds traditional", search.Query{Text: "创业导师"}, []string{"p3"}, 1},
		{"traditional finds simplified", search.Query{Text: "社區養老"}, []string{"p5"}, 1},
		{"a typo in a latin word", search.Query{Text: "comunity"}, []string{"p4"}, 1},
		{"one character", search.Query{Text: "王"}, []string{"p1"}, 1},
		{"english word", search.Query{Text: "community"}, []string{"p4"}, 1},
		{"keyword filter", search.Query{Filters: []search.Filter{{Field: "role", Values: []string{"mentor"}}}}, []string{"p3", "p5"}, 2},
		{"filter values are OR", search.Query{Filters: []search.Filter{{Field: "district", Values: []string{"西城區", "南區"}}}}, []string{"p4", "p2"}, 2},
		{"multi-valued keyword", search.Query{Filters: []search.Filter{{Field: "groups", Values: []string{"graduate"}}}}, []string{"p4", "p2"}, 2},
		{"range", search.Query{Ranges: []search.Range{{Field: "age", Min: f(25), Max: f(40)}}}, []string{"p4", "p1"}, 2},
		{"sort ascending", search.Query{Sort: []search.Sort{{Field: "age"}}}, []string{"p2", "p4", "p1", "p5", "p3"}, 5},
		{"sort descending", search.Query{Sort: []search.Sort{{Field: "age", Desc: true}}}, []string{"p3", "p5", "p1", "p4", "p2"}, 5},
		{"paging", search.Query{Sort: []search.Sort{{Field: "age"}}, Offset: 2, Limit: 2}, []string{"p1", "p5"}, 5},
		{"text and filter", search.Query{Text: "服務", Filters: []search.Filter{{Field: "role", Values: []string{"entrepreneur"}}}}, []string{"p2"}, 1},
		{"filter breakout is just a value", search.Query{Filters: []search.Filter{{Field: "role", Values: []string{`") OR true OR ("`}}}}, nil, 0},
		{"undeclared field not searchable", search.Query{Text: "110101199003077777"}, nil, 0},
	}
	for name, e := range engines(t) {
		t.Run(name, func(t *testing.T) {
			seed(t, e)
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					r, err := e.Search(context.Background(), "people", tt.q)
					if err != nil {
						t.Fatal(err)
					}
					if r.Total != tt.total {
						t.Errorf("total = %d, want %d (%v)", r.Total, tt.total, ids(r))
					}
					if tt.want != nil && !slices.Equal(ids(r), tt.want) {
						t.Errorf("hits = %v, want %v", ids(r), tt.want)
					}
				})
			}
		})
	}
}

// TestContractUnspacedWords (#22): people type Chinese without spaces.
// Two words typed together find what they find with a space between —
// the documents with the words apart too — and those with the words
// together rank first; Traditional and Simplified alike.
func TestContractUnspacedWords(t *testing.T) {
	search.WarmSegmenter()
	library := search.Index{Name: "library", Text: []string{"title", "summary"}, Times: []string{"created_at"}}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	docs := []search.Doc{
		{ID: "d1", Fields: map[string]any{"title": "智能灌溉设备安装服务", "summary": "物联网智能灌溉，为农户安装滴灌设备", "created_at": base}},
		{ID: "d2", Fields: map[string]any{"title": "农产品直播带货", "summary": "帮助农户在网上卖货", "created_at": base.Add(time.Hour)}},
		{ID: "d3", Fields: map[string]any{"title": "农产品加工", "summary": "豆腐坊的农产品也在网店带货", "created_at": base.Add(2 * time.Hour)}},
		{ID: "d4", Fields: map[string]any{"title": "智慧门禁系统", "summary": "小区出入管理", "created_at": base.Add(3 * time.Hour)}},
		{ID: "d5", Fields: map[string]any{"title": "社区门禁维修", "summary": "智慧社区的门禁维修与改造", "created_at": base.Add(4 * time.Hour)}},
	}
	tests := []struct {
		typed, spaced string
		first         string // the document with the words together
		total         int
	}{
		{"农产品带货", "农产品 带货", "d2", 2},
		{"農產品帶貨", "農產品 帶貨", "d2", 2},
		{"智慧门禁", "智慧 门禁", "d4", 2},
		{"物联网灌溉", "物联网 灌溉", "d1", 1},
		{"直播带货", "直播 带货", "d2", 1},
	}
	for name, e := range engines(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			if _, err := e.Ensure(ctx, library); err != nil {
				t.Fatal(err)
			}
			if err := e.Upsert(ctx, library.Name, docs...); err != nil {
				t.Fatal(err)
			}
			for _, tt := range tests {
				t.Run(tt.typed, func(t *testing.T) {
					typed, err := e.Search(ctx, library.Name, search.Query{Text: tt.typed})
					if err != nil {
						t.Fatal(err)
					}
					spaced, err := e.Search(ctx, library.Name, search.Query{Text: tt.spaced})
					if err != nil {
						t.Fatal(err)
					}
					got, want := slices.Sorted(slices.Values(ids(typed))), slices.Sorted(slices.Values(ids(spaced)))
					if typed.Total != tt.total || !slices.Equal(got, want) {
						t.Errorf("typed together finds %v (%d), with a space %v", ids(typed), typed.Total, ids(spaced))
					}
					if len(typed.Hits) == 0 || typed.Hits[0].ID != tt.first {
						t.Errorf("first %v, want %s (the words together)", ids(typed), tt.first)
					}
				})
			}
		})
	}
}

func TestContractFieldsFacetsDelete(t *testing.T) {
	for name, e := range engines(t) {
		t.Run(name, func(t *testing.T) {
			seed(t, e)
			ctx := context.Background()
			r, err := e.Search(ctx, "people", search.Query{Facets: []string{"district"}, Filters: []search.Filter{{Field: "role", Values: []string{"entrepreneur"}}}})
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Facets["district"]; len(got) != 3 || got[0].Count != 1 || got[0].Value != "南區" {
				t.Errorf("facets = %v", got)
			}
			var p1 search.Hit
			for _, h := range r.Hits {
				if h.ID == "p1" {
					p1 = h
				}
			}
			if p1.String("name") != "王小明" || p1.Number("age") != 32 || !slices.Equal(p1.Strings("groups"), []string{"migrant_worker"}) {
				t.Errorf("stored fields = %v", p1.Fields)
			}
			if got := p1.Time("created_at"); !got.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("time = %v", got)
			}
			for _, h := range r.Hits {
				if _, ok := h.Fields["id_number"]; ok {
					t.Error("an undeclared field was stored")
				}
			}
			if err := e.Delete(ctx, "people", "p1", "missing"); err != nil {
				t.Fatal(err)
			}
			if n, err := e.Count(ctx, "people"); err != nil || n != 4 {
				t.Fatalf("count after delete = %d, %v", n, err)
			}
			// Upsert replaces.
			if err := e.Upsert(ctx, "people", search.Doc{ID: "p2", Fields: map[string]any{"name": "李華華", "role": "mentor"}}); err != nil {
				t.Fatal(err)
			}
			r, _ = e.Search(ctx, "people", search.Query{Filters: []search.Filter{{Field: "role", Values: []string{"mentor"}}}})
			if r.Total != 3 {
				t.Errorf("after replace: %v", ids(r))
			}
		})
	}
}

func TestBadQueriesAreRefused(t *testing.T) {
	for name, e := range engines(t) {
		t.Run(name, func(t *testing.T) {
			seed(t, e)
			for _, q := range []search.Query{
				{Filters: []search.Filter{{Field: "id_number", Values: []string{"x"}}}},
				{Sort: []search.Sort{{Field: "bio"}}},
				{Facets: []string{"age"}},
				{Ranges: []search.Range{{Field: "role"}}},
			} {
				if _, err := e.Search(context.Background(), "people", q); err == nil {
					t.Errorf("query %+v accepted", q)
				}
			}
			if _, err := e.Search(context.Background(), "nope", search.Query{}); err == nil {
				t.Error("unknown index accepted")
			}
		})
	}
}

// TestBleveRebuildsOnNewDeclaration: reopening with the same declaration
// keeps the data; a changed declaration recreates the index empty and says so.
func TestBleveRebuildsOnNewDeclaration(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	b, _ := search.OpenBleve(dir)
	if rebuilt, err := b.Ensure(ctx, people); err != nil || !rebuilt {
		t.Fatalf("first ensure: %v %v", rebuilt, err)
	}
	b.Upsert(ctx, "people", search.Doc{ID: "x", Fields: map[string]any{"name": "甲"}})
	b.Close()
	b, _ = search.OpenBleve(dir)
	if rebuilt, err := b.Ensure(ctx, people); err != nil || rebuilt {
		t.Fatalf("same declaration rebuilt: %v %v", rebuilt, err)
	}
	if n, _ := b.Count(ctx, "people"); n != 1 {
		t.Fatalf("data lost on reopen: %d", n)
	}
	changed := people
	changed.Keywords = append([]string{"extra"}, people.Keywords...)
	if rebuilt, err := b.Ensure(ctx, changed); err != nil || !rebuilt {
		t.Fatalf("changed declaration: %v %v", rebuilt, err)
	}
	if n, _ := b.Count(ctx, "people"); n != 0 {
		t.Fatalf("rebuilt index not empty: %d", n)
	}
	b.Close()
}

func TestContractHighlights(t *testing.T) {
	for name, e := range engines(t) {
		t.Run(name, func(t *testing.T) {
			seed(t, e)
			ctx := context.Background()
			e.Upsert(ctx, "people", search.Doc{ID: "x", Fields: map[string]any{"name": "<b>黃</b>", "bio": "在社區開設<script>小店</script>，經營社區團購"}})
			r, err := e.Search(ctx, "people", search.Query{Text: "社区", Highlight: []string{"bio", "name"}})
			if err != nil {
				t.Fatal(err)
			}
			var got string
			for _, h := range r.Hits {
				if h.ID == "x" {
					got = h.Highlights["bio"]
					if h.Highlights["name"] != "&lt;b&gt;黃&lt;/b&gt;" {
						t.Errorf("name not escaped: %q", h.Highlights["name"])
					}
				}
			}
			want := "在<mark>社區</mark>開設&lt;script&gt;小店&lt;/script&gt;，經營<mark>社區</mark>團購"
			if got != want {
				t.Errorf("highlight\n got %q\nwant %q", got, want)
			}
		})
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{"創業帶動就業": "创业带动就业", "创业": "创业", "Community 服務": "Community 服务", "": ""} {
		if got := search.Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFoldPattern(t *testing.T) {
	for q, matches := range map[string][]string{
		"養老":    {"居家養老", "居家养老"},
		"养老":    {"居家養老", "居家养老"},
		".*":    {"a.*b"},
		"a+b(c": {"a+b(c"},
	} {
		re := regexp.MustCompile(search.FoldPattern(q))
		for _, m := range matches {
			if !re.MatchString(m) {
				t.Errorf("%q does not match %q", search.FoldPattern(q), m)
			}
		}
	}
	if regexp.MustCompile(search.FoldPattern(".*")).MatchString("anything") {
		t.Error("metacharacters not escaped")
	}
}

// TestSegment: Chinese runs are folded and cut into words; other text is
// kept as typed.
func TestSegment(t *testing.T) {
	search.WarmSegmenter()
	for _, tt := range []struct{ in, want string }{
		{"农产品带货", "农产品 带货"},
		{"農產品帶貨", "农产品 带货"},
		{"社区养老服务", "社区 养老 服务"},
		{"  智慧门禁  ", "智慧 门禁"},
		{"SYB创业培训", "SYB 创业 培训"},
		{"community service", "community service"},
		{"", ""},
	} {
		if got := search.Segment(tt.in); got != tt.want {
			t.Errorf("Segment(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
