package orgs

import (
	"strings"
	"unicode"
)

// The unified social credit code (統一社會信用代碼, GB 32100-2015) names
// every registered organisation in China in 18 characters:
//
//	1     the registration authority (登記管理部門代碼)
//	2     the kind of organisation (機構類別代碼)
//	3–8   the registering office's administrative division (行政區劃碼), digits
//	9–17  the subject's identifier (主體標識碼, the old organisation code)
//	18    a check character over the first 17
//
// Characters come from the digits and the capital letters less I, O, Z, S
// and V (they read as 1, 0, 2, 5 and U); each counts as its place in that
// alphabet (0–30). The check character is 31 − (Σ value × weight mod 31),
// 31 itself written as 0, with the weights 3^(i−1) mod 31.

// codeAlphabet is the code's character set in value order.
const codeAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// codeWeights are the weights of the first 17 characters: 3^(i−1) mod 31.
var codeWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// CodeLength is the length of a unified social credit code.
const CodeLength = 18

// The field messages of a credit code that is not one, each saying what
// is wrong with it (catalog keys).
const (
	codeRequired = "error.required"
	codeLength   = "error.credit_code.length"
	codeChars    = "error.credit_code.chars"
	codeDivision = "error.credit_code.division"
	codeCheck    = "error.credit_code.check"
)

// NormalizeCode is a code as typed made comparable: spaces and hyphens
// dropped, full-width characters (a Chinese input method's) made
// half-width, letters made capital. It checks nothing.
func NormalizeCode(s string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		if r >= 0xFF01 && r <= 0xFF5E { // the full-width forms of ASCII
			r -= 0xFEE0
		}
		if r == ' ' || r == '-' || r == '\u3000' || r == '\t' {
			continue
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

// CheckCode normalises a code and returns it with "" when it is a valid
// unified social credit code, or with the catalog key of what is wrong.
func CheckCode(s string) (code, problem string) {
	code = NormalizeCode(s)
	switch {
	case code == "":
		return code, codeRequired
	case len(code) != CodeLength || !isASCII(code):
		return code, codeLength
	}
	sum := 0
	for i := range CodeLength {
		v := strings.IndexByte(codeAlphabet, code[i])
		if v < 0 {
			return code, codeChars
		}
		if i >= 2 && i < 8 && v > 9 {
			return code, codeDivision
		}
		if i < CodeLength-1 {
			sum += v * codeWeights[i]
		}
	}
	if code[CodeLength-1] != CheckChar(sum) {
		return code, codeCheck
	}
	return code, ""
}

// CheckChar is the check character of a weighted sum of the first 17
// characters.
func CheckChar(sum int) byte { return codeAlphabet[(31-sum%31)%31] }

// WithCheckChar completes the first 17 characters of a code (valid
// characters only) with its check character: for test and demo data.
func WithCheckChar(first17 string) string {
	sum := 0
	for i := range CodeLength - 1 {
		sum += strings.IndexByte(codeAlphabet, first17[i]) * codeWeights[i]
	}
	return first17 + string(CheckChar(sum))
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
