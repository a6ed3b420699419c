package loans

import (
	"bytes"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"onestop/services/core"
)

// Fuzz targets for what an applicant uploads and the numbers a loan is
// scheduled from (S14).

// FuzzSniff: a type is found exactly when the bytes begin with that type's
// magic, whatever the rest; nothing else is accepted.
func FuzzSniff(f *testing.F) {
	for _, s := range [][]byte{[]byte("%PDF-1.7\n"), {0xFF, 0xD8, 0xFF, 0xE0}, {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0}, []byte("%PDF"),
		[]byte("<svg onload=alert(1)>"), []byte("GIF89a"), []byte("PK\x03\x04"), []byte("MZ\x90\x00"), []byte("\xef\xbb\xbf%PDF-1.4"), nil} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		typ := sniff(data)
		if typ == "" {
			for name, magic := range FileTypes {
				if bytes.HasPrefix(data, magic) {
					t.Fatalf("sniff missed %s in %q", name, data)
				}
			}
			return
		}
		if !bytes.HasPrefix(data, FileTypes[typ]) || extensions[typ] == "" {
			t.Fatalf("sniff(%q) = %s", data, typ)
		}
	})
}

// FuzzCleanName: a stored file name is never a path (no separators, no
// "..", no leading dot), never breaks a header or markup (no controls,
// quotes, angle brackets, semicolons), is bounded, and ends with the
// extension of the type found, not the one the browser sent.
func FuzzCleanName(f *testing.F) {
	for _, s := range []string{"營業執照.pdf", "../../etc/passwd", `..\..\windows\win.ini`, "a/b/c.png", "evil.pdf.exe", ".htaccess", "..",
		"x\r\nContent-Type: text/html", `"><script>alert(1)</script>.jpg`, "a\u202egpj.exe", "CON", "", ".", "/", "\\", "\xff\xfe.pdf",
		strings.Repeat("長", 300) + ".pdf", "name;filename=x.pdf", "%2e%2e%2fx.pdf"} {
		f.Add(s, "business_licence", "application/pdf")
	}
	f.Add("scan.png", "id_card", "image/png")
	f.Add("photo", "id_card", "image/jpeg")
	f.Fuzz(func(t *testing.T, name, kind, typ string) {
		ext, ok := extensions[typ]
		if !ok || !validKind(kind) {
			return // the caller sniffs the type and checks the kind first
		}
		out := cleanName(name, kind, typ)
		base := strings.TrimSuffix(out, ext)
		if !strings.HasSuffix(out, ext) || base == "" || strings.ContainsAny(base, `/\.:;"'<>&%`) || strings.Contains(out, "..") {
			t.Fatalf("cleanName(%q) = %q", name, out)
		}
		if !utf8.ValidString(out) || len(base) > 124 || base != strings.TrimSpace(base) {
			t.Fatalf("cleanName(%q) = %q", name, out)
		}
		for _, r := range base {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Fatalf("cleanName(%q) kept %U", name, r)
			}
		}
		if again := cleanName(out, kind, typ); again != out {
			t.Fatalf("cleanName is not idempotent: %q → %q → %q", name, out, again)
		}
	})
}

// validKind: the document kinds are plain words (the caller checks them
// against Documents).
func validKind(k string) bool {
	if k == "" || len(k) > 40 {
		return false
	}
	for _, r := range k {
		if (r < 'a' || r > 'z') && r != '_' {
			return false
		}
	}
	return true
}

// FuzzSchedule: within the limits a loan can have, the principal repaid
// adds up to the amount, what is owed falls to zero and never goes
// negative, months follow one another, and the subsidy never exceeds the
// interest.
func FuzzSchedule(f *testing.F) {
	f.Add(int64(100000), 4.35, 24, 50.0)
	f.Add(int64(1), 0.1, 1, 100.0)
	f.Add(int64(2_000_000), 20.0, 24, 0.0)
	f.Add(int64(7), 3.3, 23, 33.3)
	start := core.NewDate(2026, 1, 31)
	f.Fuzz(func(t *testing.T, amount int64, rate float64, months int, subsidy float64) {
		if amount < 1 || amount > 2_000_000 || months < 1 || months > 24 || !(rate >= 0.1 && rate <= 20) || !(subsidy >= 0 && subsidy <= 100) {
			return // the validated range
		}
		s := Schedule(amount, rate, months, start, subsidy)
		if len(s) != months {
			t.Fatalf("%d installments for %d months", len(s), months)
		}
		var paid int64
		prev := start
		for i, in := range s {
			paid += in.PrincipalFen
			if in.No != i+1 || in.PrincipalFen < 0 || in.InterestFen < 0 || in.SubsidyFen < 0 || in.SubsidyFen > in.InterestFen ||
				in.OwedAfterFen < 0 || in.OwedAfterFen != amount*100-paid || !in.DueOn.After(prev) {
				t.Fatalf("installment %+v of Schedule(%d, %v, %d, %v)", in, amount, rate, months, subsidy)
			}
			prev = in.DueOn
		}
		if paid != amount*100 || s[len(s)-1].OwedAfterFen != 0 {
			t.Fatalf("repaid %d fen of %d", paid, amount*100)
		}
		if interest, sub := Totals(s); sub != roundHalfUp(float64(interest)*subsidy/100) {
			t.Fatalf("subsidy %d fen is not %v%% of %d", sub, subsidy, interest)
		}
	})
}
