package portal

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
)

func pageOf(c *fiber.Ctx) core.Page {
	return core.Page{Number: c.QueryInt("page", 1), Size: c.QueryInt("size", 20)}.Normalize()
}

func (a *App) adminUsersPage(c *fiber.Ctx) error {
	return a.renderUsers(c, fiber.Map{}, map[string]string{})
}

func (a *App) renderUsers(c *fiber.Ctx, form fiber.Map, errs map[string]string) error {
	q := accounts.ListQuery{Text: c.Query("q"), Role: accounts.Role(c.Query("role")), Status: c.Query("status"), Page: pageOf(c)}
	rows, total, p, err := a.accounts.List(c.UserContext(), principal(c), q)
	if err != nil {
		return err
	}
	return a.render(c, "pages/admin_users", fiber.Map{
		"Title": "admin.users.title", "Rows": rows, "Total": total, "Query": q, "Roles": accounts.Roles,
		"Pager": newPager(c, p, total), "Form": form, "Errors": errs,
	})
}

func (a *App) adminUserCreate(c *fiber.Ctx) error {
	login := strings.TrimSpace(c.FormValue("login"))
	in := accounts.NewAccount{Name: c.FormValue("name"), Password: c.FormValue("password"), Role: accounts.Role(c.FormValue("role"))}
	if strings.Contains(login, "@") {
		in.Email = login
	} else {
		in.Phone = login
	}
	u, err := a.accounts.Create(c.UserContext(), principal(c), in, meta(c))
	if err != nil {
		errs := formErrors(err)
		if core.IsCode(err, core.Conflict) {
			errs = map[string]string{"login": "error.login.taken"}
		}
		if errs == nil {
			return err
		}
		for _, k := range []string{"email", "phone"} {
			if v, ok := errs[k]; ok {
				errs["login"] = v
			}
		}
		c.Status(fiber.StatusUnprocessableEntity)
		return a.renderUsers(c, fiber.Map{"login": login, "name": in.Name, "role": string(in.Role)}, errs)
	}
	flash(c, "admin.users.created")
	return c.Redirect("/admin/users/"+u.ID, fiber.StatusSeeOther)
}

func (a *App) adminUserPage(c *fiber.Ctx) error {
	u, err := a.accounts.Get(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return a.render(c, "pages/admin_user", fiber.Map{"Title": "admin.user.title", "Account": u, "Roles": accounts.Roles})
}

func (a *App) adminUserRole(c *fiber.Ctx) error {
	id := c.Params("id")
	if err := a.accounts.SetRole(c.UserContext(), principal(c), id, accounts.Role(c.FormValue("role")), meta(c)); err != nil {
		return err
	}
	flash(c, "admin.user.saved")
	return c.Redirect("/admin/users/"+id, fiber.StatusSeeOther)
}

func (a *App) adminUserStatus(c *fiber.Ctx) error {
	id := c.Params("id")
	disabled := c.FormValue("disabled") == "true"
	if err := a.accounts.SetDisabled(c.UserContext(), principal(c), id, disabled, meta(c)); err != nil {
		return err
	}
	flash(c, "admin.user.saved")
	return c.Redirect("/admin/users/"+id, fiber.StatusSeeOther)
}

func (a *App) adminAuditPage(c *fiber.Ctx) error {
	q := auditQuery(c)
	res, p, err := a.audit.Search(c.UserContext(), q)
	if err != nil {
		return err
	}
	return a.render(c, "pages/admin_audit", fiber.Map{
		"Title": "admin.audit.title", "Hits": res.Hits, "Total": res.Total, "Query": q, "Pager": newPager(c, p, res.Total),
	})
}

// pager is the data of the pagination partial.
type pager struct {
	Number, Pages, Total int
	Prev, Next           string
}

func newPager(c *fiber.Ctx, p core.Page, total int) pager {
	pg := pager{Number: p.Number, Pages: p.Pages(total), Total: total}
	link := func(n int) string {
		args := c.Context().QueryArgs()
		q := make([]string, 0, 4)
		args.VisitAll(func(k, v []byte) {
			if string(k) != "page" {
				q = append(q, urlQueryEscape(string(k))+"="+urlQueryEscape(string(v)))
			}
		})
		q = append(q, "page="+itoa(n))
		return c.Path() + "?" + strings.Join(q, "&")
	}
	if p.Number > 1 {
		pg.Prev = link(p.Number - 1)
	}
	if p.Number < pg.Pages {
		pg.Next = link(p.Number + 1)
	}
	return pg
}

func auditQuery(c *fiber.Ctx) audit.Query {
	return audit.Query{Text: c.Query("q"), Action: c.Query("action"), Result: c.Query("result"), Page: pageOf(c)}
}
