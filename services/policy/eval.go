package policy

import (
	"slices"

	"onestop/services/core"
)

// Tri is a three-valued truth: a condition on an unknown fact is Unknown.
type Tri int8

// The truth values.
const (
	No Tri = iota
	Yes
	Unknown
)

// Reason is one leaf condition as it applied to a person: what the rule
// asks, what the person's fact was (nil when unknown), and whether it held.
// The portal turns it into a sentence in the user's language.
type Reason struct {
	Fact   string   `json:"fact"`
	Op     string   `json:"op"`
	Value  any      `json:"value"`
	Until  string   `json:"until,omitempty"` // the date a span was measured to
	Actual any      `json:"actual,omitempty"`
	Met    Tri      `json:"-"`
	Values []string `json:"-"`
	// Missing names the fact to ask for when Met is Unknown.
	Missing string `json:"-"`
	// Either numbers the either/or rule (a failed `any`, or one undecided
	// between two or more of its alternatives) the reason is part of, and
	// Branch its alternative: the alternatives are reported together, so
	// "men under 40 or women under 35" is not read as a bar on men. Zero
	// outside such an either/or.
	Either int `json:"either,omitempty"`
	Branch int `json:"branch,omitempty"`
	// Voluntary marks a failed part the rule waives on the person's own
	// application (Cond.Voluntary): shown as failed, with the note that
	// the person may still apply.
	Voluntary bool `json:"voluntary,omitempty"`
}

// evaluation is one evaluation's state: the person, the day, and the
// either/or rules numbered so far.
type evaluation struct {
	f       *Facts
	asOf    core.Date
	eithers int
	// waived: the rule held only because a voluntary part that failed was
	// waived (the person may apply of their own accord).
	waived bool
}

// eval applies the condition; the reasons are those that decided the
// outcome: every leaf of a satisfied all, the satisfied branch of an any,
// the failing leaves of a failed all, every leaf of every branch of a
// failed any (numbered as an either/or), the first undecided part of an
// undecided all and every undecided branch of an undecided any (numbered
// as an either/or when there are two or more). A failed
// voluntary part of an all does not fail it: the all holds, waived, with
// that part's reasons marked Voluntary after its met ones.
func (c *Cond) eval(e *evaluation) (Tri, []Reason) {
	switch {
	case c.Not != nil:
		t, rs := c.Not.eval(e)
		for i := range rs {
			rs[i].Op = "not_" + rs[i].Op
			rs[i].Met = flip(rs[i].Met)
		}
		return flip(t), rs
	case c.Any != nil:
		var unknown [][]Reason
		var branch []int
		for i, s := range c.Any {
			t, rs := s.eval(e)
			switch t {
			case Yes:
				return Yes, rs
			case Unknown:
				unknown = append(unknown, rs)
				branch = append(branch, i+1)
			}
		}
		switch len(unknown) {
		case 0:
		case 1:
			return Unknown, unknown[0]
		default:
			// Undecided between alternatives: said as one either/or too
			// ("under 0.1 mu, or relocated by law: please give …").
			e.eithers++
			var out []Reason
			for k, rs := range unknown {
				for j := range rs {
					rs[j].Either, rs[j].Branch = e.eithers, branch[k]
				}
				out = append(out, rs...)
			}
			return Unknown, out
		}
		e.eithers++
		var failed []Reason
		for i, s := range c.Any {
			for _, r := range s.leaves(e) {
				r.Either, r.Branch = e.eithers, i+1
				failed = append(failed, r)
			}
		}
		return No, failed
	case c.Fact != "":
		r := c.leaf(e.f, e.asOf)
		return r.Met, []Reason{r}
	}
	// all (or the empty condition, which always holds). Of the undecided
	// parts only the first is reported: the catalogue puts the gate question
	// first ("are you a placement agency?"), so a person is asked what
	// matters next, not everything a rule could ever need.
	var met, unknown, failed, waived []Reason
	for _, s := range c.All {
		t, rs := s.eval(e)
		switch {
		case t == Yes:
			met = append(met, rs...)
		case t == Unknown:
			if unknown == nil {
				unknown = rs
			}
		case s.Voluntary:
			for i := range rs {
				rs[i].Voluntary = true
			}
			waived = append(waived, rs...)
		default:
			failed = append(failed, rs...)
		}
	}
	switch {
	case failed != nil:
		return No, failed
	case unknown != nil:
		return Unknown, unknown
	}
	e.waived = e.waived || waived != nil
	return Yes, append(met, waived...)
}

