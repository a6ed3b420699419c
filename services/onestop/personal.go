package onestop

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/privacy"
	"onestop/services/store"
)

// PersonalData is the service requests' part of the personal-data
// contract (services/privacy). Requests are records the bureau keeps: on
// erasure an open one is cancelled and each is kept under the pseudonym.
func (s *Service) PersonalData() PersonalData { return PersonalData{s} }

// PersonalData implements privacy.Area.
type PersonalData struct{ s *Service }

// Name implements privacy.Area.
func (PersonalData) Name() string { return "services" }

// Holds implements privacy.Area.
func (PersonalData) Holds() []string { return []string{Collection.Name} }

// exportedRequest is a request as its owner gets it: who acted only as
// "you" or "staff".
type exportedRequest struct {
	Type      string         `json:"type"`
	Details   string         `json:"details"`
	Status    string         `json:"status"`
	CreatedAt time.Time      `json:"created_at"`
	DueAt     time.Time      `json:"due_at"`
	ClosedAt  time.Time      `json:"closed_at,omitzero"`
	Linked    []Linked       `json:"linked_policies,omitempty"`
	History   []exportedStep `json:"history"`
}

type exportedStep struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Action string    `json:"action"`
	From   string    `json:"from,omitempty"`
	To     string    `json:"to"`
	Note   string    `json:"note,omitempty"`
}

// Export implements privacy.Area.
func (p PersonalData) Export(ctx context.Context, id string) (*privacy.Part, error) {
	ids, err := privacy.Find(ctx, p.s.outbox.Engine(), Index.Name, "owner_id", id)
	if err != nil {
		return nil, err
	}
	list, err := store.GetMany[Request](ctx, p.s.store, Collection.Name, ids)
	if err != nil {
		return nil, err
	}
	var part privacy.Part
	for _, r := range list {
		if r == nil || r.OwnerID != id {
			continue
		}
		ex := exportedRequest{Type: r.Type, Details: r.Details, Status: r.Status, CreatedAt: r.CreatedAt, DueAt: r.DueAt, ClosedAt: r.ClosedAt,
			Linked: r.Linked, History: []exportedStep{}}
		for _, st := range r.History {
			ex.History = append(ex.History, exportedStep{At: st.At, By: privacy.Shown(id, st.ActorID), Action: st.Action, From: st.From, To: st.To, Note: st.Note})
		}
		part.Add("service_request", r.ID, r.CreatedAt, r.Status, ex)
	}
	return &part, nil
}

// Erase implements privacy.Area.
func (p PersonalData) Erase(ctx context.Context, subj privacy.Subject) error {
	ids, err := privacy.Find(ctx, p.s.outbox.Engine(), Index.Name, "owner_id", subj.ID)
	if err != nil {
		return err
	}
	return privacy.EachRetried(ids, func(id string) error { return p.eraseOne(ctx, id, subj) })
}

// eraseOne cancels a request still open (nobody serves a deleted account)
// and keeps it under the pseudonym: the owner's name, their steps and the
// free text lose their name and numbers. The embedded store has no array
// filters, so the history is rewritten whole under a guard on updated_at.
func (p PersonalData) eraseOne(ctx context.Context, id string, subj privacy.Subject) error {
	var r Request
	if err := p.s.store.Get(ctx, Collection.Name, id, &r); err != nil {
		return err
	}
	if r.OwnerID != subj.ID {
		return nil
	}
	for i := range r.History {
		if r.History[i].ActorID == subj.ID { // a staff member of the same name keeps theirs
			r.History[i].ActorName = subj.Pseudonym
		}
		r.History[i].Note = subj.Scrub(r.History[i].Note) // the person's own request
	}
	now := p.s.clock.Now()
	set := bson.D{{Key: "owner_name", Value: subj.Pseudonym}, {Key: "details", Value: subj.Scrub(r.Details)}, {Key: "updated_at", Value: now}}
	if r.Open() {
		r.History = append(r.History, Step{At: now, ActorID: subj.ID, ActorName: subj.Pseudonym, Action: "cancel", From: r.Status, To: Cancelled, Note: "account deleted"})
		set = append(set, bson.E{Key: "status", Value: Cancelled}, bson.E{Key: "closed_at", Value: now})
	}
	set = append(set, bson.E{Key: "history", Value: r.History})
	if err := p.s.outbox.Begin(ctx, Index.Name, id); err != nil {
		return err
	}
	err := p.s.store.UpdateIf(ctx, Collection.Name, id, []store.Cond{store.Eq("updated_at", r.UpdatedAt)}, bson.D{{Key: "$set", Value: set}})
	p.s.outbox.Apply(ctx, Index.Name, id)
	if err == nil {
		subj.Erased(id)
	}
	return err
}
