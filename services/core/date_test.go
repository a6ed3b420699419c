package core

import "testing"

func TestDateArithmetic(t *testing.T) {
	tests := []struct {
		from   Date
		months int
		want   string
	}{
		{NewDate(2026, 11, 25), 1, "2026-12-25"},
		{NewDate(2026, 11, 25), 3, "2027-02-25"},
		{NewDate(2026, 1, 31), 1, "2026-03-03"}, // rolls over, as time.AddDate
		{NewDate(2024, 2, 29), 12, "2025-03-01"},
	}
	for _, tt := range tests {
		if got := tt.from.AddMonths(tt.months).String(); got != tt.want {
			t.Errorf("%v + %d months = %s, want %s", tt.from, tt.months, got, tt.want)
		}
	}
	for _, tt := range []struct {
		from   Date
		months int
		want   string
	}{{NewDate(2026, 1, 31), 1, "2026-02-28"}, {NewDate(2028, 1, 31), 1, "2028-02-29"}, {NewDate(2026, 1, 31), 3, "2026-04-30"}, {NewDate(2026, 11, 30), 3, "2027-02-28"}} {
		if got := tt.from.AddMonthsClamped(tt.months).String(); got != tt.want {
			t.Errorf("%v + %d months clamped = %s, want %s", tt.from, tt.months, got, tt.want)
		}
	}
	for _, d := range []Date{NewDate(1970, 1, 2), NewDate(2026, 11, 25), NewDate(2099, 12, 31)} {
		if back := DateOfDay(d.Day()); !back.Equal(d) {
			t.Errorf("%v → day %d → %v", d, d.Day(), back)
		}
	}
	if (Date{}).Day() != 0 || !DateOfDay(0).IsZero() {
		t.Error("the zero date is day 0")
	}
	if NewDate(2026, 11, 25).Day()-NewDate(2026, 11, 24).Day() != 1 {
		t.Error("consecutive days differ by one")
	}
}
