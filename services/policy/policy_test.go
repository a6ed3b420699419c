package policy

import (
	"errors"
	"reflect"
	"slices"
	"testing"

	"onestop/services/core"
	"onestop/services/reference"
)

func b(v bool) *bool         { return &v }
func n(v int) *int           { return &v }
func mu(v float64) *float64  { return &v }
func d(s string) *core.Date  { t, err := core.ParseDate(s); must(err); return &t }
func day(s string) core.Date { return *d(s) }
func must(err error) {
	if err != nil {
		panic(err)
	}
}
func groups(g ...string) []string { return append([]string{}, g...) }

// farmer is a land-expropriated farmer on the roster, born on birth.
func farmer(gender, birth string) Facts {
	return Facts{Gender: gender, BirthDate: d(birth), TargetGroups: groups("land_expropriated_farmer"), OnFarmerRoster: b(true),
		HasSkillCertificate: b(false), Employed: b(false), TrainingRefusals: n(0)}
}

func with(f Facts, change func(*Facts)) Facts {
	if f.Venture != nil {
		v := *f.Venture
		f.Venture = &v
	}
	change(&f)
	return f
}

type persona struct {
	name    string
	asOf    string
	facts   Facts
	want    map[string]Status
	missing []string // for the needs_info policies of want
}

const today = "2026-11-25"

