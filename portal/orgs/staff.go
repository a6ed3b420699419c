package orgs

import (
	"github.com/gofiber/fiber/v2"

	"onestop/portal/web"
	"onestop/services/orgs"
)

// staffListPage lists organisations for the staff who verify them: the
// ones waiting first to hand, by status and kind, found by name or by
// credit code.
func (a *Handlers) staffListPage(c *fiber.Ctx) error {
	q := listQuery(c)
	rows, total, p, err := a.orgs.List(c.UserContext(), web.Principal(c), q)
	if err != nil {
		return err
	}
	return a.Render(c, "pages/staff_orgs", fiber.Map{"Title": "staff.orgs.title", "Rows": rows, "Total": total,
		"Query":    fiber.Map{"q": q.Text, "status": string(q.Status), "kind": string(q.Kind)},
		"Statuses": strs(orgs.Statuses), "Kinds": strs(orgs.Kinds), "Pager": web.NewPager(c, p, total)})
}

func (a *Handlers) staffOrgPage(c *fiber.Ctx) error {
	return a.renderStaffOrg(c, fiber.StatusOK, "", map[string]string{})
}

func (a *Handlers) renderStaffOrg(c *fiber.Ctx, status int, reason string, errs map[string]string) error {
	o, err := a.orgs.Get(c.UserContext(), web.Principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	people, err := a.orgs.People(c.UserContext(), o)
	if err != nil {
		return err
	}
	c.Status(status)
	return a.Render(c, "pages/staff_org", fiber.Map{"Title": "staff.org.title", "Org": o, "People": people, "Reason": reason, "Errors": errs,
		"Pending": o.Status == orgs.Pending, "Status": string(o.Status)})
}

func (a *Handlers) staffVerify(c *fiber.Ctx) error {
	_, err := a.orgs.Verify(c.UserContext(), web.Principal(c), c.Params("id"), web.Meta(c))
	return a.backToStaffOrg(c, err, "staff.org.verified")
}

// staffReject rejects with the reason typed; a reason too short or too
// long is shown again as typed.
func (a *Handlers) staffReject(c *fiber.Ctx) error {
	reason := c.FormValue("reason")
	_, err := a.orgs.Reject(c.UserContext(), web.Principal(c), c.Params("id"), reason, web.Meta(c))
	if errs := web.FormErrors(err); errs != nil {
		return a.renderStaffOrg(c, fiber.StatusUnprocessableEntity, reason, errs)
	}
	return a.backToStaffOrg(c, err, "staff.org.rejected")
}

func (a *Handlers) backToStaffOrg(c *fiber.Ctx, err error, done string) error {
	switch {
	case err == nil:
		web.Flash(c, done)
	case !web.FlashRefusal(c, err):
		return err
	}
	return c.Redirect("/staff/orgs/"+c.Params("id"), fiber.StatusSeeOther)
}
