package projects

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"onestop/services/core"
	"onestop/services/reference"
	"onestop/services/servicetest"
)

// Fuzz targets for the project import (定期採集) row parsers and the library
// query (S14). They need no database: the parsers hand rows to a callback.

// seeded is the reference lists as shipped: the rows name their districts
// and industries.
var seeded = servicetest.Must(reference.Seeded())

// importLine is what a parser reported for one line.
type importLine struct {
	line    int
	row     Row
	reasons []core.Fault
}

// parseAll runs a parser the way Import does, without writing anything.
func parseAll(t *testing.T, read func(func(int, Row, error) error) error) ([]importLine, error) {
	var out []importLine
	err := read(func(line int, row Row, perr error) error {
		if perr == nil {
			perr = row.check(seeded)
		}
		l := importLine{line: line, row: row}
		if perr != nil {
			l.reasons = core.Faults(perr)
		}
		out = append(out, l)
		return nil
	})
	return out, err
}

// checkImported holds for every parsed line: lines counted upwards from 1;
// a rejected row has reasons, none empty; an accepted row is clean text,
// known values, and checking it again changes nothing.
func checkImported(t *testing.T, lines []importLine) {
	t.Helper()
	prev := 0
	for _, l := range lines {
		if l.line <= prev {
			t.Fatalf("line %d after line %d", l.line, prev)
		}
		prev = l.line
		if l.reasons != nil {
			if len(l.reasons) == 0 {
				t.Fatalf("line %d rejected without a reason", l.line)
			}
			for _, r := range l.reasons {
				if strings.TrimSpace(r.Msg) == "" || r.Msg == "error.invalid" {
					t.Fatalf("line %d: empty reason in %q", l.line, l.reasons)
				}
			}
			continue
		}
		row := l.row
		if !externalID.MatchString(row.ExternalID) {
			t.Fatalf("line %d: accepted external id %q", l.line, row.ExternalID)
		}
		for _, s := range append([]string{row.Title, row.Summary, row.Description, row.Contact}, row.Tags...) {
			if !cleanText(s) {
				t.Fatalf("line %d: accepted text %q", l.line, s)
			}
		}
		again := row
		again.Tags = append([]string(nil), row.Tags...)
		if err := again.check(seeded); err != nil || !reflect.DeepEqual(again, row) {
			t.Fatalf("line %d: checking an accepted row again: %v\n%+v\n%+v", l.line, err, row, again)
		}
	}
}

// cleanText: trimmed valid UTF-8 with no control character but line
// breaks and tabs, and no invisible format character (bidi overrides).
func cleanText(s string) bool {
	if s != strings.TrimSpace(s) || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if (unicode.IsControl(r) && !strings.ContainsRune("\n\r\t", r)) || unicode.Is(unicode.Cf, r) {
			return false
		}
	}
	return true
}

const goodJSONL = `{"external_id":"p-001","title":"社區早餐店","summary":"社區早餐與便當","description":"…","industry":"community_service","district":"dongcheng","investment_yuan":50000,"risk":"low","expected_jobs":3,"target_groups":["college_graduate"],"tags":["餐飲"],"source":"bureau","status":"recommended"}`

