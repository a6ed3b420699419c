package accounts

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/core"
	"onestop/services/store"
)

// Throttling of password and code guessing (ASVS v5.0.0-6.1.1 and 6.3.1;
// security-anchors.md S7 and R8).
//
// An attempt is counted BEFORE it runs, in one atomic step that returns
// the new count (store.Bump: findAndModify by `_id`, which the embedded
// store also runs one at a time), and refused when that count passes the
// limit. So of any number of attempts sent at once, at most the limit run;
// reading the count first and counting the failure afterwards let every
// racer through. An attempt that turns out right, or that never ran (the
// server too busy to hash), gives its counts back: people who sign in
// never use up their own allowance or their office's. A wrong one keeps
// them until its window ends, and so does a refused one (it changes
// nothing: the window is already full).
//
// Sign-in (Login) counts against the client address (login-ip, every
// account: credential stuffing) and against the account from that address
// (login-pair), then
//
//   - from a device that signed in to this account before (it holds a
//     device token, device.go): against that account on that device
//     (login-device), and against the account on all its known devices
//     together (login-devices), so that minting device tokens with a
//     password buys no guesses: at most login-devices a window however
//     many tokens, and none once the password changes (tokens are bound
//     to the account's device version);
//   - from any other device: unless the account signed in from that
//     address before (a known address, device.go), against the account
//     from every unknown device at unknown addresses (login-account),
//     which bounds a guesser spread over many addresses.
//
// A stranger's failures from elsewhere therefore never lock the owner out:
// the owner's known device and the owner's own address have counters the
// stranger cannot reach. Only a device that signed in with the current
// password reaches login-devices. Administrators are accounts like any
// other here.
//
// Re-authentication (ChangePassword, VerifyPassword) counts against the
// account (reauth-account): a stolen session must not guess the password
// without limit either. Registration counts per address, its messages per
// login and address and per login, and its codes per registration
// (registration.go); a password reset likewise (reset.go).
//
// Counters are documents keyed by the limit, a keyed hash of what is
// counted (counterID) and the window, so the collection holds no e-mail,
// phone number or address in clear; PurgeCounters removes old ones.

// The limits.
var (
	loginPerIP       = store.Limit{Name: "login-ip", Max: 20, Window: time.Minute}
	loginPerDevice   = store.Limit{Name: "login-device", Max: 5, Window: 15 * time.Minute}
	loginPerDevices  = store.Limit{Name: "login-devices", Max: 20, Window: 15 * time.Minute}
	loginPerPair     = store.Limit{Name: "login-pair", Max: 5, Window: 15 * time.Minute}
	loginPerAccount  = store.Limit{Name: "login-account", Max: 5, Window: 15 * time.Minute}
	reauthPerAccount = store.Limit{Name: "reauth-account", Max: 5, Window: 15 * time.Minute}
	// registerPerIP is generous: a community service centre registers
	// people from one connection all day. What one person may abuse is
	// bounded per login below (the messages a login receives).
	registerPerIP = store.Limit{Name: "register-ip", Max: 60, Window: time.Hour}
	// registerPerPair is the share of one client address in the messages
	// one login receives: a stranger who uses it up keeps nobody else from
	// getting a code.
	registerPerPair = store.Limit{Name: "register-pair", Max: 3, Window: time.Hour}
	// registerPerLogin bounds the messages one login (an inbox, a phone)
	// receives from every address, and the registrations of one login
	// that a code can confirm.
	registerPerLogin = store.Limit{Name: "register-login", Max: 20, Window: time.Hour}
	confirmPerIP     = store.Limit{Name: "confirm-ip", Max: 30, Window: time.Hour}
)

// throttleColl holds the counters (and the known-address marks).
const throttleColl = "throttle"

type counter struct {
	ID      string    `bson:"_id"`
	Count   int       `bson:"count"`
	Expires time.Time `bson:"expires"`
}

// counterID is the id of key's counter under l now (keys are hashed).
func (s *Service) counterID(l store.Limit, key string, now time.Time) (string, time.Time) {
	return l.Counter(s.vault.BlindIndex("throttle-key", key), now)
}

// charges are the counts one attempt took, to give back together.
type charges []string

// take counts one attempt against key and refuses it, saying how long to
// wait, when the count passes the limit (store.Take).
func (s *Service) take(ctx context.Context, l store.Limit, key string, got *charges) error {
	id, err := s.store.Take(ctx, throttleColl, l, s.vault.BlindIndex("throttle-key", key), s.clock.Now())
	if err != nil {
		return err
	}
	*got = append(*got, id)
	return nil
}

// giveBack returns the counts of an attempt that succeeded or never ran.
// A counter already purged stays gone (no upsert).
func (s *Service) giveBack(ctx context.Context, got charges) {
	ctx = context.WithoutCancel(ctx)
	for _, id := range got {
		_, err := s.store.C(throttleColl).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
			bson.D{{Key: "$inc", Value: bson.D{{Key: "count", Value: -1}}}})
		if err != nil {
			s.log.Warn("throttle: count not given back", "err", err)
		}
	}
}

// PurgeCounters deletes expired counters and known-address marks, and
// expired registrations and password resets; the portal runs it now and
// then. (The embedded store has no TTL indexes.)
func (s *Service) PurgeCounters(ctx context.Context) error {
	now := s.clock.Now()
	_, err := s.store.C(throttleColl).DeleteMany(ctx, bson.D{{Key: "expires", Value: bson.D{{Key: "$lt", Value: now}}}})
	if err != nil {
		return core.Wrap(err, "purge counters")
	}
	_, err = s.store.C(Registrations.Name).DeleteMany(ctx, bson.D{{Key: "expires", Value: bson.D{{Key: "$lt", Value: now}}}})
	if err != nil {
		return core.Wrap(err, "purge registrations")
	}
	_, err = s.store.C(PasswordResets.Name).DeleteMany(ctx, bson.D{{Key: "expires", Value: bson.D{{Key: "$lt", Value: now}}}})
	return core.Wrap(err, "purge password resets")
}
