package policy

import (
	"errors"
	"slices"
	"testing"

	"onestop/services/core"
)

func resultOf(t *testing.T, rs []Result, id string) Result {
	t.Helper()
	for _, r := range rs {
		if r.Policy.ID == id {
			return r
		}
	}
	t.Fatalf("no result for %s", id)
	return Result{}
}

// TestVoluntaryTrainingSaysWhy (#17.4): a farmer outside the training age
// band is told she may sign up of her own accord, with the band she is
// outside of marked as waived — not "not eligible" — and the benefit the
// training brings; what she does meet is said too.
func TestVoluntaryTrainingSaysWhy(t *testing.T) {
	f := farmer("female", "1970-06-01")
	r := resultOf(t, Evaluate(catalogue(t), &f, day(today)), "farmer-free-training")
	if r.Status != Voluntary || r.Benefit == nil || len(r.Missing) != 0 {
		t.Fatalf("status %s, benefit %v, missing %v", r.Status, r.Benefit, r.Missing)
	}
	var waived, met []string
	for _, rs := range r.Reasons {
		switch {
		case rs.Voluntary:
			waived = append(waived, rs.Fact)
			if rs.Either == 0 {
				t.Errorf("the waived age band is not reported as one either/or: %+v", rs)
			}
		case rs.Met == Yes:
			met = append(met, rs.Fact)
		default:
			t.Errorf("a reason neither met nor waived: %+v", rs)
		}
	}
	if !slices.Equal(waived, []string{"gender", "age", "gender", "age"}) {
		t.Errorf("waived %v, want both alternatives of the age band", waived)
	}
	for _, want := range []string{"target_groups", "on_farmer_roster", "has_skill_certificate", "training_refusals"} {
		if !slices.Contains(met, want) {
			t.Errorf("%s is not among the conditions met: %v", want, met)
		}
	}
	// A hard failure beside the waived band: not eligible, for that reason
	// alone — the age is no bar to applying, so it is not given as one.
	f.HasSkillCertificate = b(true)
	r = resultOf(t, Evaluate(catalogue(t), &f, day(today)), "farmer-free-training")
	if r.Status != NotEligible || len(r.Reasons) != 1 || r.Reasons[0].Fact != "has_skill_certificate" {
		t.Errorf("certified and over age: %s %+v", r.Status, r.Reasons)
	}
}

// TestVoluntaryOnlyOnTheWholeRule: a part can be waived only as a part of
// the top-level all; anywhere else "fails only the voluntary parts" has no
// one meaning, and the editor says where the mark is misplaced.
func TestVoluntaryOnlyOnTheWholeRule(t *testing.T) {
	for _, tt := range []struct{ raw, want string }{
		{`{"fact":"age","op":"lt","value":40,"voluntary":true}`, "error.cond.voluntary|$"},
		{`{"any":[{"fact":"age","op":"lt","value":40,"voluntary":true},{"fact":"age","op":"gt","value":60}]}`, "error.cond.voluntary|$.any[0]"},
		{`{"all":[{"any":[{"fact":"age","op":"lt","value":40,"voluntary":true}]}]}`, "error.cond.voluntary|$.all[0].any[0]"},
		{`{"all":[{"not":{"fact":"age","op":"lt","value":40,"voluntary":true}}]}`, "error.cond.voluntary|$.all[0].not"},
	} {
		_, err := ParseConditions([]byte(tt.raw))
		var ce *CondError
		if !errors.As(err, &ce) || ce.Msg != tt.want {
			t.Errorf("ParseConditions(%s) = %v, want %s", tt.raw, err, tt.want)
		}
	}
	c, err := ParseConditions([]byte(`{"all":[{"fact":"age","op":"gte","value":16},{"fact":"age","op":"lt","value":40,"voluntary":true}]}`))
	if err != nil || !c.All[1].Voluntary {
		t.Fatalf("a voluntary part of the rule: %v", err)
	}
}

