package accounts

import (
	"errors"
	"onestop/portal/web"
	"onestop/services/accounts"
	"onestop/services/core"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

func (a *Handlers) registerPage(c *fiber.Ctx) error {
	if !web.Principal(c).Guest() {
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	return a.Render(c, "pages/register", fiber.Map{"Title": "register.title", "Errors": map[string]string{}, "Form": fiber.Map{}})
}

func (a *Handlers) registerSubmit(c *fiber.Ctx) error {
	login := strings.TrimSpace(c.FormValue("login"))
	in := accounts.NewAccount{Name: c.FormValue("name"), Password: c.FormValue("password")}
	if strings.Contains(login, "@") {
		in.Email = login
	} else {
		in.Phone = login
	}
	if c.FormValue("as") == "mentor" {
		in.Role = accounts.Mentor
	}
	form := fiber.Map{"login": login, "name": in.Name, "as": c.FormValue("as")}
	if in.Password != c.FormValue("password2") {
		return a.registerAgain(c, form, map[string]string{"password2": "error.password.mismatch"})
	}
	st, err := a.accounts.StartRegistration(c.UserContext(), in, web.Meta(c))
	if err != nil {
		if fe := web.FormErrors(err); fe != nil {
			// email/phone problems belong to the one login field here.
			for _, k := range []string{"email", "phone"} {
				if v, ok := fe[k]; ok {
					fe["login"] = v
				}
			}
			return a.registerAgain(c, form, fe)
		}
		return err
	}
	// The id rides in a short-lived HttpOnly cookie, never in a URL.
	a.SetCookie(c, "registration", st.ID, time.Duration(st.ExpiresIn)*time.Second)
	return c.Redirect("/register/confirm", fiber.StatusSeeOther)
}

// registerConfirmPage asks for the code sent to the login; it looks the
// same whoever holds the login.
func (a *Handlers) registerConfirmPage(c *fiber.Ctx) error {
	if !web.Principal(c).Guest() {
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	return a.registerConfirmAgain(c, fiber.StatusOK, map[string]string{})
}

func (a *Handlers) registerConfirmSubmit(c *fiber.Ctx) error {
	m := web.Meta(c)
	t, err := a.accounts.ConfirmRegistration(c.UserContext(), c.Cookies(a.CookieName("registration")), strings.TrimSpace(c.FormValue("code")), m)
	if err != nil {
		switch code := core.ErrorCode(err); {
		case web.FormErrors(err) != nil:
			return a.registerConfirmAgain(c, fiber.StatusUnprocessableEntity, web.FormErrors(err))
		case code == core.Conflict || code == core.TooManyRequests:
			// Only the holder of the code gets as far as a taken login.
			var ce *core.Error
			errors.As(err, &ce)
			if ce.RetryAfter > 0 {
				c.Set(fiber.HeaderRetryAfter, strconv.Itoa(ce.RetryAfter))
			}
			return a.registerConfirmAgain(c, map[core.Code]int{core.Conflict: 409, core.TooManyRequests: 429}[code], map[string]string{"code": ce.Message})
		}
		return err
	}
	a.SetCookie(c, "registration", "", -1)
	a.signedIn(c, t)
	if t.User.Role == accounts.Mentor {
		// A mentor applicant's next step is the profile that is reviewed.
		web.Flash(c, "register.mentor_done")
		return c.Redirect("/mentor/profile", fiber.StatusSeeOther)
	}
	if a.HasCookie(c, web.CheckCookie) {
		// The self-check's answers wait to fill the new profile.
		web.Flash(c, "register.done_check")
		return c.Redirect("/profile", fiber.StatusSeeOther)
	}
	web.Flash(c, "register.done")
	return c.Redirect("/", fiber.StatusSeeOther)
}

// registerConfirmAgain shows the code form with errs, or, when no
// registration is open any more, the way back to the registration form.
func (a *Handlers) registerConfirmAgain(c *fiber.Ctx, status int, errs map[string]string) error {
	sentTo, err := a.accounts.PendingLogin(c.UserContext(), c.Cookies(a.CookieName("registration")))
	if err != nil && !core.IsCode(err, core.NotFound) {
		return err
	}
	c.Status(status)
	return a.Render(c, "pages/register_confirm", fiber.Map{"Title": "register.confirm.title", "Errors": errs,
		"SentTo": sentTo, "Missing": err != nil})
}

func (a *Handlers) registerAgain(c *fiber.Ctx, form fiber.Map, errs map[string]string) error {
	c.Status(fiber.StatusUnprocessableEntity)
	return a.Render(c, "pages/register", fiber.Map{"Title": "register.title", "Errors": errs, "Form": form})
}

func (a *Handlers) loginPage(c *fiber.Ctx) error {
	if !web.Principal(c).Guest() {
		return c.Redirect(web.SafeNext(c.Query("next")), fiber.StatusSeeOther)
	}
	return a.Render(c, "pages/login", fiber.Map{"Title": "login.title", "Next": web.SafeNext(c.Query("next")), "Form": fiber.Map{}})
}

func (a *Handlers) loginSubmit(c *fiber.Ctx) error {
	login := strings.TrimSpace(c.FormValue("login"))
	next := web.SafeNext(c.FormValue("next"))
	m := web.Meta(c)
	m.Device = c.Cookies(a.CookieName("device"))
	t, err := a.accounts.Login(c.UserContext(), login, c.FormValue("password"), m)
	if err != nil {
		code := core.ErrorCode(err)
		if code == core.Unauthenticated || code == core.Forbidden || code == core.TooManyRequests {
			var ce *core.Error
			errors.As(err, &ce)
			if ce.RetryAfter > 0 {
				c.Set(fiber.HeaderRetryAfter, strconv.Itoa(ce.RetryAfter))
			}
			c.Status(map[core.Code]int{core.Unauthenticated: 401, core.Forbidden: 403, core.TooManyRequests: 429}[code])
			return a.Render(c, "pages/login", fiber.Map{"Title": "login.title", "Next": next, "Error": ce.Message, "Form": fiber.Map{"login": login}})
		}
		return err
	}
	a.signedIn(c, t)
	return c.Redirect(next, fiber.StatusSeeOther)
}

// signedIn starts the web session of a sign-in and keeps its device token
// (a browser the account uses: see accounts/device.go) for the next one.
// Signing out leaves the device token: the browser stays one the owner uses.
func (a *Handlers) signedIn(c *fiber.Ctx, t *accounts.Tokens) {
	a.SetSession(c, t)
	if t.Device != "" {
		a.SetCookie(c, "device", t.Device, accounts.DeviceTTL)
	}
}

func (a *Handlers) logoutSubmit(c *fiber.Ctx) error {
	err := a.accounts.Logout(c.UserContext(), web.Principal(c), c.Cookies(a.CookieName("refresh")), web.Meta(c))
	a.ClearSession(c)
	if err != nil {
		return err
	}
	web.Flash(c, "logout.done")
	return c.Redirect("/", fiber.StatusSeeOther)
}

func (a *Handlers) accountPage(c *fiber.Ctx) error {
	u, err := a.accounts.Get(c.UserContext(), web.Principal(c).ID)
	if err != nil {
		return err
	}
	return a.Render(c, "pages/account", fiber.Map{"Title": "account.title", "Account": u, "Errors": map[string]string{}})
}

func (a *Handlers) passwordSubmit(c *fiber.Ctx) error {
	p := web.Principal(c)
	errs := map[string]string{}
	status := fiber.StatusUnprocessableEntity
	if c.FormValue("password") != c.FormValue("password2") {
		errs["password2"] = "error.password.mismatch"
	} else {
		t, err := a.accounts.ChangePassword(c.UserContext(), p, c.FormValue("current"), c.FormValue("password"), web.Meta(c))
		if err == nil {
			a.signedIn(c, t) // a new device token: the change forgot the old ones
			web.Flash(c, "account.password.done")
			return c.Redirect("/account", fiber.StatusSeeOther)
		}
		var ce *core.Error
		switch {
		case web.FormErrors(err) != nil:
			errs = web.FormErrors(err)
		case core.IsCode(err, core.TooManyRequests) && errors.As(err, &ce):
			// Too many wrong current passwords: said at that field.
			status, errs["current"] = fiber.StatusTooManyRequests, ce.Message
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(ce.RetryAfter))
		default:
			return err
		}
	}
	u, err := a.accounts.Get(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	c.Status(status)
	return a.Render(c, "pages/account", fiber.Map{"Title": "account.title", "Account": u, "Errors": errs})
}
