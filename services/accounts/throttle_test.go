package accounts

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"onestop/services/core"
	"onestop/services/store"
)

// TestThrottleCountsAtomically: forty attempts at once against a limit of
// five on the embedded store: exactly five pass, every one is counted (an
// upsert by `_id`), and giving back the five leaves the refused ones.
func TestThrottleCountsAtomically(t *testing.T) {
	e := setup(t, cheap)
	ctx := context.Background()
	l := store.Limit{Name: "test", Max: 5, Window: time.Minute}
	var mu sync.Mutex
	var passed []charges
	out := concurrently(40, func(int) error {
		var got charges
		err := e.svc.take(ctx, l, "198.51.100.1", &got)
		if err == nil {
			mu.Lock()
			passed = append(passed, got)
			mu.Unlock()
		}
		return err
	})
	if out[""] != 5 || out[core.TooManyRequests] != 35 {
		t.Fatalf("outcomes %v: want 5 admitted and 35 refused", out)
	}
	id, _ := e.svc.counterID(l, "198.51.100.1", e.svc.clock.Now())
	count := func() int {
		t.Helper()
		var c counter
		if err := e.store.Get(ctx, throttleColl, id, &c); err != nil {
			t.Fatal(err)
		}
		return c.Count
	}
	if n := count(); n != 40 {
		t.Fatalf("count %d, want 40", n)
	}
	for _, g := range passed {
		e.svc.giveBack(ctx, g)
	}
	if n := count(); n != 35 {
		t.Fatalf("count after giving back five: %d, want 35", n)
	}
	e.advance(time.Minute)
	var got charges
	if err := e.svc.take(ctx, l, "198.51.100.1", &got); err != nil {
		t.Fatalf("next window: %v", err)
	}
}

// TestLoginConcurrentGuesses: guesses sent all at once are counted before
// the password is checked, so no more than the limit run, and the right
// password is refused once the limit is reached.
func TestLoginConcurrentGuesses(t *testing.T) {
	tests := []struct {
		name string
		n    int
		// attempt i: login, password, address
		attempt func(i int) (string, string, string)
		// failures that may run at most
		maxFailures int
		// then the owner's right password from this address is refused
		after string
	}{
		{"29 wrong guesses and the right one, one account, one address", 30,
			func(i int) (string, string, string) {
				if i == 17 {
					return "owner@test.cn", password, "203.0.113.9"
				}
				return "owner@test.cn", fmt.Sprintf("guess-%02d-x", i), "203.0.113.9"
			}, loginPerPair.Max, "203.0.113.9"},
		{"30 wrong guesses from 30 addresses", 30,
			func(i int) (string, string, string) {
				return "owner@test.cn", fmt.Sprintf("guess-%02d-x", i), fmt.Sprintf("203.0.113.%d", 100+i)
			}, loginPerAccount.Max, "192.0.2.44"},
		{"50 logins tried from one address", 50,
			func(i int) (string, string, string) {
				return fmt.Sprintf("u%02d@test.cn", i), "wrong-password-1", "203.0.113.9"
			}, loginPerIP.Max, "203.0.113.9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, cheap)
			ctx := context.Background()
			e.user(t, "owner@test.cn", Admin)
			out := concurrently(tt.n, func(i int) error {
				login, pw, ip := tt.attempt(i)
				_, err := e.svc.Login(ctx, login, pw, Meta{IP: ip})
				if err == nil && pw != password {
					t.Errorf("a wrong password signed in")
				}
				return err
			})
			if out[core.Unauthenticated] > tt.maxFailures {
				t.Errorf("%d wrong guesses ran (%v), want at most %d", out[core.Unauthenticated], out, tt.maxFailures)
			}
			if out.ran()+out[core.TooManyRequests] != tt.n || out[core.Internal] > 0 {
				t.Errorf("outcomes %v", out)
			}
			t.Logf("%d of %d attempts ran: %v", out.ran(), tt.n, out)
			_, err := e.svc.Login(ctx, "owner@test.cn", password, Meta{IP: tt.after})
			if !core.IsCode(err, core.TooManyRequests) {
				t.Errorf("the right password after the limit: %v, want too many requests", err)
			}
		})
	}
}

