package people

import (
	"context"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/policy"
	"onestop/services/privacy"
	"onestop/services/store"
)

// PersonalData is the profiles' part of the personal-data contract
// (services/privacy): the profile with its numbers, consents and
// trainings, and the number disputes the person raised (disputes.go).
func (s *Service) PersonalData() PersonalData { return PersonalData{s} }

// PersonalData implements privacy.Area and privacy.Namer.
type PersonalData struct{ s *Service }

// Name implements privacy.Area.
func (PersonalData) Name() string { return "profile" }

// Holds implements privacy.Area.
func (PersonalData) Holds() []string { return []string{Collection.Name, DisputeCollection.Name} }

// profile reads the person's profile; nil when they never saved one.
func (p PersonalData) profile(ctx context.Context, id string) (*Profile, error) {
	var pr Profile
	err := p.s.store.Get(ctx, Collection.Name, id, &pr)
	if core.IsCode(err, core.NotFound) {
		return nil, nil
	}
	return &pr, err
}

// Known implements privacy.Namer: the real name, ID number and phone.
func (p PersonalData) Known(ctx context.Context, id string) (names, numbers []string, err error) {
	pr, err := p.profile(ctx, id)
	if pr == nil || err != nil {
		return nil, nil, err
	}
	idno, _ := p.s.vault.Open("id_number", pr.IDSealed)
	phone, _ := p.s.vault.Open("phone", pr.PhoneSealed)
	return []string{pr.RealName}, []string{idno, phone}, nil
}

// exportedProfile is the profile as its owner gets it: their own numbers
// in clear.
type exportedProfile struct {
	RealName     string       `json:"real_name"`
	IDNumber     string       `json:"id_number,omitempty"`
	Phone        string       `json:"phone,omitempty"`
	District     string       `json:"district,omitempty"`
	Education    string       `json:"education,omitempty"`
	Skills       []string     `json:"skills,omitempty"`
	Certificates []string     `json:"certificates,omitempty"`
	Needs        []string     `json:"needs,omitempty"`
	Facts        policy.Facts `json:"facts"`
	Consents     []Consent    `json:"consents"`
	Trainings    []Training   `json:"trainings,omitempty"`
	CreatedAt    time.Time    `json:"created_at"`
	UpdatedAt    time.Time    `json:"updated_at"`
}

// exportedDispute is a number dispute as its claimant gets it: their own
// masked number and how it stands, without the holder or the staff member
// who settled it.
type exportedDispute struct {
	Field      string    `json:"field"`
	Masked     string    `json:"masked"`
	Status     string    `json:"status"`
	Decision   string    `json:"decision,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	ResolvedAt time.Time `json:"resolved_at,omitzero"`
}

// claimed reads the number disputes the person raised as claimant: one
// per field at most, under an id made of theirs.
func (p PersonalData) claimed(ctx context.Context, id string) ([]*Dispute, error) {
	list, err := store.GetMany[Dispute](ctx, p.s.store, DisputeCollection.Name, []string{disputeID(id, FieldID), disputeID(id, FieldPhone)})
	return slices.DeleteFunc(list, func(d *Dispute) bool { return d == nil || d.ClaimantID != id }), err
}

// Export implements privacy.Area: the profile and the disputes the person
// raised.
func (p PersonalData) Export(ctx context.Context, id string) (*privacy.Part, error) {
	var part privacy.Part
	disputes, err := p.claimed(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, d := range disputes {
		part.Add("number_dispute", d.ID, d.CreatedAt, d.Status, exportedDispute{Field: d.Field, Masked: d.Masked, Status: d.Status,
			Decision: d.Decision, CreatedAt: d.CreatedAt, ResolvedAt: d.ResolvedAt})
	}
	pr, err := p.profile(ctx, id)
	if pr == nil || err != nil {
		return &part, err
	}
	idno, err := p.s.vault.Open("id_number", pr.IDSealed)
	if err != nil {
		return nil, core.Wrap(err, "open id number")
	}
	phone, err := p.s.vault.Open("phone", pr.PhoneSealed)
	if err != nil {
		return nil, core.Wrap(err, "open phone")
	}
	consents := pr.Consents
	if consents == nil {
		consents = []Consent{}
	}
	part.Add("profile", pr.ID, pr.CreatedAt, "", exportedProfile{RealName: pr.RealName, IDNumber: idno, Phone: phone, District: pr.District,
		Education: pr.Education, Skills: pr.Skills, Certificates: pr.Certs, Needs: pr.Needs, Facts: pr.Facts, Consents: consents,
		Trainings: pr.Trainings, CreatedAt: pr.CreatedAt, UpdatedAt: pr.UpdatedAt})
	return &part, nil
}

// Erase implements privacy.Area: the profile goes, with the keys of its
// numbers (Erase), and then the disputes the person raised as claimant,
// with their index entries: a masked number and whose it was claimed to be
// are nothing the bureau keeps once the claimant has gone. Run again, it
// deletes what a failed run left.
func (p PersonalData) Erase(ctx context.Context, subj privacy.Subject) error {
	err := p.s.Erase(ctx, accounts.Principal{ID: subj.ID, Role: accounts.Entrepreneur, Name: subj.Pseudonym})
	if err != nil && !core.IsCode(err, core.NotFound) {
		return err
	}
	for _, id := range []string{disputeID(subj.ID, FieldID), disputeID(subj.ID, FieldPhone)} {
		if err := p.s.outbox.Begin(ctx, DisputeIndex.Name, id); err != nil {
			return err
		}
		_, err := p.s.store.C(DisputeCollection.Name).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
		p.s.outbox.Apply(ctx, DisputeIndex.Name, id)
		if err != nil {
			return core.Wrap(err, "erase number dispute")
		}
	}
	return nil
}
