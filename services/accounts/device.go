package accounts

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"onestop/services/core"
)

// Known devices and addresses let the owner of an account past the
// account-wide sign-in limit that strangers can fill (throttle.go).
//
// A device token is given to whoever signs in successfully: a random device
// id and an expiry, signed with HMAC-SHA256 under a key derived from the
// token key, over the account's login key too. The server checks it
// without storing anything, and a token names no account: it is only valid
// together with the login it was issued for. It authenticates nothing; it
// only moves the device's sign-in attempts onto a counter of their own. The
// web keeps it in an HttpOnly cookie; API clients get it as device_token
// and send it back with their next sign-in.
//
// A known address is one the account signed in from within knownFor: a
// mark in the throttle collection whose id is a keyed hash of the login
// key and the address.

// DeviceTTL is how long a device token is good for.
const DeviceTTL = 180 * 24 * time.Hour

const (
	knownFor      = 90 * 24 * time.Hour
	devicePrefix  = "dv1"
	maxDeviceSize = 128
)

// newDeviceToken issues a device token for the login key acct.
func (s *Service) newDeviceToken(acct string) string {
	raw := make([]byte, 16)
	if _, err := rand.Read(raw); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	id := base64.RawURLEncoding.EncodeToString(raw)
	exp := strconv.FormatInt(s.clock.Now().Add(DeviceTTL).Unix(), 10)
	return devicePrefix + "." + id + "." + exp + "." + s.deviceMAC(acct, id, exp)
}

// knownDevice returns the device id of token when it was issued for acct
// and has not expired.
func (s *Service) knownDevice(acct, token string) (string, bool) {
	if token == "" || len(token) > maxDeviceSize {
		return "", false
	}
	parts := strings.Split(token, ".")
	if len(parts) != 4 || parts[0] != devicePrefix {
		return "", false
	}
	exp, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || s.clock.Now().Unix() > exp {
		return "", false
	}
	if !hmac.Equal([]byte(parts[3]), []byte(s.deviceMAC(acct, parts[1], parts[2]))) {
		return "", false
	}
	return parts[1], true
}

func (s *Service) deviceMAC(acct, id, exp string) string {
	m := hmac.New(sha256.New, s.deviceKey)
	m.Write([]byte("device\x00" + acct + "\x00" + id + "\x00" + exp))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// deviceKeyOf derives the device-token key from the token key, so the two
// never sign each other's messages.
func deviceKeyOf(tokenKey []byte) []byte {
	m := hmac.New(sha256.New, tokenKey)
	m.Write([]byte("onestop/device-token"))
	return m.Sum(nil)
}

func (s *Service) knownID(acct, ip string) string {
	return "login-known:" + s.vault.BlindIndex("throttle-key", acct+"\x00"+ip)
}

// knownAddress reports whether the account signed in from ip lately.
func (s *Service) knownAddress(ctx context.Context, acct, ip string) bool {
	if ip == "" {
		return false
	}
	var c counter
	if err := s.store.Get(ctx, throttleColl, s.knownID(acct, ip), &c); err != nil {
		return false
	}
	return c.Expires.After(s.clock.Now())
}

// markKnown remembers that the account signed in from ip.
func (s *Service) markKnown(ctx context.Context, acct, ip string) {
	if ip == "" {
		return
	}
	_, err := s.store.C(throttleColl).UpdateOne(ctx, bson.D{{Key: "_id", Value: s.knownID(acct, ip)}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "expires", Value: s.clock.Now().Add(knownFor)}}}}, options.UpdateOne().SetUpsert(true))
	if err != nil {
		s.log.Warn("known address not recorded", "err", core.Wrap(err, "mark known"))
	}
}
