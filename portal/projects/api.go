package projects

import (
	"errors"
	"maps"
	"onestop/portal/web"
	"onestop/services/core"
	"onestop/services/policy"
	"onestop/services/projects"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// libraryQuery reads the library's query parameters; a value that does not
// parse is a 400 naming the parameter. Every bad parameter is named at
// once, so the form can mark each field in one go.
func libraryQuery(c *fiber.Ctx, view string) (projects.Query, error) {
	q := projects.Query{Text: c.Query("q"), Industry: c.Query("industry"), District: c.Query("district"), Risk: c.Query("risk"),
		TargetGroup: c.Query("target_group"), Sort: c.Query("sort"), View: view, Stage: c.Query("stage")}
	fields := map[string]string{}
	num := func(name string) *int64 {
		s := strings.TrimSpace(c.Query(name))
		if s == "" {
			return nil
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			fields[name] = "error.library.amount"
			return nil
		}
		return &n
	}
	q.MinInvestment, q.MaxInvestment = num("min_investment"), num("max_investment")
	size := c.QueryInt("per_page", c.QueryInt("size", 20))
	q.Page = core.Page{Number: c.QueryInt("page", 1), Size: size}
	if len(fields) > 0 {
		return q, web.Fail(400, "error.invalid", fields)
	}
	return q, nil
}

// libraryParams are the query parameters libraryQuery reads, for the
// OpenAPI document: the lists are the ones Query.Normalize checks against.
func libraryParams() []web.Param {
	zero := 0
	return append([]web.Param{
		{Name: "q", Description: "words to search, in any of the three languages; Chinese may be written without spaces"},
		{Name: "industry", Description: "an industry code of the bureau's list"},
		{Name: "district", Description: "a district code of the bureau's list"},
		{Name: "risk", Enum: projects.Risks},
		{Name: "target_group", Description: "projects suited to a target group", Enum: policy.TargetGroups},
		{Name: "stage", Description: "a review queue or a status (reviewers' and administrators' views)", Enum: projects.Stages()},
		{Name: "min_investment", Description: "least investment, in yuan", Type: "integer", Minimum: &zero},
		{Name: "max_investment", Description: "most investment, in yuan", Type: "integer", Minimum: &zero},
		{Name: "sort", Enum: projects.Sorts},
	}, web.PageParams()...)
}

// searchProjects runs a library query; invalid parameters are a 400.
func (a *Handlers) searchProjects(c *fiber.Ctx, view string) (*projects.Result, projects.Query, error) {
	q, err := libraryQuery(c, view)
	if err != nil {
		// The rest of the query is checked too, so every bad field is
		// named, not just the first.
		var ce *core.Error
		if errors.As(q.Normalize(a.Lists), &ce) && ce.Code == core.Invalid {
			_, _, fields, _ := web.Classify(err)
			return nil, q, web.Fail(400, "error.invalid", mergeFields(ce.Fields, fields))
		}
		return nil, q, err
	}
	res, err := a.projects.Search(c.UserContext(), web.Principal(c), q)
	var ce *core.Error
	if errors.As(err, &ce) && ce.Code == core.Invalid {
		return nil, q, web.Fail(400, "error.invalid", ce.Fields)
	}
	return res, q, err
}

// mergeFields is the field errors of both, b's winning.
func mergeFields(a, b map[string]string) map[string]string {
	out := make(map[string]string, len(a)+len(b))
	maps.Copy(out, a)
	maps.Copy(out, b)
	return out
}

type apiProjectHit struct {
	ID             string            `json:"id"`
	ExternalID     string            `json:"external_id,omitempty"`
	Title          string            `json:"title"`
	Summary        string            `json:"summary"`
	Industry       string            `json:"industry"`
	District       string            `json:"district"`
	InvestmentYuan int64             `json:"investment_yuan"`
	Risk           string            `json:"risk"`
	ExpectedJobs   int               `json:"expected_jobs"`
	TargetGroups   []string          `json:"target_groups"`
	Status         string            `json:"status"`
	Stage          string            `json:"stage"`
	Score          float64           `json:"score"`
	Highlight      map[string]string `json:"highlight,omitempty"`
}

// APILibrary is a page of the library: the hits, facets and paging.
type APILibrary struct {
	Total    int                       `json:"total"`
	Page     int                       `json:"page"`
	PerPage  int                       `json:"per_page"`
	Hits     []apiProjectHit           `json:"hits"`
	Facets   map[string]map[string]int `json:"facets"`
	Degraded bool                      `json:"degraded"`
}

func toAPILibrary(r *projects.Result) APILibrary {
	out := APILibrary{Total: r.Total, Page: r.Page.Number, PerPage: r.Page.Size, Hits: make([]apiProjectHit, 0, len(r.Cards)),
		Facets: map[string]map[string]int{}, Degraded: r.Degraded}
	for _, cd := range r.Cards {
		out.Hits = append(out.Hits, apiProjectHit{ID: cd.ID, ExternalID: cd.ExternalID, Title: cd.Title, Summary: cd.Summary,
			Industry: cd.Industry, District: cd.District, InvestmentYuan: cd.InvestmentYuan, Risk: cd.Risk, ExpectedJobs: cd.ExpectedJobs,
			TargetGroups: cd.TargetGroups, Status: cd.Status, Stage: cd.Stage, Score: cd.Score, Highlight: cd.Highlight})
	}
	for name, counts := range r.Facets {
		m := map[string]int{}
		for _, fc := range counts {
			m[fc.Value] = fc.Count
		}
		out.Facets[name] = m
	}
	return out
}

func (a *Handlers) apiProjects(view string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		res, _, err := a.searchProjects(c, view)
		if err != nil {
			return err
		}
		return c.JSON(toAPILibrary(res))
	}
}

