package policy

import (
	"onestop/portal/web"
	"onestop/services/core"
	"onestop/services/policy"

	"github.com/gofiber/fiber/v2"
)

type checkRequest struct {
	AsOf    string       `json:"as_of"`
	Profile policy.Facts `json:"profile"`
}

type checkResponse struct {
	AsOf    string      `json:"as_of"`
	Results []APIResult `json:"results"`
	// GaveUpPlacement: the caller, a land-expropriated farmer, refused
	// three recommendations, which counts as giving up placement.
	GaveUpPlacement bool `json:"gave_up_placement,omitempty"`
}

// apiCheck: anyone may check a described profile, signed in or not.
func (a *Handlers) apiCheck(c *fiber.Ctx) error {
	var in checkRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	asOf := core.DateOf(a.Clock.Now())
	if in.AsOf != "" {
		d, err := core.ParseDate(in.AsOf)
		if err != nil || d.Before(core.NewDate(1990, 1, 1)) || d.After(asOf.AddYears(10)) {
			return &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"as_of": "error.date"}}
		}
		asOf = d
	}
	rs, err := a.policies.Check(c.UserContext(), &in.Profile, asOf)
	if err != nil {
		return err
	}
	return c.JSON(checkResponse{AsOf: asOf.String(), Results: a.ToAPIResults(web.Lang(c), rs)})
}

func (a *Handlers) apiMyEligibility(c *fiber.Ctx) error {
	me := web.Principal(c)
	ans, err := a.people.Eligibility(c.UserContext(), me, me.ID)
	if err != nil {
		return err
	}
	return c.JSON(checkResponse{AsOf: ans.AsOf.String(), Results: a.ToAPIResults(web.Lang(c), ans.Results), GaveUpPlacement: ans.GaveUpPlacement})
}

func (a *Handlers) apiPolicies(c *fiber.Ctx) error {
	list, err := a.policies.Listed(c.UserContext(), web.Principal(c))
	if err != nil {
		return err
	}
	out := web.ListResponse[*policy.Policy]{Items: list, Page: 1, Total: len(list), Size: len(list)}
	return c.JSON(out)
}

func (a *Handlers) apiPolicy(c *fiber.Ctx) error {
	p, err := a.policies.Visible(c.UserContext(), web.Principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(p)
}

// apiSavePolicy stores an administrator's edit; the body's version is the
// version the edit was based on.
func (a *Handlers) apiSavePolicy(c *fiber.Ctx) error {
	var p policy.Policy
	if err := web.DecodeJSON(c, &p); err != nil {
		return err
	}
	if p.ID != "" && p.ID != c.Params("id") {
		return &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"id": "error.policy.id"}}
	}
	p.ID = c.Params("id")
	if err := a.policies.Save(c.UserContext(), web.Principal(c), &p, web.Meta(c)); err != nil {
		return err
	}
	return c.JSON(&p)
}
