package orgs

import (
	"regexp"
	"slices"
	"strings"

	"onestop/services/core"
	"onestop/services/pii"
	"onestop/services/reference"
)

// Input is an organisation's details as its manager gives them.
type Input struct {
	Name string `json:"name"`
	// CreditCode is the unified social credit code (統一社會信用代碼).
	CreditCode string `json:"credit_code"`
	Kind       Kind   `json:"kind"`
	// District is a code (or label) of the bureau's list of districts.
	District     string `json:"district"`
	Address      string `json:"address"`
	ContactName  string `json:"contact_name"`
	ContactPhone string `json:"contact_phone"`
}

// landline is a fixed line with its area code (0755-86013388), and an
// extension after a hyphen at most.
var landline = regexp.MustCompile(`^0[0-9]{2,3}-?[0-9]{7,8}(-[0-9]{1,6})?$`)

// normalizePhone accepts a mobile number (as accounts does) or a landline
// with its area code, spaces dropped; "" when it is neither.
func normalizePhone(s string) string {
	if m := pii.NormalizePhone(s); m != "" {
		return m
	}
	s = strings.Map(func(r rune) rune {
		if r >= 0xFF10 && r <= 0xFF19 { // full-width digits
			return r - 0xFEE0
		}
		if r == ' ' || r == '\u3000' {
			return -1
		}
		if r == '－' || r == '—' {
			return '-'
		}
		return r
	}, strings.TrimSpace(s))
	if landline.MatchString(s) {
		return s
	}
	return ""
}

// validate checks and normalises the details; districts names the rule of
// the district (a new organisation takes an active one; an edit keeps the
// one it has).
func (in *Input) validate(districts reference.Rule) error {
	var v core.Validation
	in.Name = v.Line("name", in.Name, 2, 100)
	code, problem := CheckCode(in.CreditCode)
	in.CreditCode = code
	if problem != "" {
		v.Add("credit_code", problem)
	}
	v.Check(slices.Contains(Kinds, in.Kind), "kind", "error.enum")
	if strings.TrimSpace(in.District) == "" {
		v.Add("district", "error.required")
	}
	districts.Check(&v, "district", &in.District)
	in.Address = v.Line("address", in.Address, 2, 120)
	in.ContactName = v.Line("contact_name", in.ContactName, 1, 50)
	if phone := normalizePhone(in.ContactPhone); phone != "" {
		in.ContactPhone = phone
	} else if strings.TrimSpace(in.ContactPhone) == "" {
		v.Add("contact_phone", "error.required")
	} else {
		v.Add("contact_phone", "error.org.contact_phone")
	}
	return v.Err()
}
