package search

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// analyzerVersion changes whenever the text analysis changes, so existing
// indexes are rebuilt from the database instead of silently mismatching.
const analyzerVersion = "zh-3"

// allText is Bleve's composite field of every searched text field: a
// query's words are matched there, so they may be spread over the title
// and the description, as Meilisearch matches them.
const allText = "_all"

// Bleve is the embedded engine: one Bleve index per declared index, in a
// directory of the data directory.
type Bleve struct {
	dir string
	mu  sync.RWMutex
	ixs map[string]*bleveIndex
	// compacting serialises Compact (compact.go).
	compacting sync.Mutex
}

type bleveIndex struct {
	decl Index
	idx  bleve.Index
	zh   analysis.Analyzer // the text analysis, for the bitmap path's terms

	keysMu  sync.Mutex
	segKeys map[segment.Segment]*segKeys // bitmaps.go
}

func newBleveIndex(decl Index, idx bleve.Index) *bleveIndex {
	return &bleveIndex{decl: decl, idx: idx, zh: idx.Mapping().AnalyzerNamed("zh"), segKeys: map[segment.Segment]*segKeys{}}
}

// OpenBleve opens (or creates) the engine's directory.
func OpenBleve(dir string) (*Bleve, error) {
	go WarmSegmenter() // the first Chinese query should not wait for the dictionary
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("search: bleve directory: %w", err)
	}
	return &Bleve{dir: dir, ixs: map[string]*bleveIndex{}}, nil
}

// Name implements Engine.
func (b *Bleve) Name() string { return "bleve (embedded)" }

// Ensure implements Engine: it opens the index, or creates it when it is
// missing or was built from another declaration.
func (b *Bleve) Ensure(_ context.Context, ix Index) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if old, ok := b.ixs[ix.Name]; ok {
		old.idx.Close()
		delete(b.ixs, ix.Name)
	}
	path := filepath.Join(b.dir, ix.Name+".bleve")
	stamp := filepath.Join(b.dir, ix.Name+".mapping")
	want := fingerprint(ix)
	have, _ := os.ReadFile(stamp)
	if string(have) == want {
		idx, err := bleve.OpenUsing(path, scorchConfig(ix))
		if err == nil {
			b.ixs[ix.Name] = newBleveIndex(ix, idx)
			return false, nil
		}
	}
	if err := os.RemoveAll(path); err != nil {
		return false, err
	}
	idx, err := bleve.NewUsing(path, indexMapping(ix), scorch.Name, scorch.Name, scorchConfig(ix))
	if err != nil {
		return false, fmt.Errorf("search: create %s: %w", ix.Name, err)
	}
	if err := os.WriteFile(stamp, []byte(want), 0o600); err != nil {
		idx.Close()
		return false, err
	}
	b.ixs[ix.Name] = newBleveIndex(ix, idx)
	return true, nil
}

// scorchConfig tunes Bleve's segment merging to how an index is used.
// Bleve's default merge plan counts a segment of fewer than 2,000 documents
// as 2,000, so an index of fewer than 2,000 is allowed one segment and a
// larger one a segment per 2,000: the segment of every write — a batch of
// a few documents — is merged into the index's big one at once, rewriting
// it. Under 16 concurrent service requests that was 39 % of the portal's
// CPU (the audit index rewritten 1,347 times in 1,365 writes). Counted as
// what they hold, small segments merge with each other in tiers first, as
// a log-structured index should: a document is rewritten a few times in
// its life. That leaves more segments to search, which costs an index
// searched far more than written (the library: 0.56 → 1.3 ms a broad
// query at 50,000 projects); those keep Bleve's plan.
func scorchConfig(ix Index) map[string]any {
	if ix.ReadMostly {
		return nil
	}
	return map[string]any{"scorchMergePlanOptions": map[string]any{"FloorSegmentSize": 10}}
}

func fingerprint(ix Index) string {
	j, _ := json.Marshal(ix)
	sum := sha256.Sum256(append(j, analyzerVersion...))
	return hex.EncodeToString(sum[:])
}

