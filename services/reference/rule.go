package reference

import (
	"slices"
	"strings"

	"onestop/services/core"
)

// Rule says which entries a field accepts, and turns what was given (a
// code, or a label in any language or script) into the code stored.
//
// The policy on retired entries: a retired code is no longer offered and
// a new value may not take it (Current), but records that hold it keep it —
// an edit that leaves the field as it was passes (Keeping), it is still
// labelled, and filters and checks of stored data accept it (Known).
type Rule struct {
	lists *Lists
	kinds []Kind
	any   bool     // retired entries too
	kept  []string // codes accepted although retired
}

// Current accepts the active entries of kinds (tried in order): what new
// data may take.
func (l *Lists) Current(kinds ...Kind) Rule { return Rule{lists: l, kinds: kinds} }

// Known accepts every entry of kinds ever listed, retired or not:
// filters, and checks of what records already hold.
func (l *Lists) Known(kinds ...Kind) Rule { return Rule{lists: l, kinds: kinds, any: true} }

// Keeping also accepts the codes given although retired: the values the
// record being edited holds now.
func (r Rule) Keeping(codes ...string) Rule {
	r.kept = append(slices.Clip(r.kept), codes...)
	return r
}

// Resolve returns the code in names and whether the rule accepts it.
func (r Rule) Resolve(in string) (string, bool) {
	if r.lists == nil || strings.TrimSpace(in) == "" {
		return "", false
	}
	s := r.lists.current()
	for _, k := range r.kinds {
		ix := s.lists[k]
		if ix == nil {
			continue
		}
		code, ok := ix.keys[key(in)]
		if !ok {
			continue
		}
		e, _ := ix.entry(code)
		return code, r.any || !e.Retired || slices.Contains(r.kept, code)
	}
	return "", false
}

// Check resolves *value in place and records error.enum for field when
// the rule does not accept it. An empty value passes (the caller decides
// whether the field is required); one the rule refuses is left as given.
func (r Rule) Check(v *core.Validation, field string, value *string) {
	if strings.TrimSpace(*value) == "" {
		*value = ""
		return
	}
	code, ok := r.Resolve(*value)
	if !ok {
		v.Add(field, "error.enum")
		return
	}
	*value = code
}

// CheckAll resolves a list of values as Check does and returns their
// codes without repeats (never nil, so it stores as an empty array).
func (r Rule) CheckAll(v *core.Validation, field string, values []string) []string {
	out := []string{}
	for _, in := range values {
		code, ok := r.Resolve(in)
		if !ok {
			v.Add(field, "error.enum")
			code = in
		}
		if !slices.Contains(out, code) {
			out = append(out, code)
		}
	}
	return out
}
