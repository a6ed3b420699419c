package policy

import (
	"encoding/json"
	"fmt"
	"onestop/services/core"
	"onestop/services/policy"
	"onestop/services/reference"
	"slices"
	"strconv"
	"strings"
)

// describe turns one reason of the eligibility engine into a sentence in
// the user's language: the condition, then whether the person met it and,
// when not, what their fact was.
func (a *Handlers) describeReason(lang string, r policy.Reason) string {
	cond := a.conditionText(lang, r)
	switch r.Met {
	case policy.Yes:
		return a.I18n.T(lang, "reason.met", cond)
	case policy.No:
		// A fact may say what failing it means in its own words (three
		// refused recommendations are giving up placement, not a number
		// too large).
		if key := "reason." + r.Fact + ".failed"; a.I18n.Has(lang, key) {
			return a.I18n.T(lang, key, a.valueText(lang, r.Fact, r.Actual))
		}
		return a.I18n.T(lang, "reason.failed", cond, a.valueText(lang, r.Fact, r.Actual))
	}
	return a.I18n.T(lang, "reason.unknown", cond, a.I18n.T(lang, "fact."+r.Missing))
}

// ReasonLine is one line of a result's "why": a reason, an either/or said
// whole in one line, or a note (Note) on what the reasons above mean.
type ReasonLine struct {
	Text string
	Note bool
}

// reasonLines explains the engine's reasons in order: an either/or in one
// line naming its alternatives (a 41-year-old man reads "men under 40 or
// women under 35", not "✗ gender is male"), and after parts a rule waives
// on application, the note that the person may still apply.
func (a *Handlers) reasonLines(lang string, rs []policy.Reason) []ReasonLine {
	var out []ReasonLine
	voluntary := false
	for i := 0; i < len(rs); {
		voluntary = voluntary || rs[i].Voluntary
		either := rs[i].Either
		if either == 0 {
			out = append(out, ReasonLine{Text: a.describeReason(lang, rs[i])})
			i++
			continue
		}
		j := i
		for j < len(rs) && rs[j].Either == either {
			j++
		}
		out = append(out, ReasonLine{Text: a.describeEither(lang, rs[i:j])})
		i = j
	}
	if voluntary {
		out = append(out, ReasonLine{Text: a.I18n.T(lang, "reason.voluntary"), Note: true})
	}
	return out
}

// describeEither states an either/or in one line: its alternatives, each
// whole, joined by "or", then the person's facts they were measured on
// (each once) or, while it is undecided, the facts to give.
func (a *Handlers) describeEither(lang string, rs []policy.Reason) string {
	// Every branch of a failed either/or failed somewhere; an undecided one
	// holds only what is still to be given.
	failed := slices.ContainsFunc(rs, func(r policy.Reason) bool { return r.Met == policy.No })
	var alts, branch, yours, missing []string
	for i, r := range rs {
		branch = append(branch, a.conditionText(lang, r))
		if i == len(rs)-1 || rs[i+1].Branch != r.Branch {
			alts = append(alts, strings.Join(branch, a.I18n.T(lang, "cond.and")))
			branch = nil
		}
		if m := r.Missing; m != "" && !failed {
			if l := a.I18n.T(lang, "fact."+m); !slices.Contains(missing, l) {
				missing = append(missing, l)
			}
			continue
		}
		y := a.I18n.T(lang, "reason.fact_value", a.I18n.T(lang, "fact."+r.Fact), a.valueText(lang, r.Fact, r.Actual))
		if b, ok := r.Actual.(bool); ok && a.I18n.Has(lang, "fact."+r.Fact+"."+strconv.FormatBool(b)) {
			y = a.valueText(lang, r.Fact, b) // a statement of its own: "not rehoused by law"
		}
		if !slices.Contains(yours, y) {
			yours = append(yours, y)
		}
	}
	cond := strings.Join(alts, a.I18n.T(lang, "cond.or"))
	if !failed {
		return a.I18n.T(lang, "reason.unknown", cond, strings.Join(missing, a.I18n.T(lang, "list.sep")))
	}
	return a.I18n.T(lang, "reason.failed", cond, strings.Join(yours, a.I18n.T(lang, "list.sep")))
}

// conditionText states what a leaf condition asks.
func (a *Handlers) conditionText(lang string, r policy.Reason) string {
	op := r.Op
	negated := strings.HasPrefix(op, "not_") && op != "not_in"
	if negated {
		op = strings.TrimPrefix(op, "not_")
	}
	fact := a.I18n.T(lang, "fact."+r.Fact)
	var cond string
	switch op {
	case "is":
		// A yes/no fact reads as its own statement either way ("own funds
		// insufficient"), never as "not 'own funds sufficient'".
		if key := "fact." + r.Fact + "." + strconv.FormatBool(r.Value == true); a.I18n.Has(lang, key) {
			cond = a.I18n.T(lang, key)
		} else {
			cond = a.I18n.T(lang, "op.is."+strconv.FormatBool(r.Value == true), fact)
		}
	case "within_years", "beyond_years":
		until := r.Until
		if until == "" {
			until = "as_of"
		}
		// The years come first: they pick the message's plural form.
		cond = a.I18n.T(lang, "op."+op, a.number(r.Value), fact, a.I18n.T(lang, "fact."+until))
	default:
		cond = a.I18n.T(lang, "op."+op, fact, a.valueText(lang, r.Fact, r.Value))
	}
	if negated {
		cond = a.I18n.T(lang, "op.not", cond)
	}
	return cond
}