// TestLoginLockout: a stranger's failures, from their own address and from
// many, do not stop the owner — an administrator or anyone else — signing
// in from a device they used before or from their own address. A new
// device at a new address waits, as the stranger does.
func TestLoginLockout(t *testing.T) {
	const home, stranger = "198.51.100.7", "203.0.113.66"
	for _, role := range []Role{Admin, Entrepreneur} {
		t.Run(string(role), func(t *testing.T) {
			e := setup(t, cheap)
			ctx := context.Background()
			e.user(t, "owner@test.cn", role)
			first, err := e.svc.Login(ctx, "owner@test.cn", password, Meta{IP: home})
			if err != nil || first.Device == "" {
				t.Fatalf("first sign-in: %+v %v", first, err)
			}
			other := e.user(t, "other@test.cn", Entrepreneur)
			otherTok, err := e.svc.Login(ctx, other.Email, password, Meta{IP: stranger})
			if err != nil {
				t.Fatal(err)
			}
			for i := range 10 {
				_, _ = e.svc.Login(ctx, "owner@test.cn", fmt.Sprintf("guess-%02d-x", i), Meta{IP: stranger})
				_, _ = e.svc.Login(ctx, "owner@test.cn", fmt.Sprintf("guess-%02d-y", i), Meta{IP: fmt.Sprintf("203.0.113.%d", i+1)})
			}
			tests := []struct {
				name, ip, device string
				want             core.Code
			}{
				{"the owner's device at a new address", "192.0.2.200", first.Device, ""},
				{"the owner at home without the device", home, "", ""},
				{"the owner's device at home", home, first.Device, ""},
				{"a new device at a new address", "192.0.2.201", "", core.TooManyRequests},
				{"the stranger", stranger, "", core.TooManyRequests},
				{"the stranger with another account's device token", stranger, otherTok.Device, core.TooManyRequests},
				{"the stranger with a forged device token", stranger, "dv1.AAAA.99999999999.forged", core.TooManyRequests},
			}
			for _, tt := range tests {
				_, err := e.svc.Login(ctx, "owner@test.cn", password, Meta{IP: tt.ip, Device: tt.device})
				if got := codeOf(err); got != tt.want {
					t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
				}
			}
		})
	}
}

// TestStolenDeviceTokenIsLimited: a device token moves its holder's
// attempts onto a counter of their own; it does not lift the limit.
func TestStolenDeviceTokenIsLimited(t *testing.T) {
	e := setup(t, cheap)
	ctx := context.Background()
	owner := e.user(t, "owner@test.cn", Entrepreneur)
	other := e.user(t, "other@test.cn", Entrepreneur)
	tok, err := e.svc.Login(ctx, "owner@test.cn", password, Meta{IP: "198.51.100.7"})
	if err != nil {
		t.Fatal(err)
	}
	out := concurrently(12, func(i int) error {
		_, err := e.svc.Login(ctx, "owner@test.cn", fmt.Sprintf("guess-%02d-x", i), Meta{IP: fmt.Sprintf("203.0.113.%d", i+1), Device: tok.Device})
		return err
	})
	if out[core.Unauthenticated] > loginPerDevice.Max {
		t.Errorf("%v: more than %d guesses ran on one device token", out, loginPerDevice.Max)
	}
	if _, ok := e.svc.knownDevice(other, tok.Device); ok {
		t.Error("a device token works for another account")
	}
	e.advance(DeviceTTL + time.Hour)
	if _, ok := e.svc.knownDevice(owner, tok.Device); ok {
		t.Error("an expired device token is still known")
	}
}

