package search

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeMeili answers as the Meilisearch API documents, for the requests the
// adapter makes, and records them so the test can check what was sent.
type fakeMeili struct {
	t        *testing.T
	mu       sync.Mutex
	indexes  map[string]bool
	task     int
	requests []recorded
	search   func(body map[string]any) any
}

type recorded struct {
	method, path, query string
	body                map[string]any
	docs                []map[string]any
	raw                 string
}

func (f *fakeMeili) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if got := r.Header.Get("Authorization"); got != "Bearer server-key" {
		f.t.Errorf("%s %s without the API key: %q", r.Method, r.URL.Path, got)
	}
	raw, _ := io.ReadAll(r.Body)
	rec := recorded{method: r.Method, path: r.URL.Path, query: r.URL.RawQuery, raw: string(raw)}
	if len(raw) > 0 {
		if raw[0] == '[' {
			json.Unmarshal(raw, &rec.docs)
		} else {
			json.Unmarshal(raw, &rec.body)
		}
	}
	f.requests = append(f.requests, rec)
	w.Header().Set("Content-Type", "application/json")
	enqueued := func() {
		f.task++
		w.WriteHeader(http.StatusAccepted)
		json.NewEncoder(w).Encode(map[string]any{"taskUid": f.task, "status": "enqueued", "type": "x", "enqueuedAt": time.Now()})
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case r.URL.Path == "/health":
		io.WriteString(w, `{"status":"available"}`)
	case parts[0] == "tasks":
		io.WriteString(w, `{"uid":`+parts[1]+`,"status":"succeeded","type":"x"}`)
	case r.Method == "POST" && r.URL.Path == "/indexes":
		f.indexes[rec.body["uid"].(string)] = true
		enqueued()
	case r.Method == "GET" && len(parts) == 2:
		if !f.indexes[parts[1]] {
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"message":"Index not found.","code":"index_not_found","type":"invalid_request","link":""}`)
			return
		}
		io.WriteString(w, `{"uid":"`+parts[1]+`","primaryKey":"id"}`)
	case len(parts) == 3 && parts[2] == "settings", len(parts) >= 3 && parts[2] == "documents":
		enqueued()
	case len(parts) == 3 && parts[2] == "stats":
		io.WriteString(w, `{"numberOfDocuments":7,"isIndexing":false,"fieldDistribution":{}}`)
	case len(parts) == 3 && parts[2] == "search":
		json.NewEncoder(w).Encode(f.search(rec.body))
	default:
		f.t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
		w.WriteHeader(http.StatusNotFound)
	}
}

func (f *fakeMeili) last(method, suffix string) recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.requests) - 1; i >= 0; i-- {
		if f.requests[i].method == method && strings.HasSuffix(f.requests[i].path, suffix) {
			return f.requests[i]
		}
	}
	f.t.Fatalf("no %s …%s request", method, suffix)
	return recorded{}
}

var meiliPeople = Index{Name: "people", Text: []string{"name", "bio"}, Keywords: []string{"role", "district"}, Numbers: []string{"age"}, Times: []string{"created_at"}}

func newFake(t *testing.T) (*fakeMeili, *Meili) {
	f := &fakeMeili{t: t, indexes: map[string]bool{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	m := OpenMeili(srv.URL, "server-key", "t_")
	t.Cleanup(func() { m.Close() })
	return f, m
}

func TestMeiliEnsureAppliesSettings(t *testing.T) {
	f, m := newFake(t)
	rebuilt, err := m.Ensure(context.Background(), meiliPeople)
	if err != nil || !rebuilt {
		t.Fatalf("ensure: %v %v", rebuilt, err)
	}
	create := f.last("POST", "/indexes")
	if create.body["uid"] != "t_people" || create.body["primaryKey"] != "id" {
		t.Errorf("create index: %v", create.body)
	}
	set := f.last("PATCH", "/settings").body
	if got := set["searchableAttributes"]; !equalJSON(got, []string{"_folded_name", "_folded_bio"}) {
		t.Errorf("searchable: %v", got)
	}
	if got := set["filterableAttributes"]; !equalJSON(got, []string{"role", "district", "age"}) {
		t.Errorf("filterable: %v", got)
	}
	if got := set["sortableAttributes"]; !equalJSON(got, []string{"age", "created_at", "role", "district"}) {
		t.Errorf("sortable: %v", got)
	}
	typo, _ := set["typoTolerance"].(map[string]any)
	if typo["enabled"] != true || !equalJSON(typo["minWordSizeForTypos"], map[string]int{"oneTypo": 5, "twoTypos": 9}) {
		t.Errorf("typo tolerance: %v", typo)
	}
	// A second start finds the index and only re-applies settings.
	if rebuilt, err := m.Ensure(context.Background(), meiliPeople); err != nil || rebuilt {
		t.Fatalf("second ensure: %v %v", rebuilt, err)
	}
}

func TestMeiliUpsertSendsDeclaredFoldedFields(t *testing.T) {
	f, m := newFake(t)
	m.Ensure(context.Background(), meiliPeople)
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	err := m.Upsert(context.Background(), "people", Doc{ID: "p1", Fields: map[string]any{
		"name": "陳建華", "bio": "社區服務", "role": "mentor", "age": 45, "created_at": at, "id_number": "110101199003077777"}})
	if err != nil {
		t.Fatal(err)
	}
	add := f.last("POST", "/documents")
	if !strings.Contains(add.query, "primaryKey=id") || len(add.docs) != 1 {
		t.Fatalf("add documents: %q %v", add.query, add.docs)
	}
	d := add.docs[0]
	if d["id"] != "p1" || d["_folded_name"] != "陈建华" || d["_folded_bio"] != "社区服务" || d["name"] != "陳建華" {
		t.Errorf("document: %v", d)
	}
	if d["created_at"] != float64(at.UnixMilli()) {
		t.Errorf("time not sent as milliseconds: %v", d["created_at"])
	}
	if _, ok := d["id_number"]; ok {
		t.Error("an undeclared field was sent to the search server")
	}
}

func TestMeiliSearchRequestAndResult(t *testing.T) {
	f, m := newFake(t)
	m.Ensure(context.Background(), meiliPeople)
	f.search = func(body map[string]any) any {
		return map[string]any{
			"hits": []any{map[string]any{"id": "p1", "name": "陳建華", "bio": "在社區開設<小店>", "age": 45, "created_at": 1767323045000,
				"_formatted": map[string]any{"_folded_bio": "在\x02社区\x03开设<小店>", "_folded_name": "陈建华"}}},
			"totalHits": 7, "hitsPerPage": 2, "page": 2, "totalPages": 4, "processingTimeMs": 1, "query": "社区",
			"facetDistribution": map[string]any{"district": map[string]int{"北區": 2, "南區": 5}},
		}
	}
	min := 30.0
	res, err := m.Search(context.Background(), "people", Query{
		Text: "社區", Filters: []Filter{{Field: "role", Values: []string{`") OR true OR ("`, `a\b`}}},
		Ranges: []Range{{Field: "age", Min: &min}}, Sort: []Sort{{Field: "age", Desc: true}},
		Facets: []string{"district"}, Highlight: []string{"bio"}, Offset: 2, Limit: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	req := f.last("POST", "/search").body
	if req["q"] != "社区" {
		t.Errorf("query not folded: %v", req["q"])
	}
	if !equalJSON(req["filter"], []string{`(role = "\") OR true OR (\"" OR role = "a\\b")`, "age >= 30"}) {
		t.Errorf("filter: %v", req["filter"])
	}
	if !equalJSON(req["sort"], []string{"age:desc"}) || req["page"] != float64(2) || req["hitsPerPage"] != float64(2) {
		t.Errorf("sort/paging: %v %v %v", req["sort"], req["page"], req["hitsPerPage"])
	}
	if !equalJSON(req["attributesToHighlight"], []string{"_folded_bio"}) || req["highlightPreTag"] != "\x02" {
		t.Errorf("highlight request: %v", req)
	}
	if res.Total != 7 || len(res.Hits) != 1 || res.Hits[0].ID != "p1" || res.Hits[0].String("name") != "陳建華" {
		t.Fatalf("result: %+v", res)
	}
	if got := res.Hits[0].Highlights["bio"]; got != "在<mark>社區</mark>開設&lt;小店&gt;" {
		t.Errorf("highlight mapped to the original: %q", got)
	}
	if got := res.Facets["district"]; len(got) != 2 || got[0].Value != "南區" || got[0].Count != 5 {
		t.Errorf("facets: %v", got)
	}
	if _, ok := res.Hits[0].Fields["_formatted"]; ok {
		t.Error("internal attributes leaked into the hit")
	}
	if _, err := m.Search(context.Background(), "people", Query{Filters: []Filter{{Field: "id_number", Values: []string{"x"}}}}); err == nil {
		t.Error("a filter on an undeclared attribute was sent")
	}
	if n, err := m.Count(context.Background(), "people"); err != nil || n != 7 {
		t.Errorf("count: %d %v", n, err)
	}
	if err := m.Delete(context.Background(), "people", "p1"); err != nil {
		t.Fatal(err)
	}
	if del := f.last("POST", "/documents/delete-batch"); del.raw != `["p1"]` {
		t.Errorf("delete body: %s", del.raw)
	}
	if err := m.Health(context.Background()); err != nil {
		t.Error(err)
	}
}

func equalJSON(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}