// FuzzImportJSONL: any bytes as a JSON-lines file; no panic, every bad line
// rejected with reasons, every good line clean (see checkImported).
func FuzzImportJSONL(f *testing.F) {
	for _, s := range []string{goodJSONL, goodJSONL + "\n" + goodJSONL, "\n\n" + goodJSONL + "\r\n{}\n",
		`{"external_id":"p-002","title":"x","status":"$ne"}`, `{"external_id":{"$ne":null}}`, `{"external_id":"p-003","role":"admin"}`,
		`{"external_id":"../../x","title":"標題","summary":"摘要","industry":"community_service","district":"dongcheng","risk":"low"}`,
		`{"external_id":"p-4","title":"a\u202eb","summary":"摘要","industry":"community_service","district":"dongcheng","risk":"low"}`,
		`[]`, `null`, "\xff\xfe", `{"external_id":"p-5"} {"x":1}`, `{"investment_yuan":1e400}`, `{"expected_jobs":-1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines, err := parseAll(t, func(add func(int, Row, error) error) error { return readJSONL(bytes.NewReader(data), add) })
		if err != nil && !strings.Contains(err.Error(), "too long") {
			t.Fatalf("readJSONL: %v", err)
		}
		checkImported(t, lines)
	})
}

const csvHeader = "external_id,title,summary,description,industry,district,investment_yuan,risk,expected_jobs,target_groups,tags,source,contact,status"

// FuzzImportCSV: any bytes as a CSV file; no panic; an unknown column or a
// broken header stops before any row, and rows are judged as in JSON lines.
func FuzzImportCSV(f *testing.F) {
	for _, s := range []string{
		csvHeader + "\np-001,社區早餐店,社區早餐與便當,,community_service,dongcheng,50000,low,3,college_graduate|land_farmer,餐飲|早餐,bureau,,recommended",
		"\ufeff" + csvHeader + "\np-002,標題,摘要,,community_service,dongcheng,abc,low,1,,,,,",
		csvHeader + "\np-003,\"=HYPERLINK(\"\"http://x\"\")\",摘要,,community_service,dongcheng,1,low,1,,,,,",
		csvHeader + "\n\"unterminated,x", "title\n標題", "role\nadmin", "", csvHeader + "\n,,,,,,,,,,,,,\n,,\n",
		csvHeader + "\np-4,標題,摘要,,community_service,dongcheng,99999999999999999999,low,1,,,,,",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines, err := parseAll(t, func(add func(int, Row, error) error) error { return readCSV(bytes.NewReader(data), add) })
		if err != nil && len(lines) > 0 {
			t.Fatalf("readCSV failed after %d rows: %v", len(lines), err)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "import: ") {
			t.Fatalf("readCSV: unexplained error %v", err)
		}
		checkImported(t, lines)
	})
}

// FuzzLibraryQuery: a query that normalises has clean single-spaced text of
// at most MaxQueryRunes, known values and a bounded page; normalising it
// again changes nothing.
func FuzzLibraryQuery(f *testing.F) {
	f.Add("創業 項目", "community_service", "dongcheng", "low", "college_graduate", "newest", "", int64(0), int64(100000), 1, 20)
	f.Add(" a\u202e\x00b\t\n c ", "", "", "", "", "", "in_review", int64(5), int64(1), -1, 1000)
	f.Add(`") OR true OR ("`, "$ne", "../x", "", "", "relevance", "", int64(-1), int64(-1), 0, 0)
	f.Add("\xff長", "", "", "", "", "", "", int64(0), int64(0), 501, 101)
	f.Fuzz(func(t *testing.T, text, industry, district, risk, group, sort, stage string, lo, hi int64, number, size int) {
		q := Query{Text: text, Industry: industry, District: district, Risk: risk, TargetGroup: group, Sort: sort, Stage: stage,
			MinInvestment: &lo, MaxInvestment: &hi, Page: core.Page{Number: number, Size: size}}
		if err := q.Normalize(seeded); err != nil {
			return
		}
		if !cleanText(q.Text) || strings.ContainsAny(q.Text, "\n\r\t") || strings.Contains(q.Text, "  ") || utf8.RuneCountInString(q.Text) > MaxQueryRunes {
			t.Fatalf("Normalize(%q) kept text %q", text, q.Text)
		}
		if lo > hi || q.Page != q.Page.Normalize() || q.Sort == "" {
			t.Fatalf("Normalize accepted %+v", q)
		}
		again := q
		if err := again.Normalize(seeded); err != nil || !reflect.DeepEqual(again, q) {
			t.Fatalf("Normalize is not idempotent: %+v → %+v (%v)", q, again, err)
		}
	})
}

// Regression (found by FuzzImportJSONL): project text let through invisible
// format characters (U+202E RIGHT-TO-LEFT OVERRIDE, zero-width ones) and C1
// controls, which core.Validation.Text refuses everywhere else; a public
// title could read as something it is not.
func TestImportRefusesFormatCharacters(t *testing.T) {
	for _, title := range []string{"a\u202eb", "標\u200b題", "標\u0085題", "x\u2066y\u2069"} {
		line := strings.Replace(goodJSONL, "社區早餐店", title, 1)
		lines, err := parseAll(t, func(add func(int, Row, error) error) error { return readJSONL(strings.NewReader(line), add) })
		if err != nil || len(lines) != 1 || len(lines[0].reasons) == 0 || lines[0].reasons[0].Field != "title" {
			t.Errorf("title %q: %+v %v", title, lines, err)
		}
	}
}
