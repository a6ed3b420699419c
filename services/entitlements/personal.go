package entitlements

import (
	"context"
	"maps"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/core"
	"onestop/services/privacy"
)

// PersonalData is the entitlements' part of the personal-data contract
// (services/privacy): what a person qualified for when last told.
func (s *Service) PersonalData() PersonalData { return PersonalData{s} }

// PersonalData implements privacy.Area.
type PersonalData struct{ s *Service }

// Name implements privacy.Area.
func (PersonalData) Name() string { return "entitlements" }

// Holds implements privacy.Area. (The sweeps' record holds counts only.)
func (PersonalData) Holds() []string { return []string{Collection.Name} }

type exportedHold struct {
	Policy string `json:"policy"`
	Last   string `json:"last_day,omitempty"`
}

// Export implements privacy.Area: the supports they were last told they
// qualify for.
func (p PersonalData) Export(ctx context.Context, id string) (*privacy.Part, error) {
	var snap Snapshot
	err := p.s.store.Get(ctx, Collection.Name, id, &snap)
	if core.IsCode(err, core.NotFound) {
		return &privacy.Part{}, nil
	}
	if err != nil {
		return nil, err
	}
	var part privacy.Part
	for _, pol := range slices.Sorted(maps.Keys(snap.Holds)) {
		h := exportedHold{Policy: pol}
		if last := snap.Holds[pol].Last; !last.IsZero() {
			h.Last = last.String()
		}
		part.Add("entitlement", pol, snap.At, "", h)
	}
	return &part, nil
}

// Erase implements privacy.Area: the snapshot goes (an erased person has
// no profile to re-check), and with it what they were counted eligible
// for — first, so an erasure run again after a failure still finds it.
func (p PersonalData) Erase(ctx context.Context, subj privacy.Subject) error {
	var snap Snapshot
	err := p.s.store.Get(ctx, Collection.Name, subj.ID, &snap)
	if core.IsCode(err, core.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := p.s.count(ctx, subj.ID, snap.Version, snap.Holds, nil); err != nil {
		return err
	}
	_, err = p.s.store.C(Collection.Name).DeleteOne(ctx, bson.D{{Key: "_id", Value: subj.ID}})
	return core.Wrap(err, "erase entitlements")
}
