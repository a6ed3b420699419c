package accounts

import (
	"context"
	"crypto/hmac"
	"errors"
	"strings"
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

// Password reset (忘記密碼) lets whoever holds an account's login — the
// e-mail address or phone number it signs in with — set a new password
// with a code sent there (ASVS v5.0.0-6.4.1 to 6.4.3), and answers the
// same whether or not the login has an account: the form must not tell a
// stranger who has one.
//
// StartReset keeps a pending reset under a random id and, when the login
// leads to an enabled account, sends its address a six-digit code; a
// disabled account's address is told that the account is disabled and
// cannot be reset, and a login nobody holds is sent nothing. Every other
// case keeps a decoy that no code confirms. Either way the caller hears
// "if an account uses this login, we sent it a code".
//
// ConfirmReset with the right code and an acceptable new password sets
// the password, ends every session of the account and forgets its devices
// (as a password change does), records it, tells the login's address, and
// signs the person in. It never enables a disabled account.
//
// A reset lives codeTTL and takes codeAttempts codes; the right code
// takes it away, so it works once. It is bound to the account's device
// version, which moves when the password changes and when the account is
// disabled or deleted: a reset asked for before then is dead. Codes are
// stored only as keyed hashes. Starts are limited per address; messages per
// login and address and per login (past either the reset is a decoy too,
// so nobody floods an inbox or collects codes to guess: at most
// resetPerLogin codes a day, codeAttempts tries each); confirmations per
// address.

// PasswordResets holds pending password resets, by the SHA-256 of their id.
var PasswordResets = store.Collection{Name: "password_resets"}

const resetPrefix = "pr_"

// The limits of password resets (throttle.go explains the counting).
var (
	// resetPerIP is generous for the reason registerPerIP is: a community
	// service centre helps people who forgot their password too.
	resetPerIP = store.Limit{Name: "reset-ip", Max: 30, Window: time.Hour}
	// resetPerPair is one address's share of a login's codes: a stranger
	// who uses it up keeps nobody else from a code.
	resetPerPair = store.Limit{Name: "reset-pair", Max: 3, Window: time.Hour}
	// resetPerLogin bounds the codes one login receives in a day, and so
	// the guesses at its codes: ten codes of five tries is fifty guesses
	// at a million codes.
	resetPerLogin     = store.Limit{Name: "reset-login", Max: 10, Window: 24 * time.Hour}
	resetConfirmPerIP = store.Limit{Name: "reset-confirm-ip", Max: 30, Window: time.Hour}
)

// reset is a pending password reset. UserID and CodeHash are empty for a
// decoy; the login is kept only masked, for the page that asks for the
// code.
type reset struct {
	ID            string    `bson:"_id"`
	UserID        string    `bson:"user_id,omitempty"`
	DeviceVersion int64     `bson:"device_version"`
	LoginMasked   string    `bson:"login_masked"`
	CodeHash      string    `bson:"code_hash,omitempty"`
	Attempts      int       `bson:"attempts"`
	Expires       time.Time `bson:"expires"`
}

// StartReset begins a password reset of the account that login (an e-mail
// address or phone number, in any form) signs in to. Its answer is the
// same whoever holds the login; a malformed login is refused at the login
// field.
func (s *Service) StartReset(ctx context.Context, login string, m Meta) (*Started, error) {
	email, phone, err := parseLogin(login)
	if err != nil {
		return nil, err
	}
	var got charges
	if err := s.take(ctx, resetPerIP, m.IP, &got); err != nil {
		return nil, err
	}
	login, masked := email, pii.MaskEmail(email)
	if phone != "" {
		login, masked = phone, pii.MaskPhone(phone)
	}
	u := s.findByLogin(ctx, login)
	share, err := s.shareLeft(ctx, "reset", resetPerPair, resetPerLogin, login, m.IP)
	if err != nil {
		return nil, err
	}
	var of *User // nil: a decoy
	if u != nil && share && !u.Disabled {
		of = u
	}
	id, code, err := s.openReset(ctx, of, masked)
	if err != nil {
		return nil, err
	}
	target := ""
	if u != nil {
		target = u.ID
		if share {
			if err := s.sendReset(ctx, u, login, masked, phone != "", code); err != nil {
				return nil, err
			}
		}
	}
	s.audit.Record(ctx, audit.Actor{IP: m.IP}, "user.password_reset_request", audit.Success, target, "")
	return &Started{ID: id, SentTo: masked, ExpiresIn: int(codeTTL.Seconds())}, nil
}

// openReset stores a pending reset of u's password — of nobody, a decoy,
// when u is nil — bound to u's device version, and returns its id and
// code. The self-service start and an administrator's reset (adminreset.go)
// open the same kind of reset, confirmed the same way (ConfirmReset).
func (s *Service) openReset(ctx context.Context, u *User, masked string) (id, code string, err error) {
	id, code = newOpaqueID(resetPrefix), newCode()
	r := reset{ID: hashToken(id), LoginMasked: masked, Expires: s.clock.Now().Add(codeTTL)}
	if u != nil {
		r.UserID, r.DeviceVersion, r.CodeHash = u.ID, u.DeviceVersion, s.resetCodeHash(id, code)
	}
	if _, err := s.store.C(PasswordResets.Name).InsertOne(ctx, r); err != nil {
		return "", "", core.Wrap(err, "store password reset")
	}
	return id, code, nil
}

// parseLogin reads a login as a person types it: an e-mail address when it
// has an @, else a phone number.
func parseLogin(login string) (email, phone string, err error) {
	login = strings.TrimSpace(login)
	field := func(key string) error {
		return &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"login": key}}
	}
	switch {
	case login == "":
		return "", "", field("error.login.required")
	case strings.Contains(login, "@"):
		if email = pii.NormalizeEmail(login); email == "" {
			return "", "", field("error.email")
		}
	default:
		if phone = pii.NormalizePhone(login); phone == "" {
			return "", "", field("error.phone")
		}
	}
	return email, phone, nil
}

