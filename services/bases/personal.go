package bases

import (
	"context"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/privacy"
	"onestop/services/store"
)

// PersonalData is the applications' part of the personal-data contract
// (services/privacy). Bases and intakes hold nothing about a person.
func (s *Service) PersonalData() PersonalData { return PersonalData{s} }

// PersonalData implements privacy.Area.
type PersonalData struct{ s *Service }

// Name implements privacy.Area.
func (PersonalData) Name() string { return "incubators" }

// Holds implements privacy.Area.
func (PersonalData) Holds() []string { return []string{"applications"} }

// applicantActions are the steps only the applicant takes.
var applicantActions = []string{"apply", "withdraw", "accept_offer", "decline_offer", "superseded"}

// erasedReason is the reason an application withdrawn by an erasure gives.
const erasedReason = "account_deleted"

type exportedApplication struct {
	Intake    string         `json:"intake_id"`
	Base      string         `json:"base"`
	Rank      int            `json:"rank"`
	Venture   string         `json:"venture"`
	Status    string         `json:"status"`
	Reason    string         `json:"reason,omitempty"`
	CreatedAt time.Time      `json:"created_at"`
	History   []exportedStep `json:"history"`
}

type exportedStep struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"` // "you" or "base"
	Action string    `json:"action"`
	To     string    `json:"to"`
	Note   string    `json:"note,omitempty"`
}

// mine reads the person's applications found through the index.
func (p PersonalData) mine(ctx context.Context, id string) ([]string, []*Application, error) {
	ids, err := privacy.Find(ctx, p.s.outbox.Engine(), AppIndex.Name, "applicant_id", id)
	if err != nil {
		return nil, nil, err
	}
	list, err := store.GetMany[Application](ctx, p.s.store, "applications", ids)
	return ids, list, err
}

// Export implements privacy.Area.
func (p PersonalData) Export(ctx context.Context, id string) (*privacy.Part, error) {
	_, list, err := p.mine(ctx, id)
	if err != nil {
		return nil, err
	}
	var part privacy.Part
	for _, a := range list {
		if a == nil || a.ApplicantID != id {
			continue
		}
		ex := exportedApplication{Intake: a.IntakeID, Base: a.BaseName, Rank: a.Rank, Venture: a.Venture, Status: a.Status, Reason: a.Reason,
			CreatedAt: a.CreatedAt, History: []exportedStep{}}
		for _, st := range a.History {
			by := "base"
			if slices.Contains(applicantActions, st.Action) {
				by = privacy.You
			}
			ex.History = append(ex.History, exportedStep{At: st.At, By: by, Action: st.Action, To: st.To, Note: st.Note})
		}
		part.Add("application", a.ID, a.CreatedAt, a.Status, ex)
	}
	return &part, nil
}

// Erase implements privacy.Area: an application still open (pending,
// wait-listed, offered) is withdrawn, giving back the seat an offer held,
// so no base manager can accept it any more; every application is kept for
// the intake's record under the pseudonym. A tenancy stays: the seat is
// still taken until the base records the move-out.
func (p PersonalData) Erase(ctx context.Context, subj privacy.Subject) error {
	ids, _, err := p.mine(ctx, subj.ID)
	if err != nil {
		return err
	}
	return privacy.EachRetried(ids, func(id string) error { return p.eraseOne(ctx, id, subj) })
}

// eraseOne withdraws and pseudonymises one application in one update,
// guarded on the status and version read: a manager accepting it at the
// same moment makes the erasure read it again (and give the seat back).
func (p PersonalData) eraseOne(ctx context.Context, id string, subj privacy.Subject) error {
	var a Application
	if err := p.s.store.Get(ctx, "applications", id, &a); err != nil {
		return err
	}
	if a.ApplicantID != subj.ID {
		return nil
	}
	now := p.s.clock.Now()
	for i := range a.History {
		// A step records no actor id: the applicant's are known by their
		// action. A manager who bears the same name keeps it.
		if slices.Contains(applicantActions, a.History[i].Action) {
			a.History[i].ActorName = subj.Pseudonym
		}
		a.History[i].Note = subj.Scrub(a.History[i].Note) // the person's own application
	}
	status, reason := a.Status, subj.Scrub(a.Reason)
	withdrawn := a.Active()
	if withdrawn {
		status, reason = AppWithdrawn, erasedReason
		a.History = append(a.History, Step{At: now, ActorName: subj.Pseudonym, Action: "withdraw", To: AppWithdrawn, Note: erasedReason})
	}
	set := bson.D{{Key: "applicant_name", Value: subj.Pseudonym}, {Key: "venture", Value: subj.Scrub(a.Venture)},
		{Key: "status", Value: status}, {Key: "reason", Value: reason}, {Key: "updated_at", Value: now}}
	set = append(set, bson.E{Key: "history", Value: a.History})
	if err := p.s.outbox.Begin(ctx, AppIndex.Name, a.ID); err != nil {
		return err
	}
	err := p.s.store.UpdateIf(ctx, "applications", a.ID, []store.Cond{store.Eq("status", a.Status), store.Eq("updated_at", a.UpdatedAt)},
		bson.D{{Key: "$set", Value: set}})
	p.s.outbox.Apply(ctx, AppIndex.Name, a.ID)
	if err != nil {
		return err
	}
	subj.Erased(a.ID)
	if withdrawn {
		if a.Status == AppOffered {
			if err := p.s.releaseSeat(ctx, a.BaseID); err != nil {
				return err
			}
		}
		p.s.count(ctx, a.ID)
	}
	return nil
}
