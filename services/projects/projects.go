// Package projects owns the startup project library (創業項目資源庫, source
// (十二)): projects collected from the bureau, enterprises and individuals,
// evaluated by at least two reviewers and recommended or not (評估和推介),
// searchable by anyone once recommended, and imported in bulk (定期採集).
package projects

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"regexp"
	"slices"
	"strings"
	"time"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/outbox"
	"onestop/services/policy"
	"onestop/services/reference"
	"onestop/services/store"
)

// Enumerations. A project's industry (of the guidance catalogue,
// 產業指導目錄, source (三)) and district are reference data.
var (
	Risks    = []string{"low", "medium", "high"}
	Sources  = []string{"bureau", "enterprise", "individual"}
	Criteria = []string{"market", "investment", "risk", "employment", "feasibility"}
	// Reasons are the codes a consensus gives for its outcome.
	Reasons = []string{"strong_market", "sound_investment", "creates_jobs", "feasible",
		"weak_market", "investment_too_high", "risk_too_high", "few_jobs", "not_feasible", "incomplete", "duplicate"}
	Statuses = []string{Draft, Submitted, UnderEvaluation, Recommended, NotRecommended, Archived}
)

// Statuses of the workflow.
const (
	Draft           = "draft"
	Submitted       = "submitted"
	UnderEvaluation = "under_evaluation"
	Recommended     = "recommended"
	NotRecommended  = "not_recommended"
	Archived        = "archived"
)

// MinReviewers is how many independent reviewers a project needs.
const MinReviewers = 2

// SupportMin is the least total (of 25) each reviewer must give for a
// project to be recommended: "adequate" (3 of 5) on average over the
// criteria. A recommendation is a consensus, so one reviewer below it holds
// the project back, whoever decides.
const SupportMin = 3 * 5

// Collection holds the projects.
var Collection = store.Collection{Name: "projects"}

// Index is the library, the evaluation board and the reviewers' queues.
var Index = search.Index{
	Name:       "projects",
	ReadMostly: true,
	Text:       []string{"title", "summary"},
	SearchOnly: []string{"description", "tags"},
	Keywords:   []string{"industry", "district", "risk", "target_groups", "status", "source", "owner_id", "reviewer_ids", "pending_reviewers", "stage", "external_id"},
	Numbers:    []string{"investment_yuan", "expected_jobs", "score"},
	Times:      []string{"created_at"},
}

// Project is one project of the library.
type Project struct {
	ID             string    `bson:"_id"`
	ExternalID     string    `bson:"external_id,omitempty"`
	Title          string    `bson:"title"`
	Summary        string    `bson:"summary"`
	Description    string    `bson:"description"`
	Industry       string    `bson:"industry"`
	District       string    `bson:"district"`
	InvestmentYuan int64     `bson:"investment_yuan"`
	Risk           string    `bson:"risk"`
	ExpectedJobs   int       `bson:"expected_jobs"`
	TargetGroups   []string  `bson:"target_groups"`
	Tags           []string  `bson:"tags"`
	Source         string    `bson:"source"`
	Contact        string    `bson:"contact,omitempty"`
	Status         string    `bson:"status"`
	OwnerID        string    `bson:"owner_id,omitempty"`
	OwnerName      string    `bson:"owner_name,omitempty"`
	Reviewers      []Person  `bson:"reviewers"`
	Reviews        []Review  `bson:"reviews"`
	Outcome        *Outcome  `bson:"outcome,omitempty"`
	Resubmissions  int       `bson:"resubmissions"`
	History        []Step    `bson:"history"`
	CreatedAt      time.Time `bson:"created_at"`
	UpdatedAt      time.Time `bson:"updated_at"`
}

// Person names an account on a project.
type Person struct {
	ID   string `bson:"id"`
	Name string `bson:"name"`
}

// Review is one reviewer's scores (1–5 per criterion) and opinion.
type Review struct {
	ReviewerID   string         `bson:"reviewer_id"`
	ReviewerName string         `bson:"reviewer_name"`
	Scores       map[string]int `bson:"scores"`
	Opinion      string         `bson:"opinion"`
	At           time.Time      `bson:"at"`
}

