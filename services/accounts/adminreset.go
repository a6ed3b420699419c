package accounts

import (
	"context"
	"crypto/rand"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/store"
)

// Password reset by an administrator (重設密碼): for a staff member who
// cannot reset their own, or whose password must stop working at once.
// The administrator never sees nor chooses a password. In one guarded
// write the account's password stops working and every session, refresh
// token and device token of it ends; then the address it signs in with
// gets a one-time link and code to set a new password — a reset of the
// self-service kind (reset.go), confirmed the same way (ConfirmReset),
// within codeTTL; after that the person asks for another with 忘記密碼.
// Administrators reset their own password the usual way, and a disabled
// account is not reset (enabling it comes first).

// AdminReset says where an administrator's reset went.
type AdminReset struct {
	SentTo    string // the login, masked
	ExpiresIn int    // seconds the link and code stay valid
}

// ResetLink is the page a reset's link opens: the reset page, given the
// reset's id (which the forgot form leaves in a cookie instead).
func ResetLink(id string) string { return "/password/reset?r=" + id }

// ResetByAdmin resets the password of account id (administrators only,
// never their own, never a disabled account's); nothing is written when it
// is refused.
func (s *Service) ResetByAdmin(ctx context.Context, actor Principal, id string, m Meta) (*AdminReset, error) {
	if actor.Role != Admin {
		s.audit.Record(ctx, actor.Actor(m), "user.password_reset_by_admin", audit.Denied, id, "")
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	if id == actor.ID {
		return nil, core.Errorf(core.Conflict, "error.user.reset_self")
	}
	u, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, core.Errorf(core.Conflict, "error.user.reset_disabled")
	}
	to, err := s.addressOf(u)
	if err != nil {
		return nil, err
	}
	// A password nobody knows, hashed as any other, so that signing in
	// with the old one fails as a wrong password does, in the same time.
	hash, err := s.hashPassword(ctx, rand.Text())
	if err != nil {
		return nil, err
	}
	if err := s.revokeForReset(ctx, u, hash); err != nil {
		return nil, err
	}
	u.DeviceVersion++ // the reset is bound to the account as it is now
	rid, code, err := s.openReset(ctx, u, to.Masked)
	if err != nil {
		return nil, err
	}
	if err := s.notify.SendLinkTo(ctx, to, "reset.message.admin", code, ResetLink(rid)); err != nil {
		return nil, err
	}
	s.audit.Record(ctx, actor.Actor(m), "user.password_reset_by_admin", audit.Success, u.ID, "")
	return &AdminReset{SentTo: to.Masked, ExpiresIn: int(codeTTL.Seconds())}, nil
}

// revokeForReset replaces the password hash and ends every session and
// device of the account, only while it is enabled and unchanged since it
// was read: a disable, a password change or another reset in between wins.
func (s *Service) revokeForReset(ctx context.Context, u *User, hash string) error {
	if err := s.outbox.Begin(ctx, Index.Name, u.ID); err != nil {
		return err
	}
	err := s.store.UpdateIf(ctx, "users", u.ID, []store.Cond{store.Eq("device_version", u.DeviceVersion), store.Eq("disabled", false)},
		s.changes(bson.D{{Key: "password_hash", Value: hash}}, forgetDevices))
	s.outbox.Apply(ctx, Index.Name, u.ID)
	if errors.Is(err, store.ErrStale) {
		return core.Errorf(core.Conflict, "error.stale")
	}
	return err
}
