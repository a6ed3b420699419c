package accounts

import (
	"context"
	"log/slog"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/outbox"
	"onestop/services/pii"
	"onestop/services/store"
)

// Config wires the service.
type Config struct {
	Store  *store.Store
	Outbox *outbox.Outbox
	Audit  *audit.Log
	Vault  *pii.Vault
	Clock  core.Clock
	Argon2 Argon2
	Tokens TokenConfig
	Log    *slog.Logger
}

// Service manages accounts.
type Service struct {
	store  *store.Store
	outbox *outbox.Outbox
	audit  *audit.Log
	vault  *pii.Vault
	clock  core.Clock
	argon  Argon2
	tokens TokenConfig
	log    *slog.Logger
	// dummyHash is verified when a login names nobody, so an unknown login
	// costs as much time as a wrong password.
	dummyHash string
}

// New returns the service and registers its search index.
func New(c Config) *Service {
	if c.Argon2 == (Argon2{}) {
		c.Argon2 = DefaultArgon2
	}
	s := &Service{store: c.Store, outbox: c.Outbox, audit: c.Audit, vault: c.Vault, clock: c.Clock,
		argon: c.Argon2, tokens: c.Tokens.withDefaults(), log: c.Log}
	s.dummyHash = s.argon.hash(core.NewID())
	c.Outbox.Register(outboxSource(s))
	return s
}

// Principal is who is calling: an account's id, role and name. The zero
// Principal is a guest.
type Principal struct {
	ID   string
	Role Role
	Name string
}

// Guest reports whether nobody is signed in.
func (p Principal) Guest() bool { return p.ID == "" }

// Meta is what the portal knows about a request.
type Meta struct {
	IP string
}

// Actor is the principal as an audit actor.
func (p Principal) Actor(m Meta) audit.Actor {
	return audit.Actor{ID: p.ID, Role: string(p.Role), Name: p.Name, IP: m.IP}
}

// NewAccount is the input of registration and of staff account creation.
type NewAccount struct {
	Email    string
	Phone    string
	Password string
	Name     string
	Role     Role
}

// validate normalises and checks the input; it returns the login's keys
// (a phone has one per data key during a rotation, current first).
func (s *Service) validate(in *NewAccount) ([]string, error) {
	var v core.Validation
	in.Name = strings.TrimSpace(in.Name)
	v.Check(validName(in.Name), "name", "error.name")
	var keys []string
	switch {
	case in.Email != "" && in.Phone != "":
		v.Add("login", "error.login.one")
	case in.Email != "":
		in.Email = pii.NormalizeEmail(in.Email)
		v.Check(in.Email != "", "email", "error.email")
		keys = []string{"email:" + in.Email}
	case in.Phone != "":
		in.Phone = pii.NormalizePhone(in.Phone)
		v.Check(in.Phone != "", "phone", "error.phone")
		keys = s.vault.IndexKeys("phone:", "phone", in.Phone)
	default:
		v.Add("login", "error.login.required")
	}
	if p := passwordProblem(in.Password, in.Email, in.Phone, in.Name); p != "" {
		v.Add("password", p)
	}
	v.Check(in.Role.Valid(), "role", "error.role")
	return keys, v.Err()
}

// validName accepts 1–50 printable characters: real names in Chinese or
// Latin script, with the middle dot of transliterated names.
func validName(n string) bool {
	if n == "" || utf8.RuneCountInString(n) > 50 || !utf8.ValidString(n) {
		return false
	}
	for _, r := range n {
		if !unicode.IsPrint(r) || unicode.Is(unicode.Cf, r) {
			return false
		}
	}
	return true
}

// Register lets a person sign up as an entrepreneur.
//
// People register as entrepreneurs, or as mentor applicants: a mentor
// account reaches nobody until an administrator approves its profile
// (mentors), and reviews only projects an administrator assigns it. Any
// other role is opened by an administrator.
func (s *Service) Register(ctx context.Context, in NewAccount, m Meta) (*User, error) {
	if in.Role != Mentor {
		in.Role = Entrepreneur
	}
	if err := s.throttle(ctx, registerPerIP, m.IP); err != nil {
		return nil, err
	}
	_ = s.hit(ctx, registerPerIP, m.IP)
	u, err := s.create(ctx, in)
	result, target := audit.Success, ""
	if err != nil {
		result = audit.Failure
	} else {
		target = u.ID
	}
	s.audit.Record(ctx, audit.Actor{ID: target, Role: string(in.Role), IP: m.IP, Name: in.Name}, "user.register", result, target, "")
	return u, err
}

