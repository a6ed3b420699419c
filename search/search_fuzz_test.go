package search

import (
	"context"
	"html"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// Fuzz targets for query building, folding and highlighting (S14).

// parseMeiliFilter reads back one expression meiliFilter made, with a
// grammar that allows nothing else: "(" field " = " quoted {" OR " field
// " = " quoted} ")" or field (">=" | "<=") number. It returns the clauses
// as field and unquoted value, or ok=false.
func parseMeiliFilter(expr string) (clauses [][2]string, ok bool) {
	if rest, found := strings.CutPrefix(expr, "("); found {
		for {
			field, after, found := strings.Cut(rest, ` = "`)
			if !found || strings.ContainsAny(field, ` ()"\`) {
				return nil, false
			}
			var b strings.Builder
			i := 0
			for ; i < len(after); i++ {
				c := after[i]
				if c == '\\' && i+1 < len(after) && (after[i+1] == '\\' || after[i+1] == '"') {
					b.WriteByte(after[i+1])
					i++
					continue
				}
				if c == '\\' {
					return nil, false // a lone backslash: an escape we did not make
				}
				if c == '"' {
					break
				}
				b.WriteByte(c)
			}
			if i >= len(after) {
				return nil, false
			}
			clauses = append(clauses, [2]string{field, b.String()})
			rest = after[i+1:]
			if rest == ")" {
				return clauses, true
			}
			if rest, found = strings.CutPrefix(rest, " OR "); !found {
				return nil, false
			}
		}
	}
	m := regexp.MustCompile(`^([a-z_]+) (>=|<=) (-?[0-9]+(\.[0-9]+)?)$`).FindStringSubmatch(expr)
	if m == nil {
		return nil, false
	}
	return [][2]string{{m[1], m[3]}}, true
}

var fuzzIndex = Index{Name: "projects", Text: []string{"title", "summary"}, SearchOnly: []string{"description"},
	Keywords: []string{"status", "district", "target_groups"}, Numbers: []string{"investment_yuan"}, Times: []string{"created_at"}}

// FuzzMeiliFilter: for any values, and any field the index declares, each
// AND part of the filter parses back to exactly the clauses asked for —
// an allowlisted field and the value itself — so no value breaks out of
// its string; fields not declared never get past validate.
func FuzzMeiliFilter(f *testing.F) {
	for _, s := range []string{"open", `") OR true OR ("`, `\`, `\"`, `" OR id EXISTS`, `a"b\c`, "\x00", "status = open", "長"} {
		f.Add("status", s, s+"2", 1.5, true)
	}
	f.Add("status) OR (x", "open", "", -1.0, false)
	f.Add("district", "", `\\"`, 1e300, true)
	f.Fuzz(func(t *testing.T, field, v1, v2 string, bound float64, hasMax bool) {
		if math.IsNaN(bound) || math.IsInf(bound, 0) {
			return // bounds come from whole numbers the services parsed
		}
		q := Query{Filters: []Filter{{Field: field, Values: []string{v1, v2}}}, Ranges: []Range{{Field: "investment_yuan", Min: &bound}}}
		if hasMax {
			q.Ranges[0].Max = &bound
		}
		if err := fuzzIndex.validate(&q); err != nil {
			if slices.Contains(fuzzIndex.Keywords, field) {
				t.Fatalf("validate refused a declared field %q: %v", field, err)
			}
			return
		}
		if !slices.Contains(fuzzIndex.Keywords, field) {
			t.Fatalf("validate accepted an undeclared field %q", field)
		}
		parts := meiliFilter(q)
		if len(parts) != 2+btoi(hasMax) {
			t.Fatalf("%d parts for %+v: %q", len(parts), q, parts)
		}
		clauses, ok := parseMeiliFilter(parts[0])
		if !ok || len(clauses) != 2 || clauses[0] != [2]string{field, v1} || clauses[1] != [2]string{field, v2} {
			t.Fatalf("filter %q reads back as %q (ok %v), want %q = %q | %q", parts[0], clauses, ok, field, v1, v2)
		}
		for _, p := range parts[1:] {
			if c, ok := parseMeiliFilter(p); !ok || c[0][0] != "investment_yuan" {
				t.Fatalf("range %q reads back as %q", p, c)
			}
		}
	})
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

var markTags = strings.NewReplacer("<mark>", "", "</mark>", "")

// FuzzMarkRanges: a highlight is the text escaped, with <mark> and </mark>
// balanced and never nested, and no other markup; without its tags and
// ellipses it is part of the text, whatever the ranges claim.
func FuzzMarkRanges(f *testing.F) {
	f.Add("創業一站式服務平台", 0, 6, 6, 12, 10)
	f.Add("<script>alert(1)</script>", 0, 8, 3, 30, 120)
	f.Add("a&b\"c'd", -5, 2, 2, 1, 3)
	f.Add("\xff\xfe長", 1, 3, 0, 1, 1)
	f.Fuzz(func(t *testing.T, text string, s1, e1, s2, e2, width int) {
		if width < 0 || width > 1000 {
			return
		}
		out := markRanges(text, [][2]int{{s1, e1}, {s2, e2}}, width)
		depth := 0
		for rest := out; rest != ""; {
			switch {
			case strings.HasPrefix(rest, "<mark>"):
				depth++
				rest = rest[len("<mark>"):]
			case strings.HasPrefix(rest, "</mark>"):
				depth--
				rest = rest[len("</mark>"):]
			default:
				rest = rest[1:]
			}
			if depth < 0 || depth > 1 {
				t.Fatalf("markRanges(%q) = %q: unbalanced", text, out)
			}
		}
		bare := markTags.Replace(out)
		if depth != 0 || strings.ContainsAny(bare, `<>"'`) {
			t.Fatalf("markRanges(%q) = %q", text, out)
		}
		plain := html.UnescapeString(bare)
		plain = strings.TrimSuffix(strings.TrimPrefix(plain, "…"), "…")
		if !strings.Contains(text, plain) {
			t.Fatalf("markRanges(%q) = %q, not a part of the text", text, out)
		}
	})
}

// FuzzMarkedRuneRanges: the ranges found in a Meilisearch highlight lie
// within the text without markers, in order, and not overlapping.
func FuzzMarkedRuneRanges(f *testing.F) {
	f.Add("創業\x02一站\x03式")
	f.Add("\x03\x02\x02a\x03\x03")
	f.Add("\x02unclosed")
	f.Fuzz(func(t *testing.T, s string) {
		n := utf8.RuneCountInString(strings.NewReplacer(markOpen, "", markClose, "").Replace(s))
		prev := 0
		for _, r := range markedRuneRanges(s) {
			if r[0] < prev || r[0] > r[1] || r[1] > n {
				t.Fatalf("markedRuneRanges(%q) = %v (text of %d runes)", s, markedRuneRanges(s), n)
			}
			prev = r[1]
		}
		// The byte ranges made from them are usable by markRanges.
		plain := strings.NewReplacer(markOpen, "", markClose, "").Replace(s)
		for _, r := range runeRangesToBytes(plain, markedRuneRanges(s)) {
			if r[0] < 0 || r[1] > len(plain) || r[0] > r[1] {
				t.Fatalf("byte range %v of %q", r, plain)
			}
		}
	})
}

// FuzzFold: folding keeps the rune count (highlight positions hold in the
// original) and is idempotent; it changes only Han characters.
func FuzzFold(f *testing.F) {
	for _, s := range []string{"創業服務", "创业服务", "臺灣台灣", "ABC abc 123", "\xff長", "𠀀𪚥", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Fold(s)
		if utf8.RuneCountInString(out) != utf8.RuneCountInString(s) || Fold(out) != out {
			t.Fatalf("Fold(%q) = %q", s, out)
		}
		a, b := []rune(s), []rune(out)
		for i := range a {
			if a[i] != b[i] && !hasHan(string(a[i])) {
				t.Fatalf("Fold(%q) changed %q", s, a[i])
			}
		}
	})
}

// FuzzFoldPattern: the pattern compiles, escapes every metacharacter (it
// matches the query literally, anchored, and nothing looser), and matches
// the query's Simplified and Traditional spellings alike.
func FuzzFoldPattern(f *testing.F) {
	for _, s := range []string{"創業", "创业", ".*", "a|b", "[長]", `\`, "(?i)x", "$^", "臺", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return // queries are cleaned to valid UTF-8 first
		}
		p := FoldPattern(s)
		re, err := regexp.Compile("^(?:" + p + ")$")
		if err != nil {
			t.Fatalf("FoldPattern(%q) = %q: %v", s, p, err)
		}
		if !re.MatchString(s) || !re.MatchString(Fold(s)) {
			t.Fatalf("FoldPattern(%q) = %q does not match the query or its folded form", s, p)
		}
		if s != "" && re.MatchString(s+"x") {
			t.Fatalf("FoldPattern(%q) = %q matches more than the query", s, p)
		}
	})
}

// FuzzBleveQuery: any text and filter values against a real (embedded)
// index: no error but for undeclared fields, every hit has the filtered
// value, and highlights carry no markup but <mark>.
func FuzzBleveQuery(f *testing.F) {
	b, err := OpenBleve(f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	if _, err := b.Ensure(ctx, fuzzIndex); err != nil {
		f.Fatal(err)
	}
	docs := []Doc{
		{ID: "a", Fields: map[string]any{"title": "社區早餐店 <b>", "summary": "創業項目", "status": "recommended", "district": "dongcheng", "investment_yuan": 5000}},
		{ID: "b", Fields: map[string]any{"title": "電商直播", "summary": "网店 & 直播", "status": "submitted", "district": `") OR true OR ("`, "investment_yuan": 90000}},
		{ID: "c", Fields: map[string]any{"title": "Coffee roastery", "summary": "<script>alert(1)</script>", "status": "recommended", "district": "xicheng", "target_groups": []string{"college_graduate"}}},
	}
	if err := b.Upsert(ctx, fuzzIndex.Name, docs...); err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"創業", "早餐", "coffe", `") OR true OR ("`, "*", "status:recommended", "+a -b", "title:x^5~2", "<script>", "\x00"} {
		f.Add(s, "recommended")
	}
	f.Add("", `") OR true OR ("`)
	f.Fuzz(func(t *testing.T, text, status string) {
		q := Query{Text: text, Filters: []Filter{{Field: "status", Values: []string{status}}}, Highlight: []string{"title", "summary"}, Facets: []string{"district"}}
		res, err := b.Search(ctx, fuzzIndex.Name, q)
		if err != nil {
			t.Fatalf("Search(%q, %q): %v", text, status, err)
		}
		for _, h := range res.Hits {
			if got, _ := h.Fields["status"].(string); got != status {
				t.Fatalf("filter status=%q let through %s with %q", status, h.ID, got)
			}
			for f, hl := range h.Highlights {
				if strings.ContainsAny(markTags.Replace(hl), "<>") {
					t.Fatalf("highlight of %s.%s: %q", h.ID, f, hl)
				}
			}
		}
	})
}
