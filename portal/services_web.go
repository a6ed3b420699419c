package portal

import (
	"encoding/json"
	"strings"

	"github.com/gofiber/fiber/v2"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/onestop"
	"onestop/services/people"
	"onestop/services/pii"
	"onestop/services/policy"
	"onestop/services/reference"
	"onestop/services/training"
)

func (a *App) myServicesPage(c *fiber.Ctx) error {
	return a.renderMyServices(c, fiber.Map{"type": c.Query("type")}, map[string]string{})
}

func (a *App) renderMyServices(c *fiber.Ctx, form fiber.Map, errs map[string]string) error {
	rows, total, p, err := a.onestop.List(c.UserContext(), principal(c), onestop.Query{Page: pageOf(c)})
	if err != nil {
		return err
	}
	return a.render(c, "pages/services", fiber.Map{"Title": "services.title", "Rows": rows, "Total": total,
		"Pager": newPager(c, p, total), "Types": onestop.Types, "Days": a.serviceDays(), "Form": form, "Errors": errs})
}

func (a *App) serviceDays() map[string]int {
	d := map[string]int{}
	for _, t := range onestop.Types {
		d[t] = a.onestop.Days(t)
	}
	return d
}

func (a *App) serviceCreate(c *fiber.Ctx) error {
	in := onestop.NewRequest{Type: c.FormValue("type"), Details: c.FormValue("details")}
	r, err := a.createRequest(c, in)
	if err != nil {
		if fe := formErrors(err); fe != nil {
			c.Status(fiber.StatusUnprocessableEntity)
			return a.renderMyServices(c, fiber.Map{"type": in.Type, "details": in.Details}, fe)
		}
		return err
	}
	flash(c, "services.created.flash")
	return c.Redirect("/services/"+r.ID, fiber.StatusSeeOther)
}

func (a *App) servicePage(c *fiber.Ctx) error {
	r, err := a.onestop.Get(c.UserContext(), principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	// Staff can hand the request to a colleague: list who is on duty.
	var colleagues []accounts.Row
	if principal(c).Role.Staff() {
		for _, role := range []accounts.Role{accounts.Hotline, accounts.Admin} {
			rows, _, _, err := a.accounts.List(c.UserContext(), accounts.Principal{Role: accounts.Admin}, accounts.ListQuery{Role: role, Status: "active", Page: core.Page{Size: 100}})
			if err != nil {
				return err
			}
			colleagues = append(colleagues, rows...)
		}
	}
	return a.render(c, "pages/service", fiber.Map{"Title": "services.detail", "Request": a.toAPIRequest(c, r), "Raw": r, "Staff": colleagues})
}

// serviceAct runs a step from a form (owner's cancel, staff's steps).
func (a *App) serviceAct(action string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		_, err := a.act(c, action, actRequest{Note: c.FormValue("note"), AssigneeID: c.FormValue("assignee_id")})
		if err != nil {
			if flashRefusal(c, err) {
				return c.Redirect("/services/"+c.Params("id"), fiber.StatusSeeOther)
			}
			return err
		}
		flash(c, "services.saved")
		return c.Redirect("/services/"+c.Params("id"), fiber.StatusSeeOther)
	}
}

func (a *App) queuePage(c *fiber.Ctx) error {
	q := requestQuery(c)
	rows, total, p, err := a.onestop.List(c.UserContext(), principal(c), q)
	if err != nil {
		return err
	}
	return a.render(c, "pages/queue", fiber.Map{"Title": "queue.title", "Rows": rows, "Total": total, "Query": q,
		"Mine": c.Query("mine") == "1", "Pager": newPager(c, p, total), "Types": onestop.Types,
		"Statuses": []string{onestop.Submitted, onestop.Accepted, onestop.InProgress, onestop.Completed, onestop.Cancelled}})
}

func (a *App) peoplePage(c *fiber.Ctx) error {
	q := peopleQuery(c)
	if sensitiveQuery(q.Text, a.clock.Now()) {
		// A number in the link: no look-up, and the number is not echoed.
		q.Text = ""
		c.Status(fiber.StatusUnprocessableEntity)
		return a.render(c, "pages/people", fiber.Map{"Title": "people.title", "Rows": []people.Row{}, "Total": 0, "Query": q,
			"Pager": pager{Number: 1, Pages: 1}, "Districts": a.reference.AllCodes(reference.District), "Errors": map[string]string{"q": "search.number_in_link"}})
	}
	return a.renderPeople(c, q, func(p core.Page, total int) pager { return newPager(c, p, total) })
}

// renderPeople lists people for q; paging says where its links go (the
// GET list's own query, or a posted search's non-sensitive fields).
func (a *App) renderPeople(c *fiber.Ctx, q people.ListQuery, paging func(core.Page, int) pager) error {
	rows, total, p, err := a.people.List(c.UserContext(), principal(c), q)
	if err != nil {
		return err
	}
	pg := paging(p, total)
	if _, problem := pii.ParseID(q.Text, a.clock.Now()); problem == "" {
		q.Text = "" // an ID number is never echoed back into the page
	}
	return a.render(c, "pages/people", fiber.Map{"Title": "people.title", "Rows": rows, "Total": total, "Query": q,
		"Pager": pg, "Districts": a.reference.AllCodes(reference.District)})
}

func (a *App) personPage(c *fiber.Ctx) error {
	return a.renderPerson(c, nil)
}

