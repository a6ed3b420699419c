package portal

import (
	"onestop/portal/i18n"
	"onestop/portal/web"

	"github.com/gofiber/fiber/v2"
)

func (a *App) homePage(c *fiber.Ctx) error {
	return a.Render(c, "pages/home", fiber.Map{"Title": "home.title"})
}

// setLanguage remembers the chosen language in a cookie, and on the account
// when someone is signed in.
func (a *App) setLanguage(c *fiber.Ctx) error {
	l := i18n.Supported(c.FormValue("lang"))
	if l == "" {
		return web.Fail(422, "error.invalid", map[string]string{"lang": "error.lang"})
	}
	c.Cookie(&fiber.Cookie{Name: "lang", Value: l, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: fiber.CookieSameSiteLaxMode, Secure: a.cfg.Secure()})
	if p := web.Principal(c); !p.Guest() {
		if err := a.bureau.Accounts.SetLocale(c.UserContext(), p, l); err != nil {
			return err
		}
	}
	return c.Redirect(web.SafeNext(c.FormValue("next")), fiber.StatusSeeOther)
}
