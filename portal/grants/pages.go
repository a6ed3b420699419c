package grants

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"onestop/portal/i18n"
	"onestop/portal/web"
	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/grants"
	"onestop/services/policy"
)

// Rows of the reward form: shown blank at first, and the most one form
// lists (the service's bound).
const (
	firstRows = 5
	moreRows  = 5
)

// policyName is a policy's name in the reader's language ("" when gone).
func (a *Handlers) policyName(c *fiber.Ctx, id string) string {
	p, err := a.policies.Get(c.UserContext(), id)
	if err != nil {
		return id
	}
	return i18n.Content(web.Lang(c), p.Name.In(web.Lang(c)))
}

// names are the names of every policy, by id, for the lists.
func (a *Handlers) names(c *fiber.Ctx) (map[string]string, error) {
	all, err := a.policies.All(c.UserContext())
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, p := range all {
		out[p.ID] = i18n.Content(web.Lang(c), p.Name.In(web.Lang(c)))
	}
	return out, nil
}

func (a *Handlers) listPage(c *fiber.Ctx) error {
	me := web.Principal(c)
	q := query(c)
	rows, total, p, err := a.grants.List(c.UserContext(), me, q)
	if web.FormErrors(err) != nil {
		return c.Redirect("/grants", fiber.StatusSeeOther) // a chip of an old link: the default list
	}
	if err != nil {
		return err
	}
	names, err := a.names(c)
	if err != nil {
		return err
	}
	data := fiber.Map{"Title": "grants.title", "Rows": rows, "Total": total, "Query": q, "Names": names, "Statuses": grants.Statuses,
		"Kinds": []string{policy.ApplyCertificate, policy.ApplyRegistration, policy.ApplyReward, policy.ApplySubsidy, policy.ApplyVoucher}, "Pager": web.NewPager(c, p, total),
		"Bureau": me.Role.Bureau()}
	if !me.Role.Bureau() {
		data["Title"] = "grants.mine"
		if me.Role == accounts.Organisation {
			data["Title"] = "grants.org"
		}
		pols, err := a.applicable(c)
		if err != nil {
			return err
		}
		data["Applicable"] = pols
		if subject, err := a.grants.SubjectOf(c.UserContext(), me); err == nil {
			ledger, n, _, err := a.grants.Ledger(c.UserContext(), me, subject, core.Page{Number: 1, Size: 50})
			if err != nil {
				return err
			}
			data["Ledger"], data["LedgerTotal"] = ledger, n
		}
	}
	return a.Render(c, "pages/grants", data)
}

// applicable are the supports the caller may apply for here now: an
// organisation's every one of its kinds; a person's those their profile
// qualifies them for (the supports page says why the others are not).
func (a *Handlers) applicable(c *fiber.Ctx) ([]*policy.Policy, error) {
	me := web.Principal(c)
	pols, err := a.grants.Policies(c.UserContext(), me)
	if err != nil || me.Role != accounts.Entrepreneur {
		return pols, err
	}
	rs, _, err := a.people.MyEligibility(c.UserContext(), me)
	if err != nil {
		return nil, err
	}
	eligible := map[string]bool{}
	for _, r := range rs {
		eligible[r.Policy.ID] = r.Status == policy.Eligible
	}
	return slices.DeleteFunc(pols, func(p *policy.Policy) bool { return !eligible[p.ID] }), nil
}

// form is what the application page shows of a policy: the kind's form,
// and for a person where they stand.
type form struct {
	Policy  *policy.Policy
	Name    string
	Benefit string
	Status  policy.Status
	Pending []string // checked facts still on the person's word, by catalog key
	Rows    int
}

func (a *Handlers) newPage(c *fiber.Ctx) error {
	rows := min(max(c.QueryInt("rows", firstRows), firstRows), grants.MaxLines)
	return a.renderForm(c, grants.Input{PolicyID: c.Query("policy")}, rows, nil)
}

