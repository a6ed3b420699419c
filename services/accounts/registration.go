package accounts

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/notify"
	"onestop/services/pii"
	"onestop/services/store"
)

// Registration (註冊) proves that a person holds the e-mail address or
// phone number they sign up with before the account opens, and answers
// the same whether or not someone already holds it: a registration form
// must not tell a stranger who has an account.
//
// StartRegistration checks only what does not depend on anyone else (the
// form of the login, the name, the password), keeps a pending registration
// under a random id, and sends the address a message: a six-digit code when
// the login is free; when it is taken, a note that the address already has
// an account (sign in instead), and the pending registration is a decoy
// that no code confirms. Either way the caller hears "we sent a code".
// ConfirmRegistration with the right code opens the account and signs in.
//
// A registration lives codeTTL and takes codeAttempts codes. Starts are
// limited per address, and confirmations per address. Messages are limited
// per login and address, and per login (past either the registration is a
// decoy too, so nobody floods an inbox or collects codes to guess): one
// address has only its share of a login's messages, so a stranger who
// uses it up cannot keep the owner, at their own address, from a code.

// Registrations holds pending registrations, by the SHA-256 of their id.
var Registrations = store.Collection{Name: "registrations"}

const (
	codeTTL      = 15 * time.Minute
	codeAttempts = 5
	// loginField is the vault field of a pending registration's login.
	loginField = "registration-login"
)

// pending is a registration waiting for its code. The login is sealed;
// the code is kept as a keyed hash, empty for a decoy.
type pending struct {
	ID           string    `bson:"_id"`
	LoginSealed  string    `bson:"login_sealed"`
	LoginMasked  string    `bson:"login_masked"`
	Phone        bool      `bson:"phone"`
	Name         string    `bson:"name"`
	Role         Role      `bson:"role"`
	PasswordHash string    `bson:"password_hash"`
	CodeHash     string    `bson:"code_hash"`
	Attempts     int       `bson:"attempts"`
	Expires      time.Time `bson:"expires"`
}

// Started is the answer to a registration: the same whoever holds the login.
type Started struct {
	ID        string // the registration id, to confirm with
	SentTo    string // the login, masked
	ExpiresIn int    // seconds
}

// StartRegistration begins a registration as an entrepreneur, or as a
// mentor applicant (reviewed by an administrator before it reaches anyone;
// any other role is opened by an administrator).
func (s *Service) StartRegistration(ctx context.Context, in NewAccount, m Meta) (*Started, error) {
	if in.Role != Mentor {
		in.Role = Entrepreneur
	}
	return s.startRegistration(ctx, in, m)
}

// StartOrgRegistration begins the registration of an organisation's user
// (services/orgs: the first user of an organisation registering, or a
// colleague invited). Only ConfirmOrgRegistration finishes it, so no
// organisation's account opens without the organisation taking it in.
func (s *Service) StartOrgRegistration(ctx context.Context, in NewAccount, m Meta) (*Started, error) {
	in.Role = Organisation
	return s.startRegistration(ctx, in, m)
}

func (s *Service) startRegistration(ctx context.Context, in NewAccount, m Meta) (*Started, error) {
	keys, err := s.validate(&in)
	if err != nil {
		return nil, err
	}
	var got charges
	if err := s.take(ctx, registerPerIP, m.IP, &got); err != nil {
		return nil, err
	}
	hash, err := s.hashPassword(ctx, in.Password)
	if err != nil {
		s.giveBack(ctx, got)
		return nil, err
	}
	login, masked := in.Email, pii.MaskEmail(in.Email)
	if in.Phone != "" {
		login, masked = in.Phone, pii.MaskPhone(in.Phone)
	}
	free, share, err := s.loginState(ctx, login, m.IP, keys)
	if err != nil {
		return nil, err
	}
	live := free && share
	id, code := newRegistrationID(), newCode()
	p := pending{ID: hashToken(id), LoginSealed: s.vault.Seal(loginField, login), LoginMasked: masked, Phone: in.Phone != "",
		Name: in.Name, Role: in.Role, PasswordHash: hash, Expires: s.clock.Now().Add(codeTTL)}
	if live {
		p.CodeHash = s.codeHash(id, code)
	}
	if _, err := s.store.C(Registrations.Name).InsertOne(ctx, p); err != nil {
		return nil, core.Wrap(err, "store registration")
	}
	if share {
		if err := s.sendRegistration(ctx, login, masked, in.Phone != "", free, code); err != nil {
			return nil, err
		}
	}
	s.audit.Record(ctx, audit.Actor{Role: string(in.Role), IP: m.IP}, "user.register_start", audit.Success, "", "")
	return &Started{ID: id, SentTo: masked, ExpiresIn: int(codeTTL.Seconds())}, nil
}

