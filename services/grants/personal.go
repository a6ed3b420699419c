package grants

import (
	"context"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/policy"
	"onestop/services/privacy"
	"onestop/services/store"
)

// PersonalData is the area's part in a person's export and erasure.
func (s *Service) PersonalData() PersonalData { return PersonalData{s} }

// PersonalData implements privacy.Area.
type PersonalData struct{ s *Service }

// Name implements privacy.Area.
func (PersonalData) Name() string { return "grants" }

// Holds implements privacy.Area.
func (PersonalData) Holds() []string { return []string{collection, blobCollection.Name} }

// keptErased is the note of the step an erasure adds: a grant is the
// record of public money or a public certificate, which the bureau keeps;
// the rest is kept only as the record of its decision.
const keptErased = "erased: applicant deleted the account; kept pseudonymised as the record of the bureau's decision; documents deleted"

type exported struct {
	Policy        string       `json:"policy_id"`
	PolicyVersion int          `json:"policy_version"`
	Kind          string       `json:"kind"`
	Note          string       `json:"note,omitempty"`
	Hardship      bool         `json:"hardship,omitempty"`
	Documents     []Document   `json:"documents"`
	Grant         *Grant       `json:"grant,omitempty"`
	History       []exportStep `json:"history"`
}

type exportStep struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"` // you, bureau, system
	Action string    `json:"action"`
	Note   string    `json:"note,omitempty"`
}

// own are a person's applications (an organisation's claims are the
// organisation's records, not its users').
func (p PersonalData) own(ctx context.Context, id string) ([]string, []*Application, error) {
	ids, err := privacy.Find(ctx, p.s.outbox.Engine(), Index.Name, "subject_id", id)
	if err != nil {
		return nil, nil, err
	}
	list, err := store.GetMany[Application](ctx, p.s.store, collection, ids)
	return ids, slices.DeleteFunc(list, func(a *Application) bool {
		return a == nil || a.SubjectID != id || a.Applicant == policy.ByOrganisation
	}), err
}

// Export implements privacy.Area: each application with its history (by
// side, never by a staff member's name), its grant and its documents.
func (p PersonalData) Export(ctx context.Context, id string) (*privacy.Part, error) {
	_, list, err := p.own(ctx, id)
	if err != nil {
		return nil, err
	}
	var part privacy.Part
	for _, a := range list {
		ex := exported{Policy: a.PolicyID, PolicyVersion: a.PolicyVersion, Kind: a.Kind, Note: a.Note, Hardship: a.Hardship,
			Documents: a.Documents, Grant: a.Grant, History: []exportStep{}}
		for _, st := range a.History {
			by := st.Side
			if by == "applicant" {
				by = privacy.You
			}
			ex.History = append(ex.History, exportStep{At: st.At, By: by, Action: st.Action, Note: st.Note})
		}
		part.Add("grant", a.ID, a.CreatedAt, a.Status, ex)
		for _, d := range a.Documents {
			data, err := p.s.files.Get(ctx, d.ID, a.ID)
			if err != nil {
				continue
			}
			part.Files = append(part.Files, privacy.File{Path: privacy.FilePath(collection, a.ID, d.ID+"-"+d.Name), Type: d.Type, Size: int64(len(data)), Data: data})
		}
	}
	return &part, nil
}

// Erase implements privacy.Area: an open application is withdrawn and its
// key freed; every application is kept pseudonymised with the reason in
// its history; the documents' bytes are deleted.
func (p PersonalData) Erase(ctx context.Context, subj privacy.Subject) error {
	ids, _, err := p.own(ctx, subj.ID)
	if err != nil {
		return err
	}
	return privacy.EachRetried(ids, func(id string) error { return p.eraseOne(ctx, id, subj) })
}

func (p PersonalData) eraseOne(ctx context.Context, id string, subj privacy.Subject) error {
	var a Application
	if err := p.s.store.Get(ctx, collection, id, &a); err != nil {
		return err
	}
	if a.SubjectID != subj.ID || a.Applicant == policy.ByOrganisation {
		return nil
	}
	now := p.s.clock.Now()
	history := slices.Clone(a.History)
	for i := range history {
		if history[i].Side == "applicant" {
			history[i].ActorName = subj.Pseudonym
		}
		history[i].Note = subj.Scrub(history[i].Note)
	}
	status := a.Status
	if !slices.ContainsFunc(history, func(st Step) bool { return st.Action == "erased" }) {
		if a.Waiting() != "" {
			status = Withdrawn
			history = append(history, Step{At: now, ActorName: subj.Pseudonym, Side: "applicant", Action: "withdraw", Note: "account deleted"})
		}
		history = append(history, Step{At: now, ActorName: "system", Side: "bureau", Action: "erased", Note: keptErased})
	}
	set := bson.D{{Key: "subject_name", Value: subj.Pseudonym}, {Key: "note", Value: subj.Scrub(a.Note)}, {Key: "documents", Value: []Document{}},
		{Key: "history", Value: history}, {Key: "status", Value: status}}
	if status != a.Status {
		set = append(set, bson.E{Key: "due_at", Value: time.Time{}}, bson.E{Key: "due_days", Value: 0})
	}
	if err := p.s.update(ctx, &a, bson.D{{Key: "$set", Value: set}}); err != nil {
		return err
	}
	subj.Erased(a.ID)
	if status == Withdrawn {
		p.s.release(ctx, &a, true)
	}
	p.s.drop(ctx, a.Documents)
	return nil
}
