package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/pii"
	"onestop/services/store"
)

// TokenConfig sets how tokens are signed and how long they live.
type TokenConfig struct {
	Key      []byte // HS256 key, ≥ 32 random bytes
	Issuer   string
	Audience string
	// AccessTTL is the life of an access token; revocation checks the
	// account's token version on every request, so this bounds only how
	// long a stolen token is useful offline.
	AccessTTL time.Duration
	// RefreshIdle ends a session nobody used for this long; RefreshAbsolute
	// ends every session this long after sign-in (ASVS v5.0.0-7.3.1/7.3.2).
	RefreshIdle     time.Duration
	RefreshAbsolute time.Duration
}

func (t TokenConfig) withDefaults() TokenConfig {
	if t.Issuer == "" {
		t.Issuer = "onestop-portal"
	}
	if t.Audience == "" {
		t.Audience = "onestop-portal"
	}
	if t.AccessTTL == 0 {
		t.AccessTTL = 15 * time.Minute
	}
	if t.RefreshIdle == 0 {
		t.RefreshIdle = 30 * time.Minute
	}
	if t.RefreshAbsolute == 0 {
		t.RefreshAbsolute = 12 * time.Hour
	}
	return t
}

// Tokens is what a successful sign-in returns.
type Tokens struct {
	Access     string
	Refresh    string
	ExpiresIn  int // seconds, of the access token
	RefreshTTL time.Duration
	User       *User
	// Device is the device token of a sign-in (device.go), for the
	// client to present with its next sign-in; empty otherwise.
	Device string
}

type claims struct {
	Role string `json:"role"`
	TV   int64  `json:"tv"`
	jwt.RegisteredClaims
}

// tokenType marks access tokens in the JWT header (RFC 9068), so no other
// kind of token we might sign is ever accepted as one (RFC 8725 §3.11).
const tokenType = "at+jwt"

// session is a refresh token's record; its id is the token's SHA-256, so a
// database leak yields no usable token.
type session struct {
	ID         string    `bson:"_id"`
	UserID     string    `bson:"user_id"`
	TV         int64     `bson:"tv"`
	ExpiresAt  time.Time `bson:"expires_at"`
	AbsoluteAt time.Time `bson:"absolute_at"`
}

func hashToken(t string) string {
	sum := sha256.Sum256([]byte(t))
	return hex.EncodeToString(sum[:])
}

// Login signs a person in by e-mail or phone and password. The attempt is
// counted against the sign-in limits before the password is checked
// (throttle.go), and the message is the same for an unknown login and a
// wrong password. The tokens carry a device token for the account, which
// the client presents next time (Meta.Device).
func (s *Service) Login(ctx context.Context, login, password string, m Meta) (*Tokens, error) {
	u := s.findByLogin(ctx, login)
	got, err := s.admitLogin(ctx, s.loginKey(login), u, m)
	if err != nil {
		return nil, err
	}
	hash := s.dummyHash
	if u != nil {
		hash = u.PasswordHash
	}
	ok, err := s.checkPassword(ctx, password, hash)
	if err != nil {
		s.giveBack(ctx, got) // never ran
		return nil, err
	}
	if !ok || u == nil {
		target := ""
		if u != nil {
			target = u.ID
		}
		s.audit.Record(ctx, audit.Actor{IP: m.IP}, "authn.login", audit.Failure, target, "")
		return nil, core.Errorf(core.Unauthenticated, "error.login.failed")
	}
	s.giveBack(ctx, got)
	if u.Disabled {
		s.audit.Record(ctx, audit.Actor{ID: u.ID, Role: string(u.Role), Name: u.Name, IP: m.IP}, "authn.login", audit.Denied, u.ID, "disabled")
		return nil, core.Errorf(core.Forbidden, "error.account.disabled")
	}
	now := s.clock.Now()
	_, _ = s.store.C("users").UpdateOne(ctx, bson.D{{Key: "_id", Value: u.ID}}, bson.D{{Key: "$set", Value: bson.D{{Key: "last_login_at", Value: now}}}})
	s.audit.Record(ctx, audit.Actor{ID: u.ID, Role: string(u.Role), Name: u.Name, IP: m.IP}, "authn.login", audit.Success, u.ID, "")
	return s.signedIn(ctx, u, m)
}

