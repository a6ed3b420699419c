package orgs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/reference"
	"onestop/services/store"
)

// An organisation registers (註冊單位帳號) in the two steps a person does,
// through the accounts' own registration (services/accounts): Register
// checks the organisation's details and that its credit code is free, and
// starts its first user's registration, which sends the code to the
// user's login; Confirm, with the code, takes the credit code, opens the
// account and the organisation together, and signs the user in as its
// manager. A colleague the manager invited joins the same way (members.go:
// StartJoin, then Confirm). What is kept between the steps is keyed by the
// registration's id, as the accounts keep theirs, and holds nothing the
// accounts do not: the organisation's details, or which invitation.

// pendingReg is an organisation's registration, or a colleague's
// joining, waiting for its user's code.
type pendingReg struct {
	ID string `bson:"_id"` // the SHA-256 of the registration's id
	// Org is the organisation to open (a registration), or nil.
	Org *Input `bson:"org,omitempty"`
	// Invitation is the invitation taken up (a joining), or "".
	Invitation string    `bson:"invitation,omitempty"`
	Expires    time.Time `bson:"expires"`
}

func regKey(registrationID string) string {
	sum := sha256.Sum256([]byte(registrationID))
	return hex.EncodeToString(sum[:])
}

// NewUser is the first user of an organisation, or a colleague joining:
// the login (one of an e-mail address and a phone number), their name and
// the password they choose.
type NewUser struct {
	Email    string
	Phone    string
	Name     string
	Password string
}

// userFields are the accounts' field names of a user as the
// organisation's registration names them (the organisation has a name of
// its own).
var userFields = map[string]string{"name": "user_name"}

// accountError renames the field errors of the accounts' registration.
func accountError(err error, rename map[string]string) error {
	var ce *core.Error
	if !core.IsCode(err, core.Invalid) || !errors.As(err, &ce) || ce.Fields == nil {
		return err
	}
	out := &core.Error{Code: ce.Code, Message: ce.Message, Detail: ce.Detail, Fields: map[string]string{}}
	for k, v := range ce.Fields {
		if r, ok := rename[k]; ok {
			k = r
		}
		out.Fields[k] = v
	}
	return out
}

// codeTaken is the answer to a credit code another organisation holds.
func codeTaken() error {
	return &core.Error{Code: core.Conflict, Message: "error.org.code_taken", Fields: map[string]string{"credit_code": "error.org.code_taken"}}
}

// Register checks an organisation's details and starts its first user's
// registration: the code goes to the user's login (or, when the login
// has an account already, a note to sign in instead, as any registration
// answers). Nothing of the organisation exists until Confirm.
func (s *Service) Register(ctx context.Context, in Input, user NewUser, m accounts.Meta) (*accounts.Started, error) {
	if err := in.validate(s.reference.Current(reference.District)); err != nil {
		return nil, err
	}
	if _, err := s.store.KeyOwner(ctx, codeKey(in.CreditCode)); err == nil {
		return nil, codeTaken()
	} else if !core.IsCode(err, core.NotFound) {
		return nil, err
	}
	st, err := s.accounts.StartOrgRegistration(ctx, accounts.NewAccount{Email: user.Email, Phone: user.Phone, Name: user.Name,
		Password: user.Password}, m)
	if err != nil {
		return nil, accountError(err, userFields)
	}
	p := pendingReg{ID: regKey(st.ID), Org: &in, Expires: s.clock.Now().Add(time.Duration(st.ExpiresIn) * time.Second)}
	if _, err := s.store.C(Registrations.Name).InsertOne(ctx, p); err != nil {
		return nil, core.Wrap(err, "store organisation registration")
	}
	return st, nil
}

// Confirmed is a confirmed registration or joining: the user signed in,
// and their organisation.
type Confirmed struct {
	Tokens *accounts.Tokens
	Org    *Org
}

// Confirm finishes a registration or a joining with the code sent to the
// user's login. A registration takes the credit code first (another
// organisation confirmed with it meanwhile: a Conflict, and nothing is
// written or used up), then opens the account and the organisation
// together; a wrong code gives the credit code back. A joining takes the
// account into the inviting organisation. Either way, should the
// organisation not take the account in, the account is not opened.
func (s *Service) Confirm(ctx context.Context, registrationID, code string, m accounts.Meta) (*Confirmed, error) {
	var p pendingReg
	err := s.store.Get(ctx, Registrations.Name, regKey(registrationID), &p)
	if core.IsCode(err, core.NotFound) || (err == nil && !s.clock.Now().Before(p.Expires)) {
		return nil, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"code": "error.code.expired"}}
	}
	if err != nil {
		return nil, err
	}
	var done *Confirmed
	if p.Org != nil {
		done, err = s.confirmFounding(ctx, registrationID, code, *p.Org, m)
	} else {
		done, err = s.confirmJoining(ctx, registrationID, code, p.Invitation, m)
	}
	if err != nil {
		return nil, err
	}
	if _, err := s.store.C(Registrations.Name).DeleteOne(ctx, bson.D{{Key: "_id", Value: p.ID}}); err != nil {
		s.log.Warn("organisation registration left behind", "err", err)
	}
	return done, nil
}

