package accounts

import (
	"context"
	"log/slog"
	"runtime"
	"strings"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/notify"
	"onestop/services/outbox"
	"onestop/services/pii"
	"onestop/services/store"
)

// Deps wires the service.
type Deps struct {
	Store  *store.Store
	Outbox *outbox.Outbox
	Audit  *audit.Log
	// Vault seals phone numbers and keys the blind indexes of logins.
	Vault *pii.Vault
	Clock core.Clock
	// Argon2 is the password hashing cost; zero is DefaultArgon2.
	Argon2 Argon2
	// Tokens signs sessions; its zero durations take their defaults.
	Tokens TokenConfig
	// Log defaults to slog.Default().
	Log *slog.Logger `deps:"optional"`
	// Notify queues the messages of registration (codes) to addresses
	// that have no account yet.
	Notify *notify.Service
}

// Service manages accounts.
type Service struct {
	// throttled counts sign-ins refused for too many attempts (the
	// onestop_signins_throttled_total metric); shared by the copies
	// WithClock makes.
	throttled *atomic.Int64

	store  *store.Store
	outbox *outbox.Outbox
	audit  *audit.Log
	vault  *pii.Vault
	clock  core.Clock
	argon  Argon2
	tokens TokenConfig
	log    *slog.Logger
	notify *notify.Service
	gate   *hashGate
	// changed hears of disables and role changes (personal.go).
	changed []func(ctx context.Context, u *User)
	// deviceKey signs device tokens (device.go).
	deviceKey []byte
	// dummyHash is verified when a login names nobody, so an unknown login
	// costs as much time as a wrong password.
	dummyHash string
}

