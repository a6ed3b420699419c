package hotline

import (
	"onestop/portal/web"
	"onestop/services/core"
	"onestop/services/hotline"

	"github.com/gofiber/fiber/v2"
)

var (
	docStabilityToVerify   = web.Doc("Self-reported check-ins waiting for staff to verify: each with the venture's figure before it (-1: none); total counts ventures", "hotline", nil, web.ListResponse[hotline.PendingCheck]{}, 200)
	docVenture             = web.Doc("A person's venture and its check-ins (staff): by (staff or self) and review (to_verify, verified) say how each counts", "cases", nil, apiVenture{}, 200)
	docReviewCheckin       = web.Doc("Verify (employees corrects the head-count, the reported one is kept) or reject (asked again) a self-reported check-in; audited", "cases", hotline.StabilityReview{}, apiVenture{}, 200)
	docCorrectRegistration = web.Doc("Correct a followed venture's first registration date: unanswered check-ins, the figures and the profile follow; audited", "cases", registrationRequest{}, apiVenture{}, 200)
)

// registrationRequest is a corrected registration date.
type registrationRequest struct {
	FirstRegistered core.Date `json:"first_registered"`
}

func (a *Handlers) apiStabilityToVerify(c *fiber.Ctx) error {
	rows, total, p, err := a.hotline.StabilityToVerify(c.UserContext(), web.Principal(c), web.PageOf(c))
	if err != nil {
		return err
	}
	return c.JSON(web.ListResponse[hotline.PendingCheck]{Items: rows, Total: total, Page: p.Number, Size: p.Size})
}

func (a *Handlers) apiVenture(c *fiber.Ctx) error {
	v, err := a.hotline.Venture(c.UserContext(), web.Principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(toAPIVenture(v))
}

func (a *Handlers) apiStabilityReview(c *fiber.Ctx) error {
	var in hotline.StabilityReview
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	v, err := a.hotline.ReviewStability(c.UserContext(), web.Principal(c), c.Params("id"), in, web.Meta(c))
	if err != nil {
		return err
	}
	return c.JSON(toAPIVenture(v))
}

func (a *Handlers) apiCorrectRegistration(c *fiber.Ctx) error {
	var in registrationRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	v, err := a.hotline.CorrectRegistration(c.UserContext(), web.Principal(c), c.Params("id"), in.FirstRegistered, web.Meta(c))
	if err != nil {
		return err
	}
	return c.JSON(toAPIVenture(v))
}
