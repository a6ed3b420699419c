package policy

import (
	"onestop/services/core"
	"onestop/services/people"
	"onestop/services/policy"
	"onestop/services/reference"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// FactsForm reads the fact fields of a form (the profile page and the
// public self-check share them). Blank means unknown; unparsable values are
// reported against their field.
func FactsForm(c *fiber.Ctx, errs map[string]string) policy.Facts {
	var f policy.Facts
	date := func(name string) *core.Date {
		s := strings.TrimSpace(c.FormValue(name))
		if s == "" {
			return nil
		}
		d, err := core.ParseDate(s)
		if err != nil {
			errs[name] = "error.date"
			return nil
		}
		return &d
	}
	tri := func(name string) *bool {
		switch c.FormValue(name) {
		case "yes":
			t := true
			return &t
		case "no":
			f := false
			return &f
		}
		return nil
	}
	integer := func(name string) *int {
		s := strings.TrimSpace(c.FormValue(name))
		if s == "" {
			return nil
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			errs[name] = "error.number"
			return nil
		}
		return &n
	}
	decimal := func(name string) *float64 {
		s := strings.TrimSpace(c.FormValue(name))
		if s == "" {
			return nil
		}
		n, err := strconv.ParseFloat(s, 64)
		if err != nil || n != n {
			errs[name] = "error.number"
			return nil
		}
		return &n
	}
	f.BirthDate = date("birth_date")
	f.Gender = c.FormValue("gender")
	// Target groups: those ticked; none of them only when the person says
	// so ("none of these"); nothing ticked is unknown, as the page promises
	// for every unfilled item (nil, not [], which rules people out).
	for _, v := range c.Request().PostArgs().PeekMulti("target_groups") {
		f.TargetGroups = append(f.TargetGroups, string(v))
	}
	if c.FormValue("groups_none") == "1" {
		if len(f.TargetGroups) > 0 {
			errs["target_groups"] = "error.groups.none_and_some"
		}
		f.TargetGroups = []string{}
	}
	f.GraduationDate = date("graduation_date")
	f.OnFarmerRoster = tri("on_farmer_roster")
	f.FarmlandPerCapitaMu = decimal("farmland_per_capita_mu")
	f.RelocatedByLaw = tri("relocated_by_law")
	f.Employed = tri("employed")
	f.HasSkillCertificate = tri("has_skill_certificate")
	f.WantsTraining = tri("wants_training")
	f.TrainingRefusals = integer("training_refusals")
	v := policy.Venture{
		Stage: c.FormValue("venture.stage"), Form: c.FormValue("venture.form"), Industry: c.FormValue("venture.industry"),
		FirstRegistered: date("venture.first_registered"), MicroProfit: tri("venture.micro_profit"),
		OwnFundsSufficient: tri("venture.own_funds_sufficient"), Employees: integer("venture.employees"),
		LandFarmerEmployees: integer("venture.land_farmer_employees"), LandFarmerContractYears: decimal("venture.land_farmer_contract_years"),
		LandFarmerEmployedYears: decimal("venture.land_farmer_employed_years"), PlacementAgency: tri("venture.placement_agency"),
		LandFarmerPlaced: integer("venture.land_farmers_placed"),
	}
	if v != (policy.Venture{}) {
		f.Venture = &v
	}
	// The facts an administrator defined: their values as typed (a yes/no
	// as the tri-state select sends it), made canonical and checked by kind
	// where the facts are checked (policy.Catalogue.CheckExtra).
	c.Request().PostArgs().VisitAll(func(k, v []byte) {
		name, ok := strings.CutPrefix(string(k), "extra.")
		if !ok || len(v) == 0 {
			return
		}
		if f.Extra == nil {
			f.Extra = policy.Extra{}
		}
		f.Extra[name] = string(v)
	})
	return f
}

// DefinedField is a fact an administrator defined, as the facts form asks
// it.
type DefinedField struct {
	Name, Kind string
	// Locked: only a check sets it (the profile shows it read-only; the
	// self-check, a what-if, asks it like any other).
	Locked bool
}

// Field is the form field's name.
func (d DefinedField) Field() string { return "extra." + d.Name }

// Label is the fact's catalog key, answered from the data
// (i18n.Bundle.WithData).
func (d DefinedField) Label() string { return "fact." + d.Name }

// FormOptions are the choices of the profile and self-check forms.
func (a *Handlers) FormOptions(c *fiber.Ctx) fiber.Map {
	var defined []DefinedField
	defs, err := a.policies.Defined(c.UserContext())
	if err != nil {
		// The form still works on the built-in facts; the save that needs
		// the catalogue reports the failure.
		a.Log.WarnContext(c.UserContext(), "defined facts", "err", err)
	}
	for _, d := range defs {
		defined = append(defined, DefinedField{Name: d.Name, Kind: d.Kind, Locked: d.Protected()})
	}
	return fiber.Map{
		"Defined": defined,
		"Groups":  policy.TargetGroups, "Stages": policy.Stages, "Forms": policy.Forms, "Industries": a.VentureIndustries(), "IndustryGroups": a.VentureIndustryGroups(),
		"Districts": a.Lists.Codes(reference.District), "Educations": people.Educations, "Needs": people.Needs, "Genders": policy.Genders,
	}
}
