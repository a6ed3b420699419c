package policy

import (
	"context"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/core"
	"onestop/services/privacy"
	"onestop/services/store"
)

// PersonalData is the eligibility check log's part of the personal-data
// contract (services/privacy): one entry per person and month, keyed by
// the person's id. The policies themselves hold nothing about anyone.
func (c *Catalogue) PersonalData() PersonalData { return PersonalData{c} }

// PersonalData implements privacy.Area.
type PersonalData struct{ c *Catalogue }

// Name implements privacy.Area.
func (PersonalData) Name() string { return "eligibility" }

// Holds implements privacy.Area.
func (PersonalData) Holds() []string { return []string{CheckLog.Name} }

// checkMonths is how far back the log is read for a person: its entries
// are keyed by person and month, so they are read by computed ids.
const checkMonths = 120

// entries reads the person's log entries, newest month first.
func (p PersonalData) entries(ctx context.Context, id string) ([]*CheckEntry, error) {
	month := core.DateOf(p.c.clock.Now())
	ids := make([]string, checkMonths)
	for i := range ids {
		ids[i] = id + "|" + month.AddMonths(-i).String()[:7]
	}
	list, err := store.GetMany[CheckEntry](ctx, p.c.store, CheckLog.Name, ids)
	var out []*CheckEntry
	for _, e := range list {
		if e != nil {
			out = append(out, e)
		}
	}
	return out, err
}

type exportedCheck struct {
	Day      core.Date `json:"day"`
	District string    `json:"district,omitempty"`
	Group    string    `json:"group,omitempty"`
	Eligible []string  `json:"eligible"`
}

// Export implements privacy.Area.
func (p PersonalData) Export(ctx context.Context, id string) (*privacy.Part, error) {
	list, err := p.entries(ctx, id)
	if err != nil {
		return nil, err
	}
	var part privacy.Part
	for _, e := range list {
		part.Add("eligibility_check", e.ID, e.Day.Time(), "", exportedCheck{Day: e.Day, District: e.District, Group: e.Group, Eligible: e.Eligible})
	}
	return &part, nil
}

// Erase implements privacy.Area: the figures were counted from these
// entries and a rebuild counts them again, so they stay — under a new,
// random id, which no longer leads to the person (anonymised, not only
// pseudonymised: the entry holds the person's target group).
func (p PersonalData) Erase(ctx context.Context, subj privacy.Subject) error {
	list, err := p.entries(ctx, subj.ID)
	if err != nil {
		return err
	}
	for _, e := range list {
		month := e.ID[strings.LastIndexByte(e.ID, '|')+1:]
		anon := *e
		anon.ID = "erased-" + core.NewID() + "|" + month
		if _, err := p.c.store.C(CheckLog.Name).InsertOne(ctx, &anon); err != nil {
			return core.Wrap(err, "erase eligibility check")
		}
		if _, err := p.c.store.C(CheckLog.Name).DeleteOne(ctx, bson.D{{Key: "_id", Value: e.ID}}); err != nil {
			return core.Wrap(err, "erase eligibility check")
		}
	}
	return nil
}