var personas = []persona{
	// fee-exemption-3y (五)
	{"unemployed planning an individual business", today, Facts{TargetGroups: groups("registered_unemployed"), Venture: &Venture{Stage: "preparing", Form: "individual"}},
		map[string]Status{"fee-exemption-3y": Eligible}, nil},
	{"unemployed founding a company", today, Facts{TargetGroups: groups("registered_unemployed"), Venture: &Venture{Stage: "preparing", Form: "company"}},
		map[string]Status{"fee-exemption-3y": NotEligible}, nil},
	{"graduate registered the day before the 2-year window closed", today, Facts{TargetGroups: groups("college_graduate"), GraduationDate: d("2024-06-30"),
		Venture: &Venture{Stage: "operating", Form: "individual", FirstRegistered: d("2026-06-29")}}, map[string]Status{"fee-exemption-3y": Eligible}, nil},
	{"graduate registered the day the 2-year window closed", today, Facts{TargetGroups: groups("college_graduate"), GraduationDate: d("2024-06-30"),
		Venture: &Venture{Stage: "operating", Form: "individual", FirstRegistered: d("2026-06-30")}}, map[string]Status{"fee-exemption-3y": NotEligible}, nil},
	{"graduate not yet registered, last day of the window", "2026-06-29", Facts{TargetGroups: groups("college_graduate"), GraduationDate: d("2024-06-30"),
		Venture: &Venture{Stage: "preparing", Form: "individual"}}, map[string]Status{"fee-exemption-3y": Eligible}, nil},
	{"graduate not yet registered, window closed", "2026-06-30", Facts{TargetGroups: groups("college_graduate"), GraduationDate: d("2024-06-30"),
		Venture: &Venture{Stage: "preparing", Form: "individual"}}, map[string]Status{"fee-exemption-3y": NotEligible}, nil},
	{"disabled, last day of the 3 years", "2026-11-24", Facts{TargetGroups: groups("disabled"), Venture: &Venture{Stage: "operating", Form: "individual", FirstRegistered: d("2023-11-25")}},
		map[string]Status{"fee-exemption-3y": Eligible}, nil},
	{"disabled, 3 years over", "2026-11-25", Facts{TargetGroups: groups("disabled"), Venture: &Venture{Stage: "operating", Form: "individual", FirstRegistered: d("2023-11-25")}},
		map[string]Status{"fee-exemption-3y": NotEligible}, nil},
	{"graduate of three years ago running a business, registration date unknown", today, Facts{TargetGroups: groups("college_graduate"), GraduationDate: d("2023-07-01"),
		Venture: &Venture{Stage: "operating", Form: "individual"}}, map[string]Status{"fee-exemption-3y": NeedsInfo}, []string{"venture.first_registered"}},
	{"graduate of three years ago, registered a year after graduating", today, Facts{TargetGroups: groups("college_graduate"), GraduationDate: d("2023-07-01"),
		Venture: &Venture{Stage: "operating", Form: "individual", FirstRegistered: d("2024-07-01")}}, map[string]Status{"fee-exemption-3y": Eligible}, nil},
	{"operating but registration date unknown", today, Facts{TargetGroups: groups("registered_unemployed"), Venture: &Venture{Stage: "operating", Form: "individual"}},
		map[string]Status{"fee-exemption-3y": NeedsInfo}, []string{"venture.first_registered"}},
	{"target groups not given", today, Facts{Venture: &Venture{Stage: "idea", Form: "individual"}},
		map[string]Status{"fee-exemption-3y": NeedsInfo, "startup-training-subsidy": NeedsInfo}, []string{"target_groups", "graduation_date", "wants_training"}},
	{"retired soldier with an idea", today, Facts{TargetGroups: groups("retired_soldier"), Venture: &Venture{Stage: "idea", Form: "individual"}},
		map[string]Status{"fee-exemption-3y": Eligible}, nil},
	{"returning migrant worker is not in the fee rule", today, Facts{TargetGroups: groups("returning_migrant_worker"), Venture: &Venture{Stage: "idea", Form: "individual"}},
		map[string]Status{"fee-exemption-3y": NotEligible}, nil},
	{"graduate without a graduation date", today, Facts{TargetGroups: groups("college_graduate"), Venture: &Venture{Stage: "idea", Form: "individual"}},
		map[string]Status{"fee-exemption-3y": NeedsInfo}, []string{"graduation_date"}},

	// guaranteed-loan (四) and (七)
	{"farmer with a micro-profit project short of funds", today, with(farmer("male", "1990-05-01"), func(f *Facts) {
		f.Venture = &Venture{Stage: "preparing", MicroProfit: b(true), OwnFundsSufficient: b(false)}
	}), map[string]Status{"guaranteed-loan": Eligible}, nil},
	{"farmer with enough own funds", today, with(farmer("male", "1990-05-01"), func(f *Facts) {
		f.Venture = &Venture{Stage: "preparing", MicroProfit: b(true), OwnFundsSufficient: b(true)}
	}), map[string]Status{"guaranteed-loan": NotEligible}, nil},
	{"not a land-expropriated farmer", today, Facts{TargetGroups: groups("registered_unemployed"), Venture: &Venture{Stage: "preparing", MicroProfit: b(true), OwnFundsSufficient: b(false)}},
		map[string]Status{"guaranteed-loan": NotEligible}, nil},
	{"farmer, micro-profit unknown", today, with(farmer("male", "1990-05-01"), func(f *Facts) {
		f.Venture = &Venture{Stage: "preparing", OwnFundsSufficient: b(false)}
	}), map[string]Status{"guaranteed-loan": NeedsInfo}, []string{"venture.micro_profit"}},
	{"labour-intensive small company", today, Facts{Venture: &Venture{Stage: "operating", Form: "company", Industry: "labour_intensive"}},
		map[string]Status{"guaranteed-loan-labour-intensive": Eligible}, nil},
	{"labour-intensive individual business", today, Facts{Venture: &Venture{Stage: "operating", Form: "individual", Industry: "labour_intensive"}},
		map[string]Status{"guaranteed-loan-labour-intensive": NotEligible}, nil},

	// training subsidies (八)
	{"wants start-up training", today, Facts{TargetGroups: groups(), WantsTraining: b(true), Venture: &Venture{Stage: "idea"}},
		map[string]Status{"startup-training-subsidy": Eligible, "ui-training-subsidy": NotEligible}, nil},
	{"unemployment-insurance recipient wants training", today, Facts{TargetGroups: groups("unemployment_insurance_recipient"), WantsTraining: b(true), Venture: &Venture{Stage: "idea"}},
		map[string]Status{"startup-training-subsidy": NotEligible, "ui-training-subsidy": Eligible}, nil},
	{"does not want training", today, Facts{TargetGroups: groups("unemployment_insurance_recipient"), WantsTraining: b(false), Venture: &Venture{Stage: "idea"}},
		map[string]Status{"startup-training-subsidy": NotEligible, "ui-training-subsidy": NotEligible}, nil},
	{"training wish unknown", today, Facts{TargetGroups: groups("unemployment_insurance_recipient"), Venture: &Venture{Stage: "idea"}},
		map[string]Status{"ui-training-subsidy": NeedsInfo}, []string{"wants_training"}},

	// farmer-free-training (二): 16+, men under 40, women under 35; those
	// outside the band may still sign up of their own accord (本著自願原則
	// 根據個人申請也可報名參加), but not a child under 16 (法定年齡內).
	{"man aged 39 (40 tomorrow)", today, farmer("male", "1986-11-26"), map[string]Status{"farmer-free-training": Eligible}, nil},
	{"man turning 40 today", today, farmer("male", "1986-11-25"), map[string]Status{"farmer-free-training": Voluntary}, nil},
	{"woman aged 34", today, farmer("female", "1991-11-26"), map[string]Status{"farmer-free-training": Eligible}, nil},
	{"woman turning 35 today", today, farmer("female", "1991-11-25"), map[string]Status{"farmer-free-training": Voluntary}, nil},
	{"woman of 58", today, farmer("female", "1968-03-01"), map[string]Status{"farmer-free-training": Voluntary}, nil},
	{"man of 45 already certified", today, with(farmer("male", "1981-05-01"), func(f *Facts) { f.HasSkillCertificate = b(true) }),
		map[string]Status{"farmer-free-training": NotEligible}, nil},
	{"man of 45 who refused three recommendations", today, with(farmer("male", "1981-05-01"), func(f *Facts) { f.TrainingRefusals = n(3) }),
		map[string]Status{"farmer-free-training": NotEligible}, nil},
	{"man of 45, certificate not given", today, with(farmer("male", "1981-05-01"), func(f *Facts) { f.HasSkillCertificate = nil }),
		map[string]Status{"farmer-free-training": NeedsInfo}, []string{"has_skill_certificate"}},
	{"man of 45 not on the roster", today, with(farmer("male", "1981-05-01"), func(f *Facts) { f.OnFarmerRoster = b(false) }),
		map[string]Status{"farmer-free-training": NotEligible}, nil},
	{"aged 15", today, farmer("male", "2010-11-26"), map[string]Status{"farmer-free-training": NotEligible}, nil},
	{"turning 16 today", today, farmer("female", "2010-11-25"), map[string]Status{"farmer-free-training": Eligible}, nil},
	{"refused three recommendations", today, with(farmer("male", "1995-01-01"), func(f *Facts) { f.TrainingRefusals = n(3) }),
		map[string]Status{"farmer-free-training": NotEligible}, nil},
	{"refused twice", today, with(farmer("male", "1995-01-01"), func(f *Facts) { f.TrainingRefusals = n(2) }),
		map[string]Status{"farmer-free-training": Eligible}, nil},
	{"already certified", today, with(farmer("male", "1995-01-01"), func(f *Facts) { f.HasSkillCertificate = b(true) }),
		map[string]Status{"farmer-free-training": NotEligible}, nil},
	{"employed but preparing a venture", today, with(farmer("female", "1995-01-01"), func(f *Facts) {
		f.Employed = b(true)
		f.Venture = &Venture{Stage: "preparing"}
	}), map[string]Status{"farmer-free-training": Eligible}, nil},
	{"employed and running a business", today, with(farmer("female", "1995-01-01"), func(f *Facts) {
		f.Employed = b(true)
		f.Venture = &Venture{Stage: "operating"}
	}), map[string]Status{"farmer-free-training": NotEligible}, nil},
	{"gender not given", today, with(farmer("", "1995-01-01"), func(f *Facts) {}), map[string]Status{"farmer-free-training": NeedsInfo}, []string{"gender"}},
	{"birth date not given", today, with(farmer("male", "1995-01-01"), func(f *Facts) { f.BirthDate = nil }),
		map[string]Status{"farmer-free-training": NeedsInfo}, []string{"birth_date"}},
	{"not on the roster", today, with(farmer("male", "1995-01-01"), func(f *Facts) { f.OnFarmerRoster = b(false) }),
		map[string]Status{"farmer-free-training": NotEligible, "farmer-unemployment-registration": NotEligible}, nil},

	// farmer-unemployment-registration: under 0.1 mu, or relocated by law
	// (征地后人均耕地不足0.1畝、依法拆村建居的無業人員, 三(一)1)
	{"0.09 mu per person", today, with(farmer("male", "1970-01-01"), func(f *Facts) { f.FarmlandPerCapitaMu = mu(0.09) }),
		map[string]Status{"farmer-unemployment-registration": Eligible}, nil},
	{"0.1 mu per person", today, with(farmer("male", "1970-01-01"), func(f *Facts) { f.FarmlandPerCapitaMu = mu(0.1) }),
		map[string]Status{"farmer-unemployment-registration": NeedsInfo}, []string{"relocated_by_law"}},
	{"0.1 mu per person, not relocated", today, with(farmer("male", "1970-01-01"), func(f *Facts) { f.FarmlandPerCapitaMu, f.RelocatedByLaw = mu(0.1), b(false) }),
		map[string]Status{"farmer-unemployment-registration": NotEligible}, nil},
	{"0.5 mu per person but relocated by law", today, with(farmer("female", "1970-01-01"), func(f *Facts) { f.FarmlandPerCapitaMu, f.RelocatedByLaw = mu(0.5), b(true) }),
		map[string]Status{"farmer-unemployment-registration": Eligible}, nil},
	{"relocated by law, farmland not given", today, with(farmer("female", "1970-01-01"), func(f *Facts) { f.RelocatedByLaw = b(true) }),
		map[string]Status{"farmer-unemployment-registration": Eligible}, nil},
	{"relocated by law but employed", today, with(farmer("female", "1970-01-01"), func(f *Facts) { f.RelocatedByLaw, f.Employed = b(true), b(true) }),
		map[string]Status{"farmer-unemployment-registration": NotEligible}, nil},
	{"farmland not given", today, farmer("male", "1970-01-01"), map[string]Status{"farmer-unemployment-registration": NeedsInfo},
		[]string{"farmland_per_capita_mu", "relocated_by_law"}},

	// rewards (三)(三), (三)(四)
	{"employer of 3 farmers for 2 years", today, Facts{Venture: &Venture{Stage: "operating", LandFarmerEmployees: n(3), LandFarmerContractYears: mu(2), LandFarmerEmployedYears: mu(2)}},
		map[string]Status{"farmer-hiring-reward": Eligible}, nil},
	{"employed only 1.9 years", today, Facts{Venture: &Venture{Stage: "operating", LandFarmerEmployees: n(3), LandFarmerContractYears: mu(2), LandFarmerEmployedYears: mu(1.9)}},
		map[string]Status{"farmer-hiring-reward": NotEligible}, nil},
	{"agency that placed 5 farmers", today, Facts{Venture: &Venture{PlacementAgency: b(true), LandFarmerPlaced: n(5), LandFarmerContractYears: mu(2), LandFarmerEmployedYears: mu(2)}},
		map[string]Status{"farmer-placement-reward": Eligible}, nil},
	{"not an agency", today, Facts{Venture: &Venture{PlacementAgency: b(false), LandFarmerPlaced: n(5), LandFarmerContractYears: mu(2), LandFarmerEmployedYears: mu(2)}},
		map[string]Status{"farmer-placement-reward": NotEligible}, nil},
	{"farmers' firm with 11 farmer employees", today, with(farmer("male", "1980-01-01"), func(f *Facts) {
		f.Venture = &Venture{Stage: "operating", Employees: n(15), LandFarmerEmployees: n(11), LandFarmerContractYears: mu(3), LandFarmerEmployedYears: mu(3)}
	}), map[string]Status{"farmer-entity-reward": Eligible}, nil},
	{"farmers' firm with 10 farmer employees", today, with(farmer("male", "1980-01-01"), func(f *Facts) {
		f.Venture = &Venture{Stage: "operating", Employees: n(15), LandFarmerEmployees: n(10), LandFarmerContractYears: mu(3), LandFarmerEmployedYears: mu(3)}
	}), map[string]Status{"farmer-entity-reward": NotEligible}, nil},

	// farmer-tax-relief: excluded industries and the 5-year span
	{"farmer's manufacturing company", today, with(farmer("male", "1980-01-01"), func(f *Facts) {
		f.Venture = &Venture{Stage: "operating", Form: "company", Industry: "manufacturing", FirstRegistered: d("2024-01-01")}
	}), map[string]Status{"farmer-tax-relief": Eligible}, nil},
	{"farmer's advertising company", today, with(farmer("male", "1980-01-01"), func(f *Facts) {
		f.Venture = &Venture{Stage: "operating", Form: "company", Industry: "advertising", FirstRegistered: d("2024-01-01")}
	}), map[string]Status{"farmer-tax-relief": NotEligible}, nil},
	{"farmer's internet café", today, with(farmer("male", "1980-01-01"), func(f *Facts) {
		f.Venture = &Venture{Stage: "operating", Form: "company", Industry: "internet_cafe", FirstRegistered: d("2024-01-01")}
	}), map[string]Status{"farmer-tax-relief": NotEligible}, nil},
	{"farmer's sauna", today, with(farmer("male", "1980-01-01"), func(f *Facts) {
		f.Venture = &Venture{Stage: "operating", Form: "company", Industry: "sauna", FirstRegistered: d("2024-01-01")}
	}), map[string]Status{"farmer-tax-relief": NotEligible}, nil},
	{"tax relief, 5 years over", today, with(farmer("male", "1980-01-01"), func(f *Facts) {
		f.Venture = &Venture{Stage: "operating", Form: "company", Industry: "agri_processing", FirstRegistered: d("2021-11-25")}
	}), map[string]Status{"farmer-tax-relief": NotEligible}, nil},
	{"tax relief, last day of 5 years", "2026-11-24", with(farmer("male", "1980-01-01"), func(f *Facts) {
		f.Venture = &Venture{Stage: "operating", Form: "company", Industry: "agri_processing", FirstRegistered: d("2021-11-25")}
	}), map[string]Status{"farmer-tax-relief": Eligible}, nil},
	{"farmer's individual business", today, with(farmer("male", "1980-01-01"), func(f *Facts) {
		f.Venture = &Venture{Stage: "operating", Form: "individual", Industry: "trade", FirstRegistered: d("2024-01-01")}
	}), map[string]Status{"farmer-tax-relief": NotEligible}, nil},

	// retired-soldier-free-training: 職業培訓 (十一)
	{"retired soldier", today, Facts{TargetGroups: groups("retired_soldier")}, map[string]Status{"retired-soldier-free-training": Eligible}, nil},
	{"retired soldier and graduate", today, Facts{TargetGroups: groups("college_graduate", "retired_soldier")}, map[string]Status{"retired-soldier-free-training": Eligible}, nil},
	{"not a retired soldier", today, Facts{TargetGroups: groups("returned_overseas_student")}, map[string]Status{"retired-soldier-free-training": NotEligible}, nil},
	{"groups not given, for the soldiers' training", today, Facts{}, map[string]Status{"retired-soldier-free-training": NeedsInfo}, []string{"target_groups"}},

	// returning migrant workers: 促進以創業帶動就業 (六)(七)
	{"returning migrant worker with an idea", today, Facts{TargetGroups: groups("returning_migrant_worker"), Venture: &Venture{Stage: "idea"}},
		map[string]Status{"returning-migrant-startup-support": Eligible, "guaranteed-loan-returning-migrant": NotEligible}, nil},
	{"returning migrant worker preparing, short of funds", today, Facts{TargetGroups: groups("returning_migrant_worker"), Venture: &Venture{Stage: "preparing", OwnFundsSufficient: b(false)}},
		map[string]Status{"returning-migrant-startup-support": Eligible, "guaranteed-loan-returning-migrant": Eligible}, nil},
	{"returning migrant worker with enough funds", today, Facts{TargetGroups: groups("returning_migrant_worker"), Venture: &Venture{Stage: "operating", OwnFundsSufficient: b(true)}},
		map[string]Status{"returning-migrant-startup-support": Eligible, "guaranteed-loan-returning-migrant": NotEligible}, nil},
	{"returning migrant worker, funds not given", today, Facts{TargetGroups: groups("returning_migrant_worker"), Venture: &Venture{Stage: "operating"}},
		map[string]Status{"guaranteed-loan-returning-migrant": NeedsInfo}, []string{"venture.own_funds_sufficient"}},
	{"returning migrant worker whose business closed", today, Facts{TargetGroups: groups("returning_migrant_worker"), Venture: &Venture{Stage: "closed", OwnFundsSufficient: b(false)}},
		map[string]Status{"returning-migrant-startup-support": NotEligible, "guaranteed-loan-returning-migrant": NotEligible}, nil},
	{"unemployed, not a returning migrant", today, Facts{TargetGroups: groups("registered_unemployed"), Venture: &Venture{Stage: "preparing", OwnFundsSufficient: b(false)}},
		map[string]Status{"returning-migrant-startup-support": NotEligible, "guaranteed-loan-returning-migrant": NotEligible}, nil},

	// free-employment-services: everyone
	{"nothing known", today, Facts{}, map[string]Status{"free-employment-services": Eligible}, nil},
}