func indexMapping(ix Index) mapping.IndexMapping {
	im := bleve.NewIndexMapping()
	// Chinese has no spaces: index bigrams, and single characters too so a
	// one-character query (a surname) finds something.
	must(im.AddCustomTokenFilter("cjk_bigram_unigram", map[string]any{
		"type": cjk.BigramName, "output_unigram": true,
	}))
	must(im.AddCustomAnalyzer("zh", map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []string{cjk.WidthName, lowercase.Name, foldFilterName, "cjk_bigram_unigram"},
	}))
	doc := bleve.NewDocumentStaticMapping()
	for _, f := range ix.Text {
		fm := bleve.NewTextFieldMapping()
		fm.Analyzer = "zh"
		fm.IncludeTermVectors = true // for highlighting
		doc.AddFieldMappingsAt(f, fm)
	}
	for _, f := range ix.SearchOnly {
		fm := bleve.NewTextFieldMapping()
		fm.Analyzer = "zh"
		fm.Store = false
		fm.IncludeTermVectors = false
		doc.AddFieldMappingsAt(f, fm)
	}
	for _, f := range ix.Keywords {
		fm := bleve.NewKeywordFieldMapping()
		fm.Analyzer = keyword.Name
		fm.IncludeInAll = false
		doc.AddFieldMappingsAt(f, fm)
	}
	for _, f := range ix.Numbers {
		fm := bleve.NewNumericFieldMapping()
		fm.IncludeInAll = false
		doc.AddFieldMappingsAt(f, fm)
	}
	for _, f := range ix.Times {
		fm := bleve.NewDateTimeFieldMapping()
		fm.IncludeInAll = false
		doc.AddFieldMappingsAt(f, fm)
	}
	im.DefaultMapping = doc
	im.DefaultAnalyzer = "zh"
	return im
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func (b *Bleve) get(name string) (*bleveIndex, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	bi, ok := b.ixs[name]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownIndex, name)
	}
	return bi, nil
}

// Upsert implements Engine.
func (b *Bleve) Upsert(_ context.Context, index string, docs ...Doc) error {
	bi, err := b.get(index)
	if err != nil {
		return err
	}
	batch := bi.idx.NewBatch()
	for _, d := range docs {
		if err := batch.Index(d.ID, declared(bi.decl, d.Fields)); err != nil {
			return err
		}
	}
	return bi.idx.Batch(batch)
}

// declared keeps only the declared fields of a document.
func declared(ix Index, fields map[string]any) map[string]any {
	out := make(map[string]any, len(fields))
	for _, f := range slices.Concat(ix.fields(), ix.SearchOnly) {
		if v, ok := fields[f]; ok && v != nil {
			out[f] = v
		}
	}
	return out
}

// Delete implements Engine.
func (b *Bleve) Delete(_ context.Context, index string, ids ...string) error {
	bi, err := b.get(index)
	if err != nil {
		return err
	}
	batch := bi.idx.NewBatch()
	for _, id := range ids {
		batch.Delete(id)
	}
	return bi.idx.Batch(batch)
}

// Count implements Engine.
func (b *Bleve) Count(_ context.Context, index string) (int, error) {
	bi, err := b.get(index)
	if err != nil {
		return 0, err
	}
	n, err := bi.idx.DocCount()
	return int(n), err
}

// Search implements Engine.
func (b *Bleve) Search(ctx context.Context, index string, q Query) (*Result, error) {
	bi, err := b.get(index)
	if err != nil {
		return nil, err
	}
	if err := bi.decl.validate(&q); err != nil {
		return nil, err
	}
	text := strings.TrimSpace(q.Text)
	if text == "" || hasHan(text) {
		res, err := bitmapSearch(ctx, bi, q, text)
		if !errors.Is(err, errNoBitmaps) {
			return res, wrapSearchErr(index, err)
		}
	}
	return b.scoredSearch(ctx, bi, q, text)
}

// wordsQuery matches the words of text, each as its bigrams; typed
// without spaces, Segment puts them in.
func wordsQuery(text string) query.Query { return matchAll(Segment(text), allText) }

