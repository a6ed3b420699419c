package onestop

import (
	"onestop/portal/web"
	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/onestop"

	"github.com/gofiber/fiber/v2"
)

func (a *Handlers) myServicesPage(c *fiber.Ctx) error {
	return a.renderMyServices(c, fiber.Map{"type": c.Query("type")}, map[string]string{})
}

func (a *Handlers) renderMyServices(c *fiber.Ctx, form fiber.Map, errs map[string]string) error {
	rows, total, p, err := a.onestop.List(c.UserContext(), web.Principal(c), onestop.Query{Page: web.PageOf(c)})
	if err != nil {
		return err
	}
	return a.Render(c, "pages/services", fiber.Map{"Title": "services.title", "Rows": rows, "Total": total,
		"Pager": web.NewPager(c, p, total), "Types": onestop.Types, "Days": a.serviceDays(), "Form": form, "Errors": errs})
}

func (a *Handlers) serviceDays() map[string]int {
	d := map[string]int{}
	for _, t := range onestop.Types {
		d[t] = a.onestop.Days(t)
	}
	return d
}

func (a *Handlers) serviceCreate(c *fiber.Ctx) error {
	in := onestop.NewRequest{Type: c.FormValue("type"), Details: c.FormValue("details")}
	r, err := a.onestop.Create(c.UserContext(), web.Principal(c), in, web.Meta(c))
	if err != nil {
		if fe := web.FormErrors(err); fe != nil {
			c.Status(fiber.StatusUnprocessableEntity)
			return a.renderMyServices(c, fiber.Map{"type": in.Type, "details": in.Details}, fe)
		}
		return err
	}
	web.Flash(c, "services.created.flash")
	return c.Redirect("/services/"+r.ID, fiber.StatusSeeOther)
}

func (a *Handlers) servicePage(c *fiber.Ctx) error {
	r, err := a.onestop.Get(c.UserContext(), web.Principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	// Staff can hand the request to a colleague: list who is on duty.
	var colleagues []accounts.Row
	if web.Principal(c).Role.Staff() {
		for _, role := range []accounts.Role{accounts.Hotline, accounts.Admin} {
			rows, _, _, err := a.accounts.List(c.UserContext(), accounts.Principal{Role: accounts.Admin}, accounts.ListQuery{Role: role, Status: "active", Page: core.Page{Size: 100}})
			if err != nil {
				return err
			}
			colleagues = append(colleagues, rows...)
		}
	}
	return a.Render(c, "pages/service", fiber.Map{"Title": "services.detail", "Request": a.toAPIRequest(c, r), "Raw": r, "Staff": colleagues})
}

// serviceAct runs a step from a form (owner's cancel, staff's steps).
func (a *Handlers) serviceAct(action string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		_, err := a.act(c, action, actRequest{Note: c.FormValue("note"), AssigneeID: c.FormValue("assignee_id")})
		if err != nil {
			if web.FlashRefusal(c, err) {
				return c.Redirect("/services/"+c.Params("id"), fiber.StatusSeeOther)
			}
			return err
		}
		web.Flash(c, "services.saved")
		return c.Redirect("/services/"+c.Params("id"), fiber.StatusSeeOther)
	}
}

func (a *Handlers) queuePage(c *fiber.Ctx) error {
	q := requestQuery(c)
	rows, total, p, err := a.onestop.List(c.UserContext(), web.Principal(c), q)
	if err != nil {
		return err
	}
	return a.Render(c, "pages/queue", fiber.Map{"Title": "queue.title", "Rows": rows, "Total": total, "Query": q,
		"Mine": c.Query("mine") == "1", "Pager": web.NewPager(c, p, total), "Types": onestop.Types,
		"Statuses": []string{onestop.Submitted, onestop.Accepted, onestop.InProgress, onestop.Completed, onestop.Cancelled}})
}
