package workdays_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"onestop/services/core"
	"onestop/services/workdays"
)

// cst is a time of day in China, where the bureau works.
func cst(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, core.CST)
}

func day(s string) core.Date {
	d, err := core.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func seeded(t *testing.T) *workdays.Calendar {
	t.Helper()
	c, err := workdays.Seeded()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestDueOn: a limit of n working days ends at the close of the n-th
// working day after the day of filing, in China's time, over weekends,
// the seeded 2026 holidays and their working weekends (調休), and into a
// year nobody has set (Monday to Friday).
func TestDueOn(t *testing.T) {
	c := seeded(t)
	with2027, err := workdays.Fixed(workdays.Year{Year: 2027, Holidays: []workdays.Span{{From: day("2027-01-01"), To: day("2027-01-03"), Name: "元旦"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		cal   *workdays.Calendar
		start time.Time
		n     int
		want  string
	}{
		{"a weekday, one day", c, cst(2026, 3, 2, 10, 0), 1, "2026-03-03"},
		{"filed late in the evening keeps the next day", c, cst(2026, 3, 2, 23, 30), 1, "2026-03-03"},
		{"Sunday night in UTC is Monday in China", c, time.Date(2026, 3, 1, 17, 0, 0, 0, time.UTC), 1, "2026-03-03"},
		{"filed on a Saturday: Monday is the first", c, cst(2026, 3, 7, 9, 0), 1, "2026-03-09"},
		{"filed on a Sunday", c, cst(2026, 3, 8, 9, 0), 1, "2026-03-09"},
		{"a week of weekdays spans a weekend", c, cst(2026, 3, 4, 9, 0), 5, "2026-03-11"},
		{"ten working days", c, cst(2026, 12, 4, 16, 0), 10, "2026-12-18"},
		{"n=0 on a working day is that day", c, cst(2026, 3, 2, 9, 0), 0, "2026-03-02"},
		{"n=0 on a Saturday is Monday", c, cst(2026, 3, 7, 9, 0), 0, "2026-03-09"},
		{"n=0 in a holiday is the day after it", c, cst(2026, 10, 3, 9, 0), 0, "2026-10-08"},
		{"the National Day week is skipped", c, cst(2026, 9, 30, 9, 0), 1, "2026-10-08"},
		{"a working Saturday after it counts", c, cst(2026, 9, 30, 9, 0), 3, "2026-10-10"},
		{"a working Sunday before it counts", c, cst(2026, 9, 18, 9, 0), 1, "2026-09-20"},
		{"Spring Festival: the working Saturday first", c, cst(2026, 2, 13, 9, 0), 1, "2026-02-14"},
		{"Spring Festival: then after the nine days off", c, cst(2026, 2, 13, 9, 0), 2, "2026-02-24"},
		{"filed in the holiday", c, cst(2026, 2, 18, 9, 0), 5, "2026-02-28"},
		{"Labour Day, then its working Saturday", c, cst(2026, 4, 30, 9, 0), 2, "2026-05-07"},
		{"Labour Day, five days", c, cst(2026, 4, 30, 9, 0), 5, "2026-05-11"},
		{"Qingming over a weekend", c, cst(2026, 4, 3, 9, 0), 1, "2026-04-07"},
		{"from an unset year into the set one", c, cst(2025, 12, 31, 9, 0), 1, "2026-01-04"},
		{"into a year nobody set: Monday to Friday", c, cst(2026, 12, 31, 9, 0), 1, "2027-01-01"},
		{"over the year's end, unset", c, cst(2026, 12, 25, 9, 0), 10, "2027-01-08"},
		{"into a year that is set", with2027, cst(2026, 12, 31, 9, 0), 1, "2027-01-04"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.cal.DueOn(tt.start, tt.n)
			want := workdays.EndOf(day(tt.want))
			if !got.Equal(want) {
				t.Errorf("DueOn(%s, %d) = %s, want %s", tt.start.In(core.CST).Format(time.DateTime), tt.n, got.In(core.CST).Format(time.DateTime), tt.want)
			}
		})
	}
}

// TestEndOf: a deadline is the last second of its day in China.
func TestEndOf(t *testing.T) {
	got := workdays.EndOf(day("2026-12-18"))
	if got.In(core.CST).Format(time.DateTime) != "2026-12-18 23:59:59" || got.Location() != time.UTC {
		t.Errorf("EndOf = %s (%s)", got.In(core.CST), got.Location())
	}
	if !core.DateOf(got).Equal(day("2026-12-18")) || !core.DateOf(got.Add(time.Second)).Equal(day("2026-12-19")) {
		t.Error("the deadline is not the close of its day")
	}
}

func TestIsWorkday(t *testing.T) {
	c := seeded(t)
	for s, want := range map[string]bool{
		"2026-03-02": true,  // Monday
		"2026-03-07": false, // Saturday
		"2026-10-01": false, // National Day
		"2026-10-05": false, // a Monday within the holiday
		"2026-10-10": true,  // a Saturday declared a working day
		"2026-01-04": true,  // a Sunday declared a working day
		"2027-01-01": true,  // a Friday of a year nobody set
		"2025-10-01": true,  // a Wednesday of a year nobody set
	} {
		if got := c.IsWorkday(day(s)); got != want {
			t.Errorf("IsWorkday(%s) = %v, want %v", s, got, want)
		}
	}
}

// TestUnset: pages warn of this year unset, and from December of next
// year's.
func TestUnset(t *testing.T) {
	c := seeded(t)
	for _, tt := range []struct {
		now  time.Time
		want []int
	}{
		{cst(2026, 6, 1, 9, 0), nil},
		{cst(2026, 11, 30, 23, 0), nil},
		{cst(2026, 12, 1, 0, 30), []int{2027}},
		{time.Date(2026, 11, 30, 16, 30, 0, 0, time.UTC), []int{2027}}, // already December in China
		{cst(2027, 3, 1, 9, 0), []int{2027}},
		{cst(2027, 12, 1, 9, 0), []int{2027, 2028}},
	} {
		if got := c.Unset(tt.now); !slices.Equal(got, tt.want) {
			t.Errorf("Unset(%s) = %v, want %v", tt.now.In(core.CST), got, tt.want)
		}
	}
}

func TestParseSpans(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		want     []workdays.Span
		bad      string
	}{
		{"empty", " \n\n", []workdays.Span{}, ""},
		{"one day", "2026-10-10 國慶節", []workdays.Span{{From: day("2026-10-10"), To: day("2026-10-10"), Name: "國慶節"}}, ""},
		{"a span and a bare day", "2026-10-01 ~ 2026-10-07 國慶節\r\n\n2026-09-20",
			[]workdays.Span{{From: day("2026-10-01"), To: day("2026-10-07"), Name: "國慶節"}, {From: day("2026-09-20"), To: day("2026-09-20")}}, ""},
		{"至, short months, slashes", "2026/2/15至2026/2/23 春節", []workdays.Span{{From: day("2026-02-15"), To: day("2026-02-23"), Name: "春節"}}, ""},
		{"full-width, as an input method types it", "２０２６－０５－０１　～　２０２６－０５－０５　勞動節",
			[]workdays.Span{{From: day("2026-05-01"), To: day("2026-05-05"), Name: "勞動節"}}, ""},
		{"dots", "2026-06-19..2026-06-21", []workdays.Span{{From: day("2026-06-19"), To: day("2026-06-21")}}, ""},
		{"not a date", "10月1日 國慶節", nil, "10月1日 國慶節"},
		{"an impossible day", "2026-02-30", nil, "2026-02-30"},
		{"a bad line after good ones", "2026-01-01\n2026-01-0x", nil, "2026-01-0x"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, bad := workdays.ParseSpans(tt.in)
			if bad != tt.bad || !slices.EqualFunc(got, tt.want, func(a, b workdays.Span) bool { return a.From.Equal(b.From) && a.To.Equal(b.To) && a.Name == b.Name }) {
				t.Errorf("ParseSpans(%q) = %v, %q; want %v, %q", tt.in, got, bad, tt.want, tt.bad)
			}
			if got != nil {
				again, _ := workdays.ParseSpans(workdays.FormatSpans(got))
				if len(again) != len(got) {
					t.Errorf("FormatSpans does not read back: %q", workdays.FormatSpans(got))
				}
			}
		})
	}
}

// TestSeed: the seeded 2026 is the notice as recalled: 33 days off, six
// working weekend days, and a note that the bureau must check it.
func TestSeed(t *testing.T) {
	c := seeded(t)
	y, err := c.Year(t.Context(), 2026)
	if err != nil {
		t.Fatal(err)
	}
	if n := workdays.Days(y.Holidays); n != 33 {
		t.Errorf("%d days off, want 33", n)
	}
	if n := workdays.Days(y.WorkingDays); n != 6 {
		t.Errorf("%d working weekend days, want 6", n)
	}
	if !y.Set() || !strings.Contains(y.Source, "國務院辦公廳關於2026年部分節假日安排的通知") || !strings.Contains(y.Source, "核對") {
		t.Errorf("source note: %q", y.Source)
	}
}
