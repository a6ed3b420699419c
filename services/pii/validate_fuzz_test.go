package pii

import (
	"net/mail"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Fuzz targets for the PII validators and masks (S14), beside FuzzParseID
// and FuzzMasks in pii_test.go.

// FuzzNormalizePhone: the output is "" or a mainland mobile number of 11
// ASCII digits starting 13–19, and normalising it again changes nothing.
func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"13812345678", "+86 138-1234-5678", "+8613812345678", " 138 1234 5678 ", "12812345678", "1381234567",
		"１３８１２３４５６７８", "138123456789", "+86+8613812345678", "1381234567\u0668", "\u202e13812345678", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := NormalizePhone(s)
		if p == "" {
			return
		}
		if len(p) != 11 || p[0] != '1' || p[1] < '3' || !allDigits(p) {
			t.Fatalf("NormalizePhone(%q) = %q", s, p)
		}
		if again := NormalizePhone(p); again != p {
			t.Fatalf("NormalizePhone not idempotent: %q → %q → %q", s, p, again)
		}
		if m := MaskPhone(p); m[:3] != p[:3] || m[7:] != p[7:] || m[3:7] != "****" {
			t.Fatalf("MaskPhone(%q) = %q", p, m)
		}
	})
}

// FuzzNormalizeEmail: the output is "" or a lower-case plain address that
// net/mail reads back as itself, and normalising it again changes nothing.
func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{"Chen@Bureau.gov.cn", " a@b.cn ", "a@b", "\"a b\"@c.cn", "A <a@b.cn>", "a@b.cn\r\nBcc: x@y.cn",
		"a(comment)@b.cn", "a@[127.0.0.1]", "a@b.cn.", "İ@b.cn", "K@b.cn", "陳@例子.中國", "a@@b.cn", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := NormalizeEmail(s)
		if e == "" {
			return
		}
		if e != strings.ToLower(e) || len(e) > 254 || strings.ContainsAny(e, " \r\n\t<>\"()[],;:\\") {
			t.Fatalf("NormalizeEmail(%q) = %q", s, e)
		}
		if a, err := mail.ParseAddress(e); err != nil || a.Address != e || a.Name != "" {
			t.Fatalf("NormalizeEmail(%q) = %q, which net/mail reads as %v %v", s, e, a, err)
		}
		if again := NormalizeEmail(e); again != e {
			t.Fatalf("NormalizeEmail not idempotent: %q → %q → %q", s, e, again)
		}
	})
}

// checkDigit computes the GB 11643 / ISO 7064 MOD 11-2 check character
// independently of ParseID: the weights are 2^(17-i) mod 11, and the
// check value is (12 - sum mod 11) mod 11, 10 written X.
func checkDigit(first17 string) byte {
	sum := 0
	for i := range 17 {
		w := 1
		for range 17 - i {
			w = w * 2 % 11
		}
		sum += int(first17[i]-'0') * w
	}
	c := (12 - sum%11) % 11
	if c == 10 {
		return 'X'
	}
	return byte('0' + c)
}

// FuzzIDCheckDigit: ParseID accepts a number only when its check character
// agrees with an independent computation, its birth date exists and is not
// in the future, and the gender it reports is the parity of digit 17.
func FuzzIDCheckDigit(f *testing.F) {
	for _, s := range []string{"11010519491231002X", "11010519491231002x", "440301199001011234", "110105194912310021",
		"110105491231002", "110105202712310025", "440524188001010014", " 11010519491231002X ", "11010519490229002X", "１１０１０５１９４９１２３１００２Ｘ"} {
		f.Add(s)
	}
	now := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		info, p := ParseID(s, now)
		id := strings.ToUpper(strings.TrimSpace(s))
		wellFormed := len(id) == 18 && allDigits(id[:17]) && (id[17] == 'X' || (id[17] >= '0' && id[17] <= '9'))
		if p != "" {
			if wellFormed && p == IDChecksum && checkDigit(id) == id[17] {
				t.Fatalf("ParseID(%q) refused a correct check digit", s)
			}
			return
		}
		if !wellFormed || checkDigit(id) != id[17] {
			t.Fatalf("ParseID(%q) accepted a bad number", s)
		}
		if info.Birth.After(now) || info.Birth.Format("20060102") != id[6:14] || info.Region != id[:6] {
			t.Fatalf("ParseID(%q) = %+v", s, info)
		}
		if info.Female != ((id[16]-'0')%2 == 0) {
			t.Fatalf("ParseID(%q): female = %v", s, info.Female)
		}
		if m := MaskIDNumber(id); m != id[:4]+"**********"+id[14:] {
			t.Fatalf("MaskIDNumber(%q) = %q", id, m)
		}
	})
}

// revealed counts the positions where mask shows a byte of s.
func revealed(s, mask string) int {
	n := 0
	for i := 0; i < len(s) && i < len(mask); i++ {
		if mask[i] != '*' && mask[i] == s[i] {
			n++
		}
	}
	return n
}

// FuzzMaskReveal: the phone mask shows at most 7 characters (3 + 4) and the
// ID mask at most 8 (4 + 4), never the middle, and never both ends of a
// short value; the email mask shows one character of the local part and
// the domain, nothing else.
func FuzzMaskReveal(f *testing.F) {
	for _, s := range []string{"13812345678", "440301199001011234", "1234567", "12345678", "a@b.cn", "陳大文@example.cn", "@x", "\xff@x", "", "長長長長長長長長長"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if m := MaskPhone(s); len(m) != len(s) || revealed(s, m) > 7 || (len(s) < 8 && strings.Trim(m, "*") != "") {
			t.Fatalf("MaskPhone(%q) = %q", s, m)
		}
		if m := MaskIDNumber(s); len(m) != len(s) || revealed(s, m) > 8 || (len(s) < 9 && strings.Trim(m, "*") != "") {
			t.Fatalf("MaskIDNumber(%q) = %q", s, m)
		}
		m := MaskEmail(s)
		at := strings.LastIndexByte(s, '@')
		if at < 1 {
			if m != "***" {
				t.Fatalf("MaskEmail(%q) = %q", s, m)
			}
			return
		}
		_, size := utf8.DecodeRuneInString(s)
		if m != s[:size]+"***"+s[at:] || size > at {
			t.Fatalf("MaskEmail(%q) = %q", s, m)
		}
	})
}
