package training

import (
	"context"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/core"
	"onestop/services/privacy"
	"onestop/services/store"
)

// PersonalData is training's part of the personal-data contract
// (services/privacy): enrolments (a course's roster, by real name) and the
// lines of the providers' subsidy claims that name the person. Claims and
// completed enrolments are the record of public money paid: they are kept,
// pseudonymised; an enrolment on a course not yet held is withdrawn, giving
// the seat back. Providers and courses are organisations' records.
func (s *Service) PersonalData() PersonalData { return PersonalData{s} }

// PersonalData implements privacy.Area.
type PersonalData struct{ s *Service }

// Name implements privacy.Area.
func (PersonalData) Name() string { return "training" }

// Holds implements privacy.Area.
func (PersonalData) Holds() []string { return []string{"enrolments", "claims"} }

type exportedEnrolment struct {
	Course      string    `json:"course"`
	CourseID    string    `json:"course_id"`
	Kind        string    `json:"kind"`
	Status      string    `json:"status"`
	Attended    []string  `json:"attended_sessions"`
	Certificate string    `json:"certificate_code,omitempty"`
	CompletedOn core.Date `json:"completed_on,omitzero"`
	CreatedAt   time.Time `json:"created_at"`
}

type exportedClaimLine struct {
	Course     string `json:"course"`
	Provider   string `json:"provider"`
	AmountYuan int64  `json:"amount_yuan"`
	Reason     string `json:"reason,omitempty"`
	Status     string `json:"claim_status"`
}

// Export implements privacy.Area.
func (p PersonalData) Export(ctx context.Context, id string) (*privacy.Part, error) {
	list, err := p.s.enrolments(ctx, "person_id", id)
	if err != nil {
		return nil, err
	}
	var part privacy.Part
	for _, e := range list {
		part.Add("enrolment", e.ID, e.CreatedAt, e.Status, exportedEnrolment{Course: e.CourseTitle, CourseID: e.CourseID, Kind: e.Kind,
			Status: e.Status, Attended: e.Attended, Certificate: e.Code, CompletedOn: e.CompletedOn, CreatedAt: e.CreatedAt})
	}
	claims, err := p.claims(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, c := range claims {
		for _, l := range slices.Concat(c.Lines, c.Excluded) {
			if l.PersonID == id {
				part.Add("subsidy_claim", c.ID, c.CreatedAt, c.Status, exportedClaimLine{Course: c.CourseTitle, Provider: c.ProviderName,
					AmountYuan: l.AmountYuan, Reason: l.Reason, Status: c.Status})
			}
		}
	}
	return &part, nil
}

// claims finds the claims naming the person, in a line or among those
// left out. Claims are few (one per completed course) and their own list
// reads them whole too.
func (p PersonalData) claims(ctx context.Context, id string) ([]*Claim, error) {
	var out []*Claim
	err := store.Each(ctx, p.s.store, "claims", func(c *Claim) error {
		if slices.ContainsFunc(slices.Concat(c.Lines, c.Excluded), func(l ClaimLine) bool { return l.PersonID == id }) {
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

// Erase implements privacy.Area.
func (p PersonalData) Erase(ctx context.Context, subj privacy.Subject) error {
	list, err := p.s.enrolments(ctx, "person_id", subj.ID)
	if err != nil {
		return err
	}
	for _, e := range list {
		if err := p.eraseEnrolment(ctx, e, subj); err != nil && !core.IsCode(err, core.NotFound) {
			return err
		}
	}
	claims, err := p.claims(ctx, subj.ID)
	if err != nil {
		return err
	}
	for _, c := range claims {
		if err := privacy.Retry(func() error { return p.eraseClaim(ctx, c.ID, subj) }); err != nil && !core.IsCode(err, core.NotFound) {
			return err
		}
	}
	return nil
}

// eraseEnrolment withdraws an enrolment on a course not yet held (the
// seat goes back) and keeps every enrolment under the pseudonym, without
// the masked ID number.
func (p PersonalData) eraseEnrolment(ctx context.Context, e *Enrolment, subj privacy.Subject) error {
	if e.Status == Enrolled {
		err := p.s.store.UpdateIf(ctx, "enrolments", e.ID, []store.Cond{store.Eq("status", Enrolled)},
			bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: Withdrawn}}}})
		switch {
		case err == nil:
			p.s.freeSeat(ctx, e.CourseID)
		case !core.IsCode(err, core.Conflict): // completed meanwhile: kept as it is
			return err
		}
	}
	if err := p.s.store.UpdateIf(ctx, "enrolments", e.ID, nil,
		bson.D{{Key: "$set", Value: bson.D{{Key: "real_name", Value: subj.Pseudonym}, {Key: "id_masked", Value: ""}}}}); err != nil {
		return err
	}
	p.s.changed(ctx, e.ID)
	return nil
}

// eraseClaim pseudonymises the person's lines of a claim; the claim is
// guarded on its status, so a review at the same moment is not undone.
func (p PersonalData) eraseClaim(ctx context.Context, id string, subj privacy.Subject) error {
	var c Claim
	if err := p.s.store.Get(ctx, "claims", id, &c); err != nil {
		return err
	}
	lines, excluded := slices.Clone(c.Lines), slices.Clone(c.Excluded)
	for _, ls := range [][]ClaimLine{lines, excluded} {
		for i := range ls {
			if ls[i].PersonID == subj.ID {
				ls[i].RealName = subj.Pseudonym
			}
		}
	}
	return p.s.store.UpdateIf(ctx, "claims", c.ID, []store.Cond{store.Eq("status", c.Status)},
		bson.D{{Key: "$set", Value: bson.D{{Key: "lines", Value: lines}, {Key: "excluded", Value: excluded}}}})
}