// scoredSearch is Bleve's own search, scoring every hit: for what the
// bitmaps cannot answer (a Latin-script word may have a typo).
func (b *Bleve) scoredSearch(ctx context.Context, bi *bleveIndex, q Query, text string) (*Result, error) {
	var must []query.Query
	if text != "" {
		tq := wordsQuery(text)
		if hasHan(text) && Segment(text) != strings.Join(strings.Fields(Fold(text)), " ") {
			// Cut into words, the query finds the words apart too; those
			// with them together as typed (every bigram of the query,
			// the straddling ones too) rank first.
			bq := bleve.NewBooleanQuery()
			bq.AddMust(tq)
			bq.AddShould(matchAll(text, allText))
			tq = bq
		}
		must = append(must, tq)
	}
	for _, f := range q.Filters {
		var any []query.Query
		for _, v := range f.Values {
			tq := bleve.NewTermQuery(v)
			tq.SetField(f.Field)
			any = append(any, tq)
		}
		must = append(must, bleve.NewDisjunctionQuery(any...))
	}
	incl := true
	for _, r := range q.Ranges {
		rq := bleve.NewNumericRangeInclusiveQuery(r.Min, r.Max, &incl, &incl)
		rq.SetField(r.Field)
		must = append(must, rq)
	}
	var root query.Query = bleve.NewMatchAllQuery()
	if len(must) > 0 {
		root = bleve.NewConjunctionQuery(must...)
	}
	req := bleve.NewSearchRequestOptions(root, q.Limit, q.Offset, false)
	req.Fields = bi.decl.fields()
	req.IncludeLocations = len(q.Highlight) > 0 && text != ""
	var order []string
	for _, s := range q.Sort {
		if s.Desc {
			order = append(order, "-"+s.Field)
		} else {
			order = append(order, s.Field)
		}
	}
	if len(order) == 0 {
		if text != "" {
			order = append(order, "-_score")
		}
		if len(bi.decl.Times) > 0 {
			order = append(order, "-"+bi.decl.Times[0])
		}
	}
	req.SortBy(append(order, "_id"))
	for _, f := range q.Facets {
		req.AddFacet(f, bleve.NewFacetRequest(f, 50))
	}
	res, err := bi.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, wrapSearchErr(bi.decl.Name, err)
	}
	out := &Result{Total: int(res.Total), Hits: make([]Hit, 0, len(res.Hits))}
	for _, h := range res.Hits {
		out.Hits = append(out.Hits, toHit(h, q.Highlight))
	}
	hideSentinel(out) // Compact's, while it runs
	if len(res.Facets) > 0 {
		out.Facets = map[string][]FacetCount{}
		for name, fr := range res.Facets {
			var counts []FacetCount
			if fr.Terms != nil {
				for _, t := range fr.Terms.Terms() {
					counts = append(counts, FacetCount{Value: t.Term, Count: t.Count})
				}
			}
			out.Facets[name] = counts
		}
	}
	return out, nil
}

// toHit is one of Bleve's hits as the engine returns it, with the asked
// fields highlighted at the positions the query matched.
func toHit(h *bsearch.DocumentMatch, highlight []string) Hit {
	hit := Hit{ID: h.ID, Fields: h.Fields}
	if len(highlight) > 0 {
		hit.Highlights = map[string]string{}
		for _, f := range highlight {
			val, _ := h.Fields[f].(string)
			var ranges [][2]int
			for _, locs := range h.Locations[f] {
				for _, l := range locs {
					ranges = append(ranges, [2]int{int(l.Start), int(l.End)})
				}
			}
			hit.Highlights[f] = markRanges(val, ranges, 120)
		}
	}
	return hit
}

// wrapSearchErr names the index in an engine failure; a cancelled or
// timed-out search stays recognisable as such.
func wrapSearchErr(index string, err error) error {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("search: %s: %w", index, err)
}

// matchAll matches text in field: every bigram (and Latin-script word)
// of it.
func matchAll(text, field string) query.Query {
	mq := bleve.NewMatchQuery(text)
	mq.SetField(field)
	mq.Analyzer = "zh"
	mq.SetOperator(query.MatchQueryOperatorAnd)
	if !hasHan(text) {
		// One typo in a Latin-script word still matches; CJK bigrams must
		// match exactly or every query matches all.
		mq.SetFuzziness(1)
		mq.SetPrefix(1)
	}
	return mq
}

// Health implements Engine.
func (b *Bleve) Health(context.Context) error { return nil }

// Close implements Engine.
func (b *Bleve) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	var errs []error
	for name, bi := range b.ixs {
		errs = append(errs, bi.idx.Close())
		delete(b.ixs, name)
	}
	return errors.Join(errs...)
}

// asTime reads a stored time: Bleve returns RFC 3339 text, Meilisearch the
// Unix milliseconds we stored.
func asTime(v any) (time.Time, bool) {
	switch t := v.(type) {
	case string:
		p, err := time.Parse(time.RFC3339Nano, t)
		return p.UTC(), err == nil
	case float64:
		return time.UnixMilli(int64(t)).UTC(), true
	case time.Time:
		return t.UTC(), true
	}
	return time.Time{}, false
}
