package orgs

import (
	"strings"
	"testing"
)

// realCodes are unified social credit codes of real organisations (as
// published on their business licences) and the example of the standard
// itself: each must pass as typed and in the forms people type them.
var realCodes = []string{
	"91350100M000100Y43", // GB 32100-2015's own example
	"91440300708461136T", // 深圳市騰訊計算機系統有限公司
	"914403001922038216", // 華為技術有限公司
	"91110000802100433B", // 北京百度網訊科技有限公司
	"91110108551385082Q", // 小米科技有限責任公司
	"91330100716105852F",
	"91330100799655058B",
	"91110000710935732K",
	"91440101190445878B",
	"91110000101100414N",
	"11100000000013127D", // an organ of the state: registration authority 1
}

func TestCheckCodeAcceptsRealCodes(t *testing.T) {
	for _, c := range realCodes {
		for _, typed := range []string{c, strings.ToLower(c), " " + c[:6] + " " + c[6:12] + "-" + c[12:] + " ", fullWidth(c)} {
			got, problem := CheckCode(typed)
			if problem != "" || got != c {
				t.Errorf("CheckCode(%q) = %q, %q; want %q", typed, got, problem, c)
			}
		}
		// The check character is computed, not looked up.
		if w := WithCheckChar(c[:17]); w != c {
			t.Errorf("WithCheckChar(%q) = %q", c[:17], w)
		}
	}
}

// fullWidth types s as a Chinese input method's full-width characters.
func fullWidth(s string) string {
	return strings.Map(func(r rune) rune { return r + 0xFEE0 }, s)
}

func TestCheckCodeRefuses(t *testing.T) {
	good := "91350100M000100Y43"
	tests := []struct {
		name, code, problem string
	}{
		{"empty", "", "error.required"},
		{"blank", "   ", "error.required"},
		{"one short", good[:17], "error.credit_code.length"},
		{"one long", good + "3", "error.credit_code.length"},
		{"the old 9-character organisation code", "M000100Y4", "error.credit_code.length"},
		{"an ID number", "110105194912310029", "error.credit_code.check"},
		{"Chinese characters", "統一社會信用代碼統一社會信用代碼統一", "error.credit_code.length"},
		{"18 characters with one not ASCII", "91350100M000100Y4三", "error.credit_code.length"},
		{"I (reads as 1)", "91350100MI00100Y43", "error.credit_code.chars"},
		{"O (reads as 0)", "91350100M0O0100Y43", "error.credit_code.chars"},
		{"Z (reads as 2)", "91350100MZ00100Y43", "error.credit_code.chars"},
		{"S (reads as 5)", "S1350100M000100Y43", "error.credit_code.chars"},
		{"V (reads as U)", "91350100M000100V43", "error.credit_code.chars"},
		{"punctuation", "91350100M000100Y4.", "error.credit_code.chars"},
		{"a letter in the division", "9135A100M000100Y43", "error.credit_code.division"},
		{"the wrong check character", "91350100M000100Y44", "error.credit_code.check"},
		{"two characters swapped", "91351000M000100Y43", "error.credit_code.check"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, problem := CheckCode(tt.code); problem != tt.problem {
				t.Errorf("CheckCode(%q): %q, want %q", tt.code, problem, tt.problem)
			}
		})
	}
	// Every single-character change of a valid code is caught: the check
	// detects any one substitution, as its modulus is prime.
	for _, c := range realCodes {
		for i := range CodeLength {
			for _, r := range codeAlphabet {
				if byte(r) == c[i] || (i >= 2 && i < 8 && r > '9') {
					continue
				}
				typo := c[:i] + string(r) + c[i+1:]
				if _, problem := CheckCode(typo); problem != "error.credit_code.check" {
					t.Fatalf("%s with %c at %d: %q", c, r, i+1, problem)
				}
			}
		}
	}
}

// FuzzCheckCode: whatever is typed, CheckCode does not panic, a code it
// accepts is 18 characters of the alphabet with a right check character,
// and checking its answer again gives the same.
func FuzzCheckCode(f *testing.F) {
	for _, c := range realCodes {
		f.Add(c)
	}
	for _, s := range []string{"", "９１３５０１００Ｍ０００１００Ｙ４３", "91350100M000100Y4\x00", "\xff\xfe", "91350100-M000100Y43"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, problem := CheckCode(s)
		if problem != "" {
			return
		}
		if len(code) != CodeLength || strings.Trim(code, codeAlphabet) != "" || WithCheckChar(code[:17]) != code {
			t.Fatalf("CheckCode(%q) accepted %q", s, code)
		}
		if again, p := CheckCode(code); again != code || p != "" {
			t.Fatalf("CheckCode(%q) = %q, %q", code, again, p)
		}
	})
}