// Total is the sum of a review's scores.
func (r Review) Total() int {
	t := 0
	for _, s := range r.Scores {
		t += s
	}
	return t
}

// Outcome is the consensus.
type Outcome struct {
	Status string    `bson:"status"`
	Reason string    `bson:"reason"`
	Note   string    `bson:"note"`
	By     string    `bson:"by"`
	At     time.Time `bson:"at"`
}

// Step is one recorded transition: who, when, what, why.
type Step struct {
	At        time.Time `bson:"at"`
	ActorID   string    `bson:"actor_id"`
	ActorName string    `bson:"actor_name"`
	Action    string    `bson:"action"`
	From      string    `bson:"from,omitempty"`
	To        string    `bson:"to"`
	Note      string    `bson:"note,omitempty"`
}

// Score is the mean of the reviews' totals (out of 25), 0 without reviews.
func (p *Project) Score() float64 {
	if len(p.Reviews) == 0 {
		return 0
	}
	t := 0
	for _, r := range p.Reviews {
		t += r.Total()
	}
	return float64(t) / float64(len(p.Reviews))
}

// Supported reports whether the reviews back a recommendation: every
// assigned reviewer has scored, each at SupportMin or more.
func (p *Project) Supported() bool {
	if len(p.Reviewers) < MinReviewers {
		return false
	}
	for _, r := range p.Reviewers {
		i := slices.IndexFunc(p.Reviews, func(v Review) bool { return v.ReviewerID == r.ID })
		if i < 0 || p.Reviews[i].Total() < SupportMin {
			return false
		}
	}
	return true
}

// Reviewed reports whether a reviewer has scored the project.
func (p *Project) Reviewed(id string) bool {
	return slices.ContainsFunc(p.Reviews, func(r Review) bool { return r.ReviewerID == id })
}

// IsReviewer reports whether id is an assigned reviewer.
func (p *Project) IsReviewer(id string) bool {
	return slices.ContainsFunc(p.Reviewers, func(r Person) bool { return r.ID == id })
}

// Stage refines the status for the evaluation board.
func (p *Project) Stage() string {
	switch p.Status {
	case Submitted:
		return "needs_reviewers"
	case UnderEvaluation:
		if len(p.Reviewers) > 0 && len(p.Reviews) >= len(p.Reviewers) {
			return "awaiting_consensus"
		}
		return "in_review"
	}
	return p.Status
}

func (p *Project) pending() []string {
	var out []string
	if p.Status != UnderEvaluation {
		return out
	}
	for _, r := range p.Reviewers {
		if !p.Reviewed(r.ID) {
			out = append(out, r.ID)
		}
	}
	return out
}

func toDoc(p *Project) *search.Doc {
	ids := make([]string, 0, len(p.Reviewers))
	for _, r := range p.Reviewers {
		ids = append(ids, r.ID)
	}
	return &search.Doc{ID: p.ID, Fields: map[string]any{
		"title": p.Title, "summary": p.Summary, "description": p.Description, "tags": p.Tags,
		"industry": p.Industry, "district": p.District, "risk": p.Risk, "target_groups": p.TargetGroups,
		"status": p.Status, "source": p.Source, "owner_id": p.OwnerID, "reviewer_ids": ids,
		"pending_reviewers": p.pending(), "stage": p.Stage(), "external_id": p.ExternalID,
		"investment_yuan": p.InvestmentYuan, "expected_jobs": p.ExpectedJobs, "score": p.Score(), "created_at": p.CreatedAt,
	}}
}

// Input is a project as submitted or imported.
type Input struct {
	ExternalID     string   `json:"external_id,omitempty"`
	Title          string   `json:"title"`
	Summary        string   `json:"summary"`
	Description    string   `json:"description"`
	Industry       string   `json:"industry"`
	District       string   `json:"district"`
	InvestmentYuan int64    `json:"investment_yuan"`
	Risk           string   `json:"risk"`
	ExpectedJobs   int      `json:"expected_jobs"`
	TargetGroups   []string `json:"target_groups"`
	Tags           []string `json:"tags"`
	Source         string   `json:"source"`
	Contact        string   `json:"contact,omitempty"`
}

var externalID = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

