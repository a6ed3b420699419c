package mentors

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/store"
)

// Reason bounds of a refused application: enough to tell the applicant
// why, on a page and in a message.
const (
	MinRejectReason = 5
	MaxRejectReason = 500
)

// CheckRejectReason trims the reason of a refusal and checks it, as
// Reject does (a form checks it beside its own fields, in one round).
func CheckRejectReason(reason string) (string, error) {
	var v core.Validation
	reason = v.Text("reason", reason, MinRejectReason, MaxRejectReason)
	return reason, v.Err()
}

// Reject refuses a mentor application (駁回導師申請; administrators): only
// one awaiting approval, with a reason the applicant is told and reads on
// their profile page. A refused applicant is in no directory and no
// routing (both take active mentors only), leaves the administrators'
// pending list, and applies again by saving their profile (Save).
func (s *Service) Reject(ctx context.Context, actor accounts.Principal, id, reason string, m accounts.Meta) (*Mentor, error) {
	if actor.Role != accounts.Admin {
		s.audit.Record(ctx, actor.Actor(m), "mentor.reject", audit.Denied, id, "")
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	reason, err := CheckRejectReason(reason)
	if err != nil {
		return nil, err
	}
	mt, err := s.Mentor(ctx, id)
	if err != nil {
		return nil, err
	}
	if mt.Status != Applied {
		return nil, core.Errorf(core.Conflict, "error.mentor.not_pending")
	}
	now := s.clock.Now()
	err = s.setMentor(ctx, id, []store.Cond{store.Eq("status", Applied)}, bson.D{{Key: "status", Value: Rejected},
		{Key: "reject_reason", Value: reason}, {Key: "rejected_at", Value: now}})
	if errors.Is(err, store.ErrStale) {
		// Approved, refused or put on hold meanwhile.
		return nil, core.Errorf(core.Conflict, "error.mentor.not_pending")
	}
	if err != nil {
		return nil, err
	}
	s.notify.Send(ctx, id, "notify.mentor.rejected", reason, "/mentor/profile")
	s.audit.Record(ctx, actor.Actor(m), "mentor.reject", audit.Success, id, reason)
	return s.Mentor(ctx, id)
}
