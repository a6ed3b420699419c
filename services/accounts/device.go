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
// token key, over the account's id and device version too. The server
// checks it without storing anything, and a token names no account: it is
// only valid for the account its login now leads to, as long as that
// account's device version has not moved. The version moves when the
// password changes, the account is disabled or deleted (User.DeviceVersion),
// so whoever signed in before then — with a password since changed, or an
// account since closed, or a phone number or e-mail address that has
// passed to someone else — holds tokens that count for nothing. Signing out
// does not move it: the browser stays one the owner uses.
//
// A token authenticates nothing; it only moves the device's sign-in
// attempts off the account-wide limit onto a counter of its own, and onto
// the account's ceiling for all its devices, so tokens bought with a
// password buy no guesses (throttle.go). The web keeps it in an HttpOnly
// cookie; API clients get it as device_token and send it back with their
// next sign-in.
//
// A known address is one the account signed in from within knownFor since
// its device version last moved: a mark in the throttle collection whose
// id is a keyed hash of the account, the version and the address.

// DeviceTTL is how long a device token is good for.
const DeviceTTL = 180 * 24 * time.Hour

const (
	knownFor      = 90 * 24 * time.Hour
	devicePrefix  = "dv2"
	maxDeviceSize = 128
)

// newDeviceToken issues a device token for the account u as it is now.
func (s *Service) newDeviceToken(u *User) string {
	raw := make([]byte, 16)
	if _, err := rand.Read(raw); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	id := base64.RawURLEncoding.EncodeToString(raw)
	exp := strconv.FormatInt(s.clock.Now().Add(DeviceTTL).Unix(), 10)
	return devicePrefix + "." + id + "." + exp + "." + s.deviceMAC(u, id, exp)
}

// knownDevice returns the device id of token when it was issued for the
// account u since its device version last moved, and has not expired.
func (s *Service) knownDevice(u *User, token string) (string, bool) {
	if u == nil || token == "" || len(token) > maxDeviceSize {
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
	if !hmac.Equal([]byte(parts[3]), []byte(s.deviceMAC(u, parts[1], parts[2]))) {
		return "", false
	}
	return parts[1], true
}

func (s *Service) deviceMAC(u *User, id, exp string) string {
	m := hmac.New(sha256.New, s.deviceKey)
	m.Write([]byte("device\x00" + u.ID + "\x00" + strconv.FormatInt(u.DeviceVersion, 10) + "\x00" + id + "\x00" + exp))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// deviceKeyOf derives the device-token key from the token key, so the two
// never sign each other's messages.
func deviceKeyOf(tokenKey []byte) []byte {
	m := hmac.New(sha256.New, tokenKey)
	m.Write([]byte("onestop/device-token"))
	return m.Sum(nil)
}

func (s *Service) knownID(u *User, ip string) string {
	return "login-known:" + s.vault.BlindIndex("throttle-key", u.ID+"\x00"+strconv.FormatInt(u.DeviceVersion, 10)+"\x00"+ip)
}

// knownAddress reports whether the account u signed in from ip lately.
func (s *Service) knownAddress(ctx context.Context, u *User, ip string) bool {
	if u == nil || ip == "" {
		return false
	}
	var c counter
	if err := s.store.Get(ctx, throttleColl, s.knownID(u, ip), &c); err != nil {
		return false
	}
	return c.Expires.After(s.clock.Now())
}

// markKnown remembers that the account u signed in from ip.
func (s *Service) markKnown(ctx context.Context, u *User, ip string) {
	if ip == "" {
		return
	}
	_, err := s.store.C(throttleColl).UpdateOne(ctx, bson.D{{Key: "_id", Value: s.knownID(u, ip)}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "expires", Value: s.clock.Now().Add(knownFor)}}}}, options.UpdateOne().SetUpsert(true))
	if err != nil {
		s.log.Warn("known address not recorded", "err", core.Wrap(err, "mark known"))
	}
}
