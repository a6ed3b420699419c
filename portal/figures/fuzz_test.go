package figures

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"onestop/portal/web"
)

// FuzzCSVSafe: an exported cell (CSV or XLSX) never starts with a
// character a spreadsheet reads as a formula (= + - @) or a tab or CR;
// a safe cell is left alone, and a neutralised one only gains a quote.
func FuzzCSVSafe(f *testing.F) {
	for _, s := range []string{"=1+1", "+86 138", "-2", "@SUM(A1)", "\t=1", "\r=1", "=HYPERLINK(\"http://x\",\"y\")", "張三", "", "'=x", "＝1+1", "\n=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := web.CSVSafe(s)
		if out != "" && strings.ContainsRune("=+-@\t\r", rune(out[0])) {
			t.Fatalf("web.CSVSafe(%q) = %q", s, out)
		}
		if out != s && out != "'"+s {
			t.Fatalf("web.CSVSafe(%q) = %q changes more than a leading quote", s, out)
		}
		if row := safeRow([]string{s, s}); len(row) != 2 || row[0] != out || row[1] != out {
			t.Fatalf("safeRow(%q) = %q", s, row)
		}
	})
}

// FuzzSheetName: an XLSX sheet name is at most 31 characters, has none of
// the characters a sheet name cannot hold, and starts with its number (so
// names are unique).
func FuzzSheetName(f *testing.F) {
	for _, s := range []string{"貸款 / 銀行", "[x]:*?/\\'", "", strings.Repeat("長", 40), "\xff\xfe"} {
		f.Add(0, s)
	}
	f.Fuzz(func(t *testing.T, i int, title string) {
		if i < 0 || i > 1000 {
			return // tables of one export
		}
		out := sheetName(i, title)
		if utf8.RuneCountInString(out) > 31 || strings.ContainsAny(out, `[]:*?/\'`) || !strings.HasPrefix(out, strconv.Itoa(i+1)+" ") {
			t.Fatalf("sheetName(%d, %q) = %q", i, title, out)
		}
	})
}
