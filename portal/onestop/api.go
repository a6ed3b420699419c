package onestop

import (
	"onestop/portal/web"
	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/onestop"
	"onestop/services/policy"
	"time"

	"github.com/gofiber/fiber/v2"
)

type apiLinked struct {
	PolicyID string        `json:"policy_id"`
	Name     string        `json:"name"`
	Status   policy.Status `json:"status"`
}

// APIRequest is a service request with its history and linked supports.
type APIRequest struct {
	ID           string    `json:"id"`
	OwnerName    string    `json:"owner_name"`
	Type         string    `json:"type"`
	Details      string    `json:"details"`
	Status       string    `json:"status"`
	AssigneeName string    `json:"assignee_name,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	DueAt        time.Time `json:"due_at"` // the close of DueOn, China time
	// DueOn is the deadline's day in China; LimitWorkdays the limit it
	// counts, in working days (absent on requests from before).
	DueOn         core.Date   `json:"due_on"`
	LimitWorkdays int         `json:"limit_workdays,omitempty"`
	ClosedAt      time.Time   `json:"closed_at,omitzero"`
	Overdue       bool        `json:"overdue"`
	History       []web.Step  `json:"history"`
	Linked        []apiLinked `json:"eligibility"`
}

func (a *Handlers) toAPIRequest(c *fiber.Ctx, r *onestop.Request) APIRequest {
	out := APIRequest{ID: r.ID, OwnerName: r.OwnerName, Type: r.Type, Details: r.Details, Status: r.Status,
		AssigneeName: r.AssigneeName, CreatedAt: r.CreatedAt, DueAt: r.DueAt, DueOn: core.DateOf(r.DueAt), LimitWorkdays: r.LimitDays, ClosedAt: r.ClosedAt,
		Overdue: r.Overdue(a.Clock.Now()), History: []web.Step{}, Linked: []apiLinked{}}
	for _, s := range r.History {
		out.History = append(out.History, web.Step{At: s.At, ActorName: s.ActorName, Action: s.Action, From: s.From, To: s.To, Note: s.Note})
	}
	for _, l := range r.Linked {
		name := l.PolicyID
		if p, err := a.policies.Get(c.UserContext(), l.PolicyID); err == nil {
			name = p.Name.In(web.Lang(c))
		}
		out.Linked = append(out.Linked, apiLinked{PolicyID: l.PolicyID, Name: name, Status: l.Status})
	}
	return out
}

func (a *Handlers) apiCreateRequest(c *fiber.Ctx) error {
	var in onestop.NewRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	r, err := a.onestop.Create(c.UserContext(), web.Principal(c), in, web.Meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(a.toAPIRequest(c, r))
}

func (a *Handlers) apiRequest(c *fiber.Ctx) error {
	r, err := a.onestop.Get(c.UserContext(), web.Principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(a.toAPIRequest(c, r))
}

type apiRequestRow struct {
	ID        string    `json:"id"`
	OwnerName string    `json:"owner_name"`
	Type      string    `json:"type"`
	Status    string    `json:"status"`
	Assignee  string    `json:"assignee_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	DueAt     time.Time `json:"due_at"`
	DueOn     core.Date `json:"due_on"`
	// LimitWorkdays is the limit in working days (absent on requests from
	// before limits were working days).
	LimitWorkdays int  `json:"limit_workdays,omitempty"`
	Overdue       bool `json:"overdue"`
}

func requestQuery(c *fiber.Ctx) onestop.Query {
	q := onestop.Query{Status: c.Query("status"), Type: c.Query("type"), Text: c.Query("q"), Overdue: c.Query("overdue") == "1", Page: web.PageOf(c)}
	if c.Query("mine") == "1" {
		q.AssigneeID = web.Principal(c).ID
	}
	return q
}

func (a *Handlers) apiRequests(c *fiber.Ctx) error {
	rows, total, p, err := a.onestop.List(c.UserContext(), web.Principal(c), requestQuery(c))
	if err != nil {
		return err
	}
	out := web.ListResponse[apiRequestRow]{Items: make([]apiRequestRow, 0, len(rows)), Total: total, Page: p.Number, Size: p.Size}
	for _, r := range rows {
		out.Items = append(out.Items, apiRequestRow{ID: r.ID, OwnerName: r.OwnerName, Type: r.Type, Status: r.Status,
			Assignee: r.AssigneeID, CreatedAt: r.CreatedAt, DueAt: r.DueAt, DueOn: core.DateOf(r.DueAt), LimitWorkdays: r.LimitDays, Overdue: r.Overdue})
	}
	return c.JSON(out)
}

type actRequest struct {
	Note       string `json:"note"`
	AssigneeID string `json:"assignee_id"`
}

// act runs one step of a request for the caller; an assignment defaults to
// the caller and must name a staff account.
func (a *Handlers) act(c *fiber.Ctx, action string, in actRequest) (*onestop.Request, error) {
	p := web.Principal(c)
	var assignee *accounts.Principal
	if action == "assign" {
		target := p
		if in.AssigneeID != "" && in.AssigneeID != p.ID {
			u, err := a.accounts.Get(c.UserContext(), in.AssigneeID)
			if err != nil || u.Disabled {
				return nil, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"assignee_id": "error.assignee"}}
			}
			target = accounts.Principal{ID: u.ID, Role: u.Role, Name: u.Name}
		}
		if !target.Role.Staff() {
			return nil, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"assignee_id": "error.assignee"}}
		}
		assignee = &target
	}
	return a.onestop.Act(c.UserContext(), p, c.Params("id"), action, in.Note, assignee, web.Meta(c))
}

func (a *Handlers) apiAct(action string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in actRequest
		if len(c.Body()) > 0 {
			if err := web.DecodeJSON(c, &in); err != nil {
				return err
			}
		}
		r, err := a.act(c, action, in)
		if err != nil {
			return err
		}
		return c.JSON(a.toAPIRequest(c, r))
	}
}
