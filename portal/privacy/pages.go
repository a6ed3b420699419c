package privacy

import (
	"onestop/portal/web"
	"onestop/services/core"

	"github.com/gofiber/fiber/v2"
)

func (a *Handlers) exportSubmit(c *fiber.Ctx) error {
	if err := a.accounts.VerifyPassword(c.UserContext(), web.Principal(c), c.FormValue("password"), web.Meta(c)); err != nil {
		return a.accountAgain(c, "export", err)
	}
	return a.sendExport(c)
}

func (a *Handlers) deleteSubmit(c *fiber.Ctx) error {
	if c.FormValue("confirm") != "yes" {
		return a.accountAgain(c, "delete", &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"confirm": "error.confirm"}})
	}
	done, err := a.deleteAccount(c, c.FormValue("password"))
	if err != nil {
		return a.accountAgain(c, "delete", err)
	}
	a.ClearSession(c)
	if done {
		web.Flash(c, "account.deleted")
	} else {
		web.Flash(c, "account.deletion_under_way")
	}
	return c.Redirect("/", fiber.StatusSeeOther)
}

// accountAgain re-shows the account page with the errors of one of its
// forms (export, delete), each field named after the form: the page has a
// password field in each of its three forms, and a wrong password belongs
// at the one that was sent, once.
func (a *Handlers) accountAgain(c *fiber.Ctx, form string, err error) error {
	fe := web.FormErrors(err)
	if fe == nil {
		return err
	}
	errs := make(map[string]string, len(fe))
	for field, msg := range fe {
		errs[form+"_"+field] = msg
	}
	u, gerr := a.accounts.Get(c.UserContext(), web.Principal(c).ID)
	if gerr != nil {
		return gerr
	}
	c.Status(fiber.StatusUnprocessableEntity)
	return a.Render(c, "pages/account", fiber.Map{"Title": "account.title", "Account": u, "Errors": errs})
}
