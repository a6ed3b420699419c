package people

import (
	"context"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/policy"
	"onestop/services/privacy"
	"onestop/services/store"
)

// PersonalData is the profiles' part of the personal-data contract
// (services/privacy): the profile with its numbers, consents, trainings,
// where its checked facts came from, the recommendations recorded and the
// evidence documents filed on it, and the number disputes the person
// raised (disputes.go).
func (s *Service) PersonalData() PersonalData { return PersonalData{s} }

// PersonalData implements privacy.Area and privacy.Namer.
type PersonalData struct{ s *Service }

// Name implements privacy.Area.
func (PersonalData) Name() string { return "profile" }

// Holds implements privacy.Area.
func (PersonalData) Holds() []string {
	return []string{Collection.Name, DisputeCollection.Name, EvidenceCollection.Name, RosterCollection.Name}
}

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
	// FactSources and Recommendations are as the bureau keeps them, by
	// their side and never by a staff member's name.
	FactSources     []exportedSource         `json:"fact_sources,omitempty"`
	Recommendations []exportedRecommendation `json:"recommendations,omitempty"`
	Evidence        []exportedEvidence       `json:"evidence,omitempty"`
	CreatedAt       time.Time                `json:"created_at"`
	UpdatedAt       time.Time                `json:"updated_at"`
}

// exportedSource is where one checked fact came from, as its owner gets it.
type exportedSource struct {
	Fact string `json:"fact"`
	exportedCheck
	Lapsed *exportedCheck `json:"lapsed,omitempty"`
}

type exportedCheck struct {
	Source   string    `json:"source"`
	Value    string    `json:"value,omitempty"`
	At       time.Time `json:"at"`
	Note     string    `json:"note,omitempty"`
	Document string    `json:"document,omitempty"` // the evidence document's id
	Roster   string    `json:"roster,omitempty"`
}

func toExportedCheck(c Check) exportedCheck {
	out := exportedCheck{Source: c.Source, Value: c.Value, At: c.At, Note: c.Note, Roster: c.Roster}
	if c.Document != nil {
		out.Document = c.Document.ID
	}
	return out
}

func toExportedSource(f FactSource) exportedSource {
	out := exportedSource{Fact: f.Fact, exportedCheck: toExportedCheck(f.Check)}
	if f.Lapsed != nil {
		l := toExportedCheck(*f.Lapsed)
		out.Lapsed = &l
	}
	return out
}

// exportedRecommendation is a recommendation and the answer recorded.
type exportedRecommendation struct {
	Kind   string    `json:"kind"`
	What   string    `json:"what"`
	On     core.Date `json:"on"`
	Answer string    `json:"answer"`
	Note   string    `json:"note,omitempty"`
	At     time.Time `json:"at"`
}

// exportedEvidence is a document filed on the record; its bytes are a
// file of the export.
type exportedEvidence struct {
	ID   string    `json:"id"`
	Name string    `json:"name"`
	Type string    `json:"type"`
	Size int64     `json:"size"`
	At   time.Time `json:"at"`
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
	ex := exportedProfile{RealName: pr.RealName, IDNumber: idno, Phone: phone, District: pr.District,
		Education: pr.Education, Skills: pr.Skills, Certificates: pr.Certs, Needs: pr.Needs, Facts: pr.Facts, Consents: consents,
		Trainings: pr.Trainings, CreatedAt: pr.CreatedAt, UpdatedAt: pr.UpdatedAt}
	for _, f := range pr.Sources {
		ex.FactSources = append(ex.FactSources, toExportedSource(f))
	}
	for _, r := range pr.Recommendations {
		ex.Recommendations = append(ex.Recommendations, exportedRecommendation{Kind: r.Kind, What: r.What, On: r.On, Answer: r.Answer, Note: r.Note, At: r.At})
	}
	for _, e := range pr.Evidence {
		ex.Evidence = append(ex.Evidence, exportedEvidence{ID: e.ID, Name: e.Name, Type: e.Type, Size: e.Size, At: e.At})
		data, err := p.s.files.Get(ctx, e.ID, pr.ID)
		if err != nil {
			continue // listed, no bytes: a failed upload's entry
		}
		part.Files = append(part.Files, privacy.File{Path: privacy.FilePath("evidence", pr.ID, e.ID+"-"+e.Name), Type: e.Type, Size: int64(len(data)), Data: data})
	}
	part.Add("profile", pr.ID, pr.CreatedAt, "", ex)
	if idno != "" {
		lines, err := p.s.rosterLines(ctx, idno)
		if err != nil {
			return nil, err
		}
		for _, l := range lines {
			part.Add("roster_line", l.Kind, l.At, "", exportedRosterLine{Roster: l.Roster, Fact: rosterFactOf(l.Kind), Value: l.Value, ImportedAt: l.At})
		}
	}
	return &part, nil
}

// exportedRosterLine is a line of an imported roster that names the
// person (by their ID number).
type exportedRosterLine struct {
	Roster     string    `json:"roster"`
	Fact       string    `json:"fact"`
	Value      string    `json:"value"`
	ImportedAt time.Time `json:"imported_at"`
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
	// The rosters' lines that name them (by the ID number's index) go too.
	for _, n := range subj.Numbers {
		lines, err := p.s.rosterLines(ctx, strings.ToUpper(n))
		if err != nil {
			return err
		}
		for _, l := range lines {
			if _, err := p.s.store.C(RosterCollection.Name).DeleteOne(ctx, bson.D{{Key: "_id", Value: l.ID}}); err != nil {
				return core.Wrap(err, "erase roster line")
			}
		}
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
