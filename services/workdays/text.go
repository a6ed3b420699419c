package workdays

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"onestop/services/core"
)

// The administrators' page edits a list of spans as text, one a line, the
// way the State Council's notice reads: a day or "first ~ last", then the
// festival's name —
//
//	2026-10-01 ~ 2026-10-07 國慶節
//	2026-10-10 國慶節
//
// The separator may also be ～, 至, 到 or "..", and a date may be written
// 2026/10/1 or with full-width digits.

var spanLine = regexp.MustCompile(`^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2})(?:\s*(?:~|至|到|\.\.)\s*(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}))?(?:\s+(.*))?$`)

// ParseSpans reads spans written one a line; blank lines are skipped. A
// line it cannot read is returned as bad (nil spans).
func ParseSpans(text string) (spans []Span, bad string) {
	spans = []Span{}
	for _, raw := range strings.Split(text, "\n") {
		line := strings.TrimSpace(halfWidth(raw))
		if line == "" {
			continue
		}
		m := spanLine.FindStringSubmatch(line)
		if m == nil {
			return nil, line
		}
		from, err := parseDay(m[1])
		if err != nil {
			return nil, line
		}
		to := from
		if m[2] != "" {
			if to, err = parseDay(m[2]); err != nil {
				return nil, line
			}
		}
		spans = append(spans, Span{From: from, To: to, Name: strings.TrimSpace(m[3])})
	}
	return spans, ""
}

// FormatSpans writes spans one a line, as ParseSpans reads them.
func FormatSpans(spans []Span) string {
	lines := make([]string, 0, len(spans))
	for _, sp := range spans {
		line := spanText(sp)
		if sp.Name != "" {
			line += " " + sp.Name
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// spanText is a span's days: "2026-10-01 ~ 2026-10-07", or one day.
func spanText(sp Span) string {
	if sp.To.IsZero() || sp.To.Equal(sp.From) {
		return sp.From.String()
	}
	return sp.From.String() + " ~ " + sp.To.String()
}

// Days counts the days of the spans.
func Days(spans []Span) int {
	n := 0
	for _, sp := range spans {
		eachDay(sp, func(core.Date) { n++ })
	}
	return n
}

// parseDay reads 2026-1-5, 2026/01/05 or 2026.1.5.
func parseDay(s string) (core.Date, error) {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '/' || r == '.' })
	if len(parts) != 3 {
		return core.Date{}, fmt.Errorf("not a date: %q", s)
	}
	n := [3]int{}
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil {
			return core.Date{}, fmt.Errorf("not a date: %q", s)
		}
		n[i] = v
	}
	return core.ParseDate(fmt.Sprintf("%04d-%02d-%02d", n[0], n[1], n[2]))
}

// halfWidth turns full-width digits, letters and punctuation (and the
// ideographic space) into their ASCII forms: 2026－10－01 ～ … is typed
// with a Chinese input method on.
func halfWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\u3000':
			return ' '
		case r >= '\uFF01' && r <= '\uFF5E':
			return r - 0xFEE0
		}
		return r
	}, s)
}
