package search

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/numeric"
	bsearch "github.com/blevesearch/bleve/v2/search"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// Bleve's own search visits every hit: it scores each, reads its sort and
// facet values from compressed doc values, and so a broad query ("服务"
// in a library of 50,000) costs in proportion to what it matches (#22).
// The embedded engine answers most queries instead the way Meilisearch
// does, on the posting lists as bitmaps:
//
//   - which documents match is an AND/OR of the segments' posting bitmaps:
//     the filters, then the query's words (each its bigrams) in the
//     composite field of all searched text;
//   - the total is a cardinality; the facet counts are one pass over the
//     hits through a per-segment table of each document's values;
//   - the order is a bucket sort, not a score: documents with the words
//     together as typed first, then those with every word in the first
//     text field (the title), then the rest; within a bucket the asked
//     sort (or newest first), then the id. Only the bucket holding the
//     page is ordered, by a bounded selection over sort keys;
//   - the page's stored fields are read from the same snapshot, and the
//     highlights found in them.
//
// Sort keys and facet tables are read once per segment and kept: segments
// never change, so the cache is exact. What the bitmaps cannot do (fuzzy
// Latin-script words) goes the scored way.

// errNoBitmaps says a segment cannot give its postings as a bitmap; the
// query is then answered the scored way.
var errNoBitmaps = errors.New("search: segment without bitmaps")

// bitmapQuery is one query on one snapshot.
type bitmapQuery struct {
	bi    *bleveIndex
	segs  []*scorch.SegmentSnapshot
	dicts []map[string]segment.TermDictionary
}

// segKeys is what is kept of one segment: for each numeric or time field
// sorted or ranged on, the full-precision value of every document
// (sortable int64) and which documents have one; for each keyword field
// faceted on, every document's values.
type segKeys struct {
	mu     sync.Mutex
	fields map[string]*fieldKeys
	values map[string]*fieldValues
}

// fieldValues are a keyword field's values in one segment, for facets:
// document d has the terms vals[off[d]:off[d+1]] (indexes into terms).
type fieldValues struct {
	terms []string
	off   []uint32
	vals  []uint32
}

type fieldKeys struct {
	vals []int64
	has  *roaring.Bitmap
}

