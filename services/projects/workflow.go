package projects

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/reference"
	"onestop/services/store"
)

// Create stores a new project of the caller, as a draft or submitted.
func (s *Service) Create(ctx context.Context, actor accounts.Principal, in Input, submit bool, m accounts.Meta) (*Project, error) {
	if actor.Guest() {
		return nil, core.Errorf(core.Unauthenticated, "error.unauthenticated")
	}
	in.ExternalID = "" // external ids belong to imports
	if err := in.validate(s.reference.Current(reference.Industry), s.reference.Current(reference.District)); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	status := Draft
	if submit {
		status = Submitted
	}
	p := &Project{ID: core.NewID(), OwnerID: actor.ID, OwnerName: actor.Name, Status: status, CreatedAt: now, UpdatedAt: now,
		Reviewers: []Person{}, Reviews: []Review{},
		History: []Step{{At: now, ActorID: actor.ID, ActorName: actor.Name, Action: "create", To: status}}}
	fill(p, in)
	if err := s.outbox.Begin(ctx, Index.Name, p.ID); err != nil {
		return nil, err
	}
	if _, err := s.store.C(Collection.Name).InsertOne(ctx, p); err != nil {
		return nil, core.Wrap(err, "insert project")
	}
	s.outbox.Apply(ctx, Index.Name, p.ID)
	s.audit.Record(ctx, actor.Actor(m), "project.create", audit.Success, p.ID, status)
	return p, nil
}

func fill(p *Project, in Input) {
	p.Title, p.Summary, p.Description = in.Title, in.Summary, in.Description
	p.Industry, p.District, p.InvestmentYuan, p.Risk = in.Industry, in.District, in.InvestmentYuan, in.Risk
	p.ExpectedJobs, p.TargetGroups, p.Tags, p.Source, p.Contact = in.ExpectedJobs, in.TargetGroups, in.Tags, in.Source, in.Contact
	if in.ExternalID != "" {
		p.ExternalID = in.ExternalID
	}
}

