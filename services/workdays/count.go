package workdays

import (
	"time"

	"onestop/services/core"
)

// DueOn is the deadline of a time limit of n working days that starts at
// start: the close (23:59:59 China time) of the n-th working day after the
// day of start. Counting begins the day after, so something filed on a
// Saturday, a Sunday or a holiday has its first working day on the next
// working day, and something filed late on a working day does not lose that
// day's remaining hours to a clock. A limit of 0 is the close of the day of
// start, or of the next working day when that day is not one.
func (c *Calendar) DueOn(start time.Time, n int) time.Time {
	return EndOf(c.NthWorkday(core.DateOf(start), n))
}

// NthWorkday is the n-th working day after d (n ≤ 0: d itself when it is a
// working day, else the next one).
func (c *Calendar) NthWorkday(d core.Date, n int) core.Date {
	s := c.current()
	if n <= 0 {
		for !s.working(d) {
			d = d.AddDays(1)
		}
		return d
	}
	// Years outside the snapshot count Monday to Friday, so this ends.
	for k := 0; k < n; {
		d = d.AddDays(1)
		if s.working(d) {
			k++
		}
	}
	return d
}

// IsWorkday reports whether d is a working day.
func (c *Calendar) IsWorkday(d core.Date) bool { return c.current().working(d) }

// EndOf is the last second of day d in China Standard Time: a deadline is
// a date, and any time that day is on time.
func EndOf(d core.Date) time.Time {
	return d.Time().Add(24*time.Hour - time.Second).UTC()
}

// Unset returns the years whose holidays nobody has set but that time
// limits counted now may reach: this year, and from December on next year.
// Those count Monday to Friday, which is wrong in a year of holidays, so
// pages warn until an administrator sets them.
func (c *Calendar) Unset(now time.Time) []int {
	s := c.current()
	t := now.In(core.CST)
	want := []int{t.Year()}
	if t.Month() == time.December {
		want = append(want, t.Year()+1)
	}
	var out []int
	for _, y := range want {
		if s.years[y] == nil {
			out = append(out, y)
		}
	}
	return out
}
