package people

import (
	"onestop/portal/web"
	"onestop/services/people"
	"time"

	"github.com/gofiber/fiber/v2"
)

type apiDispute struct {
	ID           string    `json:"id"`
	Field        string    `json:"field"`
	Masked       string    `json:"masked"`
	Status       string    `json:"status"`
	ClaimantID   string    `json:"claimant_id"`
	ClaimantName string    `json:"claimant_name,omitempty"`
	HolderID     string    `json:"holder_id"`
	HolderName   string    `json:"holder_name,omitempty"`
	Decision     string    `json:"decision,omitempty"`
	Note         string    `json:"note,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	ResolvedAt   time.Time `json:"resolved_at,omitzero"`
}

func toAPIDispute(r people.DisputeRow) apiDispute {
	d := r.Dispute
	return apiDispute{ID: d.ID, Field: d.Field, Masked: d.Masked, Status: d.Status, ClaimantID: d.ClaimantID,
		ClaimantName: r.ClaimantName, HolderID: d.HolderID, HolderName: r.HolderName, Decision: d.Decision,
		Note: d.Note, CreatedAt: d.CreatedAt, ResolvedAt: d.ResolvedAt}
}

type resolveRequest struct {
	Decision string `json:"decision"` // claimant or holder
	Note     string `json:"note"`     // how the real person was confirmed
}

func disputeQuery(c *fiber.Ctx) people.DisputeQuery {
	return people.DisputeQuery{Status: c.Query("status"), Page: web.PageOf(c)}
}

func (a *Handlers) apiDisputes(c *fiber.Ctx) error {
	rows, total, p, err := a.people.Disputes(c.UserContext(), web.Principal(c), disputeQuery(c))
	if err != nil {
		return err
	}
	out := web.ListResponse[apiDispute]{Items: make([]apiDispute, 0, len(rows)), Total: total, Page: p.Number, Size: p.Size}
	for _, r := range rows {
		out.Items = append(out.Items, toAPIDispute(r))
	}
	return c.JSON(out)
}

func (a *Handlers) apiResolveDispute(c *fiber.Ctx) error {
	var in resolveRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	d, err := a.people.Resolve(c.UserContext(), web.Principal(c), c.Params("id"), in.Decision, in.Note, web.Meta(c))
	if err != nil {
		return err
	}
	return c.JSON(toAPIDispute(people.DisputeRow{Dispute: *d}))
}

func (a *Handlers) disputesPage(c *fiber.Ctx) error {
	q := disputeQuery(c)
	rows, total, p, err := a.people.Disputes(c.UserContext(), web.Principal(c), q)
	if err != nil {
		return err
	}
	return a.Render(c, "pages/disputes", fiber.Map{"Title": "disputes.title", "Rows": rows, "Total": total,
		"Query": q, "Pager": web.NewPager(c, p, total), "Statuses": []string{people.DisputeOpen, people.DisputeResolved, people.DisputeWithdrawn}})
}

func (a *Handlers) disputeResolve(c *fiber.Ctx) error {
	_, err := a.people.Resolve(c.UserContext(), web.Principal(c), c.Params("id"), c.FormValue("decision"), c.FormValue("note"), web.Meta(c))
	if err != nil {
		if web.FlashRefusal(c, err) {
			return c.Redirect("/staff/disputes", fiber.StatusSeeOther)
		}
		return err
	}
	web.Flash(c, "disputes.resolved")
	return c.Redirect("/staff/disputes", fiber.StatusSeeOther)
}
