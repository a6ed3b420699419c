package web

import (
	"testing"
	"time"
)

func TestSensitiveQuery(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for q, want := range map[string]bool{
		"11010519880512123X":  true,  // an ID number
		"11010519880512123x":  true,  // typed in lower case
		"110105198805121234":  true,  // a wrong check digit: still a number
		"110105880512123":     true,  // a legacy 15-digit one
		"13800138000":         true,  // a mobile
		"+86 138-0013-8000":   true,  // spelled out
		"0755 8888 1234":      true,  // a landline
		"王小明":                 false, // a name
		"陳":                   false,
		"2026":                false, // a year in a text search
		"A 12345":             false,
		"":                    false,
		"room 12, building 3": false,
	} {
		if got := SensitiveQuery(q, now); got != want {
			t.Errorf("SensitiveQuery(%q) = %v, want %v", q, got, want)
		}
	}
}
