package search

import (
	"html"
	"slices"
	"strings"
	"unicode/utf8"
)

// Highlights are HTML: the field's text escaped, with the matched parts in
// <mark>…</mark> and nothing else, so a page may show them as they are.

// markRanges escapes text and wraps the byte ranges in <mark>; when the
// text is long it keeps a window of about width runes around the first
// match, with an ellipsis where it was cut.
func markRanges(text string, ranges [][2]int, width int) string {
	ranges = mergeRanges(text, ranges)
	from, to := 0, len(text)
	if utf8.RuneCountInString(text) > width {
		first := 0
		if len(ranges) > 0 {
			first = ranges[0][0]
		}
		from = backRunes(text, first, width/4)
		to = forwardRunes(text, from, width)
	}
	var b strings.Builder
	if from > 0 {
		b.WriteString("…")
	}
	pos := from
	for _, r := range ranges {
		if r[1] <= from || r[0] >= to {
			continue
		}
		s, e := max(r[0], from), min(r[1], to)
		b.WriteString(html.EscapeString(text[pos:s]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[s:e]))
		b.WriteString("</mark>")
		pos = e
	}
	b.WriteString(html.EscapeString(text[pos:to]))
	if to < len(text) {
		b.WriteString("…")
	}
	return b.String()
}

// mergeRanges sorts, clips to rune boundaries and joins overlapping ranges
// (bigrams and single characters of one word overlap).
func mergeRanges(text string, rs [][2]int) [][2]int {
	var ok [][2]int
	for _, r := range rs {
		if r[0] < 0 || r[1] > len(text) || r[0] >= r[1] || !utf8.RuneStart(text[r[0]]) || (r[1] < len(text) && !utf8.RuneStart(text[r[1]])) {
			continue
		}
		ok = append(ok, r)
	}
	slices.SortFunc(ok, func(a, b [2]int) int { return a[0] - b[0] })
	var out [][2]int
	for _, r := range ok {
		if n := len(out); n > 0 && r[0] <= out[n-1][1] {
			out[n-1][1] = max(out[n-1][1], r[1])
			continue
		}
		out = append(out, r)
	}
	return out
}

func backRunes(s string, i, n int) int {
	for ; n > 0 && i > 0; n-- {
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
	}
	return i
}

func forwardRunes(s string, i, n int) int {
	for ; n > 0 && i < len(s); n-- {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}

// runeRangesToBytes turns rune-index ranges into byte ranges of s.
func runeRangesToBytes(s string, rs [][2]int) [][2]int {
	if len(rs) == 0 {
		return nil
	}
	offsets := make([]int, 0, len(s)+1)
	for i := range s {
		offsets = append(offsets, i)
	}
	offsets = append(offsets, len(s))
	out := make([][2]int, 0, len(rs))
	for _, r := range rs {
		if r[0] < 0 || r[1] >= len(offsets) || r[0] >= r[1] {
			continue
		}
		out = append(out, [2]int{offsets[r[0]], offsets[r[1]]})
	}
	return out
}