// ThrottledSignIns is how many sign-ins this process refused for too
// many attempts since it started.
func (s *Service) ThrottledSignIns() int64 { return s.throttled.Load() }

// admitLogin counts a sign-in attempt at the login key acct, which leads
// to the account u or to nobody (nil), against the limits that apply to it
// (see throttle.go) and refuses it when one is full.
func (s *Service) admitLogin(ctx context.Context, acct string, u *User, m Meta) (charges, error) {
	var got charges
	for _, c := range s.loginCounters(ctx, acct, u, m) {
		if err := s.take(ctx, c.limit, c.key, &got); err != nil {
			if core.IsCode(err, core.TooManyRequests) {
				s.throttled.Add(1)
				s.audit.Record(ctx, audit.Actor{IP: m.IP}, "authn_login_fail_max", audit.Denied, "", c.limit.Name)
			}
			return nil, err
		}
	}
	return got, nil
}

// countedAs is a limit and the key an attempt counts under.
type countedAs struct {
	limit store.Limit
	key   string
}

// loginCounters lists the counters a sign-in attempt counts against: the
// address, and the account from this address, always; then the device and
// the account's ceiling for all its devices when the device is one the
// account signed in from; otherwise the account everywhere unless the
// account knows the address. An unknown login counts as an account that
// knows no device and no address, so it is answered as a real one is.
func (s *Service) loginCounters(ctx context.Context, acct string, u *User, m Meta) []countedAs {
	out := []countedAs{{loginPerIP, m.IP}, {loginPerPair, acct + "\x00" + m.IP}}
	if dev, ok := s.knownDevice(u, m.Device); ok {
		return append(out, countedAs{loginPerDevice, u.ID + "\x00" + dev}, countedAs{loginPerDevices, u.ID})
	}
	if !s.knownAddress(ctx, u, m.IP) {
		out = append(out, countedAs{loginPerAccount, acct})
	}
	return out
}

// signedIn issues the tokens of a sign-in with a fresh device token, and
// remembers the address as one the account uses.
func (s *Service) signedIn(ctx context.Context, u *User, m Meta) (*Tokens, error) {
	t, err := s.issue(ctx, u, s.clock.Now().Add(s.tokens.RefreshAbsolute))
	if err != nil {
		return nil, err
	}
	t.Device = s.newDeviceToken(u)
	s.markKnown(ctx, u, m.IP)
	return t, nil
}

// loginKey is the throttling key of a login, hashed so the throttle
// collection holds no e-mail or phone number.
func (s *Service) loginKey(login string) string {
	if p := pii.NormalizePhone(login); p != "" {
		login = p
	} else {
		login = pii.NormalizeEmail(login)
	}
	return s.vault.BlindIndex("throttle", login)
}

func (s *Service) findByLogin(ctx context.Context, login string) *User {
	var keys []string
	if p := pii.NormalizePhone(login); p != "" {
		keys = s.vault.IndexKeys("phone:", "phone", p)
	} else if e := pii.NormalizeEmail(login); e != "" {
		keys = []string{"email:" + e}
	} else {
		return nil
	}
	id, err := s.store.KeyOwnerAny(ctx, keys...)
	if err != nil {
		return nil
	}
	u, err := s.Get(ctx, id)
	if err != nil {
		return nil
	}
	return u
}

