package accounts

import (
	"onestop/portal/web"
	"onestop/services/accounts"
	"onestop/services/core"
	"strings"

	"github.com/gofiber/fiber/v2"
)

func (a *Handlers) adminUsersPage(c *fiber.Ctx) error {
	return a.renderUsers(c, fiber.Map{}, map[string]string{})
}

func (a *Handlers) renderUsers(c *fiber.Ctx, form fiber.Map, errs map[string]string) error {
	q := accounts.ListQuery{Text: c.Query("q"), Role: accounts.Role(c.Query("role")), Status: c.Query("status"), Page: web.PageOf(c)}
	rows, total, p, err := a.accounts.List(c.UserContext(), web.Principal(c), q)
	if err != nil {
		return err
	}
	return a.Render(c, "pages/admin_users", fiber.Map{
		"Title": "admin.users.title", "Rows": rows, "Total": total, "Query": q, "Roles": accounts.Roles,
		"Pager": web.NewPager(c, p, total), "Form": form, "Errors": errs,
	})
}

func (a *Handlers) adminUserCreate(c *fiber.Ctx) error {
	login := strings.TrimSpace(c.FormValue("login"))
	in := accounts.NewAccount{Name: c.FormValue("name"), Password: c.FormValue("password"), Role: accounts.Role(c.FormValue("role"))}
	if strings.Contains(login, "@") {
		in.Email = login
	} else {
		in.Phone = login
	}
	u, err := a.accounts.Create(c.UserContext(), web.Principal(c), in, web.Meta(c))
	if err != nil {
		errs := web.FormErrors(err)
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
	web.Flash(c, "admin.users.created")
	return c.Redirect("/admin/users/"+u.ID, fiber.StatusSeeOther)
}

func (a *Handlers) adminUserPage(c *fiber.Ctx) error {
	u, err := a.accounts.Get(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return a.Render(c, "pages/admin_user", fiber.Map{"Title": "admin.user.title", "Account": u, "Roles": accounts.Roles})
}

func (a *Handlers) adminUserRole(c *fiber.Ctx) error {
	id := c.Params("id")
	if err := a.accounts.SetRole(c.UserContext(), web.Principal(c), id, accounts.Role(c.FormValue("role")), web.Meta(c)); err != nil {
		return err
	}
	web.Flash(c, "admin.user.saved")
	return c.Redirect("/admin/users/"+id, fiber.StatusSeeOther)
}

func (a *Handlers) adminUserStatus(c *fiber.Ctx) error {
	id := c.Params("id")
	disabled := c.FormValue("disabled") == "true"
	if disabled && c.FormValue("confirm") != "yes" {
		// Disabling signs the person out everywhere at once: the
		// administrator ticks that they mean it (the API takes it as meant).
		if _, err := a.accounts.Get(c.UserContext(), id); err != nil {
			return err
		}
		web.Flash(c, "error.user.disable_unconfirmed")
		return c.Redirect("/admin/users/"+id, fiber.StatusSeeOther)
	}
	if err := a.accounts.SetDisabled(c.UserContext(), web.Principal(c), id, disabled, web.Meta(c)); err != nil {
		return err
	}
	web.Flash(c, "admin.user.saved")
	return c.Redirect("/admin/users/"+id, fiber.StatusSeeOther)
}

// adminUserReset resets an account's password; the administrator ticks
// that they mean it (the person is signed out everywhere at once; the API
// takes it as meant). The page then says where the link went.
func (a *Handlers) adminUserReset(c *fiber.Ctx) error {
	id := c.Params("id")
	if c.FormValue("confirm") != "yes" {
		if _, err := a.accounts.Get(c.UserContext(), id); err != nil {
			return err
		}
		web.Flash(c, "error.user.reset_unconfirmed")
		return c.Redirect("/admin/users/"+id, fiber.StatusSeeOther)
	}
	r, err := a.accounts.ResetByAdmin(c.UserContext(), web.Principal(c), id, web.Meta(c))
	if err != nil {
		if !web.FlashRefusal(c, err) {
			return err
		}
	} else {
		web.Flash(c, core.Msg("admin.user.reset_sent", r.SentTo))
	}
	return c.Redirect("/admin/users/"+id, fiber.StatusSeeOther)
}
