package grants

import (
	"io"
	"time"

	"github.com/gofiber/fiber/v2"

	"onestop/portal/web"
	"onestop/services/core"
	"onestop/services/grants"
)

// APIApplication is an application with whom it waits on and what it
// still lacks.
type APIApplication struct {
	*grants.Application
	Waiting string `json:"waiting_on,omitempty"`
	// DueOn is the day in China the step waited on is due.
	DueOn   core.Date `json:"due_on,omitzero"`
	Overdue bool      `json:"overdue"`
	// Missing are the kinds of evidence the policy asks for that are not
	// attached yet: the bureau grants nothing before they are.
	Missing []string `json:"missing_documents"`
	// Meeting counts a reward claim's lines that meet the terms.
	Meeting int `json:"lines_meeting,omitempty"`
}

func (a *Handlers) toAPI(c *fiber.Ctx, g *grants.Application) *APIApplication {
	out := &APIApplication{Application: g, Waiting: g.Waiting(), Overdue: g.Overdue(a.Clock.Now()), Missing: []string{}, Meeting: g.Meeting()}
	if out.Waiting != "" && !g.DueAt.IsZero() {
		out.DueOn = core.DateOf(g.DueAt)
	}
	if p, err := a.policies.Get(c.UserContext(), g.PolicyID); err == nil && p.Apply != nil && out.Waiting != "" {
		for _, k := range p.Apply.Documents {
			if !g.Has(k) {
				out.Missing = append(out.Missing, k)
			}
		}
	}
	return out
}

type apiRow struct {
	ID          string    `json:"id"`
	SubjectName string    `json:"subject_name"`
	PolicyID    string    `json:"policy_id"`
	Kind        string    `json:"kind"`
	Status      string    `json:"status"`
	Waiting     string    `json:"waiting_on,omitempty"`
	AmountFen   int64     `json:"amount_fen,omitempty"`
	Lines       int       `json:"lines,omitempty"`
	DueAt       time.Time `json:"due_at,omitzero"`
	DueOn       core.Date `json:"due_on,omitzero"`
	// LimitWorkdays is the step's limit in working days.
	LimitWorkdays int       `json:"limit_workdays,omitempty"`
	Overdue       bool      `json:"overdue"`
	CreatedAt     time.Time `json:"created_at"`
}

func query(c *fiber.Ctx) grants.Query {
	return grants.Query{Kind: c.Query("kind"), Status: c.Query("status"), PolicyID: c.Query("policy_id"), Page: web.PageOf(c)}
}

func (a *Handlers) apiList(c *fiber.Ctx) error {
	rows, total, p, err := a.grants.List(c.UserContext(), web.Principal(c), query(c))
	if err != nil {
		return err
	}
	out := web.ListResponse[apiRow]{Items: []apiRow{}, Total: total, Page: p.Number, Size: p.Size}
	for _, r := range rows {
		row := apiRow{ID: r.ID, SubjectName: r.SubjectName, PolicyID: r.PolicyID, Kind: r.Kind, Status: r.Status, Waiting: r.Waiting,
			AmountFen: r.AmountFen, Lines: r.Lines, DueAt: r.DueAt, LimitWorkdays: r.DueDays, Overdue: r.Overdue, CreatedAt: r.CreatedAt}
		if !r.DueAt.IsZero() {
			row.DueOn = core.DateOf(r.DueAt)
		}
		out.Items = append(out.Items, row)
	}
	return c.JSON(out)
}

func (a *Handlers) apiApply(c *fiber.Ctx) error {
	var in grants.Input
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	g, err := a.grants.Apply(c.UserContext(), web.Principal(c), in, nil, web.Meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(a.toAPI(c, g))
}

func (a *Handlers) apiGet(c *fiber.Ctx) error {
	g, err := a.grants.Get(c.UserContext(), web.Principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(a.toAPI(c, g))
}

func (a *Handlers) apiStep(c *fiber.Ctx) error {
	var in grants.StepInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	g, err := a.grants.Act(c.UserContext(), web.Principal(c), c.Params("id"), in, web.Meta(c))
	if err != nil {
		return err
	}
	return c.JSON(a.toAPI(c, g))
}

func (a *Handlers) apiAttach(c *fiber.Ctx) error {
	up, err := readUpload(c)
	if err != nil {
		return err
	}
	d, err := a.grants.Attach(c.UserContext(), web.Principal(c), c.Params("id"), up, web.Meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(d)
}

func (a *Handlers) apiDetach(c *fiber.Ctx) error {
	if err := a.grants.Detach(c.UserContext(), web.Principal(c), c.Params("id"), c.Params("doc"), web.Meta(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (a *Handlers) apiLedger(c *fiber.Ctx) error {
	subject := c.Query("subject_id")
	if subject == "" {
		var err error
		if subject, err = a.grants.SubjectOf(c.UserContext(), web.Principal(c)); err != nil {
			return err
		}
	}
	list, total, p, err := a.grants.Ledger(c.UserContext(), web.Principal(c), subject, web.PageOf(c))
	if err != nil {
		return err
	}
	out := web.ListResponse[*APIApplication]{Items: []*APIApplication{}, Total: total, Page: p.Number, Size: p.Size}
	for _, g := range list {
		out.Items = append(out.Items, a.toAPI(c, g))
	}
	return c.JSON(out)
}

func (a *Handlers) apiVerify(c *fiber.Ctx) error {
	cert, err := a.grants.Verify(c.UserContext(), c.Params("code"))
	if err != nil {
		return err
	}
	return c.JSON(cert)
}

// readUpload reads the multipart form of an evidence upload: its kind and
// at most one byte more than the limit of its file (so an oversized file
// is told apart from one at the limit, without reading the rest).
func readUpload(c *fiber.Ctx) (grants.Upload, error) {
	up := grants.Upload{Kind: c.FormValue("kind")}
	fh, err := c.FormFile("file")
	if err != nil {
		return up, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"file": "error.required"}}
	}
	f, err := fh.Open()
	if err != nil {
		return up, core.Wrap(err, "open upload")
	}
	defer f.Close()
	up.Data, err = io.ReadAll(io.LimitReader(f, grants.MaxFileBytes+1))
	if err != nil {
		return up, core.Wrap(err, "read upload")
	}
	up.Name = fh.Filename
	return up, nil
}

// download serves evidence to those who may read the application, as a
// download that no browser renders in the portal's origin.
func (a *Handlers) download(c *fiber.Ctx) error {
	d, data, err := a.grants.Download(c.UserContext(), web.Principal(c), c.Params("id"), c.Params("doc"), web.Meta(c))
	if err != nil {
		return err
	}
	return web.SendDocument(c, d.Name, d.Type, data)
}
