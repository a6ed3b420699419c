package search

import (
	_ "embed"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	"github.com/go-ego/gse"
)

// People type Chinese without spaces between words. The embedded engine
// indexes characters and their bigrams and matches a query as the AND of
// its bigrams, so two words typed together (「农产品带货」) would need the
// bigram that straddles them (品带), which no document has. Segment puts
// back the spaces people leave out, with a dictionary word segmenter (gse,
// jieba's algorithm in pure Go, with its HMM for words the dictionary
// lacks): the query then finds what the same words with spaces find.
// Meilisearch segments with jieba itself.

// zhDict is gse's Simplified Chinese dictionary (Apache-2.0, from jieba's,
// MIT) trimmed to the words of up to four characters seen at least ten
// times — 107,000 of 352,000 — which segments queries as the whole one does
// at a quarter of its memory (35 MB) and load time (0.3 s):
//
//	awk 'length($1)<=12 && $2>=10' $(go env GOMODCACHE)/github.com/go-ego/gse@v0.80.3/data/dict/zh/s_1.txt > search/zhdict.txt
//
//go:embed zhdict.txt
var zhDict string

var (
	segOnce   sync.Once
	segReady  atomic.Bool
	segmenter gse.Segmenter
)

// WarmSegmenter loads the dictionary, once; the embedded engine starts it
// when it opens (OpenBleve), and tests that need words call it first.
func WarmSegmenter() {
	segOnce.Do(func() {
		segmenter.SkipLog = true
		if err := segmenter.LoadDictStr(zhDict); err != nil {
			panic("search: Chinese dictionary: " + err.Error()) // embedded; cannot fail at run time
		}
		segReady.Store(true)
	})
}

// Segment returns text with each run of Chinese characters folded to
// Simplified (Fold) and cut into words, the words apart by spaces; other
// text is kept as it is. Until the dictionary has loaded (a fraction of a
// second after start-up, several under the race detector) it returns text
// unchanged rather than make a query wait: words typed together then need
// to be together, as before.
func Segment(text string) string {
	if !hasHan(text) {
		return text
	}
	if !segReady.Load() {
		go WarmSegmenter()
		return text
	}
	var b strings.Builder
	runs := splitHan(text)
	for i, r := range runs {
		if i > 0 {
			b.WriteByte(' ')
		}
		if !r.han {
			b.WriteString(r.text)
			continue
		}
		b.WriteString(strings.Join(segmenter.Cut(Fold(r.text), true), " "))
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

type run struct {
	text string
	han  bool
}

// splitHan splits s into maximal runs of Chinese characters and of
// anything else.
func splitHan(s string) []run {
	var out []run
	start, han := 0, false
	for i, r := range s {
		h := unicode.Is(unicode.Han, r)
		if i > 0 && h != han {
			out = append(out, run{s[start:i], han})
			start = i
		}
		han = h
	}
	return append(out, run{s[start:], han})
}