// loginState reports whether the login is free, and whether a
// registration from ip still has a share of the login's messages this
// hour: first the address's share, then the login's. An address past its
// share takes nothing from the login's, and a login past its share takes
// nothing from the address's.
func (s *Service) loginState(ctx context.Context, login, ip string, keys []string) (free, share bool, err error) {
	_, err = s.store.KeyOwnerAny(ctx, keys...)
	if err != nil && !core.IsCode(err, core.NotFound) {
		return false, false, err
	}
	free = err != nil
	share, err = s.shareLeft(ctx, "register", registerPerPair, registerPerLogin, login, ip)
	if err != nil {
		return false, false, err
	}
	return free, share, nil
}

// shareLeft counts a message of purpose to login asked for from ip, and
// reports whether it is within the address's share (pair) and then the
// login's (whole). An address past its share takes nothing from the
// login's, and a login past its share takes nothing from the address's.
func (s *Service) shareLeft(ctx context.Context, purpose string, pair, whole store.Limit, login, ip string) (bool, error) {
	key := purpose + "\x00" + s.loginKey(login)
	var got charges
	for _, c := range []countedAs{{pair, key + "\x00" + ip}, {whole, key}} {
		switch err := s.take(ctx, c.limit, c.key, &got); {
		case core.IsCode(err, core.TooManyRequests):
			s.giveBack(ctx, got)
			return false, nil
		case err != nil:
			return false, err
		}
	}
	return true, nil
}

// sendRegistration queues the message of a registration: the code for a
// free login, else the note that the address already has an account.
func (s *Service) sendRegistration(ctx context.Context, login, masked string, phone, free bool, code string) error {
	channel := "email"
	if phone {
		channel = "sms"
	}
	to := notify.Contact{Channel: channel, Sealed: s.vault.Seal(notify.ContactField, login), Masked: masked}
	if free {
		return s.notify.SendTo(ctx, to, "register.message.code", code)
	}
	return s.notify.SendTo(ctx, to, "register.message.taken", "")
}

// PendingLogin returns the masked login of a registration still open.
func (s *Service) PendingLogin(ctx context.Context, id string) (string, error) {
	var p pending
	if !validRegistrationID(id) {
		return "", core.Errorf(core.NotFound, "error.not_found")
	}
	if err := s.store.Get(ctx, Registrations.Name, hashToken(id), &p); err != nil {
		return "", err
	}
	if !s.clock.Now().Before(p.Expires) {
		return "", core.Errorf(core.NotFound, "error.not_found")
	}
	return p.LoginMasked, nil
}

// ConfirmRegistration opens the account of a registration with its code
// and signs it in. Each try counts against the registration before the
// code is compared; the right code takes the registration away in one
// step, so it opens one account at most.
func (s *Service) ConfirmRegistration(ctx context.Context, id, code string, m Meta) (*Tokens, error) {
	return s.confirmRegistration(ctx, id, code, m, nil)
}

// ConfirmOrgRegistration is ConfirmRegistration for a registration
// StartOrgRegistration began: joined takes the new account into its
// organisation before it signs in. Should joined fail, the account is
// closed again (its record removed, its login freed) and its error
// returned: no organisation's user is left without the organisation.
func (s *Service) ConfirmOrgRegistration(ctx context.Context, id, code string, m Meta, joined func(ctx context.Context, u *User) error) (*Tokens, error) {
	if joined == nil {
		return nil, core.Errorf(core.Internal, "error.internal")
	}
	return s.confirmRegistration(ctx, id, code, m, joined)
}