// TestDeviceTokensBuyNoGuesses: someone who once knew the password signs
// in again and again for device tokens, then guesses with them. Tokens
// used from one address share that address's limit; tokens used from many
// share the account's ceiling for its devices; and once the owner changes
// the password none counts as known at all. The owner at home still gets
// in.
func TestDeviceTokensBuyNoGuesses(t *testing.T) {
	const home, minted, tokens = "198.51.100.7", "192.0.2.1", 10
	const changed = "An0ther-secret-1"
	tests := []struct {
		name           string
		changePassword bool
		ip             func(i int) string // where the guesses with token i come from
		max            int
	}{
		{"tokens used from one address", false, func(int) string { return "203.0.113.9" }, loginPerPair.Max},
		{"tokens used from an address each", false, func(i int) string { return fmt.Sprintf("203.0.113.%d", 100+i) }, loginPerDevices.Max},
		{"tokens minted before a password change", true, func(i int) string {
			if i%2 == 0 {
				return minted // an address the account signed in from before the change
			}
			return fmt.Sprintf("203.0.113.%d", 100+i)
		}, loginPerAccount.Max},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, cheap)
			ctx := context.Background()
			u := e.user(t, "owner@test.cn", Entrepreneur)
			var devices []string
			for range tokens {
				tok, err := e.svc.Login(ctx, "owner@test.cn", password, Meta{IP: minted})
				if err != nil || tok.Device == "" {
					t.Fatalf("sign-in for a token: %+v %v", tok, err)
				}
				devices = append(devices, tok.Device)
			}
			right := password
			if tt.changePassword {
				p := Principal{ID: u.ID, Role: u.Role, Name: u.Name}
				if _, err := e.svc.ChangePassword(ctx, p, password, changed, Meta{IP: home}); err != nil {
					t.Fatal(err)
				}
				right = changed
			}
			ran := 0
			for i, dev := range devices {
				for j := range loginPerDevice.Max {
					_, err := e.svc.Login(ctx, "owner@test.cn", fmt.Sprintf("guess-%02d-%02d", i, j), Meta{IP: tt.ip(i), Device: dev})
					if core.IsCode(err, core.Unauthenticated) {
						ran++
					}
				}
			}
			t.Logf("%d of %d guesses with %d tokens ran", ran, tokens*loginPerDevice.Max, tokens)
			if ran > tt.max {
				t.Errorf("%d guesses ran with %d device tokens, want at most %d", ran, tokens, tt.max)
			}
			if _, err := e.svc.Login(ctx, "owner@test.cn", right, Meta{IP: home}); err != nil {
				t.Errorf("the owner at home: %v", err)
			}
		})
	}
}

