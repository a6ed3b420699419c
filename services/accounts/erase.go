package accounts

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/audit"
	"onestop/services/core"
)

// VerifyPassword re-asks the caller's password before a sensitive act
// (export, deletion; ASVS v5.0.0-7.5.1). Attempts count against the
// account's re-authentication limit before the password is checked, like
// a password change.
func (s *Service) VerifyPassword(ctx context.Context, actor Principal, password string, m Meta) error {
	u, err := s.Get(ctx, actor.ID)
	if err != nil {
		return core.Errorf(core.Unauthenticated, "error.unauthenticated")
	}
	ok, err := s.reauth(ctx, actor, u, password, m)
	if err != nil {
		return err
	}
	if !ok {
		s.audit.Record(ctx, actor.Actor(m), "authn.reauth", audit.Failure, u.ID, "")
		return &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"password": "error.password.wrong"}}
	}
	return nil
}

// reauth checks a signed-in person's password, counted per account before
// it runs: whoever holds a stolen session gets five guesses a quarter
// hour, not a free run. A right password gives its count back.
func (s *Service) reauth(ctx context.Context, actor Principal, u *User, password string, m Meta) (bool, error) {
	var got charges
	if err := s.take(ctx, reauthPerAccount, "user\x00"+u.ID, &got); err != nil {
		if core.IsCode(err, core.TooManyRequests) {
			s.audit.Record(ctx, actor.Actor(m), "authn_reauth_fail_max", audit.Denied, u.ID, reauthPerAccount.Name)
		}
		return false, err
	}
	ok, err := s.checkPassword(ctx, password, u.PasswordHash)
	if err != nil || ok {
		s.giveBack(ctx, got)
	}
	return ok, err
}

// Anonymise closes the caller's account for good: the login keys are
// freed, name, e-mail and phone erased, the password removed, every
// session ended and every device forgotten. The record stays,
// pseudonymous, because records the bureau must keep (service requests,
// complaints) point at it.
func (s *Service) Anonymise(ctx context.Context, actor Principal, m Meta) error {
	u, err := s.Get(ctx, actor.ID)
	if err != nil {
		return err
	}
	set := bson.D{
		{Key: "name", Value: Pseudonym(u.ID)}, {Key: "email", Value: ""}, {Key: "phone_sealed", Value: ""},
		{Key: "phone_masked", Value: ""}, {Key: "password_hash", Value: ""}, {Key: "disabled", Value: true}, {Key: "deleted", Value: true},
	}
	if err := s.update(ctx, u.ID, set, forgetDevices); err != nil {
		return err
	}
	// Keys go after the record stopped carrying the phone: a data-key
	// rotation re-keying it meanwhile then finds its guarded update stale
	// and takes its new key back. Every key of the phone goes (one per data
	// key during a rotation).
	if u.Email != "" {
		_ = s.store.ReleaseKey(ctx, "email:"+u.Email, u.ID)
	}
	if u.PhoneSealed != "" {
		if phone, err := s.vault.Open("phone", u.PhoneSealed); err == nil {
			for _, k := range s.vault.IndexKeys("phone:", "phone", phone) {
				_ = s.store.ReleaseKey(ctx, k, u.ID)
			}
		}
	}
	_, _ = s.store.C("sessions").DeleteMany(ctx, bson.D{{Key: "user_id", Value: u.ID}})
	s.forgetResets(ctx, u.ID)
	s.audit.Record(ctx, actor.Actor(m), "user.delete", audit.Success, u.ID, "")
	return nil
}

// Pseudonym is the stand-in name of a deleted account: stable, so kept
// records still group by person, and meaningless without the database.
func Pseudonym(id string) string {
	if len(id) > 6 {
		id = id[:6]
	}
	return "#" + id
}
