package hotline

import (
	"onestop/portal/web"
	"onestop/services/core"
	"onestop/services/hotline"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// stabilityVerifyPage is the queue of self-reported check-ins waiting for
// staff, each with the venture's figure before it and the two decisions.
func (a *Handlers) stabilityVerifyPage(c *fiber.Ctx) error {
	rows, total, p, err := a.hotline.StabilityToVerify(c.UserContext(), web.Principal(c), web.PageOf(c))
	if err != nil {
		return err
	}
	return a.Render(c, "pages/stability_verify", fiber.Map{"Title": "verify.title", "Rows": rows, "Total": total,
		"Pager": web.NewPager(c, p, total), "Max": hotline.MaxStaffEmployees})
}

// staffVenturePage shows one venture's follow-up to staff: its check-ins
// with how each counts, a review for any self-report not yet verified, and
// the registration date to correct.
func (a *Handlers) staffVenturePage(c *fiber.Ctx) error {
	return a.renderStaffVenture(c, nil, "")
}

func (a *Handlers) renderStaffVenture(c *fiber.Ctx, errs map[string]string, typed string) error {
	v, err := a.hotline.Venture(c.UserContext(), web.Principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	if errs == nil {
		errs, typed = map[string]string{}, v.FirstRegistered.String()
	} else {
		c.Status(fiber.StatusUnprocessableEntity)
	}
	return a.Render(c, "pages/staff_venture", fiber.Map{"Title": "verify.venture", "Venture": v, "Errors": errs,
		"Registered": typed, "Max": hotline.MaxStaffEmployees, "Today": core.DateOf(a.Clock.Now()).String()})
}

// stabilityReviewSubmit verifies or rejects a self-report from the queue
// or the venture's page, and goes back there.
func (a *Handlers) stabilityReviewSubmit(c *fiber.Ctx) error {
	errs := map[string]string{}
	month, _ := strconv.Atoi(c.FormValue("month"))
	in := hotline.StabilityReview{Month: month, Decision: c.FormValue("decision")}
	if strings.TrimSpace(c.FormValue("employees")) != "" && in.Decision == "verify" {
		n := int(formInt(c, "employees", errs))
		in.Employees = &n
	}
	var err error
	if len(errs) > 0 {
		err = &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: errs}
	} else {
		_, err = a.hotline.ReviewStability(c.UserContext(), web.Principal(c), c.Params("id"), in, web.Meta(c))
	}
	if err != nil {
		if !web.FlashRefusal(c, err) {
			return err
		}
	} else {
		web.Flash(c, "verify.done."+in.Decision)
	}
	// Back to a fixed page: the id is only put in the path once checked.
	back := "/hotline/stability/verify"
	if id := c.Params("id"); c.FormValue("from") == "venture" && core.ValidID(id) {
		back = "/hotline/ventures/" + id
	}
	return c.Redirect(back, fiber.StatusSeeOther)
}

// registrationSubmit corrects a venture's registration date; a refused
// date is shown again on the form with its message.
func (a *Handlers) registrationSubmit(c *fiber.Ctx) error {
	errs := map[string]string{}
	on := web.FormDate(c, "first_registered", errs)
	var err error
	if len(errs) > 0 {
		err = &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: errs}
	} else {
		_, err = a.hotline.CorrectRegistration(c.UserContext(), web.Principal(c), c.Params("id"), on, web.Meta(c))
	}
	if fe := web.FormErrors(err); fe != nil {
		return a.renderStaffVenture(c, fe, strings.TrimSpace(c.FormValue("first_registered")))
	}
	if err != nil {
		if !web.FlashRefusal(c, err) {
			return err
		}
	} else {
		web.Flash(c, "verify.registration_corrected")
	}
	if !core.ValidID(c.Params("id")) {
		return core.Errorf(core.NotFound, "error.not_found") // never into a Location header
	}
	return c.Redirect("/hotline/ventures/"+c.Params("id"), fiber.StatusSeeOther)
}
