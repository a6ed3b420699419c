package search

import (
	"regexp"
	"strings"
	"sync"
	"unicode"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/longbridgeapp/opencc"
)

// Traditional and Simplified characters must find each other, and no
// engine here does that by itself. Both engines see text folded to
// Simplified, character by character, with the mapping taken from OpenCC's
// dictionary: converting the CJK blocks once gives a rune table, so folding
// a document costs a map lookup per character instead of OpenCC's ~1 µs.
// OpenCC's phrase rules keep the character count, so folding never moves
// text: highlight positions found in folded text hold in the original.

var (
	foldOnce  sync.Once
	foldTable map[rune]rune
)

func loadFold() {
	cc, err := opencc.New("t2s")
	if err != nil {
		panic("search: OpenCC dictionary: " + err.Error()) // embedded; cannot fail at run time
	}
	foldTable = map[rune]rune{}
	for _, block := range [][2]rune{{0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xF900, 0xFAFF}} {
		var in []rune
		for r := block[0]; r <= block[1]; r++ {
			in = append(in, r)
		}
		out, err := cc.Convert(string(in))
		if err != nil {
			panic("search: OpenCC: " + err.Error())
		}
		or := []rune(out)
		if len(or) != len(in) {
			continue // never seen; keep the block unfolded rather than misalign it
		}
		for i, r := range in {
			if or[i] != r {
				foldTable[r] = or[i]
			}
		}
	}
}

// Fold returns s with Traditional characters replaced by their Simplified
// forms (rune for rune).
func Fold(s string) string {
	foldOnce.Do(loadFold)
	needs := false
	for _, r := range s {
		if _, ok := foldTable[r]; ok {
			needs = true
			break
		}
	}
	if !needs {
		return s
	}
	return strings.Map(func(r rune) rune {
		if f, ok := foldTable[r]; ok {
			return f
		}
		return r
	}, s)
}

// hasHan reports whether s has Chinese characters.
func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// foldFilter is the Bleve token filter doing the same for indexed text and
// queries; it changes the terms and keeps their offsets.
type foldFilter struct{}

func (foldFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, tok := range in {
		if f := Fold(string(tok.Term)); f != string(tok.Term) {
			tok.Term = []byte(f)
		}
	}
	return in
}

const foldFilterName = "zh_fold"

func init() {
	registry.RegisterTokenFilter(foldFilterName, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return foldFilter{}, nil
	})
}

var (
	unfoldOnce  sync.Once
	unfoldTable map[rune][]rune // Simplified → its Traditional forms
)

// FoldPattern returns a regular expression, with every metacharacter of q
// escaped, that matches q in Traditional or Simplified characters; the
// database fallback uses it when the search engine is down.
func FoldPattern(q string) string {
	foldOnce.Do(loadFold)
	unfoldOnce.Do(func() {
		unfoldTable = map[rune][]rune{}
		for t, s := range foldTable {
			unfoldTable[s] = append(unfoldTable[s], t)
		}
	})
	var b strings.Builder
	for _, r := range q {
		s := r
		if f, ok := foldTable[r]; ok {
			s = f
		}
		forms := append([]rune{s}, unfoldTable[s]...)
		if len(forms) == 1 {
			b.WriteString(regexp.QuoteMeta(string(r)))
			continue
		}
		b.WriteByte('[')
		for _, f := range forms {
			b.WriteRune(f)
		}
		b.WriteByte(']')
	}
	return b.String()
}
