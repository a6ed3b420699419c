package grants

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/search"
	"onestop/services/core"
	"onestop/services/policy"
	"onestop/services/store"
)

// Training vouchers (培訓券): granted like any support — to the
// land-expropriated farmers on the roster without their asking — and
// redeemed by a listed provider's subsidy claim for a course of the
// voucher's kind that the holder passed while it was valid. Each is
// redeemed once: the claim that uses it is written on it, and a rejected
// claim gives it back.

// Voucher finds the person's voucher for a kind of course valid on a day
// and not redeemed: its id and value in fen ("" when there is none).
func (s *Service) Voucher(ctx context.Context, personID, course string, on core.Date) (string, int64, error) {
	r, err := s.outbox.Engine().Search(ctx, Index.Name, search.Query{Limit: 50, Filters: []search.Filter{
		{Field: "subject_id", Values: []string{personID}}, {Field: "kind", Values: []string{policy.ApplyVoucher}}, {Field: "status", Values: []string{Granted}}}})
	if err != nil {
		return "", 0, &core.Error{Code: core.Unavailable, Message: "error.search_unavailable", Cause: err}
	}
	for _, h := range r.Hits {
		var a Application
		if err := s.store.Get(ctx, collection, h.ID, &a); err != nil {
			if core.IsCode(err, core.NotFound) {
				continue
			}
			return "", 0, err
		}
		if g := a.Grant; g != nil && a.SubjectID == personID && g.Course == course && g.Redeemed == nil &&
			!on.Before(g.ValidFrom) && !on.After(g.ValidUntil) {
			return a.ID, g.AmountFen, nil
		}
	}
	return "", 0, nil
}

// Redeem writes a provider's claim on a voucher; a voucher another claim
// used meanwhile is a conflict.
func (s *Service) Redeem(ctx context.Context, id, claimID, provider string) error {
	var a Application
	if err := s.store.Get(ctx, collection, id, &a); err != nil {
		return err
	}
	if a.Grant == nil || a.Kind != policy.ApplyVoucher || a.Grant.Redeemed != nil {
		return core.Errorf(core.Conflict, "error.grant.voucher_used")
	}
	r := Redemption{ClaimID: claimID, Provider: provider, At: s.clock.Now()}
	err := s.store.UpdateIf(ctx, collection, a.ID, []store.Cond{store.Eq("version", a.Version)},
		bson.D{{Key: "$set", Value: bson.D{{Key: "grant.redeemed", Value: r}}}, {Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}}})
	if core.IsCode(err, core.Conflict) {
		return core.Errorf(core.Conflict, "error.grant.voucher_used")
	}
	return err
}

// Release gives a voucher back when the claim that used it is rejected.
// It is a no-op for any other claim's voucher.
func (s *Service) Release(ctx context.Context, id, claimID string) error {
	var a Application
	if err := s.store.Get(ctx, collection, id, &a); err != nil {
		return err
	}
	if a.Grant == nil || a.Grant.Redeemed == nil || a.Grant.Redeemed.ClaimID != claimID {
		return nil
	}
	return s.store.UpdateIf(ctx, collection, a.ID, []store.Cond{store.Eq("version", a.Version)},
		bson.D{{Key: "$unset", Value: bson.D{{Key: "grant.redeemed", Value: ""}}}, {Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}}})
}

// redeemedAt is when a voucher was used (zero when not).
func redeemedAt(g *Grant) time.Time {
	if g == nil || g.Redeemed == nil {
		return time.Time{}
	}
	return g.Redeemed.At
}