// valueText renders a fact's value: enumerations by their labels, yes/no,
// numbers and dates plainly.
func (a *Handlers) valueText(lang, fact string, v any) string {
	switch x := v.(type) {
	case nil:
		return a.I18n.T(lang, "value.unknown")
	case bool:
		if key := "fact." + fact + "." + strconv.FormatBool(x); a.I18n.Has(lang, key) {
			return a.I18n.T(lang, key)
		}
		if x {
			return a.I18n.T(lang, "value.yes")
		}
		return a.I18n.T(lang, "value.no")
	case float64:
		return a.number(x)
	case core.Date:
		return x.String()
	case string:
		return a.enumText(lang, fact, x)
	case []string:
		if len(x) == 0 {
			return a.I18n.T(lang, "value.none")
		}
		parts := make([]string, len(x))
		for i, s := range x {
			parts[i] = a.enumText(lang, fact, s)
		}
		return strings.Join(parts, a.I18n.T(lang, "list.sep"))
	}
	return fmt.Sprint(v)
}

func (a *Handlers) number(v any) string {
	f, _ := v.(float64)
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// enumText is an enumerated value's label: from the reference lists for
// the venture's industry, from the catalogs for the others.
func (a *Handlers) enumText(lang, fact, v string) string {
	if fact == "venture.industry" {
		return a.Lists.Label(reference.Industry, v, lang)
	}
	return a.I18n.T(lang, enumKey(fact, v))
}

// enumKey is the catalog key of an enumerated value.
func enumKey(fact, v string) string {
	switch fact {
	case "target_groups":
		return "group." + v
	case "venture.stage":
		return "stage." + v
	case "venture.form":
		return "form." + v
	case "gender":
		return "gender." + v
	}
	return v
}

// APIResult is one policy's outcome in the API.
type APIResult struct {
	PolicyID string        `json:"policy_id"`
	Name     string        `json:"name"`
	Status   policy.Status `json:"status"`
	// Applicant: who claims the support, a person or an organisation
	// (whose supports a person sees apart, status for_organisations
	// unless their own venture qualifies).
	Applicant string          `json:"applicant"`
	Reasons   []string        `json:"reasons"`
	Missing   []string        `json:"missing"`
	Benefit   *APIBenefit     `json:"benefit,omitempty"`
	Basis     string          `json:"basis"`
	Details   []policy.Reason `json:"conditions"`
	// Unverified names the checked facts an eligible outcome rests on that
	// are only the person's word, and Bring what to bring to have them
	// checked: "eligible once checked".
	Unverified []string `json:"unverified,omitempty"`
	Bring      []string `json:"bring,omitempty"`

	lines []ReasonLine // Reasons, with the either/or structure the pages show
}

// APIBenefit is what a policy grants, in the reader's language.
type APIBenefit struct {
	Text string `json:"text"`
	*policy.Granted
}

// ToAPIResults explains eligibility results in the reader's language.
func (a *Handlers) ToAPIResults(lang string, rs []policy.Result) []APIResult {
	out := make([]APIResult, 0, len(rs))
	for _, r := range rs {
		ar := APIResult{PolicyID: r.Policy.ID, Name: r.Policy.Name.In(lang), Status: r.Status, Applicant: policy.ByPerson, Basis: r.Policy.Basis,
			Reasons: make([]string, 0, len(r.Reasons)), Missing: r.Missing, Details: r.Reasons, Unverified: r.Unverified}
		for _, k := range r.Unverified {
			ar.Bring = append(ar.Bring, a.I18n.T(lang, "checked."+k+".bring"))
		}
		if r.Policy.ForOrganisations() {
			ar.Applicant = policy.ByOrganisation
		}
		if ar.Missing == nil {
			ar.Missing = []string{}
		}
		ar.lines = a.reasonLines(lang, r.Reasons)
		switch {
		case r.Status == policy.ForOrganisations:
			ar.lines = []ReasonLine{{Text: a.I18n.T(lang, "reason.organisation")}}
		case len(r.Reasons) == 0:
			ar.lines = []ReasonLine{{Text: a.I18n.T(lang, "reason.open")}}
		}
		for _, l := range ar.lines {
			ar.Reasons = append(ar.Reasons, l.Text)
		}
		if r.Benefit != nil {
			ar.Benefit = &APIBenefit{Text: r.Policy.BenefitText.In(lang), Granted: r.Benefit}
		}
		out = append(out, ar)
	}
	return out
}

func jsonUnmarshal(raw []byte, v any) error { return json.Unmarshal(raw, v) }