func (a *Handlers) renderForm(c *fiber.Ctx, in grants.Input, rows int, errs map[string]string) error {
	me := web.Principal(c)
	pol, err := a.policies.Get(c.UserContext(), in.PolicyID)
	if err != nil || !pol.Applicable() || pol.ForOrganisations() != (me.Role == accounts.Organisation) {
		web.Flash(c, "error.grant.policy")
		return c.Redirect("/grants", fiber.StatusSeeOther)
	}
	l := web.Lang(c)
	f := form{Policy: pol, Name: i18n.Content(l, pol.Name.In(l)), Benefit: i18n.Content(l, pol.BenefitText.In(l)), Rows: max(rows, len(in.Lines))}
	if !pol.ForOrganisations() {
		rs, _, err := a.people.MyEligibility(c.UserContext(), me)
		if err != nil {
			return err
		}
		for _, r := range rs {
			if r.Policy.ID == pol.ID {
				f.Status, f.Pending = r.Status, r.Unverified
			}
		}
	}
	if pol.Apply.Kind != policy.ApplyReward {
		f.Rows, in.Lines = 0, nil // only a reward claim lists people
	}
	for len(in.Lines) < f.Rows {
		in.Lines = append(in.Lines, grants.LineInput{})
	}
	if len(errs) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
	}
	return a.Render(c, "pages/grant_new", fiber.Map{"Title": "grants.apply", "Form": f, "Input": in, "Errors": errs})
}

func (a *Handlers) create(c *fiber.Ctx) error {
	errs := map[string]string{}
	in := grants.Input{PolicyID: c.FormValue("policy_id"), Note: c.FormValue("note"), Hardship: c.FormValue("hardship") == "yes"}
	rows := 0
	if n, err := strconv.Atoi(c.FormValue("rows")); err == nil {
		rows = min(max(n, 0), grants.MaxLines)
	}
	// A blank row is no line; each other row keeps its place for its
	// messages (lines.<i>.<field>).
	var index []int
	for i := range rows {
		key := func(f string) string { return fmt.Sprintf("lines.%d.%s", i, f) }
		name, number := strings.TrimSpace(c.FormValue(key("name"))), strings.TrimSpace(c.FormValue(key("id_number")))
		start, years := strings.TrimSpace(c.FormValue(key("contract_start"))), strings.TrimSpace(c.FormValue(key("contract_years")))
		if name == "" && number == "" && start == "" && years == "" {
			continue
		}
		l := grants.LineInput{Name: name, IDNumber: number, ContractStart: web.FormDate(c, key("contract_start"), errs),
			SocialInsurance: c.FormValue(key("social_insurance")) == "yes"}
		if y, err := strconv.Atoi(years); err == nil {
			l.ContractYears = y
		} else {
			errs[key("contract_years")] = "error.number"
		}
		index = append(index, i)
		in.Lines = append(in.Lines, l)
	}
	if c.FormValue("more") == "yes" { // more rows, what was typed kept, nothing sent
		errs, rows = nil, min(rows+moreRows, grants.MaxLines)
	} else if len(errs) == 0 {
		g, err := a.grants.Apply(c.UserContext(), web.Principal(c), in, nil, web.Meta(c))
		if err == nil {
			web.Flash(c, "grants.applied")
			return c.Redirect("/grants/"+g.ID+"#documents", fiber.StatusSeeOther)
		}
		fe := web.FormErrors(err)
		if fe == nil {
			return err
		}
		errs = renumber(fe, index)
	}
	// The form again with what was typed, each line in its row.
	typed := make([]grants.LineInput, rows)
	for j, i := range index {
		typed[i] = in.Lines[j]
	}
	in.Lines = typed
	return a.renderForm(c, in, rows, errs)
}

// renumber moves the service's messages of line j (the j-th line given)
// to the form's row index[j], where it was typed.
func renumber(errs map[string]string, index []int) map[string]string {
	out := map[string]string{}
	for k, v := range errs {
		if rest, ok := strings.CutPrefix(k, "lines."); ok {
			if n, field, ok := strings.Cut(rest, "."); ok {
				if j, err := strconv.Atoi(n); err == nil && j < len(index) {
					k = fmt.Sprintf("lines.%d.%s", index[j], field)
				}
			}
		}
		out[k] = v
	}
	return out
}

func (a *Handlers) page(c *fiber.Ctx) error { return a.render(c, "", nil) }

