package projects

import (
	"context"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/core"
	"onestop/services/privacy"
	"onestop/services/store"
)

// PersonalData is the project library's part of the personal-data
// contract (services/privacy): the projects a person submitted, and the
// reviews they gave as a reviewer.
func (s *Service) PersonalData() PersonalData { return PersonalData{s} }

// PersonalData implements privacy.Area.
type PersonalData struct{ s *Service }

// Name implements privacy.Area.
func (PersonalData) Name() string { return "projects" }

// Holds implements privacy.Area.
func (PersonalData) Holds() []string { return []string{Collection.Name} }

type exportedProject struct {
	Title          string         `json:"title"`
	Summary        string         `json:"summary"`
	Description    string         `json:"description"`
	Industry       string         `json:"industry"`
	District       string         `json:"district"`
	InvestmentYuan int64          `json:"investment_yuan"`
	ExpectedJobs   int            `json:"expected_jobs"`
	Contact        string         `json:"contact,omitempty"`
	Status         string         `json:"status"`
	History        []exportedStep `json:"history"`
	CreatedAt      time.Time      `json:"created_at"`
}

type exportedStep struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Action string    `json:"action"`
	To     string    `json:"to"`
}

type exportedReview struct {
	Project string         `json:"project"`
	Scores  map[string]int `json:"scores"`
	Opinion string         `json:"opinion"`
	At      time.Time      `json:"at"`
}

func (p PersonalData) find(ctx context.Context, field, id string) ([]*Project, error) {
	ids, err := privacy.Find(ctx, p.s.outbox.Engine(), Index.Name, field, id)
	if err != nil {
		return nil, err
	}
	list, err := store.GetMany[Project](ctx, p.s.store, Collection.Name, ids)
	return slices.DeleteFunc(list, func(x *Project) bool { return x == nil }), err
}

// Export implements privacy.Area.
func (p PersonalData) Export(ctx context.Context, id string) (*privacy.Part, error) {
	owned, err := p.find(ctx, "owner_id", id)
	if err != nil {
		return nil, err
	}
	var part privacy.Part
	for _, pr := range owned {
		ex := exportedProject{Title: pr.Title, Summary: pr.Summary, Description: pr.Description, Industry: pr.Industry, District: pr.District,
			InvestmentYuan: pr.InvestmentYuan, ExpectedJobs: pr.ExpectedJobs, Contact: pr.Contact, Status: pr.Status, History: []exportedStep{},
			CreatedAt: pr.CreatedAt}
		for _, st := range pr.History {
			ex.History = append(ex.History, exportedStep{At: st.At, By: privacy.Shown(id, st.ActorID), Action: st.Action, To: st.To})
		}
		part.Add("project", pr.ID, pr.CreatedAt, pr.Status, ex)
	}
	reviewed, err := p.find(ctx, "reviewer_ids", id)
	if err != nil {
		return nil, err
	}
	for _, pr := range reviewed {
		for _, r := range pr.Reviews {
			if r.ReviewerID == id {
				part.Add("review", pr.ID, r.At, pr.Status, exportedReview{Project: pr.Title, Scores: r.Scores, Opinion: r.Opinion, At: r.At})
			}
		}
	}
	return &part, nil
}

// Erase implements privacy.Area: a draft, which was only ever the
// person's, is deleted; a project still awaiting evaluation is archived
// (nobody recommends the project of a deleted account); every other is
// kept in the library under the pseudonym, without the owner's contact.
// A reviewer's name leaves the projects they reviewed.
func (p PersonalData) Erase(ctx context.Context, subj privacy.Subject) error {
	for _, field := range []string{"owner_id", "reviewer_ids"} {
		ids, err := privacy.Find(ctx, p.s.outbox.Engine(), Index.Name, field, subj.ID)
		if err != nil {
			return err
		}
		if err := privacy.EachRetried(ids, func(id string) error { return p.eraseOne(ctx, id, subj) }); err != nil {
			return err
		}
	}
	return nil
}

// reviewerNames replaces the person's name in an assignment's list of
// reviewers' names, as whole names only.
func reviewerNames(note string, subj privacy.Subject) string {
	names := strings.Split(note, "、")
	for i := range names {
		names[i] = subj.Name(names[i])
	}
	return strings.Join(names, "、")
}

func (p PersonalData) eraseOne(ctx context.Context, id string, subj privacy.Subject) error {
	var pr Project
	if err := p.s.store.Get(ctx, Collection.Name, id, &pr); err != nil {
		return err
	}
	if err := p.s.outbox.Begin(ctx, Index.Name, id); err != nil {
		return err
	}
	defer p.s.outbox.Apply(ctx, Index.Name, id)
	guard := []store.Cond{store.Eq("status", pr.Status), store.Eq("updated_at", pr.UpdatedAt)}
	owner := pr.OwnerID == subj.ID
	if owner && pr.Status == Draft {
		// Only its owner acts on a draft, and the owner is the one leaving.
		_, err := p.s.store.C(Collection.Name).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
		if err == nil {
			subj.Erased(id)
		}
		return core.Wrap(err, "erase draft")
	}
	now := p.s.clock.Now()
	hist := slices.Clone(pr.History)
	for i := range hist {
		// The person's steps by their id: a reviewer or an administrator
		// who bears the same name keeps it, and in a project that is not
		// the person's only their own notes lose the name (in anybody
		// else's a name may be anybody's; a number is the person's).
		mine := hist[i].ActorID == subj.ID
		if mine {
			hist[i].ActorName = subj.Pseudonym
		}
		switch {
		case owner || mine:
			hist[i].Note = subj.Scrub(hist[i].Note)
		case hist[i].Action == "assign" && slices.ContainsFunc(pr.Reviewers, func(r Person) bool { return r.ID == subj.ID }):
			// The note lists the reviewers' names (AssignReviewers), the
			// person's among them.
			hist[i].Note = reviewerNames(hist[i].Note, subj)
		default:
			hist[i].Note = subj.ScrubNumbers(hist[i].Note)
		}
	}
	reviewers, reviews := slices.Clone(pr.Reviewers), slices.Clone(pr.Reviews)
	for i := range reviewers {
		if reviewers[i].ID == subj.ID {
			reviewers[i].Name = subj.Pseudonym
		}
	}
	for i := range reviews {
		if reviews[i].ReviewerID == subj.ID {
			reviews[i].ReviewerName = subj.Pseudonym
			reviews[i].Opinion = subj.Scrub(reviews[i].Opinion)
		}
	}
	set := bson.D{{Key: "reviewers", Value: reviewers}, {Key: "reviews", Value: reviews}, {Key: "updated_at", Value: now}}
	if owner {
		set = append(set, bson.E{Key: "owner_name", Value: subj.Pseudonym}, bson.E{Key: "contact", Value: ""},
			bson.E{Key: "title", Value: subj.Scrub(pr.Title)}, bson.E{Key: "summary", Value: subj.Scrub(pr.Summary)},
			bson.E{Key: "description", Value: subj.Scrub(pr.Description)})
		if pr.Status == Submitted || pr.Status == UnderEvaluation {
			hist = append(hist, Step{At: now, ActorID: subj.ID, ActorName: subj.Pseudonym, Action: "archive", From: pr.Status, To: Archived, Note: "account deleted"})
			set = append(set, bson.E{Key: "status", Value: Archived})
		}
	}
	set = append(set, bson.E{Key: "history", Value: hist})
	if err := p.s.store.UpdateIf(ctx, Collection.Name, id, guard, bson.D{{Key: "$set", Value: set}}); err != nil {
		return err
	}
	if owner {
		subj.Erased(id)
	}
	return nil
}
