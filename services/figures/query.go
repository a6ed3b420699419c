package figures

import (
	"slices"
	"strings"
	"time"

	"onestop/services/core"
)

// Query is what a view of the figures shows: a span of months and one
// filter (a dimension and its value; "all" is the whole city).
type Query struct {
	From, To   string
	Dim, Value string
}

// Dimensions are the dimensions a view filters on, in the form's order.
// Those of the Lists take a listed value; the others (bank, provider,
// base, mentor) take a record's id.
var Dimensions = []string{"all", "district", "industry", "group", "topic", "service_type", "call_topic", "call_type", "complaint_kind", "case_outcome", "bank", "provider", "base", "mentor"}

// Lists are the values of the dimensions that take a listed value (the
// others — bank, provider, base, mentor — take a record's id).
type Lists interface {
	// Values are the values dim takes, in order; nil when it is not listed.
	Values(dim string) []string
	// Resolve returns the value of dim that v names: the value itself, or,
	// for the bureau's reference data, a label in either script.
	Resolve(dim, v string) (string, bool)
}

// Enums are fixed lists of values by dimension (district → its codes).
type Enums map[string][]string

// Values are the values of dim.
func (e Enums) Values(dim string) []string { return e[dim] }

// Resolve accepts a value of dim's list as it is.
func (e Enums) Resolve(dim, v string) (string, bool) { return v, slices.Contains(e[dim], v) }

// MaxSpanMonths bounds a view: ten years of months, each read by _id.
const MaxSpanMonths = 120

// ParseQuery checks a view's query: months as YYYY-MM, from before to, at
// most ten years, a known dimension and a value it can take. The web form
// sends the filter as one "dim:value"; the API as dim and value. get reads
// a parameter with its default (Fiber's c.Query).
func ParseQuery(get func(key string, def ...string) string, now core.Date, lists Lists) (Query, error) {
	q := Query{From: get("from", now.AddMonths(-11).String()[:7]), To: get("to", now.String()[:7]), Dim: get("dim", "all"), Value: get("value", "")}
	if f := get("filter", ""); f != "" {
		q.Dim, q.Value, _ = strings.Cut(f, ":")
	}
	fields := map[string]string{}
	from, err1 := time.Parse("2006-01", q.From)
	to, err2 := time.Parse("2006-01", q.To)
	switch {
	case err1 != nil:
		fields["from"] = "error.figures.month"
	case err2 != nil:
		fields["to"] = "error.figures.month"
	case to.Before(from):
		fields["to"] = "error.figures.reversed"
	case (to.Year()-from.Year())*12+int(to.Month()-from.Month()) > MaxSpanMonths:
		fields["to"] = "error.figures.span"
	}
	switch {
	case q.Dim == "all":
		q.Value = "all"
	case !slices.Contains(Dimensions, q.Dim):
		fields["dim"] = "error.enum"
	case lists.Values(q.Dim) != nil:
		if code, ok := lists.Resolve(q.Dim, q.Value); ok {
			q.Value = code
		} else {
			fields["value"] = "error.enum"
		}
	case !core.ValidID(q.Value):
		fields["value"] = "error.enum"
	}
	if len(fields) > 0 {
		return q, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: fields}
	}
	return q, nil
}

// reached is the span of the ventures whose m-month mark falls in the
// query's span (those started m months before it), cut at the ventures
// that have reached it by day; false when none has.
func (q Query) reached(m int, day core.Date) (Query, bool) {
	back := func(month string) string {
		t, err := time.Parse("2006-01", month)
		if err != nil {
			return month // (ParseQuery checked it)
		}
		return t.AddDate(0, -m, 0).Format("2006-01")
	}
	q.From, q.To = back(q.From), back(q.To)
	return q.until(day.AddMonths(-m))
}

// until is the query's span cut at the month of day; false when nothing
// of the span is that old.
func (q Query) until(day core.Date) (Query, bool) {
	last := day.String()[:7]
	if last < q.From {
		return q, false
	}
	if last < q.To {
		q.To = last
	}
	return q, true
}