func catalogue(t testing.TB) []*Policy {
	ps, err := SeedPolicies()
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func TestPersonas(t *testing.T) {
	ps := catalogue(t)
	if len(personas) < 40 {
		t.Fatalf("only %d personas", len(personas))
	}
	covered := map[string]bool{}
	for _, p := range personas {
		t.Run(p.name, func(t *testing.T) {
			f := p.facts
			results := Evaluate(ps, &f, day(p.asOf))
			byID := map[string]Result{}
			for _, r := range results {
				byID[r.Policy.ID] = r
			}
			for id, want := range p.want {
				covered[id] = true
				r, ok := byID[id]
				if !ok {
					t.Fatalf("no result for %s", id)
				}
				if r.Status != want {
					t.Errorf("%s: %s, want %s (reasons %+v, missing %v)", id, r.Status, want, r.Reasons, r.Missing)
				}
				if len(r.Reasons) == 0 && id != "free-employment-services" {
					t.Errorf("%s: no reasons", id)
				}
				if want == NeedsInfo {
					for _, m := range r.Missing {
						if !slices.Contains(p.missing, m) {
							t.Errorf("%s: asks for %s, want only %v", id, m, p.missing)
						}
					}
					if len(r.Missing) == 0 {
						t.Errorf("%s: needs info but names nothing missing", id)
					}
				}
			}
		})
	}
	for _, p := range ps {
		if !covered[p.ID] {
			t.Errorf("policy %s has no persona", p.ID)
		}
	}
}

func TestBenefitsWorkedOut(t *testing.T) {
	ps := catalogue(t)
	get := func(f Facts, asOf, id string) *Granted {
		for _, r := range Evaluate(ps, &f, day(asOf)) {
			if r.Policy.ID == id {
				if r.Status != Eligible {
					t.Fatalf("%s: %s", id, r.Status)
				}
				return r.Benefit
			}
		}
		t.Fatalf("no %s", id)
		return nil
	}
	g := get(Facts{TargetGroups: groups("disabled"), Venture: &Venture{Stage: "operating", Form: "individual", FirstRegistered: d("2025-03-01")}}, today, "fee-exemption-3y")
	if g.Until.String() != "2028-02-29" {
		t.Errorf("fee exemption until %s", g.Until)
	}
	g = get(with(farmer("male", "1980-01-01"), func(f *Facts) {
		f.Venture = &Venture{Stage: "operating", Form: "company", Industry: "manufacturing", FirstRegistered: d("2024-01-01")}
	}), today, "farmer-tax-relief")
	if g.Until.String() != "2026-12-31" || g.HalfUntil.String() != "2028-12-31" {
		t.Errorf("tax relief %s / %s", g.Until, g.HalfUntil)
	}
	g = get(with(farmer("male", "1980-01-01"), func(f *Facts) {
		f.Venture = &Venture{Stage: "operating", LandFarmerEmployees: n(11), LandFarmerContractYears: mu(3), LandFarmerEmployedYears: mu(3)}
	}), today, "farmer-entity-reward")
	if g.Persons != 11 || g.TotalYuan != 3300 {
		t.Errorf("entity reward %+v", g)
	}
	g = get(with(farmer("male", "1990-01-01"), func(f *Facts) {
		f.Venture = &Venture{Stage: "preparing", MicroProfit: b(true), OwnFundsSufficient: b(false)}
	}), today, "guaranteed-loan")
	if g.AmountYuan != 20000 || g.TermMonthsMax != 24 || g.RatePct != 50 {
		t.Errorf("loan %+v", g)
	}
}

func TestReasonsSayWhy(t *testing.T) {
	ps := catalogue(t)
	f := Facts{TargetGroups: groups("registered_unemployed"), Venture: &Venture{Stage: "preparing", Form: "company"}}
	for _, r := range Evaluate(ps, &f, day(today)) {
		if r.Policy.ID != "fee-exemption-3y" {
			continue
		}
		if len(r.Reasons) != 1 || r.Reasons[0].Fact != "venture.form" || r.Reasons[0].Actual != "company" || r.Reasons[0].Met != No {
			t.Errorf("reasons %+v", r.Reasons)
		}
	}
}

func TestBadConditions(t *testing.T) {
	for _, raw := range []string{
		`{"fact":"shoe_size","op":"eq","value":42}`,
		`{"fact":"age","op":"contains","value":"x"}`,
		`{"fact":"gender","op":"eq","value":"other"}`,
		`{"fact":"venture.industry","op":"eq","value":"桑拿"}`,
		`{"fact":"venture.industry","op":"in","value":["sauna","Internet cafe"]}`,
		`{"fact":"target_groups","op":"contains","value":"martians"}`,
		`{"fact":"age","op":"lt","value":"forty"}`,
		`{"fact":"graduation_date","op":"within_years","value":2.5}`,
		`{"fact":"graduation_date","op":"within_years","value":2,"until":["age"]}`,
		`{"all":[{"fact":"age","op":"lt","value":40}],"any":[{}]}`,
		`{"any":[]}`,
		`{"fact":"age","op":"lt","value":40,"extra":1}`,
		`{"$where":"1"}`,
		`[]`,
		`{"all":[{"all":[{"all":[{"all":[{"all":[{"all":[{"all":[{"all":[{"all":[{"all":[{"all":[{"all":[{"all":[{}]}]}]}]}]}]}]}]}]}]}]}]}]}`,
	} {
		if _, err := ParseConditions([]byte(raw)); err == nil {
			t.Errorf("accepted %s", raw)
		}
	}
	p := catalogue(t)[0]
	p.Conditions = []byte(`{"fact":"shoe_size","op":"eq","value":42}`)
	err := p.Validate()
	var ce *core.Error
	if !core.IsCode(err, core.Invalid) || !asErr(err, &ce) || ce.Fields["conditions"] != "error.cond.fact|$|shoe_size" {
		t.Fatalf("edited policy with an unknown fact: %v", err)
	}
}

// TestConditionsNameListedIndustries: a venture industry is reference
// data, so a condition's codes are checked against the lists when saved;
// the seed catalogue's against the seed lists.
func TestConditionsNameListedIndustries(t *testing.T) {
	lists, err := reference.Seeded()
	if err != nil {
		t.Fatal(err)
	}
	c := &Catalogue{reference: lists}
	named := 0
	for _, p := range catalogue(t) {
		named += len(p.Cond().values("venture.industry"))
		if err := c.checkCodes(p); err != nil {
			t.Errorf("%s: %v", p.ID, err)
		}
	}
	if named == 0 {
		t.Fatal("no seed policy names a venture industry; the test checks nothing")
	}
	p := catalogue(t)[0]
	p.Conditions = []byte(`{"fact":"venture.industry","op":"not_in","value":["sauna","bathhouse"]}`)
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	var ce *core.Error
	if err := c.checkCodes(p); !asErr(err, &ce) || ce.Fields["conditions"] != "error.cond.industry|bathhouse" {
		t.Errorf("a condition on an unlisted industry: %v", err)
	}
}

func BenchmarkEvaluateCatalogue(b *testing.B) {
	ps := catalogue(b)
	f := with(farmer("female", "1992-03-04"), func(f *Facts) {
		f.TargetGroups = groups("land_expropriated_farmer", "registered_unemployed")
		f.WantsTraining = b2(true)
		f.Venture = &Venture{Stage: "operating", Form: "company", Industry: "agri_processing", FirstRegistered: d("2024-05-06"),
			MicroProfit: b2(true), OwnFundsSufficient: b2(false), Employees: n(14), LandFarmerEmployees: n(12), LandFarmerContractYears: mu(3), LandFarmerEmployedYears: mu(3)}
	})
	asOf := day(today)
	b.ReportAllocs()
	for b.Loop() {
		Evaluate(ps, &f, asOf)
	}
}

func b2(v bool) *bool { return &v }

// A person known not to be a land-expropriated farmer is told so, not asked
// about the farmer roster.
func TestNonFarmerIsNotAskedFarmerQuestions(t *testing.T) {
	f := Facts{TargetGroups: groups("registered_unemployed")}
	for _, r := range Evaluate(catalogue(t), &f, day(today)) {
		if r.Policy.ID == "farmer-free-training" || r.Policy.ID == "farmer-unemployment-registration" || r.Policy.ID == "guaranteed-loan" {
			if r.Status != NotEligible {
				t.Errorf("%s: %s, missing %v", r.Policy.ID, r.Status, r.Missing)
			}
		}
	}
}

func TestFillKeepsWhatIsKnown(t *testing.T) {
	tests := []struct {
		name      string
		have, add Facts
		want      Facts
	}{
		{"empty takes everything", Facts{}, Facts{Gender: "female", TargetGroups: groups("disabled"), Venture: &Venture{Stage: "operating", FirstRegistered: d("2025-01-02")}},
			Facts{Gender: "female", TargetGroups: groups("disabled"), Venture: &Venture{Stage: "operating", FirstRegistered: d("2025-01-02")}}},
		{"known facts stay", Facts{Gender: "male", Employed: b(false), Venture: &Venture{Stage: "idea"}}, Facts{Gender: "female", Employed: b(true), WantsTraining: b(true), Venture: &Venture{Stage: "operating", Form: "company"}},
			Facts{Gender: "male", Employed: b(false), WantsTraining: b(true), Venture: &Venture{Stage: "idea", Form: "company"}}},
		{"none of these is an answer", Facts{TargetGroups: groups()}, Facts{TargetGroups: groups("disabled")}, Facts{TargetGroups: groups()}},
		{"nothing to add", Facts{BirthDate: d("1990-01-01")}, Facts{}, Facts{BirthDate: d("1990-01-01")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.have
			added := tt.add
			got.Fill(added)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v (venture %+v), want %+v (venture %+v)", got, got.Venture, tt.want, tt.want.Venture)
			}
			if tt.add.Venture != nil && got.Venture == tt.add.Venture {
				t.Error("the venture is shared with the answers, not copied")
			}
		})
	}
}