// issue signs an access token and stores a new refresh token that expires
// after the idle time, never past absolute.
func (s *Service) issue(ctx context.Context, u *User, absolute time.Time) (*Tokens, error) {
	now := s.clock.Now()
	c := claims{Role: string(u.Role), TV: u.TokenVersion, RegisteredClaims: jwt.RegisteredClaims{
		Issuer: s.tokens.Issuer, Subject: u.ID, Audience: jwt.ClaimStrings{s.tokens.Audience},
		IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(s.tokens.AccessTTL)), ID: core.NewID(),
	}}
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, c)
	tok.Header["typ"] = tokenType
	access, err := tok.SignedString(s.tokens.Key)
	if err != nil {
		return nil, core.Wrap(err, "sign token")
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, core.Wrap(err, "refresh token")
	}
	refresh := "rt_" + base64.RawURLEncoding.EncodeToString(raw)
	exp := now.Add(s.tokens.RefreshIdle)
	if exp.After(absolute) {
		exp = absolute
	}
	if err := s.store.Insert(ctx, "sessions", session{ID: hashToken(refresh), UserID: u.ID, TV: u.TokenVersion, ExpiresAt: exp, AbsoluteAt: absolute}); err != nil {
		return nil, core.Wrap(err, "store session")
	}
	return &Tokens{Access: access, Refresh: refresh, ExpiresIn: int(s.tokens.AccessTTL.Seconds()), RefreshTTL: exp.Sub(now), User: u}, nil
}

// Refresh trades a refresh token for a new pair. The old token is deleted in
// the same step that reads it, so a token works once: a replayed token
// finds nothing.
func (s *Service) Refresh(ctx context.Context, refresh string, m Meta) (*Tokens, error) {
	unauth := core.Errorf(core.Unauthenticated, "error.unauthenticated")
	if len(refresh) < 10 || len(refresh) > 100 {
		return nil, unauth
	}
	var sess session
	err := s.store.C("sessions").FindOneAndDelete(ctx, bson.D{{Key: "_id", Value: hashToken(refresh)}}).Decode(&sess)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, unauth
	}
	if err != nil {
		return nil, core.Wrap(err, "refresh")
	}
	now := s.clock.Now()
	if now.After(sess.ExpiresAt) {
		return nil, unauth
	}
	u, err := s.Get(ctx, sess.UserID)
	if err != nil || u.Disabled || u.TokenVersion != sess.TV {
		return nil, unauth
	}
	return s.issue(ctx, u, sess.AbsoluteAt)
}

// Logout ends every session of the caller's account: the token version
// moves on, so outstanding access and refresh tokens stop working at once.
// The account's devices stay known (device.go).
func (s *Service) Logout(ctx context.Context, actor Principal, refresh string, m Meta) error {
	if refresh != "" {
		_, _ = s.store.C("sessions").DeleteOne(ctx, bson.D{{Key: "_id", Value: hashToken(refresh)}})
	}
	if actor.Guest() {
		return nil
	}
	if err := s.update(ctx, actor.ID, nil, endSessions); err != nil {
		return err
	}
	s.audit.Record(ctx, actor.Actor(m), "authn.logout", audit.Success, actor.ID, "")
	return nil
}

// Authenticate checks an access token: signature and algorithm, type,
// issuer, audience, expiry, and that the account still exists, is enabled
// and has not revoked its tokens since.
func (s *Service) Authenticate(ctx context.Context, token string) (Principal, error) {
	unauth := core.Errorf(core.Unauthenticated, "error.unauthenticated")
	if token == "" || len(token) > 4096 {
		return Principal{}, unauth
	}
	var c claims
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(s.tokens.Issuer), jwt.WithAudience(s.tokens.Audience),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithLeeway(30*time.Second),
		jwt.WithTimeFunc(s.clock.Now),
	)
	t, err := parser.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		if typ, _ := t.Header["typ"].(string); typ != tokenType {
			return nil, errors.New("wrong token type")
		}
		return s.tokens.Key, nil
	})
	if err != nil || !t.Valid || c.Subject == "" {
		return Principal{}, unauth
	}
	u, err := s.Get(ctx, c.Subject)
	if core.IsCode(err, core.NotFound) {
		return Principal{}, unauth
	}
	if err != nil {
		return Principal{}, err
	}
	if u.Disabled || u.TokenVersion != c.TV || string(u.Role) != c.Role {
		return Principal{}, unauth
	}
	return Principal{ID: u.ID, Role: u.Role, Name: u.Name}, nil
}

// PhoneKey is the key-collection key of a login phone number.
func (s *Service) PhoneKey(phone string) string {
	return s.vault.BlindIndex("phone", pii.NormalizePhone(phone))
}
