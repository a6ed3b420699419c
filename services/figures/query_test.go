package figures

import (
	"errors"
	"slices"
	"testing"
	"time"

	"onestop/services/core"
)

var testEnums = Enums{"district": {"dongcheng", "xicheng"}, "topic": {"finance"}}

func getter(in map[string]string) func(string, ...string) string {
	return func(k string, def ...string) string {
		if v := in[k]; v != "" {
			return v
		}
		if len(def) > 0 {
			return def[0]
		}
		return ""
	}
}

// TestParseQuery: the span is counted in months (it was bounded by 120 ×
// 31 days, so 2016-01 to 2026-02, 121 months, passed the ten-year limit),
// and a filter names a known dimension and a value it takes.
func TestParseQuery(t *testing.T) {
	now := core.NewDate(2026, 12, 5)
	for _, tt := range []struct {
		name  string
		in    map[string]string
		want  Query
		field string // the field refused; "" when accepted
	}{
		{"defaults: the last twelve months, the city", nil, Query{"2026-01", "2026-12", "all", "all"}, ""},
		{"ten years", map[string]string{"from": "2016-01", "to": "2026-01"}, Query{"2016-01", "2026-01", "all", "all"}, ""},
		{"ten years and a month", map[string]string{"from": "2016-01", "to": "2026-02"}, Query{}, "to"},
		{"ten years to december", map[string]string{"from": "2016-12", "to": "2026-12"}, Query{"2016-12", "2026-12", "all", "all"}, ""},
		{"ten years and a month to december", map[string]string{"from": "2016-11", "to": "2026-12"}, Query{}, "to"},
		{"reversed", map[string]string{"from": "2026-05", "to": "2026-04"}, Query{}, "to"},
		{"not a month", map[string]string{"from": "2026-13"}, Query{}, "from"},
		{"filter as one value", map[string]string{"filter": "district:xicheng"}, Query{"2026-01", "2026-12", "district", "xicheng"}, ""},
		{"dim and value", map[string]string{"dim": "topic", "value": "finance"}, Query{"2026-01", "2026-12", "topic", "finance"}, ""},
		{"all takes no value", map[string]string{"dim": "all", "value": "x"}, Query{"2026-01", "2026-12", "all", "all"}, ""},
		{"unknown dimension", map[string]string{"dim": "$ne"}, Query{}, "dim"},
		{"value not of the list", map[string]string{"filter": "district:../x"}, Query{}, "value"},
		{"record dimension takes an id", map[string]string{"filter": "bank:0123456789abcdefghjkmnpqrs"}, Query{}, ""},
		{"record dimension refuses other text", map[string]string{"dim": "mentor", "value": `") OR true OR ("`}, Query{}, "value"},
	} {
		q, err := ParseQuery(getter(tt.in), now, testEnums)
		var ce *core.Error
		switch {
		case tt.field == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.field != "" && (!errors.As(err, &ce) || ce.Fields[tt.field] == ""):
			t.Errorf("%s: want %s refused, got %v", tt.name, tt.field, err)
		case tt.field == "" && tt.want != (Query{}) && q != tt.want:
			t.Errorf("%s: %+v, want %+v", tt.name, q, tt.want)
		}
	}
}