// TestDevicesForgotten: a password change, a disable and a deletion forget
// the account's device tokens and known addresses, so whoever signed in
// before — with the old password, or to an account since closed whose
// e-mail someone else now holds — waits behind a stranger's failures like
// anyone new. Signing out and a role change keep them; a password change
// gives the device it was made on a new token.
func TestDevicesForgotten(t *testing.T) {
	const before, travel, elsewhere = "198.51.100.7", "192.0.2.200", "192.0.2.201"
	const changed = "An0ther-secret-1"
	ctx := context.Background()
	owner := func(u *User) Principal { return Principal{ID: u.ID, Role: u.Role, Name: u.Name} }
	tests := []struct {
		name string
		// change returns the password that now signs in, and the device
		// token the change gave, if any.
		change    func(t *testing.T, e *env, u *User) (string, string)
		forgotten bool
	}{
		{"password change", func(t *testing.T, e *env, u *User) (string, string) {
			tok, err := e.svc.ChangePassword(ctx, owner(u), password, changed, Meta{IP: "192.0.2.9"})
			if err != nil {
				t.Fatal(err)
			}
			if tok.Device == "" {
				t.Error("the change gave the device no token")
			}
			return changed, tok.Device
		}, true},
		{"disabled and enabled again", func(t *testing.T, e *env, u *User) (string, string) {
			if err := e.svc.SetDisabled(ctx, e.admin, u.ID, true, Meta{}); err != nil {
				t.Fatal(err)
			}
			if err := e.svc.SetDisabled(ctx, e.admin, u.ID, false, Meta{}); err != nil {
				t.Fatal(err)
			}
			return password, ""
		}, true},
		{"deleted, and the e-mail someone else's now", func(t *testing.T, e *env, u *User) (string, string) {
			if err := e.svc.Anonymise(ctx, owner(u), Meta{}); err != nil {
				t.Fatal(err)
			}
			e.user(t, "owner@test.cn", Entrepreneur)
			return password, ""
		}, true},
		{"signed out", func(t *testing.T, e *env, u *User) (string, string) {
			if err := e.svc.Logout(ctx, owner(u), "", Meta{}); err != nil {
				t.Fatal(err)
			}
			return password, ""
		}, false},
		{"role changed", func(t *testing.T, e *env, u *User) (string, string) {
			if err := e.svc.SetRole(ctx, e.admin, u.ID, Mentor, Meta{}); err != nil {
				t.Fatal(err)
			}
			return password, ""
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, cheap)
			u := e.user(t, "owner@test.cn", Entrepreneur)
			first, err := e.svc.Login(ctx, "owner@test.cn", password, Meta{IP: before})
			if err != nil {
				t.Fatal(err)
			}
			right, device := tt.change(t, e, u)
			// A stranger fills the limit for new devices at new addresses.
			for i := range loginPerAccount.Max + 1 {
				_, _ = e.svc.Login(ctx, "owner@test.cn", fmt.Sprintf("guess-%02d-x", i), Meta{IP: fmt.Sprintf("203.0.113.%d", i+1)})
			}
			want := core.Code("")
			if tt.forgotten {
				want = core.TooManyRequests
			}
			for _, c := range []struct {
				name string
				m    Meta
			}{
				{"the device signed in before", Meta{IP: travel, Device: first.Device}},
				{"the address signed in from before", Meta{IP: before}},
			} {
				if _, err := e.svc.Login(ctx, "owner@test.cn", right, c.m); codeOf(err) != want {
					t.Errorf("%s: %v, want %q", c.name, err, want)
				}
			}
			if device != "" {
				if _, err := e.svc.Login(ctx, "owner@test.cn", right, Meta{IP: elsewhere, Device: device}); err != nil {
					t.Errorf("the device of the change: %v", err)
				}
			}
		})
	}
}

// TestReauthThrottled: with a stolen session, the current password cannot
// be guessed without limit, neither by changing the password nor by the
// re-authentication before an export or deletion (one shared counter).
func TestReauthThrottled(t *testing.T) {
	tests := []struct {
		name string
		try  func(e *env, p Principal, pw string) error
	}{
		{"change password", func(e *env, p Principal, pw string) error {
			_, err := e.svc.ChangePassword(context.Background(), p, pw, "An0ther-secret-1", Meta{IP: "203.0.113.9"})
			return err
		}},
		{"verify password", func(e *env, p Principal, pw string) error {
			return e.svc.VerifyPassword(context.Background(), p, pw, Meta{IP: "203.0.113.9"})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, cheap)
			u := e.user(t, "owner@test.cn", Entrepreneur)
			p := Principal{ID: u.ID, Role: u.Role, Name: u.Name}
			out := concurrently(12, func(i int) error { return tt.try(e, p, fmt.Sprintf("guess-%02d-x", i)) })
			if out[core.Invalid] > reauthPerAccount.Max || out[core.Invalid]+out[core.TooManyRequests] != 12 {
				t.Fatalf("outcomes %v: want at most %d wrong guesses checked", out, reauthPerAccount.Max)
			}
			if err := tt.try(e, p, password); !core.IsCode(err, core.TooManyRequests) {
				t.Fatalf("the right password past the limit: %v", err)
			}
			e.advance(reauthPerAccount.Window)
			if err := tt.try(e, p, password); err != nil {
				t.Fatalf("the right password in the next window: %v", err)
			}
		})
	}
}

func codeOf(err error) core.Code {
	if err == nil {
		return ""
	}
	return core.ErrorCode(err)
}
