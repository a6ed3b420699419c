package pii

import (
	"net/mail"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"
)

// NormalizePhone strips spaces, dashes and a +86 prefix; it returns "" when
// what remains is not a mainland mobile number (11 digits starting with 1).
func NormalizePhone(p string) string {
	p = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, strings.TrimSpace(p))
	p = strings.TrimPrefix(p, "+86")
	if len(p) != 11 || p[0] != '1' || p[1] < '3' {
		return ""
	}
	for i := range len(p) {
		if p[i] < '0' || p[i] > '9' {
			return ""
		}
	}
	return p
}

// NormalizeEmail lower-cases an address; it returns "" when it is not a
// plain address (no display name, no comments, bounded length).
func NormalizeEmail(e string) string {
	e = strings.ToLower(strings.TrimSpace(e))
	if len(e) > 254 || strings.ContainsAny(e, " <>\"()[],;:\\") {
		return ""
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || !strings.Contains(e[strings.LastIndexByte(e, '@'):], ".") {
		return ""
	}
	return e
}

// IDProblem says why a national ID number is not valid; "" means valid.
type IDProblem string

// The problems an ID number can have; the values are catalog keys.
const (
	IDLegacy   IDProblem = "error.id.legacy15"
	IDFormat   IDProblem = "error.id.format"
	IDBirth    IDProblem = "error.id.birth"
	IDChecksum IDProblem = "error.id.checksum"
)

// IDInfo is what an 18-character number says about its holder.
type IDInfo struct {
	Birth  time.Time
	Female bool
	Region string // first 6 digits
}

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idCheck = "10X98765432"

// ParseID validates a resident ID number (GB 11643): 17 digits and a check
// character (0–9 or X), an existing birth date not in the future. The
// legacy 15-digit form is refused with its own message.
func ParseID(id string, now time.Time) (IDInfo, IDProblem) {
	id = strings.ToUpper(strings.TrimSpace(id))
	if len(id) == 15 && allDigits(id) {
		return IDInfo{}, IDLegacy
	}
	if len(id) != 18 || !allDigits(id[:17]) || !strings.ContainsRune("0123456789X", rune(id[17])) {
		return IDInfo{}, IDFormat
	}
	birth, err := time.Parse("20060102", id[6:14])
	if err != nil || birth.After(now) || birth.Year() < 1900 {
		return IDInfo{}, IDBirth
	}
	sum := 0
	for i, w := range idWeights {
		sum += int(id[i]-'0') * w
	}
	if idCheck[sum%11] != id[17] {
		return IDInfo{}, IDChecksum
	}
	return IDInfo{Birth: birth, Female: (id[16]-'0')%2 == 0, Region: id[:6]}, ""
}

// WithCheckDigit completes the first 17 digits of an ID number with its
// check character (GB 11643); demo and test data make valid numbers with it.
func WithCheckDigit(d17 string) string {
	sum := 0
	for i, w := range idWeights {
		sum += int(d17[i]-'0') * w
	}
	return d17 + string(idCheck[sum%11])
}

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// NormalizeCallerPhone accepts what a caller may ring from: a mainland
// mobile, as NormalizePhone returns it, or a fixed line with its area code
// (0755-86013388, +86 755 8601 3388, full-width digits), checked against
// the numbering plan by libphonenumber. A fixed line comes back as its
// national digits with a hyphen after the area code (0755-86013388); ""
// when the number is neither. Where an SMS must reach the number, use
// NormalizePhone.
func NormalizeCallerPhone(p string) string {
	if m := NormalizePhone(p); m != "" {
		return m
	}
	p = strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF10 && r <= 0xFF19: // full-width digits
			return r - 0xFEE0
		case r == '＋':
			return '+'
		case r == '－' || r == '—' || r == '\u3000':
			return ' '
		}
		return r
	}, strings.TrimSpace(p))
	num, err := phonenumbers.Parse(p, "CN")
	if err != nil || !phonenumbers.IsValidNumberForRegion(num, "CN") {
		return ""
	}
	switch phonenumbers.GetNumberType(num) {
	case phonenumbers.FIXED_LINE, phonenumbers.FIXED_LINE_OR_MOBILE:
	default:
		return "" // a mobile NormalizePhone refused, a toll-free or premium number
	}
	area, rest, _ := strings.Cut(phonenumbers.Format(num, phonenumbers.NATIONAL), " ")
	return area + "-" + strings.ReplaceAll(rest, " ", "")
}
