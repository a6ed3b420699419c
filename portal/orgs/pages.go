package orgs

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"onestop/portal/web"
	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/orgs"
	"onestop/services/reference"
)

// The cookies of the two steps: the registration waiting for its code,
// and the invitation a link brought (its secret moves out of the address
// bar at once, as a password reset's does).
const (
	regCookie    = "org_registration"
	inviteCookie = "org_invitation"
)

// inputOf reads an organisation's details from a form.
func inputOf(c *fiber.Ctx) orgs.Input {
	return orgs.Input{Name: c.FormValue("name"), CreditCode: c.FormValue("credit_code"), Kind: orgs.Kind(c.FormValue("kind")),
		District: c.FormValue("district"), Address: c.FormValue("address"), ContactName: c.FormValue("contact_name"),
		ContactPhone: c.FormValue("contact_phone")}
}

// loginOf splits what was typed in a login field into an e-mail address
// or a phone number.
func loginOf(s string) (email, phone string) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "@") {
		return s, ""
	}
	return "", s
}

// formErrors are the field errors of a refusal a form shows again, with
// its status; ok is false for any other error, left to the error handler.
// The login's problems belong to the one login field.
func formErrors(err error) (errs map[string]string, status int, ok bool) {
	var ce *core.Error
	if !errors.As(err, &ce) {
		return nil, 0, false
	}
	switch {
	case ce.Code == core.Invalid && ce.Fields != nil:
		status = fiber.StatusUnprocessableEntity
	case ce.Code == core.Conflict && ce.Fields != nil:
		status = fiber.StatusConflict
	default:
		return nil, 0, false
	}
	errs = map[string]string{}
	for k, v := range ce.Fields {
		if k == "email" || k == "phone" {
			k = "login"
		}
		errs[k] = v
	}
	return errs, status, true
}

// options are the choices of an organisation's form.
func (a *Handlers) options() fiber.Map {
	return fiber.Map{"Kinds": strs(orgs.Kinds), "Districts": a.Lists.Codes(reference.District)}
}

// strs are an enumeration's values as the templates compare them.
func strs[T ~string](values []T) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}