func text(v *core.Validation, field, s string, min, max int) string {
	// core.Validation.Text: no control characters but line breaks and
	// tabs, and no invisible format ones (a U+202E override would let a
	// public title display as something else); the message names the
	// bound broken.
	return v.Text(field, s, min, max)
}

// validate checks and normalises an input; the rules say which industries
// and districts it may name, and turn labels into codes.
func (in *Input) validate(industry, district reference.Rule) error {
	var v core.Validation
	in.Title = text(&v, "title", in.Title, 2, 100)
	in.Summary = text(&v, "summary", in.Summary, 2, 300)
	in.Description = text(&v, "description", in.Description, 0, 5000)
	in.Contact = text(&v, "contact", in.Contact, 0, 100)
	v.Check(strings.TrimSpace(in.Industry) != "", "industry", "error.enum")
	industry.Check(&v, "industry", &in.Industry)
	v.Check(strings.TrimSpace(in.District) != "", "district", "error.enum")
	district.Check(&v, "district", &in.District)
	v.Check(slices.Contains(Risks, in.Risk), "risk", "error.enum")
	if in.Source == "" {
		in.Source = "individual"
	}
	v.Check(slices.Contains(Sources, in.Source), "source", "error.enum")
	v.Check(in.InvestmentYuan >= 0 && in.InvestmentYuan <= 1_000_000_000, "investment_yuan", "error.number.range")
	v.Check(in.ExpectedJobs >= 0 && in.ExpectedJobs <= 100_000, "expected_jobs", "error.number.range")
	for _, g := range in.TargetGroups {
		v.Check(slices.Contains(policy.TargetGroups, g), "target_groups", "error.enum")
	}
	if in.TargetGroups == nil {
		in.TargetGroups = []string{}
	}
	tags := []string{}
	for _, t := range in.Tags {
		t = text(&v, "tags", t, 1, 20)
		if t != "" && !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	v.Check(len(tags) <= 10, "tags", "error.too_many_items")
	in.Tags = tags
	v.Check(in.ExternalID == "" || externalID.MatchString(in.ExternalID), "external_id", "error.external_id")
	return v.Err()
}

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// ImportID is the id of an imported project, computed from its external id
// so a re-import finds it with a read by `_id`.
func ImportID(externalID string) string {
	sum := sha256.Sum256([]byte("projects/" + externalID))
	return idEncoding.EncodeToString(sum[:16])
}

// Service manages projects.
type Service struct {
	store     *store.Store
	outbox    *outbox.Outbox
	audit     *audit.Log
	accounts  *accounts.Service
	clock     core.Clock
	reference *reference.Lists
}

// Deps wires the service.
type Deps struct {
	Store  *store.Store
	Outbox *outbox.Outbox
	Audit  *audit.Log
	// Accounts names reviewers and checks that they may review.
	Accounts *accounts.Service
	Clock    core.Clock
	// Reference holds the industries and districts a project names.
	Reference *reference.Lists
}

// New returns the service and registers its index.
func New(d Deps) (*Service, error) {
	if err := core.CheckDeps("projects", d); err != nil {
		return nil, err
	}
	svc := &Service{store: d.Store, outbox: d.Outbox, audit: d.Audit, accounts: d.Accounts, clock: d.Clock, reference: d.Reference}
	d.Outbox.Register(outbox.SourceFor(d.Store, Collection.Name, Index, toDoc))
	return svc, nil
}

// canSee: recommended projects are public; the others are seen by their
// submitter, their reviewers and administrators. For anyone else they do
// not exist.
func canSee(actor accounts.Principal, p *Project) bool {
	return p.Status == Recommended || actor.Role == accounts.Admin ||
		(!actor.Guest() && (p.OwnerID == actor.ID || p.IsReviewer(actor.ID)))
}

// Get reads a project.
func (s *Service) Get(ctx context.Context, actor accounts.Principal, id string) (*Project, error) {
	if !core.ValidID(id) {
		return nil, core.Errorf(core.NotFound, "error.not_found")
	}
	var p Project
	if err := s.store.Get(ctx, Collection.Name, id, &p); err != nil {
		return nil, err
	}
	if !canSee(actor, &p) {
		return nil, core.Errorf(core.NotFound, "error.not_found")
	}
	return &p, nil
}
