package portal

import (
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/loans"
	"onestop/services/onestop"
	"onestop/services/people"
	"onestop/services/policy"
	"onestop/services/reference"
)

// factsForm reads the fact fields of a form (the profile page and the
// public self-check share them). Blank means unknown; unparsable values are
// reported against their field.
func factsForm(c *fiber.Ctx, errs map[string]string) policy.Facts {
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
	if c.FormValue("groups_known") == "1" {
		f.TargetGroups = []string{}
		args := c.Request().PostArgs()
		for _, v := range args.PeekMulti("target_groups") {
			f.TargetGroups = append(f.TargetGroups, string(v))
		}
	}
	f.GraduationDate = date("graduation_date")
	f.OnFarmerRoster = tri("on_farmer_roster")
	f.FarmlandPerCapitaMu = decimal("farmland_per_capita_mu")
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
	return f
}

func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == '\n' })
}

func (a *App) profileData(c *fiber.Ctx, p *people.Profile, errs map[string]string) fiber.Map {
	return fiber.Map{
		"Title": "profile.title", "Profile": p, "Facts": p.Facts, "Errors": errs, "Notice": people.NoticeVersion,
		"Options": a.formOptions(),
	}
}

// formOptions are the choices of the profile and self-check forms.
func (a *App) formOptions() fiber.Map {
	return fiber.Map{
		"Groups": policy.TargetGroups, "Stages": policy.Stages, "Forms": policy.Forms, "Industries": a.ventureIndustries(),
		"Districts": a.reference.Codes(reference.District), "Educations": people.Educations, "Needs": people.Needs, "Genders": policy.Genders,
	}
}

func (a *App) profilePage(c *fiber.Ctx) error {
	p, err := a.people.Get(c.UserContext(), principal(c), principal(c).ID)
	if err != nil {
		return err
	}
	if p.RealName == "" {
		p.RealName = principal(c).Name
	}
	return a.render(c, "pages/profile", a.profileData(c, p, map[string]string{}))
}

func (a *App) profileSubmit(c *fiber.Ctx) error {
	errs := map[string]string{}
	in := people.Input{
		RealName: c.FormValue("real_name"), IDNumber: c.FormValue("id_number"), Phone: c.FormValue("phone"),
		District: c.FormValue("district"), Education: c.FormValue("education"),
		Skills: splitList(c.FormValue("skills")), Certificates: splitList(c.FormValue("certificates")),
		Facts: factsForm(c, errs),
	}
	for _, n := range c.Request().PostArgs().PeekMulti("needs") {
		in.Needs = append(in.Needs, string(n))
	}
	if c.FormValue("consent") == "yes" {
		in.ConsentVersion = people.NoticeVersion
	}
	if len(errs) == 0 {
		if _, err := a.people.Save(c.UserContext(), principal(c), in, "web", meta(c)); err == nil {
			flash(c, "profile.saved")
			return c.Redirect("/supports", fiber.StatusSeeOther)
		} else if errs = formErrors(err); errs == nil {
			return err
		}
	}
	// Re-show what was typed (never the ID number or phone in clear).
	old, err := a.people.Get(c.UserContext(), principal(c), principal(c).ID)
	if err != nil {
		return err
	}
	shown := *old
	shown.RealName, shown.District, shown.Education = in.RealName, in.District, in.Education
	shown.Skills, shown.Certs, shown.Needs, shown.Facts = in.Skills, in.Certificates, in.Needs, in.Facts
	c.Status(fiber.StatusUnprocessableEntity)
	return a.render(c, "pages/profile", a.profileData(c, &shown, errs))
}

// resultView is one policy outcome on a page.
type resultView struct {
	ID, Name, Summary, Basis, BenefitText string
	Status                                policy.Status
	Reasons                               []string
	Missing                               []string
	Benefit                               *policy.Granted
	// ApplyLink leads an eligible entrepreneur to apply (a loan).
	ApplyLink string
}

