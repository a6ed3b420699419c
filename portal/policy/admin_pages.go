package policy

import (
	"encoding/json"
	"errors"
	"fmt"
	"onestop/portal/web"
	"onestop/services/core"
	"onestop/services/policy"
	"onestop/services/training"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

func (a *Handlers) adminPoliciesPage(c *fiber.Ctx) error {
	list, err := a.policies.All(c.UserContext())
	if err != nil {
		return err
	}
	// After an edit everyone is re-checked in the background: the page says
	// how far that has come.
	sweep, err := a.told.Progress(c.UserContext())
	if err != nil {
		return err
	}
	return a.Render(c, "pages/admin_policies", fiber.Map{"Title": "admin.policies.title", "Policies": list, "Sweep": sweep})
}

func (a *Handlers) adminPolicyPage(c *fiber.Ctx) error {
	p, err := a.policies.Get(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return a.renderPolicyForm(c, p, prettyJSON(p.Conditions), map[string]string{})
}

func prettyJSON(raw []byte) string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

func (a *Handlers) renderPolicyForm(c *fiber.Ctx, p *policy.Policy, conditions string, errs map[string]string) error {
	versions, err := a.policies.Versions(c.UserContext(), p.ID)
	if err != nil && !core.IsCode(err, core.NotFound) {
		return err
	}
	apply := policy.Apply{}
	if p.Apply != nil {
		apply = *p.Apply
	}
	lines := map[string]string{}
	if l := apply.Lines; l != nil {
		num := func(n int) string {
			if n == 0 {
				return ""
			}
			return strconv.Itoa(n)
		}
		lines = map[string]string{"contract_years": num(l.ContractYears), "served_years": num(l.ServedYears), "min_lines": num(l.MinLines),
			"social_insurance": yes(l.SocialInsurance), "on_roster": yes(l.OnRoster)}
	}
	return a.Render(c, "pages/admin_policy", fiber.Map{"Title": "admin.policies.edit", "Policy": p, "ConditionsText": conditions,
		"Errors": errs, "Versions": a.versionRows(c, versions), "Languages": policy.Languages, "Facts": a.factNames(c), "ApplyKinds": policy.ApplyKinds, "Applicants": policy.Applicants,
		"Apply": apply, "Lines": lines, "EvidenceKinds": policy.EvidenceKinds, "Deciders": policy.Deciders, "OrganisationKinds": policy.OrganisationKinds,
		"Courses": training.Kinds})
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return ""
}

// applyForm reads how the support is applied for from the edit form:
// nothing when no kind is chosen; the terms of a reward claim's people
// only for a reward (the rest of the form is the catalogue's to check).
func applyForm(c *fiber.Ctx, errs map[string]string) *policy.Apply {
	kind := c.FormValue("apply_kind")
	if kind == "" {
		return nil
	}
	num := func(name string) int {
		s := strings.TrimSpace(c.FormValue(name))
		if s == "" {
			return 0
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			errs["apply."+strings.TrimPrefix(name, "apply_")] = "error.number"
		}
		return n
	}
	a := &policy.Apply{Kind: kind, Documents: web.FormList(c, "apply_documents"), Days: num("apply_days"), Decider: c.FormValue("apply_decider"),
		Prefix: strings.ToUpper(strings.TrimSpace(c.FormValue("apply_prefix"))), Hardship: c.FormValue("apply_hardship") == "yes",
		Organisations: web.FormList(c, "apply_organisations"), Auto: c.FormValue("apply_auto") == "yes"}
	if kind == policy.ApplyVoucher {
		a.Course, a.Months = c.FormValue("apply_course"), num("apply_months")
	}
	if a.Decider == "case_officer" {
		a.Decider = "" // the default, said one way
	}
	if kind == policy.ApplyReward {
		a.Lines = &policy.LineTerms{ContractYears: num("apply_lines_contract_years"), ServedYears: num("apply_lines_served_years"),
			MinLines: num("apply_lines_min_lines"), SocialInsurance: c.FormValue("apply_lines_social_insurance") == "yes",
			OnRoster: c.FormValue("apply_lines_on_roster") == "yes"}
	}
	return a
}

// versionRow is a line of a policy's history: who saved it by name.
type versionRow struct {
	Version   int
	UpdatedAt time.Time
	By        string
}

// versionRows names who saved each version: the administrator's account
// name, or the catalogue's seed; an account no longer there is said so.
func (a *Handlers) versionRows(c *fiber.Ctx, versions []*policy.Policy) []versionRow {
	lang := web.Lang(c)
	names := map[string]string{"seed": a.I18n.T(lang, "policy.by_seed"), policy.Upgrade: a.I18n.T(lang, "policy.by_upgrade"), "": "—"}
	out := make([]versionRow, 0, len(versions))
	for _, v := range versions {
		name, ok := names[v.UpdatedBy]
		if !ok {
			u, err := a.accounts.Get(c.UserContext(), v.UpdatedBy)
			switch {
			case err == nil:
				name = u.Name
			case core.IsCode(err, core.NotFound):
				name = a.I18n.T(lang, "policy.by_gone")
			default:
				name = "—" // the history still shows; only the name is missing
			}
			names[v.UpdatedBy] = name
		}
		out = append(out, versionRow{Version: v.Version, UpdatedAt: v.UpdatedAt, By: name})
	}
	return out
}

// adminPolicySave reads the edit form: texts per language, the benefit
// numbers and the conditions as JSON.
func (a *Handlers) adminPolicySave(c *fiber.Ctx) error {
	old, err := a.policies.Get(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	p := &policy.Policy{ID: old.ID, Benefit: old.Benefit, Basis: strings.TrimSpace(c.FormValue("basis")), Active: c.FormValue("active") == "yes",
		Applicant: c.FormValue("applicant", old.Applicant), Name: policy.Text{}, Summary: policy.Text{}, Grantor: policy.Text{}, BenefitText: policy.Text{}}
	if _, err := fmt.Sscan(c.FormValue("version"), &p.Version); err != nil {
		return web.Fail(400, "error.bad_request", nil)
	}
	for _, l := range policy.Languages {
		p.Name[l] = strings.TrimSpace(c.FormValue("name." + l))
		p.Summary[l] = strings.TrimSpace(c.FormValue("summary." + l))
		p.Grantor[l] = strings.TrimSpace(c.FormValue("grantor." + l))
		p.BenefitText[l] = strings.TrimSpace(c.FormValue("benefit_text." + l))
	}
	formErrs := map[string]string{}
	if s := strings.TrimSpace(c.FormValue("benefit_amount_yuan")); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			formErrs["benefit"] = "error.number"
		}
		p.Benefit.AmountYuan = n
	} else {
		p.Benefit.AmountYuan = 0
	}
	p.Apply = applyForm(c, formErrs)
	conditions := c.FormValue("conditions")
	p.Conditions = []byte(conditions)
	if len(formErrs) > 0 {
		err = &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: formErrs}
	} else {
		err = a.policies.Save(c.UserContext(), web.Principal(c), p, web.Meta(c))
	}
	if err != nil {
		var ce *core.Error
		if errors.As(err, &ce) && (ce.Code == core.Invalid || ce.Code == core.Conflict) {
			errs := ce.Fields
			if errs == nil {
				errs = map[string]string{"version": ce.Message}
			}
			p.Version = old.Version
			c.Status(fiber.StatusUnprocessableEntity)
			return a.renderPolicyForm(c, p, conditions, errs)
		}
		return err
	}
	web.Flash(c, "admin.policies.saved")
	return c.Redirect("/admin/policies/"+p.ID, fiber.StatusSeeOther)
}

// factNames are the facts a condition may name: the built-in ones, then
// those administrators defined.
func (a *Handlers) factNames(c *fiber.Ctx) []string {
	names := policy.FactNames()
	defs, err := a.policies.Defined(c.UserContext())
	if err != nil {
		a.Log.WarnContext(c.UserContext(), "defined facts", "err", err)
	}
	for _, d := range defs {
		names = append(names, d.Name)
	}
	return names
}
