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

	"onestop/services/core"
	"onestop/services/notify"
	"onestop/services/pii"
	"onestop/services/store"
)

// register starts a registration and returns it with the message the
// address received (none: a zero Delivery).
func (e *env) register(t testing.TB, in NewAccount, ip string) (*Started, notify.Delivery) {
	t.Helper()
	st, err := e.svc.StartRegistration(context.Background(), in, Meta{IP: ip})
	if err != nil {
		t.Fatalf("start %+v: %v", in, err)
	}
	got := e.messages(t, st.SentTo)
	if len(got) == 0 {
		return st, notify.Delivery{}
	}
	return st, got[len(got)-1]
}

// TestRegistrationAnswersAlike: whether or not someone holds the login,
// registration answers the same; only the address's owner learns the
// difference, from the message: a code, or "you already have an account".
func TestRegistrationAnswersAlike(t *testing.T) {
	e := setup(t, cheap)
	ctx := context.Background()
	e.user(t, "taken@test.cn", Entrepreneur)
	if _, err := e.svc.Create(ctx, e.admin, NewAccount{Phone: "13800138000", Password: password, Name: "王芳", Role: Entrepreneur}, Meta{}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		in        NewAccount
		login     string // normalised, as the message is addressed
		channel   string
		wantKey   string
		wantMask  string
		wantDigit bool
	}{
		{"free e-mail", NewAccount{Email: "Free@Test.cn"}, "free@test.cn", "email", "register.message.code", pii.MaskEmail("free@test.cn"), true},
		{"taken e-mail", NewAccount{Email: "TAKEN@test.cn"}, "taken@test.cn", "email", "register.message.taken", pii.MaskEmail("taken@test.cn"), false},
		{"free phone", NewAccount{Phone: "139 0013 9000"}, "13900139000", "sms", "register.message.code", "139****9000", true},
		{"taken phone in another form", NewAccount{Phone: "+86 138-0013-8000"}, "13800138000", "sms", "register.message.taken", "138****8000", false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.Password, tt.in.Name = password, "新人"
			st, msg := e.register(t, tt.in, fmt.Sprintf("192.0.2.%d", i+1))
			if !validRegistrationID(st.ID) || st.SentTo != tt.wantMask || st.ExpiresIn != int(codeTTL.Seconds()) {
				t.Errorf("answer %+v", st)
			}
			if msg.Key != tt.wantKey || msg.Channel != tt.channel || msg.UserID != "" {
				t.Fatalf("message %+v, want %s by %s", msg, tt.wantKey, tt.channel)
			}
			if validCode(msg.Arg) != tt.wantDigit {
				t.Errorf("message argument %q", msg.Arg)
			}
			if to, err := e.vault.Open(notify.ContactField, msg.ContactSealed); err != nil || to != tt.login {
				t.Errorf("addressed to %q (%v), want %q", to, err, tt.login)
			}
		})
	}
	// Neither the pending registrations nor the outbox hold a login in clear.
	for _, coll := range []string{Registrations.Name, notify.Deliveries.Name} {
		err := store.Each(ctx, e.store, coll, func(d *bson.Raw) error {
			for _, login := range []string{"free@test.cn", "taken@test.cn", "13900139000", "13800138000"} {
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

// TestConfirmRegistration: the code opens the account exactly once and
// signs it in; a decoy opens nothing whatever the code.
func TestConfirmRegistration(t *testing.T) {
	e := setup(t, cheap)
	ctx := context.Background()
	m := Meta{IP: "192.0.2.1"}
	st, msg := e.register(t, NewAccount{Email: "mentor@test.cn", Password: password, Name: "林導師", Role: Mentor}, m.IP)
	tok, err := e.svc.ConfirmRegistration(ctx, st.ID, msg.Arg, m)
	if err != nil {
		t.Fatal(err)
	}
	if tok.User.Email != "mentor@test.cn" || tok.User.Role != Mentor || tok.Access == "" || tok.Device == "" {
		t.Fatalf("tokens %+v", tok)
	}
	if _, err := e.svc.ConfirmRegistration(ctx, st.ID, msg.Arg, m); fieldOf(err) != "error.code.expired" {
		t.Errorf("second confirmation: %v", err)
	}
	if _, err := e.svc.Login(ctx, "mentor@test.cn", password, m); err != nil {
		t.Errorf("sign-in after registering: %v", err)
	}
	// The login is taken now: a new registration is a decoy.
	st, msg = e.register(t, NewAccount{Email: "mentor@test.cn", Password: password, Name: "冒名"}, "192.0.2.2")
	for _, code := range []string{"000000", "123456", "999999"} {
		if _, err := e.svc.ConfirmRegistration(ctx, st.ID, code, m); fieldOf(err) != "error.code.wrong" {
			t.Errorf("decoy with %s: %v", code, err)
		}
	}
	if msg.Key != "register.message.taken" {
		t.Errorf("message %+v", msg)
	}
}

// TestRegistrationCodeLimits: five tries per registration, tried at once
// or not; the code expires; a login someone took meanwhile is refused.
func TestRegistrationCodeLimits(t *testing.T) {
	e := setup(t, cheap)
	ctx := context.Background()
	m := Meta{IP: "192.0.2.1"}
	st, msg := e.register(t, NewAccount{Email: "a@test.cn", Password: password, Name: "甲"}, m.IP)
	var compared atomic.Int64
	out := concurrently(20, func(i int) error {
		code := fmt.Sprintf("%06d", i)
		if code == msg.Arg {
			code = "999999"
		}
		_, err := e.svc.ConfirmRegistration(ctx, st.ID, code, m)
		if fieldOf(err) == "error.code.wrong" {
			compared.Add(1)
		}
		return err
	})
	if out[core.Invalid] != 20 || compared.Load() != codeAttempts {
		t.Fatalf("outcomes %v, %d codes compared: want %d", out, compared.Load(), codeAttempts)
	}
	if _, err := e.svc.ConfirmRegistration(ctx, st.ID, msg.Arg, m); fieldOf(err) != "error.code.attempts" {
		t.Errorf("the right code after %d wrong ones: %v", codeAttempts, err)
	}

	st, msg = e.register(t, NewAccount{Email: "b@test.cn", Password: password, Name: "乙"}, m.IP)
	e.advance(codeTTL)
	if _, err := e.svc.ConfirmRegistration(ctx, st.ID, msg.Arg, m); fieldOf(err) != "error.code.expired" {
		t.Errorf("an expired code: %v", err)
	}
	if _, err := e.svc.PendingLogin(ctx, st.ID); !core.IsCode(err, core.NotFound) {
		t.Errorf("an expired registration is still pending: %v", err)
	}

	st, msg = e.register(t, NewAccount{Email: "c@test.cn", Password: password, Name: "丙"}, m.IP)
	e.user(t, "c@test.cn", Entrepreneur)
	if _, err := e.svc.ConfirmRegistration(ctx, st.ID, msg.Arg, m); !core.IsCode(err, core.Conflict) {
		t.Errorf("a login taken since the code was sent: %v", err)
	}
}

// TestRegistrationMessagesPerLogin: an inbox or a phone gets twenty
// messages an hour, from however many client addresses; past that
// registrations answer the same, send nothing and confirm nothing, so
// nobody floods an inbox or collects codes to guess.
func TestRegistrationMessagesPerLogin(t *testing.T) {
	e := setup(t, cheap)
	var last *Started
	for i := range registerPerLogin.Max + 2 {
		last, _ = e.register(t, NewAccount{Email: "d@test.cn", Password: password, Name: "丁"}, fmt.Sprintf("192.0.2.%d", i+1))
	}
	if n := len(e.messages(t, last.SentTo)); n != registerPerLogin.Max {
		t.Errorf("%d messages, want %d", n, registerPerLogin.Max)
	}
	var p pending
	if err := e.store.Get(context.Background(), Registrations.Name, hashToken(last.ID), &p); err != nil || p.CodeHash != "" {
		t.Errorf("a registration past the share can be confirmed: %+v %v", p, err)
	}
	e.advance(time.Hour)
	if _, msg := e.register(t, NewAccount{Email: "d@test.cn", Password: password, Name: "丁"}, "192.0.2.99"); msg.Key != "register.message.code" {
		t.Errorf("next hour: %+v", msg)
	}
}

// TestRegistrationShareOfAnAddress: a stranger who starts registrations
// for someone else's e-mail or phone from one address uses up only that
// address's share of the messages (three an hour; past it registrations
// answer the same and confirm nothing), so the owner at their own address
// still gets a code and opens the account.
func TestRegistrationShareOfAnAddress(t *testing.T) {
	const stranger, home = "203.0.113.66", "198.51.100.7"
	for _, in := range []NewAccount{{Email: "owner@test.cn"}, {Phone: "139 0013 9000"}} {
		t.Run(in.Email+in.Phone, func(t *testing.T) {
			e := setup(t, cheap)
			ctx := context.Background()
			in.Password, in.Name = password, "新人"
			var last *Started
			for range registerPerPair.Max + 3 {
				last, _ = e.register(t, in, stranger)
			}
			if n := len(e.messages(t, last.SentTo)); n != registerPerPair.Max {
				t.Errorf("%d messages from one address, want %d", n, registerPerPair.Max)
			}
			var p pending
			if err := e.store.Get(ctx, Registrations.Name, hashToken(last.ID), &p); err != nil || p.CodeHash != "" {
				t.Errorf("a registration past the address's share can be confirmed: %+v %v", p, err)
			}
			st, msg := e.register(t, in, home)
			if msg.Key != "register.message.code" {
				t.Fatalf("the owner at home: message %+v, want a code", msg)
			}
			tok, err := e.svc.ConfirmRegistration(ctx, st.ID, msg.Arg, Meta{IP: home})
			if err != nil || tok.User.Email != pii.NormalizeEmail(in.Email) {
				t.Fatalf("the owner's code: %+v %v", tok, err)
			}
		})
	}
}

// TestRegistrationStartsPerAddress: sixty registrations an hour from one
// address; bad input is answered without counting.
func TestRegistrationStartsPerAddress(t *testing.T) {
	e := setup(t, cheap)
	ctx := context.Background()
	for i := range 3 {
		_, err := e.svc.StartRegistration(ctx, NewAccount{Email: "not-an-email", Password: password, Name: "甲"}, Meta{IP: "192.0.2.1"})
		if !core.IsCode(err, core.Invalid) {
			t.Fatalf("bad input %d: %v", i, err)
		}
	}
	tries := registerPerIP.Max + 5
	out := concurrently(tries, func(i int) error {
		_, err := e.svc.StartRegistration(ctx, NewAccount{Email: fmt.Sprintf("r%02d@test.cn", i), Password: password, Name: "甲"}, Meta{IP: "192.0.2.1"})
		return err
	})
	if out[""] != registerPerIP.Max || out[core.TooManyRequests] != tries-registerPerIP.Max {
		t.Errorf("outcomes %v, want %d started", out, registerPerIP.Max)
	}
}

// fieldOf returns the message of the code field of a validation error.
func fieldOf(err error) string {
	var ce *core.Error
	if !errors.As(err, &ce) {
		return fmt.Sprint(err)
	}
	return ce.Fields["code"]
}
