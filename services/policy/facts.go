// Package policy owns the policy catalogue (政策目錄) — public supports kept
// as data, each with its conditions in a small declarative form — and the
// eligibility engine (資格自測) that says, for a person's facts on a day,
// which supports they qualify for, why, and what is missing.
package policy

import (
	"maps"
	"reflect"
	"slices"

	"onestop/services/core"
	"onestop/services/reference"
)

// Facts are what the engine knows about a person. A nil pointer or a nil
// slice is an unknown fact; the engine answers needs_info where it matters.
// The JSON names are the API's.
type Facts struct {
	BirthDate           *core.Date `json:"birth_date,omitempty" bson:"birth_date,omitempty"`
	Gender              string     `json:"gender,omitempty" bson:"gender,omitempty"`
	TargetGroups        []string   `json:"target_groups,omitempty" bson:"target_groups"` // [] is "none", nil "unknown"
	GraduationDate      *core.Date `json:"graduation_date,omitempty" bson:"graduation_date,omitempty"`
	OnFarmerRoster      *bool      `json:"on_farmer_roster,omitempty" bson:"on_farmer_roster,omitempty"`
	FarmlandPerCapitaMu *float64   `json:"farmland_per_capita_mu,omitempty" bson:"farmland_per_capita_mu,omitempty"`
	RelocatedByLaw      *bool      `json:"relocated_by_law,omitempty" bson:"relocated_by_law,omitempty"` // 依法拆村建居: counts like < 0.1 mu per head
	Employed            *bool      `json:"employed,omitempty" bson:"employed,omitempty"`
	HasSkillCertificate *bool      `json:"has_skill_certificate,omitempty" bson:"has_skill_certificate,omitempty"`
	WantsTraining       *bool      `json:"wants_training,omitempty" bson:"wants_training,omitempty"`
	TrainingRefusals    *int       `json:"training_refusals,omitempty" bson:"training_refusals,omitempty"`
	Venture             *Venture   `json:"venture,omitempty" bson:"venture,omitempty"`
	// Extra are the facts administrators defined (DefinedFact), by name.
	Extra Extra `json:"extra,omitempty" bson:"extra,omitempty"`
}

// Venture is the person's planned or running business.
type Venture struct {
	Stage                   string     `json:"stage,omitempty" bson:"stage,omitempty"`
	Form                    string     `json:"form,omitempty" bson:"form,omitempty"`
	Industry                string     `json:"industry,omitempty" bson:"industry,omitempty"`
	FirstRegistered         *core.Date `json:"first_registered,omitempty" bson:"first_registered,omitempty"`
	MicroProfit             *bool      `json:"micro_profit,omitempty" bson:"micro_profit,omitempty"`
	OwnFundsSufficient      *bool      `json:"own_funds_sufficient,omitempty" bson:"own_funds_sufficient,omitempty"`
	Employees               *int       `json:"employees,omitempty" bson:"employees,omitempty"`
	LandFarmerEmployees     *int       `json:"land_farmer_employees,omitempty" bson:"land_farmer_employees,omitempty"`
	LandFarmerContractYears *float64   `json:"land_farmer_contract_years,omitempty" bson:"land_farmer_contract_years,omitempty"`
	LandFarmerEmployedYears *float64   `json:"land_farmer_employed_years,omitempty" bson:"land_farmer_employed_years,omitempty"`
	// PlacementAgency: the venture is a labour intermediary or training
	// institution that places land-expropriated farmers in jobs.
	PlacementAgency  *bool `json:"placement_agency,omitempty" bson:"placement_agency,omitempty"`
	LandFarmerPlaced *int  `json:"land_farmers_placed,omitempty" bson:"land_farmers_placed,omitempty"`
}

// Enumerations of the facts.
var (
	TargetGroups = []string{"college_graduate", "registered_unemployed", "returning_migrant_worker", "retired_soldier",
		"returned_overseas_student", "land_expropriated_farmer", "disabled", "unemployment_insurance_recipient"}
	Genders = []string{"male", "female"}
	Stages  = []string{"idea", "preparing", "operating", "closed"}
	Forms   = []string{"individual", "company", "cooperative"}
)

// VentureIndustries are the lists a venture's industry comes from: the
// guidance catalogue (產業指導目錄, 三), then the trades the tax-relief rule
// of the land-expropriated-farmer text names (reference data).
var VentureIndustries = []reference.Kind{reference.Industry, reference.Sector}