// New returns the service and registers its search index.
func New(c Deps) (*Service, error) {
	if err := core.CheckDeps("accounts", c); err != nil {
		return nil, err
	}
	if c.Argon2 == (Argon2{}) {
		c.Argon2 = DefaultArgon2
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	s := &Service{store: c.Store, outbox: c.Outbox, audit: c.Audit, vault: c.Vault, clock: c.Clock,
		argon: c.Argon2, tokens: c.Tokens.withDefaults(), log: c.Log, notify: c.Notify,
		gate: newHashGate(runtime.GOMAXPROCS(0)), deviceKey: deviceKeyOf(c.Tokens.Key)}
	s.throttled = new(atomic.Int64)
	s.dummyHash = s.argon.hash(core.NewID())
	c.Outbox.Register(outboxSource(s))
	return s, nil
}

// WithClock returns the service on another clock: the demo loader uses it
// to create accounts as of the day their people signed up, months ago. The
// copy keeps the hooks registered so far.
func (s *Service) WithClock(c core.Clock) *Service {
	cp := *s
	cp.clock = c
	return &cp
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
	// Device is the device token the client presented (a cookie on the
	// web, a field of the API's sign-in), or "".
	Device string
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
	switch {
	case in.Email != "" && in.Phone != "":
		v.Add("login", "error.login.one")
	case in.Email != "":
		in.Email = pii.NormalizeEmail(in.Email)
		v.Check(in.Email != "", "email", "error.email")
	case in.Phone != "":
		in.Phone = pii.NormalizePhone(in.Phone)
		v.Check(in.Phone != "", "phone", "error.phone")
	default:
		v.Add("login", "error.login.required")
	}
	if p := passwordProblem(in.Password, in.Email, in.Phone, in.Name); p != "" {
		v.Add("password", p)
	}
	if in.Role == "" {
		v.Add("role", "error.role.required") // no role is assumed
	} else {
		v.Check(in.Role.Valid(), "role", "error.role")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.loginKeys(in.Email, in.Phone), nil
}

// loginKeys returns the key-collection keys of a normalised login.
func (s *Service) loginKeys(email, phone string) []string {
	if email != "" {
		return []string{"email:" + email}
	}
	return s.vault.IndexKeys("phone:", "phone", phone)
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

// create opens an account from the input of an administrator or the
// command line.
func (s *Service) create(ctx context.Context, in NewAccount) (*User, error) {
	if _, err := s.validate(&in); err != nil {
		return nil, err
	}
	hash, err := s.hashPassword(ctx, in.Password)
	if err != nil {
		return nil, err
	}
	return s.open(ctx, in, hash)
}

// open writes the account of a validated, normalised login whose password
// is already hashed. It claims the login key first, so two accounts of one
// login cannot both open, then writes the record; if that fails the key is
// released, leaving nothing half-written.
func (s *Service) open(ctx context.Context, in NewAccount, passwordHash string) (*User, error) {
	keys := s.loginKeys(in.Email, in.Phone)
	now := s.clock.Now()
	u := &User{ID: core.NewID(), Name: in.Name, Email: in.Email, Role: in.Role,
		PasswordHash: passwordHash, CreatedAt: now, UpdatedAt: now}
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

// revocation is what a change to an account takes away.
type revocation int

const (
	// keepTokens revokes nothing.
	keepTokens revocation = iota
	// endSessions moves the token version: every access and refresh token
	// stops working.
	endSessions
	// forgetDevices ends the sessions and moves the device version too:
	// device tokens and known addresses stop counting (device.go).
	forgetDevices
)

// update applies a change to an account and revokes what it is asked to,
// keeping the search index in step.
func (s *Service) update(ctx context.Context, id string, set bson.D, revoke revocation) error {
	upd := s.changes(set, revoke)
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

// changes is the update that sets set on an account and revokes what
// revoke says.
func (s *Service) changes(set bson.D, revoke revocation) bson.D {
	set = append(set, bson.E{Key: "updated_at", Value: s.clock.Now()})
	upd := bson.D{{Key: "$set", Value: set}}
	switch revoke {
	case endSessions:
		upd = append(upd, bson.E{Key: "$inc", Value: bson.D{{Key: "token_version", Value: int64(1)}}})
	case forgetDevices:
		upd = append(upd, bson.E{Key: "$inc", Value: bson.D{{Key: "token_version", Value: int64(1)}, {Key: "device_version", Value: int64(1)}}})
	}
	return upd
}

// ChangePassword replaces the caller's password after checking the current
// one (counted against the account's re-authentication limit first); every
// session of the account ends and every device token and known address is
// forgotten, the login's address is told (reset.go), and the caller gets
// fresh tokens, with a device token.
func (s *Service) ChangePassword(ctx context.Context, actor Principal, current, next string, m Meta) (*Tokens, error) {
	u, err := s.Get(ctx, actor.ID)
	if err != nil {
		return nil, core.Errorf(core.Unauthenticated, "error.unauthenticated")
	}
	ok, err := s.reauth(ctx, actor, u, current, m)
	if err != nil {
		return nil, err
	}
	if !ok {
		s.audit.Record(ctx, actor.Actor(m), "user.password_change", audit.Failure, u.ID, "wrong current password")
		return nil, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"current": "error.password.wrong"}}
	}
	if p := passwordProblem(next, u.Email, u.Name); p != "" {
		return nil, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"password": p}}
	}
	if next == current {
		return nil, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"password": "error.password.same"}}
	}
	hash, err := s.hashPassword(ctx, next)
	if err != nil {
		return nil, err
	}
	if err := s.update(ctx, u.ID, bson.D{{Key: "password_hash", Value: hash}}, forgetDevices); err != nil {
		return nil, err
	}
	s.audit.Record(ctx, actor.Actor(m), "user.password_change", audit.Success, u.ID, "")
	s.tellPasswordChanged(ctx, u)
	u.TokenVersion++
	u.DeviceVersion++
	return s.signedIn(ctx, u, m)
}

// SetDisabled disables or re-enables an account (admins only, never their
// own); disabling ends its sessions at once and forgets its devices, so
// nothing signed in before counts once it is enabled again.
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
	revoke := endSessions
	if disabled {
		revoke = forgetDevices
	}
	if err := s.update(ctx, id, bson.D{{Key: "disabled", Value: disabled}}, revoke); err != nil {
		return err
	}
	action := "user.enable"
	if disabled {
		action = "user.disable"
	}
	s.audit.Record(ctx, actor.Actor(m), action, audit.Success, id, "")
	s.tellChanged(ctx, id)
	return nil
}

// SetRole changes an account's role (admins only, never their own); the
// account's sessions end so the new role applies at once. Its devices stay
// known: a device token grants no role, and forgetting it would strip the
// owner's shelter from a stranger's guesses just as the account becomes
// worth more to guess.
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
	if err := s.update(ctx, id, bson.D{{Key: "role", Value: role}}, endSessions); err != nil {
		return err
	}
	s.audit.Record(ctx, actor.Actor(m), "user.role_change", audit.Success, id, string(u.Role)+"→"+string(role))
	s.tellChanged(ctx, id)
	return nil
}

// SetLocale remembers the caller's language choice.
func (s *Service) SetLocale(ctx context.Context, actor Principal, locale string) error {
	if actor.Guest() {
		return core.Errorf(core.Unauthenticated, "error.unauthenticated")
	}
	return s.update(ctx, actor.ID, bson.D{{Key: "locale", Value: locale}}, keepTokens)
}