type apiReview struct {
	ReviewerName string         `json:"reviewer_name"`
	Scores       map[string]int `json:"scores"`
	Opinion      string         `json:"opinion"`
	At           time.Time      `json:"at"`
}

type apiOutcome struct {
	Status string    `json:"status"`
	Reason string    `json:"reason"`
	Note   string    `json:"note,omitempty"`
	At     time.Time `json:"at"`
}

// APIProject is a project of the library as the API shows it.
type APIProject struct {
	apiProjectHit
	Description   string      `json:"description"`
	Tags          []string    `json:"tags"`
	Source        string      `json:"source"`
	Contact       string      `json:"contact,omitempty"`
	Reviewers     []string    `json:"reviewers,omitempty"`
	Reviews       []apiReview `json:"reviews,omitempty"`
	Outcome       *apiOutcome `json:"outcome,omitempty"`
	Resubmissions int         `json:"resubmissions"`
	History       []web.Step  `json:"history,omitempty"`
	CreatedAt     time.Time   `json:"created_at"`
	UpdatedAt     time.Time   `json:"updated_at"`
}

// toAPIProject shows the evaluation (reviewers, reviews, history) to the
// submitter, reviewers and administrators only; the public sees the project
// and its outcome.
func (a *Handlers) toAPIProject(c *fiber.Ctx, p *projects.Project) APIProject {
	out := APIProject{apiProjectHit: apiProjectHit{ID: p.ID, ExternalID: p.ExternalID, Title: p.Title, Summary: p.Summary, Industry: p.Industry,
		District: p.District, InvestmentYuan: p.InvestmentYuan, Risk: p.Risk, ExpectedJobs: p.ExpectedJobs, TargetGroups: p.TargetGroups,
		Status: p.Status, Stage: p.Stage(), Score: p.Score()}, Description: p.Description, Tags: p.Tags, Source: p.Source,
		Contact: p.Contact, Resubmissions: p.Resubmissions, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
	if p.Outcome != nil {
		out.Outcome = &apiOutcome{Status: p.Outcome.Status, Reason: p.Outcome.Reason, Note: p.Outcome.Note, At: p.Outcome.At}
	}
	if p.SeesEvaluation(web.Principal(c)) {
		for _, r := range p.Reviewers {
			out.Reviewers = append(out.Reviewers, r.Name)
		}
		for _, r := range p.Reviews {
			out.Reviews = append(out.Reviews, apiReview{ReviewerName: r.ReviewerName, Scores: r.Scores, Opinion: r.Opinion, At: r.At})
		}
		for _, s := range p.History {
			out.History = append(out.History, web.Step{At: s.At, ActorName: s.ActorName, Action: s.Action, From: s.From, To: s.To, Note: s.Note})
		}
	}
	return out
}

func (a *Handlers) apiProject(c *fiber.Ctx) error {
	p, err := a.projects.Get(c.UserContext(), web.Principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(a.toAPIProject(c, p))
}

type projectRequest struct {
	projects.Input
	Submit bool `json:"submit"`
}

func (a *Handlers) apiCreateProject(c *fiber.Ctx) error {
	var in projectRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	p, err := a.projects.Create(c.UserContext(), web.Principal(c), in.Input, in.Submit, web.Meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(a.toAPIProject(c, p))
}

func (a *Handlers) apiUpdateProject(c *fiber.Ctx) error {
	var in projects.Input
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	p, err := a.projects.Update(c.UserContext(), web.Principal(c), c.Params("id"), in, web.Meta(c))
	if err != nil {
		return err
	}
	return c.JSON(a.toAPIProject(c, p))
}

type reviewersRequest struct {
	ReviewerIDs []string `json:"reviewer_ids"`
}

type decisionRequest struct {
	Outcome string `json:"outcome"`
	Reason  string `json:"reason"`
	Note    string `json:"note"`
}

// apiProjectStep runs a workflow step from a JSON body.
func (a *Handlers) apiProjectStep(step string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, p, id, m := c.UserContext(), web.Principal(c), c.Params("id"), web.Meta(c)
		var out *projects.Project
		var err error
		switch step {
		case "submit":
			out, err = a.projects.Submit(ctx, p, id, m)
		case "archive":
			out, err = a.projects.Archive(ctx, p, id, m)
		case "reviewers":
			var in reviewersRequest
			if err := web.DecodeJSON(c, &in); err != nil {
				return err
			}
			out, err = a.projects.AssignReviewers(ctx, p, id, in.ReviewerIDs, m)
		case "review":
			var in projects.ReviewInput
			if err := web.DecodeJSON(c, &in); err != nil {
				return err
			}
			out, err = a.projects.Review(ctx, p, id, in, m)
		case "decision":
			var in decisionRequest
			if err := web.DecodeJSON(c, &in); err != nil {
				return err
			}
			out, err = a.projects.Decide(ctx, p, id, in.Outcome, in.Reason, in.Note, m)
		}
		if err != nil {
			return err
		}
		return c.JSON(a.toAPIProject(c, out))
	}
}
