package people

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/core"
	"onestop/services/policy"
	"onestop/services/store"
)

// FactsCheck vets a profile's facts before a save: old is what is stored,
// now what is being saved; problems go to v, on the facts' field names.
type FactsCheck func(ctx context.Context, personID string, old, now *policy.Facts, v *core.Validation)

// OnCheck registers fn to vet every profile save before it is written (the
// hotline keeps a followed venture's registration date, once a check-in is
// answered, for staff to correct). Its refusals are the save's field
// errors.
func (s *Service) OnCheck(fn FactsCheck) { s.checks = append(s.checks, fn) }

// SetVentureRegistered records a venture's first registration date that
// staff corrected on the follow-up (the hotline checks who may), so the
// profile and the check-ins agree. It takes no principal, like
// RecordTraining: it is the hotline's act.
func (s *Service) SetVentureRegistered(ctx context.Context, personID string, on core.Date) error {
	return s.setVenture(ctx, personID, "first_registered", on, func(w *policy.Venture) bool {
		return w.FirstRegistered != nil && w.FirstRegistered.Equal(on)
	})
}

// SetVentureStage records a venture's stage the follow-up learned — a
// check-in answered "closed" — so eligibility stops offering what needs a
// running business. It is the hotline's act, like SetVentureRegistered.
func (s *Service) SetVentureStage(ctx context.Context, personID, stage string) error {
	return s.setVenture(ctx, personID, "stage", stage, func(w *policy.Venture) bool { return w.Stage == stage })
}

// setVenture sets one fact of the profile's venture, unless it already
// holds (same); a profile saved meanwhile is a conflict.
func (s *Service) setVenture(ctx context.Context, personID, field string, value any, same func(*policy.Venture) bool) error {
	var p Profile
	if err := s.store.Get(ctx, Collection.Name, personID, &p); err != nil {
		return err
	}
	if w := p.Facts.Venture; w != nil && same(w) {
		return nil
	}
	if err := s.outbox.Begin(ctx, Index.Name, personID); err != nil {
		return err
	}
	err := s.store.UpdateIf(ctx, Collection.Name, personID, []store.Cond{store.Eq("updated_at", p.UpdatedAt)},
		bson.D{{Key: "$set", Value: bson.D{{Key: "facts.venture." + field, Value: value}, {Key: "updated_at", Value: s.clock.Now()}}}})
	s.outbox.Apply(ctx, Index.Name, personID)
	if core.IsCode(err, core.Conflict) {
		return core.Errorf(core.Conflict, "error.stale")
	}
	return err
}
