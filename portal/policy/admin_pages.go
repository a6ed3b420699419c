package policy

import (
	"encoding/json"
	"errors"
	"fmt"
	"onestop/portal/web"
	"onestop/services/core"
	"onestop/services/policy"
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
	return a.Render(c, "pages/admin_policy", fiber.Map{"Title": "admin.policies.edit", "Policy": p, "ConditionsText": conditions,
		"Errors": errs, "Versions": a.versionRows(c, versions), "Languages": policy.Languages, "Facts": policy.FactNames(), "ApplyKinds": policy.ApplyKinds, "Applicants": policy.Applicants})
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
	if kind := c.FormValue("apply_kind"); kind != "" {
		p.Apply = &policy.Apply{Kind: kind}
	}
	conditions := c.FormValue("conditions")
	p.Conditions = []byte(conditions)
	if err := a.policies.Save(c.UserContext(), web.Principal(c), p, web.Meta(c)); err != nil {
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
