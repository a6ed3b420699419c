package pii_test

import (
	"testing"

	"onestop/services/pii"
)

// TestNormalizeCallerPhone: hotline callers ring from mobiles and from
// fixed lines; the plan of numbers decides, not a pattern.
func TestNormalizeCallerPhone(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"13800138000", "13800138000"},
		{"+86 138 0013 8000", "13800138000"},
		{"0755-86013388", "0755-86013388"},
		{"0755 8601 3388", "0755-86013388"},
		{"+86 755 8601 3388", "0755-86013388"},
		{"010-65122345", "010-65122345"},
		{"０２１－６２３４５６７８", "021-62345678"},
		{"86013388", ""},     // no area code
		{"0755-12", ""},      // too short for the plan
		{"400-810-8888", ""}, // a service number, not a caller's line
		{"12345678901", ""},
		{"", ""},
		{"not a number", ""},
	} {
		if got := pii.NormalizeCallerPhone(tt.in); got != tt.want {
			t.Errorf("NormalizeCallerPhone(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
