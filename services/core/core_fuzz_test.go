package core

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// Fuzz targets for the parsers and validators every area shares (S14).
// `go test` runs the seeds and testdata/fuzz; `go test -fuzz` explores.

// FuzzParseDate: a date that parses prints back as the same text and
// survives JSON and BSON unchanged; one that does not is refused by the
// JSON decoder too.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-12-05", "2024-02-29", "2026-02-29", "2026-02-30", "0001-01-01", "9999-12-31",
		"2026-1-5", "2026-12-05T00:00:00Z", "", " 2026-12-05", "２０２６-１２-０５", "2026-13-01", "-001-01-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		raw, _ := json.Marshal(s)
		var j Date
		jerr := json.Unmarshal(raw, &j)
		if err != nil {
			if s != "" && jerr == nil {
				t.Fatalf("JSON accepted %q that ParseDate refused", s)
			}
			return
		}
		if d.String() != s {
			t.Fatalf("ParseDate(%q).String() = %q", s, d.String())
		}
		if jerr != nil || !j.Equal(d) {
			t.Fatalf("JSON %s: %v %v", raw, j, jerr)
		}
		out, err := json.Marshal(d)
		if err != nil || string(out) != string(raw) {
			t.Fatalf("MarshalJSON(%q) = %s %v", s, out, err)
		}
		typ, b, err := d.MarshalBSONValue()
		if err != nil {
			t.Fatal(err)
		}
		var back Date
		if err := back.UnmarshalBSONValue(typ, b); err != nil || !back.Equal(d) {
			t.Fatalf("BSON round trip of %q: %v %v", s, back, err)
		}
		if DateOfDay(d.Day()) != d && d.Day() != 0 {
			t.Fatalf("DateOfDay(Day(%q)) = %v", s, DateOfDay(d.Day()))
		}
		if n := d.AddMonthsClamped(1); n.t.Day() > d.t.Day() && d.t.Day() <= 28 {
			t.Fatalf("%q + 1 month clamped = %v", s, n)
		}
	})
}

// FuzzDateJSON: whatever JSON value a client sends where a date belongs, the
// decoder either refuses it or yields a date that marshals to a canonical
// string (or the zero date for "").
func FuzzDateJSON(f *testing.F) {
	for _, s := range []string{`"2026-12-05"`, `""`, `null`, `{"$gt":""}`, `"2026-02-30"`, `20261205`, `["2026-12-05"]`, `"\u0032026-12-05"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var d Date
		if err := json.Unmarshal(raw, &d); err != nil {
			return
		}
		out, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		var again Date
		if err := json.Unmarshal(out, &again); err != nil || !again.Equal(d) {
			t.Fatalf("%s → %s → %v %v", raw, out, again, err)
		}
		if !d.IsZero() {
			if _, err := ParseDate(d.String()); err != nil {
				t.Fatalf("%s decoded to %q, which does not re-parse", raw, d.String())
			}
		}
	})
}

var idPattern = regexp.MustCompile(`^[0-9a-hjkmnp-tv-z]{26}$`)

// FuzzValidID: ValidID agrees with an independent pattern of NewID's
// alphabet (no i, l, o, u), and ids made by IDFor are always valid.
func FuzzValidID(f *testing.F) {
	for _, s := range []string{NewID(), "0123456789abcdefghjkmnpqrs", "0123456789abcdefghjkmnpqri", "0123456789ABCDEFGHJKMNPQRS",
		"", "../../../../etc/passwd", `{"$ne":null}`, "0123456789abcdefghjkmnpqrsé"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := ValidID(s), idPattern.MatchString(s); got != want {
			t.Fatalf("ValidID(%q) = %v, pattern says %v", s, got, want)
		}
		if id := IDFor(WithIDSeed(t.Context(), s), "kind"); !ValidID(id) {
			t.Fatalf("IDFor(seed %q) = %q is not a valid id", s, id)
		}
	})
}

// FuzzText: accepted free text is trimmed, valid UTF-8, within bounds,
// free of invisible format characters (bidi overrides), and accepted again
// unchanged; an accepted line has no line breaks or tabs.
func FuzzText(f *testing.F) {
	for _, s := range []string{"張三", "  王小明 \n", "a\u202egnp.exe", "\x00", "line\nbreak", "\t", "\xff\xfe", "＝SUM(A1)", "<script>alert(1)</script>", "\u200b"} {
		f.Add(s, 1, 20)
	}
	f.Fuzz(func(t *testing.T, s string, lo, hi int) {
		var v Validation
		out := v.Text("f", s, lo, hi)
		if v.Err() != nil {
			return
		}
		n := utf8.RuneCountInString(out)
		if out != strings.TrimSpace(out) || !utf8.ValidString(out) || n < lo || n > hi {
			t.Fatalf("Text(%q, %d, %d) accepted %q", s, lo, hi, out)
		}
		for _, r := range out {
			if unicode.Is(unicode.Cf, r) || (unicode.IsControl(r) && !strings.ContainsRune("\r\n\t", r)) {
				t.Fatalf("Text(%q) kept %U", s, r)
			}
		}
		var again Validation
		if out2 := again.Text("f", out, lo, hi); out2 != out || again.Err() != nil {
			t.Fatalf("Text is not idempotent on %q", out)
		}
		var line Validation
		if l := line.Line("f", s, lo, hi); line.Err() == nil && strings.ContainsAny(l, "\r\n\t") {
			t.Fatalf("Line(%q) accepted a break", s)
		}
	})
}

// FuzzPageNormalize: a normalised page is within bounds, normalising again
// changes nothing, and the offset is never negative.
func FuzzPageNormalize(f *testing.F) {
	f.Add(0, 0)
	f.Add(-1, 1000)
	f.Add(501, 100)
	f.Add(1<<62, 1<<62)
	f.Fuzz(func(t *testing.T, number, size int) {
		p := Page{Number: number, Size: size}.Normalize()
		if p.Size < 1 || p.Size > MaxPageSize || p.Number < 1 || p.Number > 500 || p.Offset() < 0 {
			t.Fatalf("Normalize(%d, %d) = %+v", number, size, p)
		}
		if p.Normalize() != p {
			t.Fatalf("Normalize is not idempotent: %+v", p)
		}
		if number < 1<<40 && p.Pages(number) < 1 { // a total is a count of records, far below overflow
			t.Fatalf("Pages(%d) < 1", number)
		}
	})
}

// Regression (found by FuzzParseDate): 0001-01-01 parsed to the zero Date,
// which means "unset" and prints as "", so a stored birth date vanished.
func TestParseDateRefusesZeroDay(t *testing.T) {
	if d, err := ParseDate("0001-01-01"); err == nil {
		t.Fatalf("ParseDate(0001-01-01) = %v, want an error", d)
	}
	var d Date
	if err := json.Unmarshal([]byte(`"0001-01-01"`), &d); err == nil {
		t.Fatal("JSON accepted 0001-01-01")
	}
}
