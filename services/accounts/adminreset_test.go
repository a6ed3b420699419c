package accounts

import (
	"context"
	"errors"
	"strings"
	"testing"

	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/pii"
)

// TestResetByAdmin (#20): an administrator resets a staff member's
// password without seeing or choosing one: the old password stops working,
// every session, refresh token and device token of the account ends, and
// the address it signs in with gets a one-time link and code — a reset of
// the self-service kind, confirmed the same way, once. Another role, the
// administrator's own account, a disabled account or an unknown one are
// refused, and nothing is written nor sent.
func TestResetByAdmin(t *testing.T) {
	e := setup(t, cheap)
	ctx := context.Background()
	m := Meta{IP: "192.0.2.9"}
	boss := e.user(t, "boss@test.cn", Admin)
	admin := Principal{ID: boss.ID, Role: Admin, Name: "管理員"}
	staff := e.user(t, "staff@test.cn", Hotline)
	off := e.user(t, "off@test.cn", Hotline)
	if err := e.svc.SetDisabled(ctx, admin, off.ID, true, m); err != nil {
		t.Fatal(err)
	}
	old, err := e.svc.Login(ctx, "staff@test.cn", password, m)
	if err != nil {
		t.Fatal(err)
	}
	masked := pii.MaskEmail("staff@test.cn")
	// A reset the staff member asked for before: the administrator's
	// reset ends it.
	earlier, earlierCode := e.resetCode(t, "staff@test.cn", masked, m.IP)

	before := map[string]User{}
	for _, u := range []*User{boss, staff, off} {
		now, _ := e.svc.Get(ctx, u.ID)
		before[u.ID] = *now
	}
	for _, tc := range []struct {
		name  string
		actor Principal
		id    string
		code  core.Code
		msg   string
	}{
		{"a hotline colleague", Principal{ID: "h1", Role: Hotline, Name: "同事"}, staff.ID, core.Forbidden, "error.forbidden"},
		{"the staff member themselves", Principal{ID: staff.ID, Role: Hotline}, staff.ID, core.Forbidden, "error.forbidden"},
		{"the administrator's own", admin, boss.ID, core.Conflict, "error.user.reset_self"},
		{"a disabled account", admin, off.ID, core.Conflict, "error.user.reset_disabled"},
		{"no such account", admin, "0000000000000000000000000a", core.NotFound, "error.not_found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sent := len(e.sent.list)
			_, err := e.svc.ResetByAdmin(ctx, tc.actor, tc.id, m)
			var ce *core.Error
			if !errors.As(err, &ce) || ce.Code != tc.code || ce.Message != tc.msg {
				t.Fatalf("got %v, want %s %s", err, tc.code, tc.msg)
			}
			for id, was := range before {
				if now, _ := e.svc.Get(ctx, id); now.PasswordHash != was.PasswordHash || now.TokenVersion != was.TokenVersion || now.DeviceVersion != was.DeviceVersion {
					t.Errorf("a refused reset changed %s", now.Email)
				}
			}
			if _, _ = e.notify.Deliver(ctx); len(e.sent.list) != sent {
				t.Errorf("a refused reset sent %+v", e.sent.list[sent:])
			}
		})
	}
	if _, err := e.svc.Authenticate(ctx, old.Access); err != nil {
		t.Fatalf("a refused reset ended the session: %v", err)
	}
	if n := len(e.events(t, "user.password_reset_by_admin", staff.ID)); n != 2 {
		t.Errorf("%d refusals audited, want 2 (the hotline's)", n)
	}

	got, err := e.svc.ResetByAdmin(ctx, admin, staff.ID, m)
	if err != nil {
		t.Fatal(err)
	}
	if got.SentTo != masked || got.ExpiresIn != int(codeTTL.Seconds()) {
		t.Errorf("answer: %+v", got)
	}
	// Every session ends, the devices are forgotten, and the old password
	// no longer opens the account.
	if _, err := e.svc.Authenticate(ctx, old.Access); !core.IsCode(err, core.Unauthenticated) {
		t.Errorf("the old access token: %v", err)
	}
	if _, err := e.svc.Refresh(ctx, old.Refresh, m); !core.IsCode(err, core.Unauthenticated) {
		t.Errorf("the old refresh token: %v", err)
	}
	fresh, _ := e.svc.Get(ctx, staff.ID)
	if _, ok := e.svc.knownDevice(fresh, old.Device); ok {
		t.Error("the old device token still counts")
	}
	if _, err := e.svc.Login(ctx, "staff@test.cn", password, m); !core.IsCode(err, core.Unauthenticated) {
		t.Errorf("the old password: %v", err)
	}
	if _, err := e.svc.ConfirmReset(ctx, earlier.ID, earlierCode, newPassword, m); fieldOf(err) != "error.reset.expired" {
		t.Errorf("the reset asked for before: %v", err)
	}
	// The link and code went to the address the account signs in with.
	msgs := e.messages(t, masked)
	last := msgs[len(msgs)-1]
	id, ok := strings.CutPrefix(last.Link, "/password/reset?r=")
	if last.Key != "reset.message.admin" || last.Channel != "email" || !validCode(last.Arg) || !ok {
		t.Fatalf("the message: %+v", last)
	}
	if to, err := e.vault.Open("contact", last.ContactSealed); err != nil || to != "staff@test.cn" {
		t.Errorf("sent to %q %v", to, err)
	}
	if login, err := e.svc.PendingReset(ctx, id); err != nil || login != masked {
		t.Errorf("the link's reset: %q %v", login, err)
	}
	tok, err := e.svc.ConfirmReset(ctx, id, last.Arg, newPassword, m)
	if err != nil || tok.User.ID != staff.ID {
		t.Fatalf("confirming the administrator's reset: %+v %v", tok, err)
	}
	if _, err := e.svc.Login(ctx, "staff@test.cn", newPassword, m); err != nil {
		t.Errorf("the new password: %v", err)
	}
	if _, err := e.svc.ConfirmReset(ctx, id, last.Arg, "Yet-another-secret-8", m); fieldOf(err) != "error.reset.expired" {
		t.Errorf("the code again: %v", err)
	}
	evs := e.events(t, "user.password_reset_by_admin", staff.ID)
	var done []audit.Event
	for _, ev := range evs {
		if ev.Result == audit.Success {
			done = append(done, ev)
		}
	}
	if len(done) != 1 || done[0].ActorID != boss.ID {
		t.Errorf("audit: %+v", evs)
	}
}

// TestResetByAdminToAPhone: an account that signs in with its phone gets
// the link and code by SMS, and the answer names the number masked.
func TestResetByAdminToAPhone(t *testing.T) {
	e := setup(t, cheap)
	ctx := context.Background()
	u, err := e.svc.Create(ctx, e.admin, NewAccount{Phone: "13800138000", Password: password, Name: "王芳", Role: Hotline}, Meta{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.ResetByAdmin(ctx, e.admin, u.ID, Meta{})
	if err != nil || got.SentTo != u.PhoneMasked || strings.Contains(got.SentTo, "13800138000") {
		t.Fatalf("reset: %+v %v", got, err)
	}
	msgs := e.messages(t, u.PhoneMasked)
	if len(msgs) != 1 || msgs[0].Channel != "sms" || msgs[0].Key != "reset.message.admin" {
		t.Errorf("messages: %+v", msgs)
	}
}
