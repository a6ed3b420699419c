package orgs

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"onestop/portal/web"
	"onestop/services/core"
	"onestop/services/orgs"
)

// orgPage is an organisation's own page (/org): where its verification
// stands, its details and users, and for its manager the forms to correct
// the details and to add and remove users. An account in no organisation
// is told so, and how to register one.
func (a *Handlers) orgPage(c *fiber.Ctx) error {
	return a.renderOrg(c, fiber.StatusOK, nil, nil, nil)
}

// renderOrg shows the caller's organisation; details and invite are a
// form shown again with its errors (nil: as stored, and empty).
func (a *Handlers) renderOrg(c *fiber.Ctx, status int, details fiber.Map, invite fiber.Map, errs map[string]string) error {
	p := web.Principal(c)
	o, me, err := a.orgs.Mine(c.UserContext(), p)
	if core.IsCode(err, core.NotFound) {
		c.Status(status)
		return a.Render(c, "pages/org", fiber.Map{"Title": "org.title", "None": true})
	}
	if err != nil {
		return err
	}
	people, err := a.orgs.People(c.UserContext(), o)
	if err != nil {
		return err
	}
	if details == nil {
		details = fiber.Map{"name": o.Name, "credit_code": o.CreditCode, "kind": string(o.Kind), "district": o.District, "address": o.Address,
			"contact_name": o.ContactName, "contact_phone": o.ContactPhone, "version": strconv.Itoa(o.Version)}
	}
	if invite == nil {
		invite = fiber.Map{}
	}
	if errs == nil {
		errs = map[string]string{}
	}
	c.Status(status)
	return a.Render(c, "pages/org", fiber.Map{"Title": "org.title", "Org": o, "People": people, "Invites": o.LiveInvites(a.Clock.Now()),
		"Manager": me.Part == orgs.Manager, "Editable": o.Status != orgs.Verified, "Details": details, "Invite": invite, "Errors": errs,
		"Options": a.options(), "Me": p.ID, "Status": string(o.Status)})
}

// detailsSubmit corrects the organisation's details, sending a rejected
// one to staff again.
func (a *Handlers) detailsSubmit(c *fiber.Ctx) error {
	in := inputOf(c)
	version, _ := strconv.Atoi(c.FormValue("version"))
	_, err := a.orgs.Update(c.UserContext(), web.Principal(c), in, version, web.Meta(c))
	if err == nil {
		web.Flash(c, "org.details.saved")
		return c.Redirect("/org", fiber.StatusSeeOther)
	}
	form := fiber.Map{"name": in.Name, "credit_code": in.CreditCode, "kind": string(in.Kind), "district": in.District, "address": in.Address,
		"contact_name": in.ContactName, "contact_phone": in.ContactPhone, "version": c.FormValue("version")}
	if errs, status, ok := formErrors(err); ok {
		return a.renderOrg(c, status, form, nil, errs)
	}
	// Staff reviewed it, or another edit came first: said on the page,
	// which shows the details stored now.
	return a.backToOrg(c, err, "")
}

// inviteSubmit sends an invitation to a colleague's login.
func (a *Handlers) inviteSubmit(c *fiber.Ctx) error {
	email, phone := loginOf(c.FormValue("login"))
	inv, err := a.orgs.Invite(c.UserContext(), web.Principal(c), orgs.InviteInput{Email: email, Phone: phone, Name: c.FormValue("name")}, web.Meta(c))
	if err == nil {
		web.Flash(c, core.Msg("org.invited", inv.SentTo))
		return c.Redirect("/org", fiber.StatusSeeOther)
	}
	form := fiber.Map{"login": c.FormValue("login"), "name": c.FormValue("name")}
	errs, status, ok := formErrors(err)
	if !ok && core.IsCode(err, core.Conflict) {
		// Too many users or invitations: said at the form.
		var ce *core.Error
		errors.As(err, &ce)
		errs, status, ok = map[string]string{"login": ce.Message}, fiber.StatusConflict, true
	}
	if !ok {
		return err
	}
	// The invitation form's fields are its own: "name" is the colleague's.
	invErrs := map[string]string{}
	for k, v := range errs {
		invErrs["invite_"+k] = v
	}
	return a.renderOrg(c, status, nil, form, invErrs)
}

func (a *Handlers) cancelSubmit(c *fiber.Ctx) error {
	err := a.orgs.CancelInvite(c.UserContext(), web.Principal(c), c.Params("id"), web.Meta(c))
	return a.backToOrg(c, err, "org.invite.cancelled")
}

func (a *Handlers) removeSubmit(c *fiber.Ctx) error {
	err := a.orgs.RemoveUser(c.UserContext(), web.Principal(c), c.Params("id"), web.Meta(c))
	return a.backToOrg(c, err, "org.user.removed")
}

func (a *Handlers) leaveSubmit(c *fiber.Ctx) error {
	if err := a.orgs.Leave(c.UserContext(), web.Principal(c), web.Meta(c)); err != nil {
		return a.backToOrg(c, err, "")
	}
	web.Flash(c, "org.left")
	return c.Redirect("/org", fiber.StatusSeeOther)
}

// backToOrg returns to the organisation's page after a step, with done
// flashed, or with the refusal of a change someone made first.
func (a *Handlers) backToOrg(c *fiber.Ctx, err error, done string) error {
	switch {
	case err == nil:
		web.Flash(c, done)
	case !web.FlashRefusal(c, err):
		return err
	}
	return c.Redirect("/org", fiber.StatusSeeOther)
}