// sendReset queues the message of a reset to the login's address: the
// code, or for a disabled account the note that it cannot be reset.
func (s *Service) sendReset(ctx context.Context, u *User, login, masked string, phone bool, code string) error {
	to := s.contact(login, masked, phone)
	if u.Disabled {
		return s.notify.SendTo(ctx, to, "reset.message.disabled", "")
	}
	return s.notify.SendTo(ctx, to, "reset.message.code", code)
}

func (s *Service) contact(login, masked string, phone bool) notify.Contact {
	channel := "email"
	if phone {
		channel = "sms"
	}
	return notify.Contact{Channel: channel, Sealed: s.vault.Seal(notify.ContactField, login), Masked: masked}
}

// tellPasswordChanged tells the address an account signs in with that its
// password changed, so that an owner who did not change it learns at once
// (ASVS v5.0.0-6.3.7). A failure is logged: the change has happened.
func (s *Service) tellPasswordChanged(ctx context.Context, u *User) {
	to, err := s.addressOf(u)
	if err == nil {
		err = s.notify.SendTo(ctx, to, "account.message.password_changed", "")
	}
	if err != nil {
		s.log.Warn("password change not told", "user", u.ID, "err", err)
	}
}

// errNoAddress: the account has no login to send to (it was erased).
var errNoAddress = core.Errorf(core.Conflict, "error.user.no_address")

// addressOf is where messages about an account's sign-in go: the e-mail
// address it signs in with, or else its phone number.
func (s *Service) addressOf(u *User) (notify.Contact, error) {
	if u.Email != "" {
		return s.contact(u.Email, pii.MaskEmail(u.Email), false), nil
	}
	p, err := s.vault.Open("phone", u.PhoneSealed)
	if err != nil {
		return notify.Contact{}, err
	}
	if p == "" {
		return notify.Contact{}, errNoAddress
	}
	return s.contact(p, u.PhoneMasked, true), nil
}

// PendingReset returns the masked login of a password reset still open.
func (s *Service) PendingReset(ctx context.Context, id string) (string, error) {
	if !validOpaqueID(resetPrefix, id) {
		return "", core.Errorf(core.NotFound, "error.not_found")
	}
	var r reset
	if err := s.store.Get(ctx, PasswordResets.Name, hashToken(id), &r); err != nil {
		return "", err
	}
	if !s.clock.Now().Before(r.Expires) {
		return "", core.Errorf(core.NotFound, "error.not_found")
	}
	return r.LoginMasked, nil
}

