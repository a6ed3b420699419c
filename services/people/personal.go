package people

import (
	"context"
	"time"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/policy"
	"onestop/services/privacy"
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

// Export implements privacy.Area.
func (p PersonalData) Export(ctx context.Context, id string) (*privacy.Part, error) {
	var part privacy.Part
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
// numbers and its disputes (Erase).
func (p PersonalData) Erase(ctx context.Context, subj privacy.Subject) error {
	err := p.s.Erase(ctx, accounts.Principal{ID: subj.ID, Role: accounts.Entrepreneur, Name: subj.Pseudonym})
	if core.IsCode(err, core.NotFound) {
		return nil
	}
	return err
}