// TestConditionFaultsSaid (#20.9): what is wrong with a condition tree is
// a field message naming the node and the fault — a JSON slip by its line
// and column, JSON that stops short, an unknown fact — never the decoder's
// English ("unexpected EOF", `unknown fact "x"`).
func TestConditionFaultsSaid(t *testing.T) {
	for _, tt := range []struct{ raw, want string }{
		{`{"all": [{"fact": "age", "op": "lt", "value": 40}`, "error.json.incomplete"},
		{"{\"all\": [\n  {\"fact\": \"age\" \"op\": \"lt\"}]}", "error.json.syntax|2|18"}, // the quotation mark that opens "op"
		{``, "error.json.empty"},
		{`[]`, "error.json.object"},
		{`{"fact": 5}`, "error.json.key_type|fact"},
		{`{"fact":"age","op":"lt","value":40,"extra":1}`, "error.json.key_unknown|extra"},
		{`{"fact":"age"} {}`, "error.cond.trailing"},
		{`{"all":[{"fact":"shoe_size","op":"eq","value":42}]}`, "error.cond.fact|$.all[0]|shoe_size"},
		{`{"any":[{"fact":"age","op":"contains","value":"x"}]}`, "error.cond.op|$.any[0]|contains|age|eq, lt, lte, gt, gte"},
		{`{"fact":"gender","op":"eq","value":"other"}`, "error.cond.enum|$|other|gender"},
		{`{"fact":"age","op":"lt","value":"forty"}`, "error.cond.value.number|$|lt"},
		{`{"fact":"age","op":"lt","value":null}`, "error.cond.value.null|$|lt"},
		{`{"fact":"graduation_date","op":"within_years","value":2.5}`, "error.cond.value.years|$|within_years"},
		{`{"fact":"graduation_date","op":"within_years","value":2,"until":["age"]}`, "error.cond.until|$|age"},
		{`{"not":{"any":[]}}`, "error.cond.any_empty|$.not.any"},
		{`{"all":[null]}`, "error.cond.empty|$.all[0]"},
		{`{"op":"eq"}`, "error.cond.no_fact|$"},
		{`{"all":[],"fact":"age"}`, "error.cond.one_kind|$"},
	} {
		_, err := ParseConditions([]byte(tt.raw))
		var ce *CondError
		if !errors.As(err, &ce) || ce.Msg != tt.want {
			t.Errorf("ParseConditions(%s) = %v, want %s", tt.raw, err, tt.want)
		}
	}
}
