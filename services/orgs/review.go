package orgs

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/reference"
	"onestop/services/store"
)

// Staff check an organisation's registration against the business
// registration (核驗): its name and credit code, its kind, its contact;
// they verify it, or reject it with a reason its users are told. A
// rejected organisation's manager corrects the details and sends it again
// (Update); a verified one's details change only through staff.

// Reason bounds of a rejection: enough to say what to correct.
const (
	MinReason = 5
	MaxReason = 500
)

// Verify marks a pending organisation verified: from then on it may
// claim what organisations claim.
func (s *Service) Verify(ctx context.Context, actor accounts.Principal, id string, m accounts.Meta) (*Org, error) {
	return s.review(ctx, actor, id, Verified, "", m)
}

// Reject refuses a pending organisation with a reason.
func (s *Service) Reject(ctx context.Context, actor accounts.Principal, id, reason string, m accounts.Meta) (*Org, error) {
	return s.review(ctx, actor, id, Rejected, reason, m)
}

// CheckReason trims a rejection's reason and checks it, as Reject does (a
// form checks it before anything else).
func CheckReason(reason string) (string, error) {
	var v core.Validation
	reason = v.Text("reason", reason, MinReason, MaxReason)
	return reason, v.Err()
}

func (s *Service) review(ctx context.Context, actor accounts.Principal, id string, to Status, reason string, m accounts.Meta) (*Org, error) {
	action := "org.verify"
	if to == Rejected {
		action = "org.reject"
	}
	if !canVerify(actor.Role) {
		s.audit.Record(ctx, actor.Actor(m), action, audit.Denied, id, "")
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	if to == Rejected {
		var err error
		if reason, err = CheckReason(reason); err != nil {
			return nil, err
		}
	}
	o, err := s.read(ctx, id)
	if err != nil {
		return nil, err
	}
	if o.Status != Pending {
		return nil, core.Errorf(core.Conflict, "error.org.not_pending")
	}
	// Guarded on the version read: details corrected meanwhile are
	// checked again before anyone verifies them.
	err = s.write(ctx, o, bson.D{{Key: "status", Value: to}, {Key: "reason", Value: reason}, {Key: "reviewed_by", Value: actor.ID},
		{Key: "reviewed_at", Value: s.clock.Now()}})
	if errors.Is(err, store.ErrStale) {
		return nil, core.Errorf(core.Conflict, "error.org.changed")
	}
	if err != nil {
		return nil, err
	}
	key, arg := "notify.org.verified", o.Name
	if to == Rejected {
		key, arg = "notify.org.rejected", reason
	}
	for _, u := range o.Users {
		s.notify.Send(ctx, u.ID, key, arg, "/org")
	}
	s.audit.Record(ctx, actor.Actor(m), action, audit.Success, o.ID, reason)
	return s.read(ctx, id)
}

// Update corrects the caller's organisation's details (its manager only),
// while it is waiting or was rejected; a rejected one waits for staff
// again. version is the version the edit started from (0: the one stored
// now): an edit over a newer one is refused. A new credit code is taken
// before the old one is given back.
func (s *Service) Update(ctx context.Context, actor accounts.Principal, in Input, version int, m accounts.Meta) (*Org, error) {
	o, err := s.managed(ctx, actor, "org.update", "", m)
	if err != nil {
		return nil, err
	}
	if !editable(o) {
		return nil, core.Errorf(core.Conflict, "error.org.verified_fixed")
	}
	if version != 0 && version != o.Version {
		return nil, core.Errorf(core.Conflict, "error.stale")
	}
	if err := in.validate(s.reference.Current(reference.District).Keeping(o.District)); err != nil {
		return nil, err
	}
	old := o.CreditCode
	if in.CreditCode != old {
		if err := s.store.ClaimKey(ctx, codeKey(in.CreditCode), o.ID, "error.org.code_taken"); err != nil {
			if core.IsCode(err, core.Conflict) {
				return nil, codeTaken()
			}
			return nil, err
		}
	}
	err = s.write(ctx, o, bson.D{{Key: "name", Value: in.Name}, {Key: "credit_code", Value: in.CreditCode}, {Key: "kind", Value: in.Kind},
		{Key: "district", Value: in.District}, {Key: "address", Value: in.Address}, {Key: "contact_name", Value: in.ContactName},
		{Key: "contact_phone", Value: in.ContactPhone}, {Key: "status", Value: Pending}, {Key: "reason", Value: ""}})
	if err != nil {
		if in.CreditCode != old {
			_ = s.store.ReleaseKey(context.WithoutCancel(ctx), codeKey(in.CreditCode), o.ID)
		}
		if errors.Is(err, store.ErrStale) {
			return nil, core.Errorf(core.Conflict, "error.stale")
		}
		return nil, err
	}
	if in.CreditCode != old {
		_ = s.store.ReleaseKey(ctx, codeKey(old), o.ID)
	}
	detail := ""
	if o.Status == Rejected {
		detail = "sent again"
	}
	s.audit.Record(ctx, actor.Actor(m), "org.update", audit.Success, o.ID, detail)
	return s.read(ctx, o.ID)
}