// Create lets an administrator open an account of any role.
func (s *Service) Create(ctx context.Context, actor Principal, in NewAccount, m Meta) (*User, error) {
	if actor.Role != Admin {
		s.audit.Record(ctx, actor.Actor(m), "user.create", audit.Denied, "", "")
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	u, err := s.create(ctx, in)
	if err != nil {
		return nil, err
	}
	s.audit.Record(ctx, actor.Actor(m), "user.create", audit.Success, u.ID, "role="+string(u.Role))
	return u, nil
}

// Bootstrap creates an administrator from the command line, where no
// account exists yet to authorise it.
func (s *Service) Bootstrap(ctx context.Context, in NewAccount) (*User, error) {
	in.Role = Admin
	u, err := s.create(ctx, in)
	if err != nil {
		return nil, err
	}
	s.audit.Record(ctx, audit.Actor{Role: "cli", Name: "admin create"}, "user.create", audit.Success, u.ID, "role=admin")
	return u, nil
}

// create claims the login key first, so two registrations of one login
// cannot both succeed, then writes the account; if that fails the key is
// released, leaving nothing half-written.
func (s *Service) create(ctx context.Context, in NewAccount) (*User, error) {
	keys, err := s.validate(&in)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	u := &User{ID: core.NewID(), Name: in.Name, Email: in.Email, Role: in.Role,
		PasswordHash: s.argon.hash(in.Password), CreatedAt: now, UpdatedAt: now}
	if in.Phone != "" {
		u.PhoneSealed = s.vault.Seal("phone", in.Phone)
		u.PhoneMasked = pii.MaskPhone(in.Phone)
	}
	if _, err := s.store.ClaimKeys(ctx, keys, u.ID, "error.login.taken"); err != nil {
		return nil, err
	}
	if err := s.outbox.Begin(ctx, Index.Name, u.ID); err != nil {
		_ = s.store.ReleaseKey(context.WithoutCancel(ctx), keys[0], u.ID)
		return nil, err
	}
	if _, err := s.store.C("users").InsertOne(ctx, u); err != nil {
		_ = s.store.ReleaseKey(context.WithoutCancel(ctx), keys[0], u.ID)
		return nil, core.Wrap(err, "insert user")
	}
	s.outbox.Apply(ctx, Index.Name, u.ID)
	return u, nil
}

// update applies a change to an account and revokes its tokens when asked,
// keeping the search index in step.
func (s *Service) update(ctx context.Context, id string, set bson.D, revoke bool) error {
	set = append(set, bson.E{Key: "updated_at", Value: s.clock.Now()})
	upd := bson.D{{Key: "$set", Value: set}}
	if revoke {
		upd = append(upd, bson.E{Key: "$inc", Value: bson.D{{Key: "token_version", Value: int64(1)}}})
	}
	if err := s.outbox.Begin(ctx, Index.Name, id); err != nil {
		return err
	}
	res, err := s.store.C("users").UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, upd)
	if err != nil {
		return core.Wrap(err, "update user")
	}
	s.outbox.Apply(ctx, Index.Name, id)
	if res.MatchedCount == 0 {
		return core.Errorf(core.NotFound, "error.not_found")
	}
	return nil
}

// ChangePassword replaces the caller's password after checking the current
// one; every session of the account ends, and the caller gets fresh tokens.
func (s *Service) ChangePassword(ctx context.Context, actor Principal, current, next string, m Meta) (*Tokens, error) {
	u, err := s.Get(ctx, actor.ID)
	if err != nil {
		return nil, core.Errorf(core.Unauthenticated, "error.unauthenticated")
	}
	if !verify(current, u.PasswordHash) {
		s.audit.Record(ctx, actor.Actor(m), "user.password_change", audit.Failure, u.ID, "wrong current password")
		return nil, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"current": "error.password.wrong"}}
	}
	if p := passwordProblem(next, u.Email, u.Name); p != "" {
		return nil, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"password": p}}
	}
	if next == current {
		return nil, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"password": "error.password.same"}}
	}
	if err := s.update(ctx, u.ID, bson.D{{Key: "password_hash", Value: s.argon.hash(next)}}, true); err != nil {
		return nil, err
	}
	s.audit.Record(ctx, actor.Actor(m), "user.password_change", audit.Success, u.ID, "")
	u.TokenVersion++
	return s.issue(ctx, u, s.clock.Now().Add(s.tokens.RefreshAbsolute))
}

// SetDisabled disables or re-enables an account (admins only, never their
// own); disabling ends its sessions at once.
func (s *Service) SetDisabled(ctx context.Context, actor Principal, id string, disabled bool, m Meta) error {
	if actor.Role != Admin {
		s.audit.Record(ctx, actor.Actor(m), "user.disable", audit.Denied, id, "")
		return core.Errorf(core.Forbidden, "error.forbidden")
	}
	if id == actor.ID {
		return core.Errorf(core.Conflict, "error.self")
	}
	if _, err := s.Get(ctx, id); err != nil {
		return err
	}
	if err := s.update(ctx, id, bson.D{{Key: "disabled", Value: disabled}}, true); err != nil {
		return err
	}
	action := "user.enable"
	if disabled {
		action = "user.disable"
	}
	s.audit.Record(ctx, actor.Actor(m), action, audit.Success, id, "")
	return nil
}

// SetRole changes an account's role (admins only, never their own); the
// account's sessions end so the new role applies at once.
func (s *Service) SetRole(ctx context.Context, actor Principal, id string, role Role, m Meta) error {
	if actor.Role != Admin {
		s.audit.Record(ctx, actor.Actor(m), "user.role_change", audit.Denied, id, "")
		return core.Errorf(core.Forbidden, "error.forbidden")
	}
	if !role.Valid() {
		return &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"role": "error.role"}}
	}
	if id == actor.ID {
		return core.Errorf(core.Conflict, "error.self")
	}
	u, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if err := s.update(ctx, id, bson.D{{Key: "role", Value: role}}, true); err != nil {
		return err
	}
	s.audit.Record(ctx, actor.Actor(m), "user.role_change", audit.Success, id, string(u.Role)+"→"+string(role))
	return nil
}

// SetLocale remembers the caller's language choice.
func (s *Service) SetLocale(ctx context.Context, actor Principal, locale string) error {
	if actor.Guest() {
		return core.Errorf(core.Unauthenticated, "error.unauthenticated")
	}
	return s.update(ctx, actor.ID, bson.D{{Key: "locale", Value: locale}}, false)
}