// confirmRegistration confirms a person's own registration (joined nil)
// or an organisation user's (joined set): neither confirms the other's.
func (s *Service) confirmRegistration(ctx context.Context, id, code string, m Meta, joined func(ctx context.Context, u *User) error) (*Tokens, error) {
	if !validRegistrationID(id) {
		return nil, codeProblem("error.code.expired")
	}
	if !validCode(code) {
		return nil, codeProblem("error.code.wrong")
	}
	var got charges
	if err := s.take(ctx, confirmPerIP, m.IP, &got); err != nil {
		return nil, err
	}
	p, err := s.tryCode(ctx, id, code, joined != nil)
	if err != nil {
		return nil, err
	}
	s.giveBack(ctx, got)
	login, err := s.vault.Open(loginField, p.LoginSealed)
	if err != nil {
		return nil, core.Wrap(err, "open registration")
	}
	in := NewAccount{Email: login, Name: p.Name, Role: p.Role}
	if p.Phone {
		in.Email, in.Phone = "", login
	}
	u, err := s.open(ctx, in, p.PasswordHash)
	if err != nil {
		return nil, err
	}
	if joined != nil {
		if err := joined(ctx, u); err != nil {
			s.unopen(context.WithoutCancel(ctx), u, s.loginKeys(in.Email, in.Phone)[0])
			return nil, err
		}
	}
	s.audit.Record(ctx, audit.Actor{ID: u.ID, Role: string(u.Role), Name: u.Name, IP: m.IP}, "user.register", audit.Success, u.ID, "")
	return s.signedIn(ctx, u, m)
}

// unopen takes back an account open has just written and nothing yet
// refers to: its record, its search entry and its login key.
func (s *Service) unopen(ctx context.Context, u *User, key string) {
	if err := s.outbox.Begin(ctx, Index.Name, u.ID); err != nil {
		s.log.Error("an account opened for an organisation stays without it", "user", u.ID, "err", err)
		return
	}
	_, err := s.store.C("users").DeleteOne(ctx, bson.D{{Key: "_id", Value: u.ID}})
	s.outbox.Apply(ctx, Index.Name, u.ID)
	if err != nil {
		s.log.Error("an account opened for an organisation stays without it", "user", u.ID, "err", err)
		return
	}
	_ = s.store.ReleaseKey(ctx, key, u.ID)
}

// tryCode counts one try against the registration and returns it when code
// is its code and the registration was still there to take: a person's own
// registration through ConfirmRegistration, an organisation user's (org)
// only through ConfirmOrgRegistration.
func (s *Service) tryCode(ctx context.Context, id, code string, org bool) (*pending, error) {
	var p pending
	filter := bson.D{{Key: "_id", Value: hashToken(id)}}
	err := s.store.C(Registrations.Name).FindOneAndUpdate(ctx, filter, bson.D{{Key: "$inc", Value: bson.D{{Key: "attempts", Value: 1}}}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&p)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return nil, codeProblem("error.code.expired")
	case err != nil:
		return nil, core.Wrap(err, "registration")
	case !s.clock.Now().Before(p.Expires):
		return nil, codeProblem("error.code.expired")
	case p.Attempts > codeAttempts:
		return nil, codeProblem("error.code.attempts")
	case p.CodeHash == "" || !hmac.Equal([]byte(p.CodeHash), []byte(s.codeHash(id, code))):
		return nil, codeProblem("error.code.wrong")
	case (p.Role == Organisation) != org:
		// The other door's registration: the code is right, but this
		// door opens no such account; the registration stays for its own.
		return nil, codeProblem("error.code.expired")
	}
	res, err := s.store.C(Registrations.Name).DeleteOne(ctx, filter)
	if err != nil {
		return nil, core.Wrap(err, "take registration")
	}
	if res.DeletedCount == 0 {
		return nil, codeProblem("error.code.expired") // a concurrent try took it
	}
	return &p, nil
}

func codeProblem(key string) error {
	return &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"code": key}}
}

// codeHash keys the code to its registration with the vault's key, so the
// stored hash cannot be reversed by trying the million codes.
func (s *Service) codeHash(id, code string) string {
	return s.vault.BlindIndex("registration-code", id+"\x00"+code)
}

const registrationPrefix = "rg_"

func newRegistrationID() string { return newOpaqueID(registrationPrefix) }

func validRegistrationID(id string) bool { return validOpaqueID(registrationPrefix, id) }

// newOpaqueID is a random id of 256 bits after prefix: the handle of a
// pending registration or password reset, kept only as its SHA-256.
func newOpaqueID(prefix string) string {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return prefix + base64.RawURLEncoding.EncodeToString(raw)
}

func validOpaqueID(prefix, id string) bool {
	if len(id) != len(prefix)+43 || id[:len(prefix)] != prefix {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(id[len(prefix):])
	return err == nil
}

func newCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return fmt.Sprintf("%06d", n.Int64())
}

func validCode(c string) bool {
	if len(c) != 6 {
		return false
	}
	for _, r := range c {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