func (s *Service) confirmFounding(ctx context.Context, registrationID, code string, in Input, m accounts.Meta) (*Confirmed, error) {
	id := core.NewID()
	if err := s.store.ClaimKey(ctx, codeKey(in.CreditCode), id, "error.org.code_taken"); err != nil {
		if core.IsCode(err, core.Conflict) {
			return nil, codeTaken()
		}
		return nil, err
	}
	var o *Org
	t, err := s.accounts.ConfirmOrgRegistration(ctx, registrationID, code, m, func(ctx context.Context, u *accounts.User) error {
		var err error
		o, err = s.open(ctx, id, in, u.ID)
		return err
	})
	if err != nil {
		_ = s.store.ReleaseKey(context.WithoutCancel(ctx), codeKey(in.CreditCode), id)
		return nil, err
	}
	s.audit.Record(ctx, audit.Actor{ID: t.User.ID, Role: string(t.User.Role), Name: t.User.Name, IP: m.IP}, "org.register", audit.Success, o.ID,
		"kind="+string(o.Kind))
	return &Confirmed{Tokens: t, Org: o}, nil
}

// open writes a new organisation under id, whose credit code key the
// caller holds, with manager as its manager: the account's membership
// key first (one organisation an account), then the record. A failure
// leaves neither.
func (s *Service) open(ctx context.Context, id string, in Input, manager string) (*Org, error) {
	if err := s.store.ClaimKey(ctx, memberKey(manager), id, "error.org.already_member"); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	o := &Org{ID: id, Name: in.Name, CreditCode: in.CreditCode, Kind: in.Kind, District: in.District, Address: in.Address,
		ContactName: in.ContactName, ContactPhone: in.ContactPhone, Status: Pending, Users: []User{{ID: manager, Part: Manager, Since: now}},
		Invites: []Invite{}, Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := s.outbox.Begin(ctx, Index.Name, id); err != nil {
		_ = s.store.ReleaseKey(context.WithoutCancel(ctx), memberKey(manager), id)
		return nil, err
	}
	if _, err := s.store.C(Collection.Name).InsertOne(ctx, o); err != nil {
		_ = s.store.ReleaseKey(context.WithoutCancel(ctx), memberKey(manager), id)
		s.outbox.Apply(ctx, Index.Name, id)
		return nil, core.Wrap(err, "insert organisation")
	}
	s.outbox.Apply(ctx, Index.Name, id)
	return o, nil
}

// Found opens an organisation for an organisation's account that belongs
// to none (one removed from its organisation, or the demo's): the account
// becomes its manager at once, with no new registration.
func (s *Service) Found(ctx context.Context, actor accounts.Principal, in Input, m accounts.Meta) (*Org, error) {
	if !isOrgUser(actor) {
		s.audit.Record(ctx, actor.Actor(m), "org.register", audit.Denied, "", "")
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	if err := in.validate(s.reference.Current(reference.District)); err != nil {
		return nil, err
	}
	if _, _, err := s.Of(ctx, actor.ID); err == nil {
		return nil, core.Errorf(core.Conflict, "error.org.already_member")
	} else if !core.IsCode(err, core.NotFound) {
		return nil, err
	}
	id := core.NewID()
	if err := s.store.ClaimKey(ctx, codeKey(in.CreditCode), id, "error.org.code_taken"); err != nil {
		if core.IsCode(err, core.Conflict) {
			return nil, codeTaken()
		}
		return nil, err
	}
	o, err := s.open(ctx, id, in, actor.ID)
	if err != nil {
		_ = s.store.ReleaseKey(context.WithoutCancel(ctx), codeKey(in.CreditCode), id)
		return nil, err
	}
	s.audit.Record(ctx, actor.Actor(m), "org.register", audit.Success, o.ID, "kind="+string(o.Kind))
	return o, nil
}

// write applies a change to an organisation as read (its version), with
// the search index in step; a concurrent write makes it store.ErrStale.
func (s *Service) write(ctx context.Context, o *Org, set bson.D) error {
	if err := s.outbox.Begin(ctx, Index.Name, o.ID); err != nil {
		return err
	}
	set = append(set, bson.E{Key: "updated_at", Value: s.clock.Now()}, bson.E{Key: "version", Value: o.Version + 1})
	err := s.store.UpdateIf(ctx, Collection.Name, o.ID, []store.Cond{store.Eq("version", o.Version)}, bson.D{{Key: "$set", Value: set}})
	s.outbox.Apply(ctx, Index.Name, o.ID)
	return err
}

// retry runs a read-modify-write of an organisation again when another
// write came between its read and its write, a few times.
func retry(fn func() error) error {
	var err error
	for range 5 {
		if err = fn(); !errors.Is(err, store.ErrStale) {
			return err
		}
	}
	return err
}