func (a *App) resultViews(c *fiber.Ctx, rs []policy.Result) []resultView {
	l := lang(c)
	out := make([]resultView, 0, len(rs))
	for _, ar := range a.toAPIResults(l, rs) {
		rv := resultView{ID: ar.PolicyID, Name: ar.Name, Status: ar.Status, Reasons: ar.Reasons, Basis: ar.Basis}
		for _, r := range rs {
			if r.Policy.ID == ar.PolicyID {
				rv.Summary, rv.BenefitText, rv.Benefit = r.Policy.Summary.In(l), r.Policy.BenefitText.In(l), r.Benefit
			}
		}
		for _, m := range ar.Missing {
			rv.Missing = append(rv.Missing, a.i18n.T(l, "fact."+m))
		}
		if rv.Status == policy.Eligible && principal(c).Role == accounts.Entrepreneur && slices.Contains(loans.LoanPolicies, rv.ID) {
			rv.ApplyLink = "/loans/new?policy=" + rv.ID
		}
		out = append(out, rv)
	}
	// Eligible first, then what needs information, then the rest.
	rank := map[policy.Status]int{policy.Eligible: 0, policy.NeedsInfo: 1, policy.NotEligible: 2}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && rank[out[j].Status] < rank[out[j-1].Status]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func (a *App) supportsPage(c *fiber.Ctx) error {
	rs, asOf, err := a.myResults(c)
	if err != nil {
		return err
	}
	return a.render(c, "pages/supports", fiber.Map{"Title": "supports.title", "Results": a.resultViews(c, rs), "AsOf": asOf.String(), "Types": onestop.Types})
}

// checkPage is the public self-check: a short form that grows with the
// answers — after each round it asks for the facts the undecided policies
// still need.
func (a *App) checkPage(c *fiber.Ctx) error {
	return a.render(c, "pages/check", fiber.Map{"Title": "check.title", "Facts": policy.Facts{}, "Errors": map[string]string{},
		"Options": a.formOptions(), "Ask": firstQuestions(), "Round": 0})
}

// firstQuestions are asked of everyone; the rest only when a policy needs
// them.
func firstQuestions() map[string]bool {
	return map[string]bool{"target_groups": true, "birth_date": true, "gender": true, "venture.stage": true, "venture.form": true, "wants_training": true}
}

// answered adds to ask every fact the form already carries, so nothing
// typed disappears between rounds.
func answered(ask map[string]bool, c *fiber.Ctx) {
	args := c.Request().PostArgs()
	args.VisitAll(func(k, v []byte) {
		if len(v) > 0 {
			ask[string(k)] = true
		}
	})
	if c.FormValue("groups_known") == "1" {
		ask["target_groups"] = true
	}
}

func (a *App) checkSubmit(c *fiber.Ctx) error {
	errs := map[string]string{}
	f := factsForm(c, errs)
	ask := firstQuestions()
	answered(ask, c)
	data := fiber.Map{"Title": "check.title", "Facts": f, "Errors": errs, "Options": a.formOptions(), "Round": 1, "Ask": ask}
	if len(errs) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
		return a.render(c, "pages/check", data)
	}
	asOf := core.DateOf(a.clock.Now())
	rs, err := a.policies.Check(c.UserContext(), &f, asOf)
	if err != nil {
		if fe := formErrors(err); fe != nil {
			c.Status(fiber.StatusUnprocessableEntity)
			data["Errors"] = fe
			return a.render(c, "pages/check", data)
		}
		return err
	}
	for _, r := range rs {
		for _, m := range r.Missing {
			ask[m] = true
		}
	}
	data["Results"], data["AsOf"] = a.resultViews(c, rs), asOf.String()
	return a.render(c, "pages/check", data)
}

func (a *App) policiesPage(c *fiber.Ctx) error {
	list, err := a.policies.All(c.UserContext())
	if err != nil {
		return err
	}
	return a.render(c, "pages/policies", fiber.Map{"Title": "policies.title", "Policies": list})
}

func (a *App) policyPage(c *fiber.Ctx) error {
	p, err := a.policies.Get(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	if !p.Active && principal(c).Role != "admin" {
		return core.Errorf(core.NotFound, "error.not_found")
	}
	return a.render(c, "pages/policy", fiber.Map{"Title": "policies.title", "Policy": p, "Conditions": a.conditionLines(lang(c), p.Cond(), 0)})
}

// conditionLine is one line of a policy's conditions, indented by depth.
type conditionLine struct {
	Depth int
	Text  string
}

// conditionLines renders a condition tree as indented plain sentences.
func (a *App) conditionLines(l string, c *policy.Cond, depth int) []conditionLine {
	if c == nil {
		return nil
	}
	var out []conditionLine
	switch {
	case c.All != nil || (c.Any == nil && c.Not == nil && c.Fact == ""):
		if len(c.All) == 0 {
			return []conditionLine{{depth, a.i18n.T(l, "reason.open")}}
		}
		out = append(out, conditionLine{depth, a.i18n.T(l, "cond.all")})
		for _, s := range c.All {
			out = append(out, a.conditionLines(l, s, depth+1)...)
		}
	case c.Any != nil:
		out = append(out, conditionLine{depth, a.i18n.T(l, "cond.any")})
		for _, s := range c.Any {
			out = append(out, a.conditionLines(l, s, depth+1)...)
		}
	case c.Not != nil:
		out = append(out, conditionLine{depth, a.i18n.T(l, "cond.not")})
		out = append(out, a.conditionLines(l, c.Not, depth+1)...)
	default:
		var value any
		_ = jsonUnmarshal(c.Value, &value)
		if list, ok := value.([]any); ok {
			ss := make([]string, 0, len(list))
			for _, x := range list {
				ss = append(ss, toString(x))
			}
			value = ss
		}
		r := policy.Reason{Fact: c.Fact, Op: c.Op, Value: value}
		if len(c.Until) > 0 {
			r.Until = c.Until[0]
		}
		out = append(out, conditionLine{depth, a.conditionText(l, r)})
	}
	return out
}