// change applies one guarded transition: the project must still be in the
// status and at the version the caller read, so of two people acting at
// once only one succeeds and nothing is lost.
func (s *Service) change(ctx context.Context, actor accounts.Principal, p *Project, to, action, note string, set bson.D, extra bson.D, m accounts.Meta) (*Project, error) {
	now := s.clock.Now()
	step := Step{At: now, ActorID: actor.ID, ActorName: actor.Name, Action: action, From: p.Status, To: to, Note: note}
	set = append(set, bson.E{Key: "status", Value: to}, bson.E{Key: "updated_at", Value: now})
	push := append(bson.D{{Key: "history", Value: step}}, extra...)
	if err := s.outbox.Begin(ctx, Index.Name, p.ID); err != nil {
		return nil, err
	}
	err := s.store.UpdateIf(ctx, Collection.Name, p.ID, []store.Cond{store.Eq("status", p.Status), store.Eq("updated_at", p.UpdatedAt)},
		bson.D{{Key: "$set", Value: set}, {Key: "$push", Value: push}})
	s.outbox.Apply(ctx, Index.Name, p.ID)
	if err != nil {
		return nil, err
	}
	s.audit.Record(ctx, actor.Actor(m), "project."+action, audit.Success, p.ID, p.Status+"→"+to)
	var out Project
	if err := s.store.Get(ctx, Collection.Name, p.ID, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Update revises a project: its submitter while it is a draft or after a
// "not recommended" outcome (the one revision allowed), administrators any
// time before it is archived, except their own, which they revise as any
// submitter does (the reviewers scored the text they saw).
func (s *Service) Update(ctx context.Context, actor accounts.Principal, id string, in Input, m accounts.Meta) (*Project, error) {
	p, err := s.Get(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	switch {
	case p.CanEdit(actor):
	case p.OwnerID == actor.ID:
		return nil, core.Errorf(core.Conflict, "error.project.locked")
	default:
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	in.ExternalID = p.ExternalID
	// A retired industry or district the project holds may stay.
	if err := in.validate(s.reference.Current(reference.Industry).Keeping(p.Industry),
		s.reference.Current(reference.District).Keeping(p.District)); err != nil {
		return nil, err
	}
	q := *p
	fill(&q, in)
	set := bson.D{{Key: "title", Value: q.Title}, {Key: "summary", Value: q.Summary}, {Key: "description", Value: q.Description},
		{Key: "industry", Value: q.Industry}, {Key: "district", Value: q.District}, {Key: "investment_yuan", Value: q.InvestmentYuan},
		{Key: "risk", Value: q.Risk}, {Key: "expected_jobs", Value: q.ExpectedJobs}, {Key: "target_groups", Value: q.TargetGroups},
		{Key: "tags", Value: q.Tags}, {Key: "source", Value: q.Source}, {Key: "contact", Value: q.Contact}}
	return s.change(ctx, actor, p, p.Status, "edit", "", set, nil, m)
}

// Submit sends a draft for evaluation, or a revised project back once.
func (s *Service) Submit(ctx context.Context, actor accounts.Principal, id string, m accounts.Meta) (*Project, error) {
	p, err := s.Get(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if p.OwnerID != actor.ID {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	switch {
	case p.Status == Draft:
		return s.change(ctx, actor, p, Submitted, "submit", "", nil, nil, m)
	case p.Status == NotRecommended && p.Resubmissions < 1:
		// A fresh evaluation: the earlier reviews stay in the history of
		// outcomes, the new reviewers start clean.
		set := bson.D{{Key: "resubmissions", Value: p.Resubmissions + 1}, {Key: "reviews", Value: []Review{}}, {Key: "reviewers", Value: []Person{}}}
		return s.change(ctx, actor, p, Submitted, "resubmit", "", set, nil, m)
	}
	return nil, core.Errorf(core.Conflict, "error.project.locked")
}

// AssignReviewers puts a submitted project under evaluation with at least
// two reviewers (mentors or administrators), never its submitter.
func (s *Service) AssignReviewers(ctx context.Context, actor accounts.Principal, id string, reviewerIDs []string, m accounts.Meta) (*Project, error) {
	if actor.Role != accounts.Admin {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	p, err := s.Get(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := notOwn(actor, p); err != nil {
		return nil, err
	}
	if p.Status != Submitted && !(p.Status == UnderEvaluation && len(p.Reviews) == 0) {
		return nil, core.Errorf(core.Conflict, "error.project.locked")
	}
	var reviewers []Person
	invalid := func(key string) error {
		return &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"reviewers": key}}
	}
	for _, rid := range reviewerIDs {
		if slices.ContainsFunc(reviewers, func(r Person) bool { return r.ID == rid }) {
			continue
		}
		if rid == p.OwnerID {
			return nil, invalid("error.project.conflict_of_interest")
		}
		u, err := s.accounts.Get(ctx, rid)
		if err != nil || u.Disabled || (u.Role != accounts.Mentor && u.Role != accounts.Admin) {
			return nil, invalid("error.project.reviewer")
		}
		reviewers = append(reviewers, Person{ID: u.ID, Name: u.Name})
	}
	if len(reviewers) < MinReviewers {
		return nil, invalid("error.project.two_reviewers")
	}
	names := make([]string, len(reviewers))
	for i, r := range reviewers {
		names[i] = r.Name
	}
	return s.change(ctx, actor, p, UnderEvaluation, "assign", strings.Join(names, "、"), bson.D{{Key: "reviewers", Value: reviewers}}, nil, m)
}

// ReviewInput is one reviewer's scoring.
type ReviewInput struct {
	Scores  map[string]int `json:"scores"`
	Opinion string         `json:"opinion"`
}

// Review records an assigned reviewer's scores and opinion, once. The
// review key is claimed first, so a reviewer submitting twice at once gets
// one review, and reviews of different reviewers never overwrite each
// other (each is pushed, not set).
func (s *Service) Review(ctx context.Context, actor accounts.Principal, id string, in ReviewInput, m accounts.Meta) (*Project, error) {
	p, err := s.Get(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if !p.IsReviewer(actor.ID) {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	if p.Status != UnderEvaluation {
		return nil, core.Errorf(core.Conflict, "error.project.locked")
	}
	var v core.Validation
	for _, c := range Criteria {
		n, ok := in.Scores[c]
		v.Check(ok && n >= 1 && n <= 5, "scores."+c, "error.project.score")
	}
	for c := range in.Scores {
		v.Check(slices.Contains(Criteria, c), "scores", "error.project.criterion")
	}
	in.Opinion = strings.TrimSpace(in.Opinion)
	n := utf8.RuneCountInString(in.Opinion)
	v.Check(n >= 10 && n <= 3000 && utf8.ValidString(in.Opinion) && !strings.ContainsRune(in.Opinion, 0), "opinion", "error.project.opinion")
	if err := v.Err(); err != nil {
		return nil, err
	}
	key := fmt.Sprintf("review:%s:%d:%s", p.ID, p.Resubmissions, actor.ID)
	if err := s.store.ClaimKey(ctx, key, actor.ID+"/"+core.NewID(), "error.project.reviewed"); err != nil {
		return nil, err
	}
	review := Review{ReviewerID: actor.ID, ReviewerName: actor.Name, Scores: in.Scores, Opinion: in.Opinion, At: s.clock.Now()}
	if err := s.outbox.Begin(ctx, Index.Name, p.ID); err != nil {
		return nil, err
	}
	err = s.store.UpdateIf(ctx, Collection.Name, p.ID, []store.Cond{store.Eq("status", UnderEvaluation)},
		bson.D{{Key: "$push", Value: bson.D{{Key: "reviews", Value: review}}}, {Key: "$set", Value: bson.D{{Key: "updated_at", Value: s.clock.Now()}}}})
	s.outbox.Apply(ctx, Index.Name, p.ID)
	if err != nil {
		_ = s.store.ReleaseKeyAny(context.WithoutCancel(ctx), key)
		return nil, err
	}
	s.audit.Record(ctx, actor.Actor(m), "project.review", audit.Success, p.ID, "")
	return s.Get(ctx, actor, id)
}

// Decide records the consensus once every reviewer has scored: the outcome
// with a reason code and a note the submitter sees. The rules of the
// evaluation bind administrators too: nobody decides on their own project,
// and "recommended" needs every reviewer's scores behind it (Supported);
// "not recommended" is always open (a duplicate, an incomplete file).
func (s *Service) Decide(ctx context.Context, actor accounts.Principal, id, outcome, reason, note string, m accounts.Meta) (*Project, error) {
	if actor.Role != accounts.Admin {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	p, err := s.Get(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	var v core.Validation
	v.Check(outcome == Recommended || outcome == NotRecommended, "outcome", "error.enum")
	v.Check(slices.Contains(Reasons, reason), "reason", "error.enum")
	note = strings.TrimSpace(note)
	v.Check(utf8.RuneCountInString(note) <= 2000 && utf8.ValidString(note) && !strings.ContainsRune(note, 0), "note", "error.text.length")
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := notOwn(actor, p); err != nil {
		return nil, err
	}
	if p.Stage() != "awaiting_consensus" {
		return nil, core.Errorf(core.Conflict, "error.project.not_ready")
	}
	if outcome == Recommended && !p.Supported() {
		return nil, &core.Error{Code: core.Conflict, Message: "error.project.unsupported", Fields: map[string]string{"outcome": "error.project.unsupported"}}
	}
	o := Outcome{Status: outcome, Reason: reason, Note: note, By: actor.Name, At: s.clock.Now()}
	return s.change(ctx, actor, p, outcome, "decide", reason, bson.D{{Key: "outcome", Value: o}}, nil, m)
}

// Archive takes an evaluated project out of the library.
func (s *Service) Archive(ctx context.Context, actor accounts.Principal, id string, m accounts.Meta) (*Project, error) {
	if actor.Role != accounts.Admin {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	p, err := s.Get(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := notOwn(actor, p); err != nil {
		return nil, err
	}
	if p.Status != Recommended && p.Status != NotRecommended {
		return nil, core.Errorf(core.Conflict, "error.project.locked")
	}
	return s.change(ctx, actor, p, Archived, "archive", "", nil, nil, m)
}

// notOwn refuses an evaluation step (choosing the reviewers, deciding,
// archiving) to the project's submitter, administrators included: nobody
// decides on their own project (利益迴避). The submitter can still read it
// and revise it as any submitter does.
func notOwn(actor accounts.Principal, p *Project) error {
	if p.OwnerID != "" && p.OwnerID == actor.ID {
		return core.Errorf(core.Forbidden, "error.project.own")
	}
	return nil
}