// ConfirmReset sets a new password with the code of a reset, and signs the
// account in. Each try counts against the reset before the code is
// compared; a right code with a password the policy refuses gives its try
// back and leaves the reset open, so the person only picks another one.
func (s *Service) ConfirmReset(ctx context.Context, id, code, password string, m Meta) (*Tokens, error) {
	if !validOpaqueID(resetPrefix, id) {
		return nil, codeProblem("error.reset.expired")
	}
	if !validCode(code) {
		return nil, codeProblem("error.code.wrong")
	}
	var got charges
	if err := s.take(ctx, resetConfirmPerIP, m.IP, &got); err != nil {
		return nil, err
	}
	r, err := s.tryResetCode(ctx, id, code, m)
	if err != nil {
		return nil, err
	}
	s.giveBack(ctx, got)
	u, err := s.Get(ctx, r.UserID)
	if core.IsCode(err, core.NotFound) || (err == nil && u.DeviceVersion != r.DeviceVersion) {
		return nil, codeProblem("error.reset.expired") // the password changed, or the account closed, since
	}
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		s.audit.Record(ctx, audit.Actor{ID: u.ID, Role: string(u.Role), Name: u.Name, IP: m.IP}, "user.password_reset", audit.Denied, u.ID, "disabled")
		return nil, core.Errorf(core.Forbidden, "error.account.disabled")
	}
	phone, _ := s.vault.Open("phone", u.PhoneSealed)
	if p := passwordProblem(password, u.Email, phone, u.Name); p != "" {
		s.untry(ctx, id)
		return nil, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"password": p}}
	}
	hash, err := s.hashPassword(ctx, password)
	if err != nil {
		s.untry(ctx, id) // never ran
		return nil, err
	}
	if err := s.takeReset(ctx, id); err != nil {
		return nil, err
	}
	if err := s.setResetPassword(ctx, u, r.DeviceVersion, hash); err != nil {
		return nil, err
	}
	s.audit.Record(ctx, audit.Actor{ID: u.ID, Role: string(u.Role), Name: u.Name, IP: m.IP}, "user.password_reset", audit.Success, u.ID, "")
	s.tellPasswordChanged(ctx, u)
	u.PasswordHash = hash
	u.TokenVersion++
	u.DeviceVersion++
	return s.signedIn(ctx, u, m)
}

// tryResetCode counts one try against the reset and returns it when code
// is its code. A wrong code at a real reset is recorded against the
// account (the audit log's view of someone guessing).
func (s *Service) tryResetCode(ctx context.Context, id, code string, m Meta) (*reset, error) {
	var r reset
	err := s.store.C(PasswordResets.Name).FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: hashToken(id)}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "attempts", Value: 1}}}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&r)
	var problem string
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return nil, codeProblem("error.reset.expired")
	case err != nil:
		return nil, core.Wrap(err, "password reset")
	case !s.clock.Now().Before(r.Expires):
		return nil, codeProblem("error.reset.expired")
	case r.Attempts > codeAttempts:
		problem = "error.reset.attempts"
	case r.CodeHash == "" || !hmac.Equal([]byte(r.CodeHash), []byte(s.resetCodeHash(id, code))):
		problem = "error.code.wrong"
	default:
		return &r, nil
	}
	if r.UserID != "" {
		s.audit.Record(ctx, audit.Actor{IP: m.IP}, "user.password_reset", audit.Failure, r.UserID, strings.TrimPrefix(problem, "error."))
	}
	return nil, codeProblem(problem)
}

// untry gives back the try of a right code whose password was refused.
func (s *Service) untry(ctx context.Context, id string) {
	_, err := s.store.C(PasswordResets.Name).UpdateOne(context.WithoutCancel(ctx), bson.D{{Key: "_id", Value: hashToken(id)}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "attempts", Value: -1}}}})
	if err != nil {
		s.log.Warn("password reset: try not given back", "err", err)
	}
}

// takeReset removes the reset in one step, so of two right codes sent at
// once only one sets a password.
func (s *Service) takeReset(ctx context.Context, id string) error {
	res, err := s.store.C(PasswordResets.Name).DeleteOne(ctx, bson.D{{Key: "_id", Value: hashToken(id)}})
	if err != nil {
		return core.Wrap(err, "take password reset")
	}
	if res.DeletedCount == 0 {
		return codeProblem("error.reset.expired")
	}
	return nil
}

// setResetPassword sets the password hash of the account as it was when
// the reset was asked for (its device version), and only while it is
// enabled: a disable or another password change in between wins. Every
// session ends and every device is forgotten, as with a password change.
func (s *Service) setResetPassword(ctx context.Context, u *User, deviceVersion int64, hash string) error {
	if err := s.outbox.Begin(ctx, Index.Name, u.ID); err != nil {
		return err
	}
	err := s.store.UpdateIf(ctx, "users", u.ID, []store.Cond{store.Eq("device_version", deviceVersion), store.Eq("disabled", false)},
		s.changes(bson.D{{Key: "password_hash", Value: hash}}, forgetDevices))
	s.outbox.Apply(ctx, Index.Name, u.ID)
	switch {
	case errors.Is(err, store.ErrStale), core.IsCode(err, core.NotFound):
		return codeProblem("error.reset.expired")
	case err != nil:
		return err
	}
	return nil
}

// resetCodeHash keys the code to its reset with the vault's key, so the
// stored hash cannot be reversed by trying the million codes.
func (s *Service) resetCodeHash(id, code string) string {
	return s.vault.BlindIndex("reset-code", id+"\x00"+code)
}

// forgetResets removes the pending resets of an account (its deletion).
func (s *Service) forgetResets(ctx context.Context, userID string) {
	if _, err := s.store.C(PasswordResets.Name).DeleteMany(ctx, bson.D{{Key: "user_id", Value: userID}}); err != nil {
		s.log.Warn("password resets not removed", "user", userID, "err", err)
	}
}
