package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/meilisearch/meilisearch-go"
)

// Meili is the Meilisearch engine for deployments beyond one machine. All
// searches go through the portal (no key reaches a browser), and filters are
// built only from declared attribute names with escaped values.
type Meili struct {
	client meilisearch.ServiceManager
	prefix string
	mu     sync.RWMutex
	ixs    map[string]Index
}

// OpenMeili connects to a Meilisearch server. prefix namespaces the index
// uids so several deployments (or test runs) can share one server.
func OpenMeili(url, apiKey, prefix string) *Meili {
	c := meilisearch.New(url,
		meilisearch.WithAPIKey(apiKey),
		meilisearch.WithCustomRetries([]int{http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout}, 2))
	return &Meili{client: c, prefix: prefix, ixs: map[string]Index{}}
}

// Name implements Engine.
func (m *Meili) Name() string { return "meilisearch" }

func (m *Meili) uid(index string) string { return m.prefix + index }

func (m *Meili) decl(index string) (Index, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	ix, ok := m.ixs[index]
	if !ok {
		return Index{}, fmt.Errorf("%w %q", ErrUnknownIndex, index)
	}
	return ix, nil
}

// wait blocks until a task finishes, so writes are visible when Upsert
// returns, as with Bleve.
func (m *Meili) wait(ctx context.Context, ti *meilisearch.TaskInfo, err error) error {
	if err != nil {
		return err
	}
	t, err := m.client.WaitForTask(ctx, ti.TaskUID, 20*time.Millisecond)
	if err != nil {
		return err
	}
	if t.Status != meilisearch.TaskStatusSucceeded {
		return fmt.Errorf("search: meilisearch task %d %s: %s", t.UID, t.Status, t.Error.Message)
	}
	return nil
}

// Ensure implements Engine.
func (m *Meili) Ensure(ctx context.Context, ix Index) (bool, error) {
	uid := m.uid(ix.Name)
	rebuilt := false
	if _, err := m.client.GetIndex(ctx, uid); err != nil {
		var me *meilisearch.Error
		if !errors.As(err, &me) || me.StatusCode != http.StatusNotFound {
			return false, fmt.Errorf("search: meilisearch index %s: %w", uid, err)
		}
		ti, err := m.client.CreateIndex(ctx, &meilisearch.IndexConfig{Uid: uid, PrimaryKey: "id"})
		if err := m.wait(ctx, ti, err); err != nil {
			return false, fmt.Errorf("search: create %s: %w", uid, err)
		}
		rebuilt = true
	}
	filterable := append(append([]string{}, ix.Keywords...), ix.Numbers...)
	sortable := append(append(append([]string{}, ix.Numbers...), ix.Times...), ix.Keywords...)
	// Text is searched in its folded copies (Traditional → Simplified), the
	// originals are what is displayed.
	var searchable []string
	for _, f := range ix.searched() {
		searchable = append(searchable, foldedName(f))
	}
	settings := &meilisearch.Settings{
		SearchableAttributes: searchable,
		FilterableAttributes: filterable,
		SortableAttributes:   sortable,
		LocalizedAttributes:  []*meilisearch.LocalizedAttributes{{AttributePatterns: searchable, Locales: []string{"zho"}}},
		TypoTolerance: &meilisearch.TypoTolerance{Enabled: true,
			MinWordSizeForTypos: meilisearch.MinWordSizeForTypos{OneTypo: 5, TwoTypos: 9}},
		Pagination: &meilisearch.Pagination{MaxTotalHits: 100000},
		Faceting:   &meilisearch.Faceting{MaxValuesPerFacet: 100},
	}
	if len(ix.searched()) == 0 {
		settings.SearchableAttributes = []string{"id"}
		settings.LocalizedAttributes = nil
	}
	ti, err := m.client.Index(uid).UpdateSettings(ctx, settings)
	if err := m.wait(ctx, ti, err); err != nil {
		return false, fmt.Errorf("search: settings of %s: %w", uid, err)
	}
	m.mu.Lock()
	m.ixs[ix.Name] = ix
	m.mu.Unlock()
	return rebuilt, nil
}

// Upsert implements Engine.
func (m *Meili) Upsert(ctx context.Context, index string, docs ...Doc) error {
	ix, err := m.decl(index)
	if err != nil {
		return err
	}
	if len(docs) == 0 {
		return nil
	}
	out := make([]map[string]any, 0, len(docs))
	for _, d := range docs {
		f := declared(ix, d.Fields)
		for _, t := range ix.Times {
			if v, ok := f[t].(time.Time); ok {
				f[t] = v.UnixMilli() // sortable and filterable as a number
			}
		}
		for _, t := range ix.SearchOnly {
			delete(f, t) // only its folded copy is sent: searched, never shown
		}
		for _, t := range ix.searched() {
			switch v := d.Fields[t].(type) {
			case string:
				f[foldedName(t)] = Fold(v)
			case []string:
				folded := make([]string, len(v))
				for i, s := range v {
					folded[i] = Fold(s)
				}
				f[foldedName(t)] = folded
			}
		}
		f["id"] = d.ID
		out = append(out, f)
	}
	pk := "id"
	ti, err := m.client.Index(m.uid(index)).AddDocuments(ctx, out, &meilisearch.DocumentOptions{PrimaryKey: &pk})
	return m.wait(ctx, ti, err)
}

// Delete implements Engine.
func (m *Meili) Delete(ctx context.Context, index string, ids ...string) error {
	if _, err := m.decl(index); err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	ti, err := m.client.Index(m.uid(index)).DeleteDocuments(ctx, ids, nil)
	return m.wait(ctx, ti, err)
}