// TestOrganisationSupportsAreNotAskedOfPeople (#17.4): the rewards an
// employer, a labour agency or a farmers' entity claims are marked as
// theirs in the catalogue; a person is neither asked for their facts nor
// told they fail them — unless the person's own venture already qualifies.
func TestOrganisationSupportsAreNotAskedOfPeople(t *testing.T) {
	ps := catalogue(t)
	var orgs []string
	for _, p := range ps {
		if p.ForOrganisations() {
			orgs = append(orgs, p.ID)
		}
	}
	if !slices.Equal(orgs, []string{"farmer-hiring-reward", "farmer-placement-reward", "farmer-entity-reward"}) {
		t.Errorf("organisations claim %v", orgs)
	}
	jobSeeker := farmer("female", "1990-01-01")
	for _, r := range ForPerson(Evaluate(ps, &jobSeeker, day(today))) {
		if !r.Policy.ForOrganisations() {
			if r.Status == ForOrganisations {
				t.Errorf("%s, a person's support, reads as an organisation's", r.Policy.ID)
			}
			continue
		}
		if r.Status != ForOrganisations || len(r.Missing) != 0 || len(r.Reasons) != 0 || r.MayNeed(&jobSeeker) != nil {
			t.Errorf("%s for a job seeker: %s, missing %v, reasons %v", r.Policy.ID, r.Status, r.Missing, r.Reasons)
		}
	}
	employer := with(farmer("male", "1980-01-01"), func(f *Facts) {
		f.Venture = &Venture{Stage: "operating", Employees: n(15), LandFarmerEmployees: n(11), LandFarmerContractYears: mu(3), LandFarmerEmployedYears: mu(3)}
	})
	rs := ForPerson(Evaluate(ps, &employer, day(today)))
	if r := resultOf(t, rs, "farmer-entity-reward"); r.Status != Eligible || r.Benefit == nil || r.Benefit.TotalYuan != 3300 {
		t.Errorf("a farmer whose firm employs 11 farmers: %s %+v", r.Status, r.Benefit)
	}
	if r := resultOf(t, rs, "farmer-placement-reward"); r.Status != ForOrganisations {
		t.Errorf("the same farmer and the placement reward: %s", r.Status)
	}
}

// TestApplicantChecked: a policy names a known kind of applicant, or none
// (a person).
func TestApplicantChecked(t *testing.T) {
	for _, tt := range []struct {
		applicant string
		ok        bool
	}{{"", true}, {"person", true}, {"organisation", true}, {"company", false}, {"Organisation", false}} {
		p := *catalogue(t)[0]
		p.Applicant = tt.applicant
		err := p.Validate()
		var ce *core.Error
		if tt.ok != (err == nil) || !tt.ok && (!asErr(err, &ce) || ce.Fields["applicant"] != "error.enum") {
			t.Errorf("applicant %q: %v", tt.applicant, err)
		}
	}
}

// TestUndecidedEitherSaidTogether: an either/or undecided between two
// alternatives reports them as one either/or (the farmland, or relocation
// by law: give either), and one left undecided beside a failed one is
// asked alone.
func TestUndecidedEitherSaidTogether(t *testing.T) {
	f := farmer("male", "1970-01-01")
	r := resultOf(t, Evaluate(catalogue(t), &f, day(today)), "farmer-unemployment-registration")
	type eb struct {
		fact           string
		either, branch int
	}
	var got []eb
	for _, rs := range r.Reasons {
		got = append(got, eb{rs.Fact, rs.Either, rs.Branch})
	}
	if !slices.Equal(got, []eb{{"farmland_per_capita_mu", 1, 1}, {"relocated_by_law", 1, 2}}) {
		t.Errorf("both alternatives undecided: %+v", got)
	}
	f.FarmlandPerCapitaMu = mu(0.3)
	r = resultOf(t, Evaluate(catalogue(t), &f, day(today)), "farmer-unemployment-registration")
	if len(r.Reasons) != 1 || r.Reasons[0].Fact != "relocated_by_law" || r.Reasons[0].Either != 0 || r.Reasons[0].Branch != 0 {
		t.Errorf("one alternative left: %+v", r.Reasons)
	}
}