// bitmapSearch answers q on the bitmaps, or returns errNoBitmaps.
func bitmapSearch(ctx context.Context, bi *bleveIndex, q Query, text string) (*Result, error) {
	adv, err := bi.idx.Advanced()
	if err != nil {
		return nil, err
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return nil, errNoBitmaps
	}
	bq := &bitmapQuery{bi: bi, segs: snap.Segments()}
	bq.dicts = make([]map[string]segment.TermDictionary, len(bq.segs))
	bi.pruneKeys(bq.segs)

	// Which documents match, per segment, and the buckets of the order.
	hits := make([]*roaring.Bitmap, len(bq.segs))
	var together, inTitle []*roaring.Bitmap
	words := bi.tokens(Segment(text))
	for i, ss := range bq.segs {
		bm := roaring.New()
		bm.AddRange(0, ss.Segment().Count())
		if d := ss.Deleted(); d != nil {
			bm.AndNot(d)
		}
		hits[i] = bm
	}
	for _, f := range q.Filters {
		var terms [][]byte
		for _, v := range f.Values {
			terms = append(terms, []byte(v))
		}
		m, err := bq.union(f.Field, terms)
		if err != nil {
			return nil, err
		}
		and(hits, m)
	}
	for _, rg := range q.Ranges {
		if err := bq.keepRange(hits, rg); err != nil {
			return nil, err
		}
	}
	// The text last: its many postings are intersected with what the
	// filters left, the cheapest order.
	if text != "" {
		if len(words) == 0 {
			return &Result{Hits: []Hit{}}, nil // nothing searchable in the text
		}
		if hits, err = bq.anyField(hits, words, []string{allText}); err != nil {
			return nil, err
		}
	}
	if text != "" && len(q.Sort) == 0 {
		if len(bi.decl.Text) > 0 {
			if inTitle, err = bq.anyField(hits, words, bi.decl.Text[:1]); err != nil {
				return nil, err
			}
		}
		if joined := strings.Join(strings.Fields(Fold(text)), ""); hasHan(joined) {
			if all := bi.tokens(joined); len(all) > len(words) {
				if together, err = bq.anyField(hits, all, []string{allText}); err != nil {
					return nil, err
				}
			}
		}
	}

	out := &Result{Hits: []Hit{}}
	for _, h := range hits {
		out.Total += int(h.GetCardinality())
	}
	if len(q.Facets) > 0 {
		if out.Facets, err = bq.facets(hits, q.Facets); err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	page, ids, err := bq.page(buckets(hits, together, inTitle), q)
	if err != nil || len(page) == 0 {
		return out, err
	}
	if out.Hits, err = bq.load(page, ids, q, words); err != nil {
		return nil, err
	}
	hideSentinel(out)
	return out, nil
}

// tokens analyses text as the index does and keeps the terms a match needs:
// a character alone only when no bigram holds it (a one-character word),
// since every bigram's characters are indexed as well.
func (bi *bleveIndex) tokens(text string) [][]byte {
	ts := bi.zh.Analyze([]byte(text))
	var out [][]byte
	for _, t := range ts {
		if t.Type == analysis.Single && slices.ContainsFunc(ts, func(d *analysis.Token) bool {
			return d.Type == analysis.Double && d.Start <= t.Start && t.End <= d.End
		}) {
			continue
		}
		out = append(out, t.Term)
	}
	return out
}

// postings is the bitmap of the documents of segment i holding term in
// field; it is the segment's own: never modify it.
func (bq *bitmapQuery) postings(i int, field string, term []byte) (*roaring.Bitmap, error) {
	d := bq.dicts[i][field]
	if d == nil {
		var err error
		if d, err = bq.segs[i].Segment().Dictionary(field); err != nil {
			return nil, err
		}
		if bq.dicts[i] == nil {
			bq.dicts[i] = map[string]segment.TermDictionary{}
		}
		bq.dicts[i][field] = d
	}
	pl, err := d.PostingsList(term, nil, nil)
	if err != nil {
		return nil, err
	}
	it, ok := pl.Iterator(false, false, false, nil).(segment.OptimizablePostingsIterator)
	if !ok {
		return nil, errNoBitmaps
	}
	if n, ok := it.DocNum1Hit(); ok {
		return roaring.BitmapOf(uint32(n)), nil
	}
	if bm := it.ActualBitmap(); bm != nil {
		return bm, nil
	}
	return roaring.New(), nil
}

// anyField is, per segment, those of within holding every term in one of
// fields.
func (bq *bitmapQuery) anyField(within []*roaring.Bitmap, terms [][]byte, fields []string) ([]*roaring.Bitmap, error) {
	out := make([]*roaring.Bitmap, len(bq.segs))
	for i := range bq.segs {
		out[i] = roaring.New()
		for _, f := range fields {
			ps := make([]*roaring.Bitmap, len(terms))
			for j, t := range terms {
				var err error
				if ps[j], err = bq.postings(i, f, t); err != nil {
					return nil, err
				}
			}
			// The rarest term first: every AND after it is smaller.
			slices.SortFunc(ps, func(a, b *roaring.Bitmap) int { return cmp.Compare(a.GetCardinality(), b.GetCardinality()) })
			acc := roaring.And(within[i], ps[0])
			for _, p := range ps[1:] {
				if acc.IsEmpty() {
					break
				}
				acc.And(p)
			}
			out[i].Or(acc)
		}
	}
	return out, nil
}

// union is, per segment, the documents with one of terms in field.
func (bq *bitmapQuery) union(field string, terms [][]byte) ([]*roaring.Bitmap, error) {
	out := make([]*roaring.Bitmap, len(bq.segs))
	for i := range bq.segs {
		out[i] = roaring.New()
		for _, t := range terms {
			p, err := bq.postings(i, field, t)
			if err != nil {
				return nil, err
			}
			out[i].Or(p)
		}
	}
	return out, nil
}

// and intersects hits with m, segment by segment.
func and(hits, m []*roaring.Bitmap) {
	for i := range hits {
		hits[i].And(m[i])
	}
}

// keepRange keeps the hits whose numeric field lies in the range.
func (bq *bitmapQuery) keepRange(hits []*roaring.Bitmap, rg Range) error {
	lo, hi := int64(-1<<63), int64(1<<63-1)
	if rg.Min != nil {
		lo = numeric.Float64ToInt64(*rg.Min)
	}
	if rg.Max != nil {
		hi = numeric.Float64ToInt64(*rg.Max)
	}
	for i, h := range hits {
		k, err := bq.bi.keys(bq.segs[i], rg.Field)
		if err != nil {
			return err
		}
		keep := roaring.New()
		it := h.Iterator()
		for it.HasNext() {
			n := it.Next()
			if k.has.Contains(n) && k.vals[n] >= lo && k.vals[n] <= hi {
				keep.Add(n)
			}
		}
		hits[i] = keep
	}
	return nil
}

// facets counts the hits per value of each field, from each segment's
// table of its documents' values: one pass over the hits per field.
func (bq *bitmapQuery) facets(hits []*roaring.Bitmap, fields []string) (map[string][]FacetCount, error) {
	out := map[string][]FacetCount{}
	buf := make([]uint32, 256)
	for _, f := range fields {
		n := map[string]int{}
		for i, h := range hits {
			fv, err := bq.bi.values(bq.segs[i], f)
			if err != nil {
				return nil, err
			}
			counts := make([]int, len(fv.terms))
			it := h.ManyIterator()
			for got := it.NextMany(buf); got > 0; got = it.NextMany(buf) {
				for _, d := range buf[:got] {
					for _, v := range fv.vals[fv.off[d]:fv.off[d+1]] {
						counts[v]++
					}
				}
			}
			for v, c := range counts {
				if c > 0 {
					n[fv.terms[v]] += c
				}
			}
		}
		counts := make([]FacetCount, 0, len(n))
		for v, c := range n {
			counts = append(counts, FacetCount{Value: v, Count: c})
		}
		slices.SortFunc(counts, func(a, b FacetCount) int {
			return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Value, b.Value))
		})
		out[f] = counts[:min(len(counts), 50)]
	}
	return out, nil
}