// Count implements Engine.
func (m *Meili) Count(ctx context.Context, index string) (int, error) {
	if _, err := m.decl(index); err != nil {
		return 0, err
	}
	st, err := m.client.Index(m.uid(index)).GetStats(ctx, nil)
	if err != nil {
		return 0, err
	}
	return int(st.NumberOfDocuments), nil
}

// Search implements Engine.
func (m *Meili) Search(ctx context.Context, index string, q Query) (*Result, error) {
	ix, err := m.decl(index)
	if err != nil {
		return nil, err
	}
	if err := ix.validate(&q); err != nil {
		return nil, err
	}
	// Page-based paging gives exact totals; Offset is always a multiple of
	// Limit for our callers.
	size := int64(q.Limit)
	req := &meilisearch.SearchRequest{
		HitsPerPage:          &size,
		Page:                 int64(q.Offset/q.Limit) + 1,
		Filter:               meiliFilter(q),
		Facets:               q.Facets,
		AttributesToRetrieve: append(ix.fields(), "id"),
		MatchingStrategy:     meilisearch.All,
	}
	for _, f := range q.Highlight {
		req.AttributesToHighlight = append(req.AttributesToHighlight, foldedName(f))
	}
	if len(req.AttributesToHighlight) > 0 {
		req.HighlightPreTag, req.HighlightPostTag = markOpen, markClose
	}
	if len(ix.Text) > 0 {
		req.Locales = []string{"zho"}
	}
	for _, s := range q.Sort {
		dir := ":asc"
		if s.Desc {
			dir = ":desc"
		}
		req.Sort = append(req.Sort, s.Field+dir)
	}
	if len(req.Sort) == 0 && strings.TrimSpace(q.Text) == "" && len(ix.Times) > 0 {
		req.Sort = []string{ix.Times[0] + ":desc"}
	}
	res, err := m.client.Index(m.uid(index)).Search(ctx, Fold(strings.TrimSpace(q.Text)), req)
	if err != nil {
		return nil, fmt.Errorf("search: %s: %w", index, err)
	}
	out := &Result{Total: int(res.TotalHits), Hits: make([]Hit, 0, len(res.Hits))}
	for _, h := range res.Hits {
		fields := make(map[string]any, len(h))
		var id string
		var formatted map[string]any
		for k, raw := range h {
			var v any
			if err := json.Unmarshal(raw, &v); err != nil {
				continue
			}
			switch {
			case k == "id":
				id, _ = v.(string)
			case k == "_formatted":
				formatted, _ = v.(map[string]any)
			case strings.HasPrefix(k, "_"):
			default:
				fields[k] = v
			}
		}
		hit := Hit{ID: id, Fields: fields}
		if len(q.Highlight) > 0 {
			hit.Highlights = map[string]string{}
			for _, f := range q.Highlight {
				orig, _ := fields[f].(string)
				marked, _ := formatted[foldedName(f)].(string)
				hit.Highlights[f] = markRanges(orig, runeRangesToBytes(orig, markedRuneRanges(marked)), 120)
			}
		}
		out.Hits = append(out.Hits, hit)
	}
	if len(res.FacetDistribution) > 0 {
		var dist map[string]map[string]int
		if err := json.Unmarshal(res.FacetDistribution, &dist); err == nil {
			out.Facets = map[string][]FacetCount{}
			for name, counts := range dist {
				for v, n := range counts {
					out.Facets[name] = append(out.Facets[name], FacetCount{Value: v, Count: n})
				}
				sortFacets(out.Facets[name])
			}
		}
	}
	return out, nil
}

// meiliFilter builds the filter expression. Attribute names were checked
// against the declaration; values are quoted with `"` and `\` escaped, so no
// value can break out of its string (`") OR true OR ("`).
func meiliFilter(q Query) []string {
	var and []string
	for _, f := range q.Filters {
		var or []string
		for _, v := range f.Values {
			or = append(or, f.Field+" = "+quoteMeili(v))
		}
		if len(or) > 0 {
			and = append(and, "("+strings.Join(or, " OR ")+")")
		}
	}
	for _, r := range q.Ranges {
		if r.Min != nil {
			and = append(and, r.Field+" >= "+strconv.FormatFloat(*r.Min, 'f', -1, 64))
		}
		if r.Max != nil {
			and = append(and, r.Field+" <= "+strconv.FormatFloat(*r.Max, 'f', -1, 64))
		}
	}
	return and
}

func quoteMeili(v string) string {
	v = strings.ReplaceAll(v, `\`, `\\`)
	v = strings.ReplaceAll(v, `"`, `\"`)
	return `"` + v + `"`
}

// Health implements Engine.
func (m *Meili) Health(ctx context.Context) error {
	h, err := m.client.Health(ctx)
	if err != nil {
		return err
	}
	if h.Status != "available" {
		return fmt.Errorf("search: meilisearch is %s", h.Status)
	}
	return nil
}

// Close implements Engine.
func (m *Meili) Close() error {
	m.client.Close()
	return nil
}

// foldedName is the hidden attribute holding a text field folded to
// Simplified characters.
func foldedName(field string) string { return "_folded_" + field }

// Highlight markers: characters that never occur in our text, so they can
// be found again after Meilisearch returns the folded text.
const (
	markOpen  = "\x02"
	markClose = "\x03"
)

// markedRuneRanges finds the marked parts of a highlighted text as rune
// ranges of the text without the markers; folding keeps the rune count, so
// they are ranges of the original text too.
func markedRuneRanges(s string) [][2]int {
	var out [][2]int
	n, start := 0, -1
	for _, r := range s {
		switch string(r) {
		case markOpen:
			start = n
		case markClose:
			if start >= 0 {
				out = append(out, [2]int{start, n})
				start = -1
			}
		default:
			n++
		}
	}
	return out
}
