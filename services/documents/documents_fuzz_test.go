package documents

import (
	"bytes"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// Fuzz targets for what people upload (S14).

// FuzzSniff: a type is found exactly when the bytes begin with that type's
// magic, whatever the rest; nothing else is accepted.
func FuzzSniff(f *testing.F) {
	for _, s := range [][]byte{[]byte("%PDF-1.7\n"), {0xFF, 0xD8, 0xFF, 0xE0}, {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0}, []byte("%PDF"),
		[]byte("<svg onload=alert(1)>"), []byte("GIF89a"), []byte("PK\x03\x04"), []byte("MZ\x90\x00"), []byte("\xef\xbb\xbf%PDF-1.4"), nil} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		typ := Sniff(data)
		if typ == "" {
			for name, d := range Types {
				if bytes.HasPrefix(data, d.Magic) {
					t.Fatalf("sniff missed %s in %q", name, data)
				}
			}
			return
		}
		if !bytes.HasPrefix(data, Types[typ].Magic) || Types[typ].Extension == "" {
			t.Fatalf("Sniff(%q) = %s", data, typ)
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
		d, ok := Types[typ]
		ext := d.Extension
		if !ok || !validKind(kind) {
			return // the caller sniffs the type and checks the kind first
		}
		out := CleanName(name, kind, typ)
		base := strings.TrimSuffix(out, ext)
		if !strings.HasSuffix(out, ext) || base == "" || strings.ContainsAny(base, `/\.:;"'<>&%`) || strings.Contains(out, "..") {
			t.Fatalf("CleanName(%q) = %q", name, out)
		}
		if !utf8.ValidString(out) || len(base) > 124 || base != strings.TrimSpace(base) {
			t.Fatalf("CleanName(%q) = %q", name, out)
		}
		for _, r := range base {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Fatalf("CleanName(%q) kept %U", name, r)
			}
		}
		if again := CleanName(out, kind, typ); again != out {
			t.Fatalf("CleanName is not idempotent: %q → %q → %q", name, out, again)
		}
	})
}

// validKind: the document kinds are plain words (the caller checks them
// against their lists).
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