// render shows an application; a step refused on its fields (action)
// comes back with the messages at its form and what was typed in it.
func (a *Handlers) render(c *fiber.Ctx, action string, errs map[string]string) error {
	me := web.Principal(c)
	g, err := a.grants.Get(c.UserContext(), me, c.Params("id"))
	if err != nil {
		return err
	}
	pol, err := a.policies.Get(c.UserContext(), g.PolicyID)
	if err != nil {
		return err
	}
	side := "bureau"
	if !me.Role.Bureau() {
		side = "applicant"
	}
	var kinds []string
	if pol.Apply != nil {
		kinds = pol.Apply.Documents
	}
	data := fiber.Map{"Title": "grants.application", "G": a.toAPI(c, g), "Side": side, "Decides": grants.Decides(me, pol), "PolicyName": a.policyName(c, g.PolicyID),
		"Kinds": kinds, "Action": action, "Errors": errs, "Typed": map[string]string{}}
	if errs != nil {
		data["Typed"] = map[string]string{"note": c.FormValue("note"), "hardship": c.FormValue("hardship")}
		c.Status(fiber.StatusUnprocessableEntity)
	}
	return a.Render(c, "pages/grant", data)
}

func (a *Handlers) stepWeb(c *fiber.Ctx) error {
	id := c.Params("id")
	if !core.ValidID(id) {
		return core.Errorf(core.NotFound, "error.not_found") // never into a Location header
	}
	in := grants.StepInput{Action: c.FormValue("action"), Note: c.FormValue("note"), Hardship: c.FormValue("hardship") == "yes"}
	if in.Action == "withdraw" && c.FormValue("confirm") != "yes" {
		if _, err := a.grants.Get(c.UserContext(), web.Principal(c), id); err != nil {
			return err
		}
		web.Flash(c, "error.grant.withdraw_unconfirmed")
		return c.Redirect("/grants/"+id, fiber.StatusSeeOther)
	}
	_, err := a.grants.Act(c.UserContext(), web.Principal(c), id, in, web.Meta(c))
	if fe := web.FormErrors(err); fe != nil {
		return a.render(c, in.Action, fe)
	}
	if err != nil {
		if !web.FlashRefusal(c, err) {
			return err
		}
	} else {
		web.Flash(c, "grants.step."+in.Action)
	}
	return c.Redirect("/grants/"+id, fiber.StatusSeeOther)
}

func (a *Handlers) attachWeb(c *fiber.Ctx) error {
	up, err := readUpload(c)
	if err == nil {
		_, err = a.grants.Attach(c.UserContext(), web.Principal(c), c.Params("id"), up, web.Meta(c))
	}
	if err != nil {
		if !web.FlashRefusal(c, err) {
			return err
		}
	} else {
		web.Flash(c, "grants.attached")
	}
	return c.Redirect("/grants/"+c.Params("id")+"#documents", fiber.StatusSeeOther)
}

func (a *Handlers) detachWeb(c *fiber.Ctx) error {
	if err := a.grants.Detach(c.UserContext(), web.Principal(c), c.Params("id"), c.Params("doc"), web.Meta(c)); err != nil {
		if !web.FlashRefusal(c, err) {
			return err
		}
	} else {
		web.Flash(c, "grants.detached")
	}
	return c.Redirect("/grants/"+c.Params("id")+"#documents", fiber.StatusSeeOther)
}

// verifyPage checks a certificate by its code, for anyone: the
// registration office, a tax officer, the holder.
func (a *Handlers) verifyPage(c *fiber.Ctx) error {
	code := strings.TrimSpace(c.Query("code"))
	data := fiber.Map{"Title": "certcheck.title", "Code": code}
	if code != "" {
		cert, err := a.grants.Verify(c.UserContext(), code)
		switch {
		case err == nil:
			data["Cert"], data["PolicyName"] = cert, a.policyName(c, cert.PolicyID)
		case core.IsCode(err, core.NotFound):
			data["NotFound"] = true
			c.Status(fiber.StatusNotFound)
		default:
			fe := web.FormErrors(err)
			if fe == nil {
				return err
			}
			data["Errors"] = fe
			c.Status(fiber.StatusUnprocessableEntity)
		}
	}
	return a.Render(c, "pages/verify", data)
}
