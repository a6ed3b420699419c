package accounts

import (
	"onestop/portal/web"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"onestop/services/core"
)

// Password reset (忘記密碼, services/accounts/reset.go): the login, then the
// code sent to it with a new password. The pages serve anyone, signed in
// or not: a person signed in who forgot the password cannot change it on
// the account page, which asks for it.

func (a *Handlers) forgotPage(c *fiber.Ctx) error {
	return a.Render(c, "pages/password_forgot", fiber.Map{"Title": "forgot.title", "Errors": map[string]string{}, "Form": fiber.Map{}})
}

func (a *Handlers) forgotSubmit(c *fiber.Ctx) error {
	login := strings.TrimSpace(c.FormValue("login"))
	st, err := a.accounts.StartReset(c.UserContext(), login, web.Meta(c))
	if fe := web.FormErrors(err); fe != nil {
		c.Status(fiber.StatusUnprocessableEntity)
		return a.Render(c, "pages/password_forgot", fiber.Map{"Title": "forgot.title", "Errors": fe, "Form": fiber.Map{"login": login}})
	}
	if err != nil {
		return err // throttled: the error page says how long to wait
	}
	// The id rides in a short-lived HttpOnly cookie, never in a URL.
	a.SetCookie(c, "reset", st.ID, time.Duration(st.ExpiresIn)*time.Second)
	return c.Redirect("/password/reset", fiber.StatusSeeOther)
}

// resetPage asks for the code and a new password; it looks the same
// whether or not an account uses the login.
func (a *Handlers) resetPage(c *fiber.Ctx) error {
	// An administrator's reset comes as a link holding the reset's id
	// (accounts.ResetLink): the id moves into the cookie, where the forgot
	// form leaves it, and out of the address bar. A link whose reset is
	// used or expired clears the cookie, so the page says so.
	if id := c.Query("r"); id != "" {
		_, err := a.accounts.PendingReset(c.UserContext(), id)
		switch {
		case err == nil:
			a.SetCookie(c, "reset", id, 0)
		case core.IsCode(err, core.NotFound):
			a.SetCookie(c, "reset", "", -1)
		default:
			return err
		}
		return c.Redirect("/password/reset", fiber.StatusSeeOther)
	}
	return a.resetAgain(c, fiber.StatusOK, "", map[string]string{})
}

func (a *Handlers) resetSubmit(c *fiber.Ctx) error {
	code := strings.TrimSpace(c.FormValue("code"))
	if c.FormValue("password") != c.FormValue("password2") {
		return a.resetAgain(c, fiber.StatusUnprocessableEntity, code, map[string]string{"password2": "error.password.mismatch"})
	}
	t, err := a.accounts.ConfirmReset(c.UserContext(), c.Cookies(a.CookieName("reset")), code, c.FormValue("password"), web.Meta(c))
	if fe := web.FormErrors(err); fe != nil {
		if _, bad := fe["code"]; bad {
			code = ""
		}
		return a.resetAgain(c, fiber.StatusUnprocessableEntity, code, fe)
	}
	if err != nil {
		return err // throttled, or a disabled account: the error page
	}
	a.SetCookie(c, "reset", "", -1)
	a.signedIn(c, t)
	web.Flash(c, "reset.done")
	return c.Redirect("/", fiber.StatusSeeOther)
}

// resetAgain shows the reset form with errs, keeping a code that was not
// at fault; or, when no reset is open any more, the way back to ask for
// another code.
func (a *Handlers) resetAgain(c *fiber.Ctx, status int, code string, errs map[string]string) error {
	sentTo, err := a.accounts.PendingReset(c.UserContext(), c.Cookies(a.CookieName("reset")))
	if err != nil && !core.IsCode(err, core.NotFound) {
		return err
	}
	c.Status(status)
	return a.Render(c, "pages/password_reset", fiber.Map{"Title": "reset.title", "Errors": errs, "Code": code,
		"SentTo": sentTo, "Missing": err != nil})
}

type forgotRequest struct {
	// Login is the e-mail address or phone number the account signs in with.
	Login string `json:"login"`
}

// ResetStartResponse is the same whether or not an account uses the
// login: if one does, its address was sent a code.
type ResetStartResponse struct {
	ResetID   string `json:"reset_id"`
	SentTo    string `json:"sent_to"` // the login, masked
	ExpiresIn int    `json:"expires_in"`
}

func (a *Handlers) apiForgot(c *fiber.Ctx) error {
	var in forgotRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	st, err := a.accounts.StartReset(c.UserContext(), in.Login, web.Meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(ResetStartResponse{ResetID: st.ID, SentTo: st.SentTo, ExpiresIn: st.ExpiresIn})
}

type resetRequest struct {
	ResetID  string `json:"reset_id"`
	Code     string `json:"code"`
	Password string `json:"new_password"`
}

// apiReset sets the new password with the code and signs in; like the
// registration's confirmation it answers 200, so the idempotency store
// never keeps its tokens.
func (a *Handlers) apiReset(c *fiber.Ctx) error {
	var in resetRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	t, err := a.accounts.ConfirmReset(c.UserContext(), in.ResetID, in.Code, in.Password, web.Meta(c))
	if err != nil {
		return err
	}
	return c.JSON(toTokenResponse(t))
}