// FuzzParseQuery: an accepted view has months that print back as given,
// from no later than to, at most MaxSpanMonths months, a known dimension
// and a value that dimension can take.
func FuzzParseQuery(f *testing.F) {
	f.Add("2026-01", "2026-12", "district", "dongcheng", "")
	f.Add("2016-01", "2026-01", "all", "", "")
	f.Add("2016-01", "2026-02", "all", "", "")
	f.Add("2026-1", "2026-13", "$ne", "x", "district:../x")
	f.Add("", "", "", "", "bank:0123456789abcdefghjkmnpqrs")
	f.Add("0000-01", "9999-12", "mentor", `") OR true OR ("`, "")
	now := core.NewDate(2026, 12, 5)
	f.Fuzz(func(t *testing.T, from, to, dim, value, filter string) {
		in := map[string]string{"from": from, "to": to, "dim": dim, "value": value, "filter": filter}
		q, err := ParseQuery(getter(in), now, testEnums)
		if err != nil {
			var ce *core.Error
			if !errors.As(err, &ce) || ce.Code != core.Invalid || len(ce.Fields) == 0 {
				t.Fatalf("ParseQuery: %v", err)
			}
			return
		}
		a, err1 := time.Parse("2006-01", q.From)
		b, err2 := time.Parse("2006-01", q.To)
		if err1 != nil || err2 != nil || a.Format("2006-01") != q.From || b.Format("2006-01") != q.To || b.Before(a) {
			t.Fatalf("accepted span %q–%q", q.From, q.To)
		}
		if months := (b.Year()-a.Year())*12 + int(b.Month()-a.Month()); months > MaxSpanMonths {
			t.Fatalf("accepted %d months (%s–%s)", months, q.From, q.To)
		}
		switch {
		case q.Dim == "all":
			if q.Value != "all" {
				t.Fatalf("all with value %q", q.Value)
			}
		case !slices.Contains(Dimensions, q.Dim):
			t.Fatalf("accepted dimension %q", q.Dim)
		case testEnums[q.Dim] != nil:
			if !slices.Contains(testEnums[q.Dim], q.Value) {
				t.Fatalf("accepted %s=%q", q.Dim, q.Value)
			}
		case !core.ValidID(q.Value):
			t.Fatalf("accepted %s=%q", q.Dim, q.Value)
		}
	})
}

// TestUntil: a span cut at a day's month, or nothing when the span is
// younger.
func TestUntil(t *testing.T) {
	q := Query{"2025-06", "2026-06", "all", "all"}
	for _, tt := range []struct {
		day  core.Date
		to   string
		some bool
	}{{core.NewDate(2026, 12, 1), "2026-06", true}, {core.NewDate(2025, 12, 31), "2025-12", true}, {core.NewDate(2025, 6, 1), "2025-06", true}, {core.NewDate(2025, 5, 31), "", false}} {
		got, ok := q.until(tt.day)
		if ok != tt.some || (ok && got.To != tt.to) {
			t.Errorf("until %s: %v %v, want %s %v", tt.day, got, ok, tt.to, tt.some)
		}
	}
}

// TestReached: the ventures whose m-month check-in fell in a span are
// those started m months before it, cut at those that have reached it by
// today, so a year's view reads that year's initial success rate.
func TestReached(t *testing.T) {
	today := core.NewDate(2026, 12, 7)
	for _, tt := range []struct {
		name     string
		q        Query
		m        int
		from, to string
		some     bool
	}{
		{"the last twelve months, at 12", Query{"2026-01", "2026-12", "all", "all"}, 12, "2025-01", "2025-12", true},
		{"the last twelve months, at 36", Query{"2026-01", "2026-12", "all", "all"}, 36, "2023-01", "2023-12", true},
		{"a past year", Query{"2024-03", "2024-08", "all", "all"}, 24, "2022-03", "2022-08", true},
		{"a span ending in the future is cut at today", Query{"2026-06", "2027-06", "all", "all"}, 12, "2025-06", "2025-12", true},
		{"nothing has reached it yet", Query{"2027-01", "2027-06", "all", "all"}, 12, "", "", false},
	} {
		got, ok := tt.q.reached(tt.m, today)
		if ok != tt.some || (ok && (got.From != tt.from || got.To != tt.to)) {
			t.Errorf("%s: %v %v, want %s..%s %v", tt.name, got, ok, tt.from, tt.to, tt.some)
		}
		if ok && (got.Dim != tt.q.Dim || got.Value != tt.q.Value) {
			t.Errorf("%s: the filter changed: %v", tt.name, got)
		}
	}
}