func (a *Handlers) registerPage(c *fiber.Ctx) error {
	p := web.Principal(c)
	switch {
	case p.Role == accounts.Organisation:
		if _, _, err := a.orgs.Mine(c.UserContext(), p); err == nil {
			return c.Redirect("/org", fiber.StatusSeeOther)
		}
	case !p.Guest():
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	return a.renderRegister(c, fiber.StatusOK, fiber.Map{}, map[string]string{})
}

func (a *Handlers) renderRegister(c *fiber.Ctx, status int, form fiber.Map, errs map[string]string) error {
	c.Status(status)
	return a.Render(c, "pages/org_register", fiber.Map{"Title": "org.register.title", "Form": form, "Errors": errs, "Options": a.options(),
		"NewAccount": web.Principal(c).Guest()})
}

// registerSubmit registers an organisation: a guest's with its first
// user, whose code the confirmation page asks for; an organisation's
// account in no organisation founds one at once.
func (a *Handlers) registerSubmit(c *fiber.Ctx) error {
	p := web.Principal(c)
	in := inputOf(c)
	form := fiber.Map{"name": in.Name, "credit_code": in.CreditCode, "kind": string(in.Kind), "district": in.District, "address": in.Address,
		"contact_name": in.ContactName, "contact_phone": in.ContactPhone, "user_name": c.FormValue("user_name"), "login": c.FormValue("login")}
	switch {
	case p.Role == accounts.Organisation:
		_, err := a.orgs.Found(c.UserContext(), p, in, web.Meta(c))
		if errs, status, ok := formErrors(err); ok {
			return a.renderRegister(c, status, form, errs)
		} else if err != nil {
			return err
		}
		web.Flash(c, "org.registered")
		return c.Redirect("/org", fiber.StatusSeeOther)
	case !p.Guest():
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	if c.FormValue("password") != c.FormValue("password2") {
		return a.renderRegister(c, fiber.StatusUnprocessableEntity, form, map[string]string{"password2": "error.password.mismatch"})
	}
	email, phone := loginOf(c.FormValue("login"))
	st, err := a.orgs.Register(c.UserContext(), in, orgs.NewUser{Email: email, Phone: phone, Name: c.FormValue("user_name"),
		Password: c.FormValue("password")}, web.Meta(c))
	if errs, status, ok := formErrors(err); ok {
		return a.renderRegister(c, status, form, errs)
	} else if err != nil {
		return err
	}
	a.SetCookie(c, regCookie, st.ID, time.Duration(st.ExpiresIn)*time.Second)
	return c.Redirect("/org/confirm", fiber.StatusSeeOther)
}

// confirmPage asks for the code sent to the user's login.
func (a *Handlers) confirmPage(c *fiber.Ctx) error {
	if !web.Principal(c).Guest() {
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	return a.renderConfirm(c, fiber.StatusOK, map[string]string{})
}

func (a *Handlers) renderConfirm(c *fiber.Ctx, status int, errs map[string]string) error {
	sentTo, err := a.accounts.PendingLogin(c.UserContext(), c.Cookies(a.CookieName(regCookie)))
	if err != nil && !core.IsCode(err, core.NotFound) {
		return err
	}
	c.Status(status)
	return a.Render(c, "pages/org_confirm", fiber.Map{"Title": "org.confirm.title", "Errors": errs, "SentTo": sentTo, "Missing": err != nil})
}

func (a *Handlers) confirmSubmit(c *fiber.Ctx) error {
	done, err := a.orgs.Confirm(c.UserContext(), c.Cookies(a.CookieName(regCookie)), strings.TrimSpace(c.FormValue("code")), web.Meta(c))
	if err != nil {
		var ce *core.Error
		switch errs, status, ok := formErrors(err); {
		case ok && errs["code"] != "":
			return a.renderConfirm(c, status, errs)
		case ok:
			// The credit code was taken meanwhile: said where the code is
			// asked for, since nothing else can be changed here.
			return a.renderConfirm(c, status, map[string]string{"code": "error.org.code_taken"})
		case errors.As(err, &ce) && (ce.Code == core.TooManyRequests || ce.Code == core.NotFound || ce.Code == core.Conflict):
			if ce.RetryAfter > 0 {
				c.Set(fiber.HeaderRetryAfter, strconv.Itoa(ce.RetryAfter))
			}
			status := map[core.Code]int{core.TooManyRequests: 429, core.NotFound: 404, core.Conflict: 409}[ce.Code]
			return a.renderConfirm(c, status, map[string]string{"code": ce.Message})
		}
		return err
	}
	a.SetCookie(c, regCookie, "", -1)
	a.SetCookie(c, inviteCookie, "", -1)
	a.SetSession(c, done.Tokens)
	if done.Tokens.Device != "" {
		a.SetCookie(c, "device", done.Tokens.Device, accounts.DeviceTTL)
	}
	if done.Org.ManagerID() == done.Tokens.User.ID {
		web.Flash(c, "org.registered")
	} else {
		web.Flash(c, "org.joined")
	}
	return c.Redirect("/org", fiber.StatusSeeOther)
}

// joinPage is the page of an invitation's link: the invitation, and the
// way to take it up (a newcomer's name and password; an organisation's
// account in no organisation accepts it).
func (a *Handlers) joinPage(c *fiber.Ctx) error {
	if token := c.Query("i"); token != "" {
		a.SetCookie(c, inviteCookie, token, orgs.InviteTTL)
		return c.Redirect("/org/join", fiber.StatusSeeOther)
	}
	return a.renderJoin(c, fiber.StatusOK, fiber.Map{}, map[string]string{})
}

func (a *Handlers) renderJoin(c *fiber.Ctx, status int, form fiber.Map, errs map[string]string) error {
	inv, err := a.orgs.InvitationFor(c.UserContext(), c.Cookies(a.CookieName(inviteCookie)))
	if err != nil && !core.IsCode(err, core.NotFound) {
		return err
	}
	if inv != nil && form["name"] == nil {
		form["name"] = inv.Name
	}
	p := web.Principal(c)
	c.Status(status)
	return a.Render(c, "pages/org_join", fiber.Map{"Title": "org.join.title", "Invitation": inv, "Form": form, "Errors": errs,
		"CanAccept": p.Role == accounts.Organisation, "OtherRole": !p.Guest() && p.Role != accounts.Organisation})
}

func (a *Handlers) joinSubmit(c *fiber.Ctx) error {
	if !web.Principal(c).Guest() {
		return c.Redirect("/org/join", fiber.StatusSeeOther)
	}
	form := fiber.Map{"name": c.FormValue("name")}
	if c.FormValue("password") != c.FormValue("password2") {
		return a.renderJoin(c, fiber.StatusUnprocessableEntity, form, map[string]string{"password2": "error.password.mismatch"})
	}
	st, err := a.orgs.StartJoin(c.UserContext(), c.Cookies(a.CookieName(inviteCookie)), c.FormValue("name"), c.FormValue("password"), web.Meta(c))
	if errs, status, ok := formErrors(err); ok {
		return a.renderJoin(c, status, form, errs)
	} else if err != nil {
		return err
	}
	a.SetCookie(c, regCookie, st.ID, time.Duration(st.ExpiresIn)*time.Second)
	return c.Redirect("/org/confirm", fiber.StatusSeeOther)
}

func (a *Handlers) acceptSubmit(c *fiber.Ctx) error {
	_, err := a.orgs.Accept(c.UserContext(), web.Principal(c), c.Cookies(a.CookieName(inviteCookie)), web.Meta(c))
	if err != nil {
		return err
	}
	a.SetCookie(c, inviteCookie, "", -1)
	web.Flash(c, "org.joined")
	return c.Redirect("/org", fiber.StatusSeeOther)
}