// buckets splits the hits by rank: together as typed and in the title,
// together, in the title, the rest. Absent measures make fewer buckets.
func buckets(hits, together, inTitle []*roaring.Bitmap) [][]*roaring.Bitmap {
	split := func(in [][]*roaring.Bitmap, by []*roaring.Bitmap) [][]*roaring.Bitmap {
		if by == nil {
			return in
		}
		var out [][]*roaring.Bitmap
		for _, b := range in {
			yes, no := make([]*roaring.Bitmap, len(b)), make([]*roaring.Bitmap, len(b))
			for i := range b {
				yes[i], no[i] = roaring.And(b[i], by[i]), roaring.AndNot(b[i], by[i])
			}
			out = append(out, yes, no)
		}
		return out
	}
	return split(split([][]*roaring.Bitmap{hits}, together), inTitle)
}

// ref is one document of the snapshot: its segment and number there.
type ref struct {
	seg int
	num uint32
}

// page orders the bucket holding the page and returns the page's
// documents and their ids, in order.
func (bq *bitmapQuery) page(bs [][]*roaring.Bitmap, q Query) ([]ref, []string, error) {
	sorts := q.Sort
	if len(sorts) == 0 && len(bq.bi.decl.Times) > 0 {
		sorts = []Sort{{Field: bq.bi.decl.Times[0], Desc: true}}
	}
	keys := make([][]*fieldKeys, len(sorts))
	for j, s := range sorts {
		keys[j] = make([]*fieldKeys, len(bq.segs))
		for i, ss := range bq.segs {
			k, err := bq.bi.keys(ss, s.Field)
			if err != nil {
				return nil, nil, err
			}
			keys[j][i] = k
		}
	}
	ids := map[ref]string{}
	id := func(r ref) string {
		s, ok := ids[r]
		if !ok {
			b, _ := bq.segs[r.seg].DocID(uint64(r.num))
			s = string(b)
			ids[r] = s
		}
		return s
	}
	less := func(a, b ref) int {
		for j, s := range sorts {
			ka, kb := keys[j][a.seg], keys[j][b.seg]
			ha, hb := ka.has.Contains(a.num), kb.has.Contains(b.num)
			switch {
			case ha && !hb:
				return -1 // missing values last, either way
			case !ha && hb:
				return 1
			case ha && hb:
				c := cmp.Compare(ka.vals[a.num], kb.vals[b.num])
				if s.Desc {
					c = -c
				}
				if c != 0 {
					return c
				}
			}
		}
		return strings.Compare(id(a), id(b))
	}
	skip, want := q.Offset, q.Limit
	var out []ref
	var outIDs []string
	for _, b := range bs {
		n := 0
		for _, m := range b {
			n += int(m.GetCardinality())
		}
		if skip >= n {
			skip -= n
			continue
		}
		// The first skip+want of this bucket, kept in a bounded heap whose
		// root is the worst kept.
		k := min(skip+want, n)
		h := make([]ref, 0, k)
		buf := make([]uint32, 256)
		for seg, m := range b {
			it := m.ManyIterator()
			for got := it.NextMany(buf); got > 0; got = it.NextMany(buf) {
				for _, num := range buf[:got] {
					r := ref{seg, num}
					if len(h) < k {
						h = append(h, r)
						up(h, len(h)-1, less)
					} else if less(r, h[0]) < 0 {
						h[0] = r
						down(h, 0, less)
					}
				}
			}
		}
		slices.SortFunc(h, less)
		for _, r := range h[skip:] {
			out, outIDs = append(out, r), append(outIDs, id(r))
		}
		want -= len(h) - skip
		skip = 0
		if want <= 0 {
			break
		}
	}
	return out, outIDs, nil
}