// leaves are every leaf of the condition as it applied, met or not.
func (c *Cond) leaves(e *evaluation) []Reason {
	switch {
	case c.Fact != "":
		return []Reason{c.leaf(e.f, e.asOf)}
	case c.Not != nil:
		rs := c.Not.leaves(e)
		for i := range rs {
			rs[i].Op = "not_" + rs[i].Op
			rs[i].Met = flip(rs[i].Met)
		}
		return rs
	}
	var out []Reason
	for _, s := range append(slices.Clip(c.All), c.Any...) {
		out = append(out, s.leaves(e)...)
	}
	return out
}

func flip(t Tri) Tri {
	switch t {
	case Yes:
		return No
	case No:
		return Yes
	}
	return Unknown
}

func (c *Cond) leaf(f *Facts, asOf core.Date) Reason {
	def := c.def
	r := Reason{Fact: c.Fact, Op: c.Op, Met: Unknown, Values: c.strs}
	switch def.kind {
	case kBool:
		r.Value = c.bl
	case kNumber, kDate:
		r.Value = c.num
	default:
		if c.strs != nil && (c.Op == "in" || c.Op == "not_in" || c.Op == "contains_any") {
			r.Value = c.strs
		} else {
			r.Value = c.str
		}
	}
	v, known := def.get(f, asOf)
	if !known {
		r.Missing = c.Fact
		if c.Fact == "age" {
			r.Missing = "birth_date"
		}
		return r
	}
	r.Actual = v
	holds := false
	switch def.kind {
	case kBool:
		holds = v.(bool) == c.bl
	case kNumber:
		n := v.(float64)
		switch c.Op {
		case "eq":
			holds = n == c.num
		case "lt":
			holds = n < c.num
		case "lte":
			holds = n <= c.num
		case "gt":
			holds = n > c.num
		case "gte":
			holds = n >= c.num
		}
	case kEnum:
		s := v.(string)
		switch c.Op {
		case "eq", "in":
			holds = slices.Contains(c.strs, s)
		case "ne", "not_in":
			holds = !slices.Contains(c.strs, s)
		}
	case kSet:
		have := v.([]string)
		any := false
		for _, s := range c.strs {
			if slices.Contains(have, s) {
				any = true
			}
		}
		holds = any
		if c.Op == "lacks" {
			holds = !any
		}
	case kDate:
		from := v.(core.Date)
		until, name, skipped, ok := c.until(f, asOf)
		if !ok {
			r.Missing = c.Until[0] // the span cannot be measured yet
			return r
		}
		r.Until = name
		// The window runs from the fact's day for whole years: it closes on
		// the anniversary ("within 2 years" of 2024-06-30 ends 2026-06-29).
		within := !until.Before(from) && until.Before(from.AddYears(int(c.num)))
		holds = within
		if c.Op == "beyond_years" {
			holds = !until.Before(from.AddYears(int(c.num)))
		}
		// Measured to a later date because an earlier one is not known
		// (graduation "within 2 years" of a registration date not given,
		// measured to today): only a span still open today also holds on
		// that earlier day; anything else waits for the date.
		if skipped != "" && (!holds || c.Op != "within_years") {
			r.Until, r.Missing = skipped, skipped
			return r
		}
	}
	if holds {
		r.Met = Yes
	} else {
		r.Met = No
	}
	return r
}

// until is the first known date among the leaf's `until` facts (as_of by
// default), and the first fact passed over that could exist for the person
// but is not known.
func (c *Cond) until(f *Facts, asOf core.Date) (d core.Date, name, skipped string, ok bool) {
	names := c.Until
	if len(names) == 0 {
		names = []string{"as_of"}
	}
	for _, n := range names {
		if v, ok := facts[n].get(f, asOf); ok {
			return v.(core.Date), n, skipped, true
		}
		if has, ok := applies[n]; skipped == "" && (!ok || has(f)) {
			skipped = n
		}
	}
	return core.Date{}, "", skipped, false
}