func (a *App) renderPerson(c *fiber.Ctx, revealed *people.Revealed) error {
	p, err := a.people.Get(c.UserContext(), principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	rs, err := a.policies.Check(c.UserContext(), &p.Facts, core.DateOf(a.clock.Now()))
	if err != nil {
		rs = nil // a stored profile always validates; an old one may not, and the page still shows
	}
	var courses []apiCourseRow
	if r, _, err := a.training.Catalogue(c.UserContext(), training.CatalogueQuery{Page: core.Page{Size: 100}}); err == nil {
		for _, h := range r.Hits {
			courses = append(courses, courseRow(h))
		}
	}
	// A failing search only hides the warning's detail: the profile's own
	// pending mark still shows it.
	disputes, _ := a.people.DisputesOf(c.UserContext(), principal(c), p.ID)
	return a.render(c, "pages/person", fiber.Map{"Title": "people.person", "Profile": p, "Revealed": revealed, "Results": a.resultViews(c, rs),
		"Courses": courses, "Disputed": len(disputes) > 0 || len(p.Pending) > 0})
}

func (a *App) personReveal(c *fiber.Ctx) error {
	r, err := a.people.Reveal(c.UserContext(), principal(c), c.Params("id"), meta(c))
	if err != nil {
		return err
	}
	return a.renderPerson(c, r)
}

func (a *App) adminPoliciesPage(c *fiber.Ctx) error {
	list, err := a.policies.All(c.UserContext())
	if err != nil {
		return err
	}
	return a.render(c, "pages/admin_policies", fiber.Map{"Title": "admin.policies.title", "Policies": list})
}

func (a *App) adminPolicyPage(c *fiber.Ctx) error {
	p, err := a.policies.Get(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return a.renderPolicyForm(c, p, prettyJSON(p.Conditions), map[string]string{}, "")
}

func prettyJSON(raw []byte) string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

func (a *App) renderPolicyForm(c *fiber.Ctx, p *policy.Policy, conditions string, errs map[string]string, detail string) error {
	versions, err := a.policies.Versions(c.UserContext(), p.ID)
	if err != nil && !core.IsCode(err, core.NotFound) {
		return err
	}
	return a.render(c, "pages/admin_policy", fiber.Map{"Title": "admin.policies.edit", "Policy": p, "ConditionsText": conditions,
		"Errors": errs, "Detail": detail, "Versions": versions, "Languages": policy.Languages, "Facts": policy.FactNames()})
}

// adminPolicySave reads the edit form: texts per language, the benefit
// numbers and the conditions as JSON.
func (a *App) adminPolicySave(c *fiber.Ctx) error {
	old, err := a.policies.Get(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	p := &policy.Policy{ID: old.ID, Benefit: old.Benefit, Basis: strings.TrimSpace(c.FormValue("basis")), Active: c.FormValue("active") == "yes",
		Name: policy.Text{}, Summary: policy.Text{}, Grantor: policy.Text{}, BenefitText: policy.Text{}}
	if _, err := fmtSscan(c.FormValue("version"), &p.Version); err != nil {
		return &httpError{status: 400, key: "error.bad_request"}
	}
	for _, l := range policy.Languages {
		p.Name[l] = strings.TrimSpace(c.FormValue("name." + l))
		p.Summary[l] = strings.TrimSpace(c.FormValue("summary." + l))
		p.Grantor[l] = strings.TrimSpace(c.FormValue("grantor." + l))
		p.BenefitText[l] = strings.TrimSpace(c.FormValue("benefit_text." + l))
	}
	conditions := c.FormValue("conditions")
	p.Conditions = []byte(conditions)
	if err := a.policies.Save(c.UserContext(), principal(c), p, meta(c)); err != nil {
		var ce *core.Error
		if asCore(err, &ce) && (ce.Code == core.Invalid || ce.Code == core.Conflict) {
			errs := ce.Fields
			if errs == nil {
				errs = map[string]string{"version": ce.Message}
			}
			p.Version = old.Version
			c.Status(fiber.StatusUnprocessableEntity)
			return a.renderPolicyForm(c, p, conditions, errs, ce.Detail)
		}
		return err
	}
	flash(c, "admin.policies.saved")
	return c.Redirect("/admin/policies/"+p.ID, fiber.StatusSeeOther)
}

func (a *App) exportSubmit(c *fiber.Ctx) error {
	if err := a.accounts.VerifyPassword(c.UserContext(), principal(c), c.FormValue("password"), meta(c)); err != nil {
		return a.accountAgain(c, err)
	}
	return a.sendExport(c)
}

func (a *App) deleteSubmit(c *fiber.Ctx) error {
	if c.FormValue("confirm") != "yes" {
		return a.accountAgain(c, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"confirm": "error.confirm"}})
	}
	done, err := a.deleteAccount(c, c.FormValue("password"))
	if err != nil {
		return a.accountAgain(c, err)
	}
	a.clearSession(c)
	if done {
		flash(c, "account.deleted")
	} else {
		flash(c, "account.deletion_under_way")
	}
	return c.Redirect("/", fiber.StatusSeeOther)
}

// accountAgain re-shows the account page with a form's errors.
func (a *App) accountAgain(c *fiber.Ctx, err error) error {
	errs := formErrors(err)
	if errs == nil {
		return err
	}
	u, gerr := a.accounts.Get(c.UserContext(), principal(c).ID)
	if gerr != nil {
		return gerr
	}
	c.Status(fiber.StatusUnprocessableEntity)
	return a.render(c, "pages/account", fiber.Map{"Title": "account.title", "Account": u, "Errors": errs})
}