// up and down keep h a heap with the greatest (worst) element at the root.
func up(h []ref, i int, less func(a, b ref) int) {
	for i > 0 {
		p := (i - 1) / 2
		if less(h[i], h[p]) <= 0 {
			return
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func down(h []ref, i int, less func(a, b ref) int) {
	for {
		l, big := 2*i+1, i
		if l < len(h) && less(h[l], h[big]) > 0 {
			big = l
		}
		if r := l + 1; r < len(h) && less(h[r], h[big]) > 0 {
			big = r
		}
		if big == i {
			return
		}
		h[i], h[big] = h[big], h[i]
		i = big
	}
}

// load reads the page's stored fields from the snapshot, as Bleve's own
// search returns them (a field stored more than once is a list), and
// highlights where the query's terms are.
func (bq *bitmapQuery) load(page []ref, ids []string, q Query, words [][]byte) ([]Hit, error) {
	want := bq.bi.decl.fields()
	out := make([]Hit, 0, len(page))
	for k, r := range page {
		dm := &bsearch.DocumentMatch{}
		err := bq.segs[r.seg].VisitDocument(uint64(r.num), func(name string, typ byte, val []byte, _ []uint64) bool {
			if !slices.Contains(want, name) {
				return true
			}
			var v any
			var err error
			switch typ {
			case 't':
				v = string(val)
			case 'n':
				v, err = document.NewNumericFieldFromBytes(name, nil, val).Number()
			case 'd':
				var t time.Time
				var layout string
				if t, layout, err = document.NewDateTimeFieldFromBytes(name, nil, val).DateTime(); layout == "" {
					layout = time.RFC3339
				}
				v = t.Format(layout)
			case 'b':
				v, err = document.NewBooleanFieldFromBytes(name, nil, val).Boolean()
			default:
				return true
			}
			if err == nil {
				dm.AddFieldValue(name, v)
			}
			return true
		})
		if err != nil {
			return nil, err
		}
		hit := Hit{ID: ids[k], Fields: dm.Fields}
		if len(q.Highlight) > 0 {
			hit.Highlights = map[string]string{}
			for _, f := range q.Highlight {
				val, _ := hit.Fields[f].(string)
				hit.Highlights[f] = markRanges(val, bq.bi.matches(val, words), 120)
			}
		}
		out = append(out, hit)
	}
	return out, nil
}

// matches are the byte ranges of text where the index holds one of terms.
// Chinese terms are found in the folded text directly (folding keeps the
// characters' places, so the ranges fall on the original); anything else
// is found by analysing the text as it was indexed.
func (bi *bleveIndex) matches(text string, terms [][]byte) [][2]int {
	if len(terms) == 0 || text == "" {
		return nil
	}
	var out [][2]int
	folded := Fold(text)
	if len(folded) == len(text) && !slices.ContainsFunc(terms, func(t []byte) bool { return !allHan(t) }) {
		for _, t := range terms {
			for at := 0; ; {
				k := strings.Index(folded[at:], string(t))
				if k < 0 {
					break
				}
				out = append(out, [2]int{at + k, at + k + len(t)})
				_, n := utf8.DecodeRuneInString(folded[at+k:])
				at += k + n
			}
		}
		return out
	}
	for _, t := range bi.zh.Analyze([]byte(text)) {
		if slices.ContainsFunc(terms, func(q []byte) bool { return bytes.Equal(q, t.Term) }) {
			out = append(out, [2]int{t.Start, t.End})
		}
	}
	return out
}

// allHan reports whether term is Chinese characters only.
func allHan(term []byte) bool {
	for _, r := range string(term) {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return true
}

// cache is what is kept of one segment.
func (bi *bleveIndex) cache(seg segment.Segment) *segKeys {
	bi.keysMu.Lock()
	defer bi.keysMu.Unlock()
	sk := bi.segKeys[seg]
	if sk == nil {
		sk = &segKeys{fields: map[string]*fieldKeys{}, values: map[string]*fieldValues{}}
		bi.segKeys[seg] = sk
	}
	return sk
}

// values returns the values of a keyword field in one segment, reading
// them once from the field's postings.
func (bi *bleveIndex) values(ss *scorch.SegmentSnapshot, field string) (*fieldValues, error) {
	seg := ss.Segment()
	sk := bi.cache(seg)
	sk.mu.Lock()
	defer sk.mu.Unlock()
	if fv, ok := sk.values[field]; ok {
		return fv, nil
	}
	d, err := seg.Dictionary(field)
	if err != nil {
		return nil, err
	}
	n := seg.Count()
	var terms []string
	var docs [][]uint32 // per term
	perDoc := make([]uint32, n+1)
	it := d.AutomatonIterator(nil, nil, nil)
	for {
		e, err := it.Next()
		if err != nil {
			return nil, err
		}
		if e == nil {
			break
		}
		pl, err := d.PostingsList([]byte(e.Term), nil, nil)
		if err != nil {
			return nil, err
		}
		var ds []uint32
		pi := pl.Iterator(false, false, false, nil)
		for p, err := pi.Next(); p != nil || err != nil; p, err = pi.Next() {
			if err != nil {
				return nil, err
			}
			ds = append(ds, uint32(p.Number()))
			perDoc[p.Number()+1]++
		}
		terms, docs = append(terms, e.Term), append(docs, ds)
	}
	fv := &fieldValues{terms: terms, off: perDoc}
	for d := range n {
		fv.off[d+1] += fv.off[d]
	}
	fv.vals = make([]uint32, fv.off[n])
	next := slices.Clone(fv.off[:n])
	for t, ds := range docs {
		for _, d := range ds {
			fv.vals[next[d]] = uint32(t)
			next[d]++
		}
	}
	sk.values[field] = fv
	return fv, nil
}

// keys returns the sort keys of field in one segment, reading them once.
func (bi *bleveIndex) keys(ss *scorch.SegmentSnapshot, field string) (*fieldKeys, error) {
	seg := ss.Segment()
	sk := bi.cache(seg)
	sk.mu.Lock()
	defer sk.mu.Unlock()
	if k := sk.fields[field]; k != nil {
		return k, nil
	}
	dv, ok := seg.(segment.DocValueVisitable)
	if !ok {
		return nil, errNoBitmaps
	}
	n := seg.Count()
	k := &fieldKeys{vals: make([]int64, n), has: roaring.New()}
	var state segment.DocVisitState
	fields := []string{field}
	for d := range n {
		var err error
		state, err = dv.VisitDocValues(d, fields, func(_ string, term []byte) {
			pc := numeric.PrefixCoded(term)
			if s, err := pc.Shift(); err == nil && s == 0 {
				if v, err := pc.Int64(); err == nil {
					k.vals[d] = v
					k.has.Add(uint32(d))
				}
			}
		}, state)
		if err != nil {
			return nil, err
		}
	}
	sk.fields[field] = k
	return k, nil
}

// pruneKeys forgets the sort keys of segments no longer in the index. A
// query on an older snapshot may still be running, so entries go only once
// they clearly outnumber the live segments (nothing kept points into a
// segment's files; a stale entry is just memory).
func (bi *bleveIndex) pruneKeys(live []*scorch.SegmentSnapshot) {
	bi.keysMu.Lock()
	defer bi.keysMu.Unlock()
	if len(bi.segKeys) <= 2*len(live)+8 {
		return
	}
	keep := map[segment.Segment]bool{}
	for _, ss := range live {
		keep[ss.Segment()] = true
	}
	for s := range bi.segKeys {
		if !keep[s] {
			delete(bi.segKeys, s)
		}
	}
}