// Validate checks the facts' values; field names are the API's. industry
// says which venture industries are accepted, and turns a label given for
// one into its code.
func (f *Facts) Validate(v *core.Validation, asOf core.Date, industry reference.Rule) {
	if f.BirthDate != nil {
		v.Check(!f.BirthDate.After(asOf) && asOf.AddYears(-120).Before(*f.BirthDate), "birth_date", "error.date.birth")
	}
	v.Check(f.Gender == "" || slices.Contains(Genders, f.Gender), "gender", "error.enum")
	for _, g := range f.TargetGroups {
		if !slices.Contains(TargetGroups, g) {
			v.Add("target_groups", "error.enum")
		}
	}
	if f.GraduationDate != nil {
		v.Check(!f.GraduationDate.After(asOf.AddYears(1)), "graduation_date", "error.date.future")
		if f.BirthDate != nil {
			v.Check(f.GraduationDate.After(*f.BirthDate), "graduation_date", "error.date.order")
		}
	}
	if f.FarmlandPerCapitaMu != nil {
		v.Check(*f.FarmlandPerCapitaMu >= 0 && *f.FarmlandPerCapitaMu < 1000, "farmland_per_capita_mu", "error.number.range")
	}
	if f.TrainingRefusals != nil {
		v.Check(*f.TrainingRefusals >= 0 && *f.TrainingRefusals < 100, "training_refusals", "error.number.range")
	}
	if w := f.Venture; w != nil {
		v.Check(w.Stage == "" || slices.Contains(Stages, w.Stage), "venture.stage", "error.enum")
		v.Check(w.Form == "" || slices.Contains(Forms, w.Form), "venture.form", "error.enum")
		industry.Check(v, "venture.industry", &w.Industry)
		if w.FirstRegistered != nil {
			v.Check(!w.FirstRegistered.After(asOf) && w.FirstRegistered.After(core.NewDate(1949, 9, 30)), "venture.first_registered", "error.date.future")
		}
		for name, n := range map[string]*int{"venture.employees": w.Employees, "venture.land_farmer_employees": w.LandFarmerEmployees, "venture.land_farmers_placed": w.LandFarmerPlaced} {
			if n != nil {
				v.Check(*n >= 0 && *n <= 1_000_000, name, "error.number.range")
			}
		}
		if w.Employees != nil && w.LandFarmerEmployees != nil {
			v.Check(*w.LandFarmerEmployees <= *w.Employees, "venture.land_farmer_employees", "error.number.more_than_employees")
		}
		for name, y := range map[string]*float64{"venture.land_farmer_contract_years": w.LandFarmerContractYears, "venture.land_farmer_employed_years": w.LandFarmerEmployedYears} {
			if y != nil {
				v.Check(*y >= 0 && *y <= 60, name, "error.number.range")
			}
		}
	}
}

// HasGroup reports whether the person belongs to a target group.
func (f *Facts) HasGroup(g string) bool { return slices.Contains(f.TargetGroups, g) }

// Fill sets every fact f does not know from o, and keeps what f knows: the
// answers of a self-check complete a profile without overwriting it.
func (f *Facts) Fill(o Facts) {
	var vf, vo Venture
	if f.Venture != nil {
		vf = *f.Venture
	}
	if o.Venture != nil {
		vo = *o.Venture
	}
	// Defined facts fill one by one, like the fields.
	var extra Extra
	if o.Extra != nil || f.Extra != nil {
		extra = Extra{}
		maps.Copy(extra, o.Extra)
		maps.Copy(extra, f.Extra)
	}
	fillZero(reflect.ValueOf(f).Elem(), reflect.ValueOf(o))
	fillZero(reflect.ValueOf(&vf).Elem(), reflect.ValueOf(vo))
	f.Extra = extra
	f.Venture = nil
	if vf != (Venture{}) {
		f.Venture = &vf
	}
}

// fillZero sets each zero field of dst (a nil pointer or slice, an empty
// string) to src's; an empty, non-nil slice ("none of these") is an answer.
func fillZero(dst, src reflect.Value) {
	for i := range dst.NumField() {
		if d := dst.Field(i); d.IsZero() {
			d.Set(src.Field(i))
		}
	}
}
