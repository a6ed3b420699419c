package core

import (
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Date is a calendar day (YYYY-MM-DD) with no time zone: birth dates,
// graduation and registration dates. It is stored and sent as text.
type Date struct{ t time.Time }

// ParseDate reads YYYY-MM-DD; impossible days (2026-02-30) are errors, and
// so is 0001-01-01, which would read back as the unset date.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || t.IsZero() {
		return Date{}, fmt.Errorf("not a date: %q", s)
	}
	return Date{t}, nil
}

// DateOf returns the day of t in China Standard Time.
func DateOf(t time.Time) Date {
	y, m, d := t.In(CST).Date()
	return NewDate(y, m, d)
}

// NewDate builds a date.
func NewDate(y int, m time.Month, d int) Date { return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)} }

// CST is China Standard Time, in which the bureau works and its dates fall.
var CST = time.FixedZone("CST", 8*3600)

// IsZero reports whether the date is unset.
func (d Date) IsZero() bool { return d.t.IsZero() }

// String formats YYYY-MM-DD.
func (d Date) String() string {
	if d.t.IsZero() {
		return ""
	}
	return d.t.Format(time.DateOnly)
}

// Before, After and Equal compare days.
func (d Date) Before(o Date) bool { return d.t.Before(o.t) }
func (d Date) After(o Date) bool  { return d.t.After(o.t) }
func (d Date) Equal(o Date) bool  { return d.t.Equal(o.t) }

// AddYears moves by whole years; 29 February becomes 1 March in common years.
func (d Date) AddYears(n int) Date { return Date{d.t.AddDate(n, 0, 0)} }

// AddDays moves by days.
func (d Date) AddDays(n int) Date { return Date{d.t.AddDate(0, 0, n)} }

// AddMonths moves by calendar months; a day past the month's end rolls
// into the next month, as time.AddDate does (31 January + 1 month is
// 3 March in common years).
func (d Date) AddMonths(n int) Date { return Date{d.t.AddDate(0, n, 0)} }

// AddMonthsClamped moves by calendar months, keeping to the target month:
// 31 January + 1 month is 28 (or 29) February — the due day of a monthly
// instalment.
func (d Date) AddMonthsClamped(n int) Date {
	y, m, day := d.t.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return NewDate(first.Year(), first.Month(), min(day, last))
}

// Day numbers the days since 1970-01-01 (0 for the zero date), so a date can
// be a number in a search index: due today is a range of one day number.
func (d Date) Day() int {
	if d.t.IsZero() {
		return 0
	}
	return int(d.t.Unix() / 86400)
}

// DateOfDay is the inverse of Day.
func DateOfDay(n int) Date {
	if n == 0 {
		return Date{}
	}
	return Date{time.Unix(int64(n)*86400, 0).UTC()}
}

// Time is the start of the day in China Standard Time.
func (d Date) Time() time.Time {
	y, m, dd := d.t.Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, CST)
}

// YearsUntil counts whole years from d to o (an age, when d is a birth date).
func (d Date) YearsUntil(o Date) int {
	y := o.t.Year() - d.t.Year()
	if o.t.Month() < d.t.Month() || (o.t.Month() == d.t.Month() && o.t.Day() < d.t.Day()) {
		y-- // the anniversary has not come yet this year
	}
	return y
}

// MarshalJSON writes "YYYY-MM-DD".
func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads "YYYY-MM-DD"; "" is the zero date.
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	p, err := ParseDate(s)
	if err != nil {
		// A type error lets the JSON decoder name the field.
		return &json.UnmarshalTypeError{Value: "date " + s, Type: reflect.TypeFor[Date]()}
	}
	*d = p
	return nil
}

// MarshalBSONValue stores the date as text.
func (d Date) MarshalBSONValue() (byte, []byte, error) {
	t, b, err := bson.MarshalValue(d.String())
	return byte(t), b, err
}

// UnmarshalBSONValue reads the stored text.
func (d *Date) UnmarshalBSONValue(t byte, b []byte) error {
	var s string
	if err := bson.UnmarshalValue(bson.Type(t), b, &s); err != nil {
		return err
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	p, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}
