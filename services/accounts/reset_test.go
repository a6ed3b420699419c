package accounts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/notify"
	"onestop/services/pii"
	"onestop/services/store"
)

const newPassword = "Brand-new-secret-7"

// forgot starts a reset and returns it with the messages the login's
// address received since before (none: nil).
func (e *env) forgot(t testing.TB, login, masked, ip string) (*Started, []notify.Delivery) {
	t.Helper()
	before := len(e.messages(t, masked))
	st, err := e.svc.StartReset(context.Background(), login, Meta{IP: ip})
	if err != nil {
		t.Fatalf("start reset of %s: %v", login, err)
	}
	return st, e.messages(t, masked)[before:]
}

// resetCode starts a reset of an account and returns it with its code.
func (e *env) resetCode(t testing.TB, login, masked, ip string) (*Started, string) {
	t.Helper()
	st, got := e.forgot(t, login, masked, ip)
	if len(got) != 1 || got[0].Key != "reset.message.code" || !validCode(got[0].Arg) {
		t.Fatalf("reset of %s: messages %+v, want one code", login, got)
	}
	return st, got[0].Arg
}

// events returns the audit events of action at target.
func (e *env) events(t testing.TB, action, target string) []audit.Event {
	t.Helper()
	var out []audit.Event
	err := store.Each(context.Background(), e.store, audit.Collection.Name, func(ev *audit.Event) error {
		if ev.Action == action && ev.Target == target {
			out = append(out, *ev)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestResetAnswersAlike: whether the login has an account, an enabled or a
// disabled one, or none, the answer is the same; only the address's owner
// learns the difference, from the message: a code, a note that the
// account is disabled, or nothing at all.
func TestResetAnswersAlike(t *testing.T) {
	e := setup(t, cheap)
	ctx := context.Background()
	e.user(t, "have@test.cn", Entrepreneur)
	off := e.user(t, "off@test.cn", Entrepreneur)
	if err := e.svc.SetDisabled(ctx, e.admin, off.ID, true, Meta{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Create(ctx, e.admin, NewAccount{Phone: "13800138000", Password: password, Name: "王芳", Role: Entrepreneur}, Meta{}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, login, masked, wantKey string
		wantCode                     bool
	}{
		{"an account's e-mail", "Have@Test.cn", pii.MaskEmail("have@test.cn"), "reset.message.code", true},
		{"an account's phone in another form", "+86 138-0013-8000", "138****8000", "reset.message.code", true},
		{"a disabled account", "off@test.cn", pii.MaskEmail("off@test.cn"), "reset.message.disabled", false},
		{"nobody's e-mail", "hove@test.cn", pii.MaskEmail("hove@test.cn"), "", false},
		{"nobody's phone", "13800139000", "138****9000", "", false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, got := e.forgot(t, tt.login, tt.masked, fmt.Sprintf("192.0.2.%d", i+1))
			if !validOpaqueID(resetPrefix, st.ID) || st.SentTo != tt.masked || st.ExpiresIn != int(codeTTL.Seconds()) {
				t.Errorf("answer %+v", st)
			}
			if tt.wantKey == "" {
				if len(got) != 0 {
					t.Fatalf("nobody's login was sent %+v", got)
				}
				return
			}
			if len(got) != 1 || got[0].Key != tt.wantKey || got[0].UserID != "" || validCode(got[0].Arg) != tt.wantCode {
				t.Fatalf("messages %+v, want %s", got, tt.wantKey)
			}
		})
	}
	// Bad input is refused at the one login field, counting nothing.
	for _, bad := range []string{"", "  ", "not-an-email@", "12345"} {
		_, err := e.svc.StartReset(ctx, bad, Meta{IP: "192.0.2.99"})
		var ce *core.Error
		if !core.IsCode(err, core.Invalid) || !errors.As(err, &ce) || ce.Fields["login"] == "" {
			t.Errorf("login %q: %v", bad, err)
		}
	}
	// Neither the pending resets nor the outbox hold a login or a code in clear.
	for _, coll := range []string{PasswordResets.Name, notify.Deliveries.Name} {
		err := store.Each(ctx, e.store, coll, func(d *bson.Raw) error {
			for _, login := range []string{"have@test.cn", "off@test.cn", "hove@test.cn", "13800138000", "13800139000"} {
				if strings.Contains(d.String(), login) {
					t.Errorf("%s holds %s in clear: %s", coll, login, d)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestResetSetsThePassword: the code and a new password change the
// password, end every session, forget every device, record it, tell the
// login's address and sign in; the code works once.
func TestResetSetsThePassword(t *testing.T) {
	e := setup(t, cheap)
	ctx := context.Background()
	m := Meta{IP: "192.0.2.1"}
	u := e.user(t, "li@test.cn", Entrepreneur)
	old, err := e.svc.Login(ctx, "li@test.cn", password, m)
	if err != nil {
		t.Fatal(err)
	}
	masked := pii.MaskEmail("li@test.cn")
	st, code := e.resetCode(t, "li@test.cn", masked, m.IP)
	if login, err := e.svc.PendingReset(ctx, st.ID); err != nil || login != masked {
		t.Errorf("pending: %q %v", login, err)
	}
	tok, err := e.svc.ConfirmReset(ctx, st.ID, code, newPassword, m)
	if err != nil {
		t.Fatal(err)
	}
	if tok.User.ID != u.ID || tok.Access == "" || tok.Device == "" {
		t.Fatalf("tokens %+v", tok)
	}
	if _, err := e.svc.Authenticate(ctx, tok.Access); err != nil {
		t.Errorf("the new session: %v", err)
	}
	if _, err := e.svc.Authenticate(ctx, old.Access); !core.IsCode(err, core.Unauthenticated) {
		t.Errorf("the old access token: %v", err)
	}
	if _, err := e.svc.Refresh(ctx, old.Refresh, m); !core.IsCode(err, core.Unauthenticated) {
		t.Errorf("the old refresh token: %v", err)
	}
	fresh, _ := e.svc.Get(ctx, u.ID)
	if _, ok := e.svc.knownDevice(fresh, old.Device); ok {
		t.Error("the old device token still counts")
	}
	if _, err := e.svc.Login(ctx, "li@test.cn", password, m); !core.IsCode(err, core.Unauthenticated) {
		t.Errorf("the old password: %v", err)
	}
	if _, err := e.svc.Login(ctx, "li@test.cn", newPassword, m); err != nil {
		t.Errorf("the new password: %v", err)
	}
	if _, err := e.svc.ConfirmReset(ctx, st.ID, code, "Yet-another-secret-8", m); fieldOf(err) != "error.reset.expired" {
		t.Errorf("the code again: %v", err)
	}
	if _, err := e.svc.PendingReset(ctx, st.ID); !core.IsCode(err, core.NotFound) {
		t.Errorf("a used reset is still pending: %v", err)
	}
	if got := e.messages(t, masked); got[len(got)-1].Key != "account.message.password_changed" {
		t.Errorf("the address was told %+v", got[len(got)-1])
	}
	if ev := e.events(t, "user.password_reset", u.ID); len(ev) != 1 || ev[0].Result != audit.Success || ev[0].IP != m.IP {
		t.Errorf("audit %+v", ev)
	}
}

// TestResetCodeLimits: five tries per reset, tried at once or not, each
// wrong one recorded; the code expires; a right code with a refused
// password costs no try; a reset asked for before the password changed
// is dead.
func TestResetCodeLimits(t *testing.T) {
	e := setup(t, cheap)
	ctx := context.Background()
	m := Meta{IP: "192.0.2.1"}
	u := e.user(t, "a@test.cn", Entrepreneur)
	masked := pii.MaskEmail("a@test.cn")

	// Each reset is asked for from an address of its own: one address has
	// three codes of a login an hour (TestResetMessagesPerLogin).
	st, code := e.resetCode(t, "a@test.cn", masked, "198.51.100.1")
	var compared atomic.Int64
	out := concurrently(20, func(i int) error {
		c := fmt.Sprintf("%06d", i)
		if c == code {
			c = "999999"
		}
		_, err := e.svc.ConfirmReset(ctx, st.ID, c, newPassword, m)
		if fieldOf(err) == "error.code.wrong" {
			compared.Add(1)
		}
		return err
	})
	if out[core.Invalid] != 20 || compared.Load() != codeAttempts {
		t.Fatalf("outcomes %v, %d codes compared: want %d", out, compared.Load(), codeAttempts)
	}
	if _, err := e.svc.ConfirmReset(ctx, st.ID, code, newPassword, m); fieldOf(err) != "error.reset.attempts" {
		t.Errorf("the right code after %d wrong ones: %v", codeAttempts, err)
	}
	if n := len(e.events(t, "user.password_reset", u.ID)); n != 21 {
		t.Errorf("%d failures recorded, want 21", n)
	}

	st, code = e.resetCode(t, "a@test.cn", masked, "198.51.100.2")
	for i := range codeAttempts + 2 {
		if _, err := e.svc.ConfirmReset(ctx, st.ID, code, "password123", m); fieldOf(err) != "" || passwordField(err) != "error.password.common" {
			t.Fatalf("a refused password, try %d: %v", i, err)
		}
	}
	if _, err := e.svc.ConfirmReset(ctx, st.ID, code, "a@test.cn", m); passwordField(err) != "error.password.personal" {
		t.Errorf("the login as password: %v", err)
	}
	if _, err := e.svc.ConfirmReset(ctx, st.ID, code, newPassword, m); err != nil {
		t.Errorf("the right code after refused passwords: %v", err)
	}

	st, code = e.resetCode(t, "a@test.cn", masked, "198.51.100.3")
	e.advance(codeTTL)
	if _, err := e.svc.ConfirmReset(ctx, st.ID, code, "Third-secret-99", m); fieldOf(err) != "error.reset.expired" {
		t.Errorf("an expired code: %v", err)
	}
	if _, err := e.svc.PendingReset(ctx, st.ID); !core.IsCode(err, core.NotFound) {
		t.Errorf("an expired reset is still pending: %v", err)
	}

	st, code = e.resetCode(t, "a@test.cn", masked, "198.51.100.4")
	signedIn, err := e.svc.Login(ctx, "a@test.cn", newPassword, m)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ChangePassword(ctx, signedIn.User.principal(), newPassword, "Changed-meanwhile-1", m); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ConfirmReset(ctx, st.ID, code, "Third-secret-99", m); fieldOf(err) != "error.reset.expired" {
		t.Errorf("a reset from before a password change: %v", err)
	}
	for _, id := range []string{"", "pr_short", "rg_" + strings.Repeat("A", 43), "pr_" + strings.Repeat("A", 43)} {
		if _, err := e.svc.ConfirmReset(ctx, id, code, "Third-secret-99", m); fieldOf(err) != "error.reset.expired" {
			t.Errorf("reset id %q: %v", id, err)
		}
	}
}

// TestResetKeepsDisabledAccountsDisabled: a disabled account gets no code,
// and a reset asked for before it was disabled neither enables it nor
// changes its password; enabled again, its old password still works.
func TestResetKeepsDisabledAccountsDisabled(t *testing.T) {
	e := setup(t, cheap)
	ctx := context.Background()
	m := Meta{IP: "192.0.2.1"}
	u := e.user(t, "b@test.cn", Entrepreneur)
	masked := pii.MaskEmail("b@test.cn")
	st, code := e.resetCode(t, "b@test.cn", masked, m.IP)
	if err := e.svc.SetDisabled(ctx, e.admin, u.ID, true, Meta{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ConfirmReset(ctx, st.ID, code, newPassword, m); err == nil {
		t.Fatal("a reset from before the account was disabled set a password")
	}
	st, got := e.forgot(t, "b@test.cn", masked, m.IP)
	if len(got) != 1 || got[0].Key != "reset.message.disabled" {
		t.Fatalf("a disabled account was sent %+v", got)
	}
	var r reset
	if err := e.store.Get(ctx, PasswordResets.Name, hashToken(st.ID), &r); err != nil || r.CodeHash != "" || r.UserID != "" {
		t.Errorf("a disabled account's reset can be confirmed: %+v %v", r, err)
	}
	after, _ := e.svc.Get(ctx, u.ID)
	if !after.Disabled || !verify(password, after.PasswordHash) {
		t.Fatalf("the account after resets: disabled %v, old password kept %v", after.Disabled, verify(password, after.PasswordHash))
	}
	if err := e.svc.SetDisabled(ctx, e.admin, u.ID, false, Meta{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Login(ctx, "b@test.cn", password, m); err != nil {
		t.Errorf("the old password once enabled again: %v", err)
	}
}

// TestResetMessagesPerLogin: one address has three codes an hour of a
// login, past which resets answer the same, send nothing and confirm
// nothing; the owner elsewhere still gets a code; a login gets ten codes
// a day from everywhere; an address starts thirty resets an hour.
func TestResetMessagesPerLogin(t *testing.T) {
	e := setup(t, cheap)
	ctx := context.Background()
	e.user(t, "c@test.cn", Entrepreneur)
	masked := pii.MaskEmail("c@test.cn")
	const stranger = "203.0.113.66"
	var last *Started
	sent := 0
	for range resetPerPair.Max + 2 {
		var got []notify.Delivery
		last, got = e.forgot(t, "c@test.cn", masked, stranger)
		sent += len(got)
	}
	if sent != resetPerPair.Max {
		t.Errorf("%d codes to one address, want %d", sent, resetPerPair.Max)
	}
	var r reset
	if err := e.store.Get(ctx, PasswordResets.Name, hashToken(last.ID), &r); err != nil || r.CodeHash != "" {
		t.Errorf("a reset past the address's share can be confirmed: %+v %v", r, err)
	}
	e.resetCode(t, "c@test.cn", masked, "198.51.100.7")
	for i := range resetPerLogin.Max {
		_, got := e.forgot(t, "c@test.cn", masked, fmt.Sprintf("192.0.2.%d", i+1))
		sent += len(got)
	}
	if sent+1 != resetPerLogin.Max {
		t.Errorf("%d codes to one login in a day, want %d", sent+1, resetPerLogin.Max)
	}

	tries := resetPerIP.Max + 3
	out := concurrently(tries, func(i int) error {
		_, err := e.svc.StartReset(ctx, fmt.Sprintf("r%02d@test.cn", i), Meta{IP: "192.0.2.200"})
		return err
	})
	if out[""] != resetPerIP.Max || out[core.TooManyRequests] != tries-resetPerIP.Max {
		t.Errorf("outcomes %v, want %d started", out, resetPerIP.Max)
	}
	_, err := e.svc.StartReset(ctx, "c@test.cn", Meta{IP: "192.0.2.200"})
	var ce *core.Error
	if !errors.As(err, &ce) || ce.RetryAfter <= 0 || ce.RetryAfter > int(time.Hour.Seconds())+1 {
		t.Errorf("a throttled start says no wait: %v", err)
	}
}

// TestDeletionForgetsResets: a deleted account's pending resets go with it.
func TestDeletionForgetsResets(t *testing.T) {
	e := setup(t, cheap)
	ctx := context.Background()
	u := e.user(t, "d@test.cn", Entrepreneur)
	st, _ := e.resetCode(t, "d@test.cn", pii.MaskEmail("d@test.cn"), "192.0.2.1")
	if err := e.svc.Anonymise(ctx, u.principal(), Meta{}); err != nil {
		t.Fatal(err)
	}
	var r reset
	if err := e.store.Get(ctx, PasswordResets.Name, hashToken(st.ID), &r); !core.IsCode(err, core.NotFound) {
		t.Errorf("the reset outlived the account: %+v %v", r, err)
	}
}

// TestPasswordChangeIsTold: a password changed on the account page is
// told to the login's address too, a phone's by SMS.
func TestPasswordChangeIsTold(t *testing.T) {
	e := setup(t, cheap)
	ctx := context.Background()
	u, err := e.svc.Create(ctx, e.admin, NewAccount{Phone: "13900139000", Password: password, Name: "王芳", Role: Entrepreneur}, Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ChangePassword(ctx, u.principal(), password, newPassword, Meta{}); err != nil {
		t.Fatal(err)
	}
	got := e.messages(t, "139****9000")
	if len(got) != 1 || got[0].Key != "account.message.password_changed" || got[0].Channel != "sms" {
		t.Fatalf("messages %+v", got)
	}
	if to, err := e.vault.Open(notify.ContactField, got[0].ContactSealed); err != nil || to != "13900139000" {
		t.Errorf("told %q (%v)", to, err)
	}
}

func (u *User) principal() Principal { return Principal{ID: u.ID, Role: u.Role, Name: u.Name} }

// passwordField returns the message of the password field of a
// validation error.
func passwordField(err error) string {
	var ce *core.Error
	if !errors.As(err, &ce) {
		return fmt.Sprint(err)
	}
	return ce.Fields["password"]
}
