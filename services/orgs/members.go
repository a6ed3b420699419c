package orgs

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/notify"
	"onestop/services/pii"
)

// An organisation's manager adds a colleague by their login (添加單位用戶):
// the address gets an invitation with a link (JoinLink) good for
// InviteTTL. Opening it, a newcomer chooses a name and password and
// confirms with the code of an ordinary registration (StartJoin, then
// Confirm); an organisation's account that belongs to no organisation
// signs in and accepts (Accept). The manager removes a user, and a user
// other than the manager leaves; an account belongs to one organisation
// at most, which its key in the key collection makes sure of.

// invitation is an open invitation, by the SHA-256 of its token; the
// login is sealed until the account is opened.
type invitation struct {
	ID          string    `bson:"_id"`
	Org         string    `bson:"org"`
	LoginSealed string    `bson:"login_sealed"`
	LoginMasked string    `bson:"login_masked"`
	Phone       bool      `bson:"phone"`
	Name        string    `bson:"name"`
	Expires     time.Time `bson:"expires"`
}

// inviteField is the vault field of an invitation's login and of its
// keyed hash.
const inviteField = "org-invitation-login"

const tokenPrefix = "oi_"

// JoinLink is the page an invitation's link opens.
func JoinLink(token string) string { return "/org/join?i=" + token }

func newToken() string {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return tokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
}

func validToken(t string) bool {
	if len(t) != len(tokenPrefix)+43 || !strings.HasPrefix(t, tokenPrefix) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(t[len(tokenPrefix):])
	return err == nil
}

// InviteInput is whom a manager invites: one of an e-mail address and a
// phone number, and the name to greet them by.
type InviteInput struct {
	Email string `json:"email"`
	Phone string `json:"phone"`
	Name  string `json:"name"`
}

// Invited says where an invitation went. Token is the link's secret, for
// callers in this process (the demo); the portal shows it to nobody.
type Invited struct {
	ID      string
	SentTo  string
	Expires time.Time
	Token   string
}

func gone() error { return core.Errorf(core.NotFound, "error.org.invitation_gone") }

// managed is the caller's organisation when the caller manages it; the
// refusal is audited under action.
func (s *Service) managed(ctx context.Context, actor accounts.Principal, action, target string, m accounts.Meta) (*Org, error) {
	o, _, err := s.Mine(ctx, actor)
	if err != nil && !core.IsCode(err, core.Forbidden) {
		return nil, err
	}
	if err != nil || !manages(actor, o) {
		s.audit.Record(ctx, actor.Actor(m), action, audit.Denied, target, "")
		return nil, core.Errorf(core.Forbidden, "error.org.manager_only")
	}
	return o, nil
}

// Invite sends an invitation to join the caller's organisation (its
// manager only). A second invitation of the same login replaces the
// first; the users and open invitations together stay within MaxUsers.
func (s *Service) Invite(ctx context.Context, actor accounts.Principal, in InviteInput, m accounts.Meta) (*Invited, error) {
	var v core.Validation
	in.Name = v.Line("name", in.Name, 1, 50)
	login, phone := "", false
	switch {
	case strings.TrimSpace(in.Email) != "" && strings.TrimSpace(in.Phone) != "":
		v.Add("login", "error.login.one")
	case strings.TrimSpace(in.Email) != "":
		login = pii.NormalizeEmail(in.Email)
		v.Check(login != "", "email", "error.email")
	case strings.TrimSpace(in.Phone) != "":
		login, phone = pii.NormalizePhone(in.Phone), true
		v.Check(login != "", "phone", "error.phone")
	default:
		v.Add("login", "error.login.required")
	}
	o, err := s.managed(ctx, actor, "org.user_invite", "", m)
	if err != nil {
		return nil, err
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	masked := pii.MaskEmail(login)
	if phone {
		masked = pii.MaskPhone(login)
	}
	now := s.clock.Now()
	token := newToken()
	inv := invitation{ID: regKey(token), Org: o.ID, LoginSealed: s.vault.Seal(inviteField, login), LoginMasked: masked, Phone: phone,
		Name: in.Name, Expires: now.Add(InviteTTL)}
	if _, err := s.store.C(Invitations.Name).InsertOne(ctx, inv); err != nil {
		return nil, core.Wrap(err, "store invitation")
	}
	entry := Invite{ID: inv.ID, LoginMasked: masked, LoginKey: s.vault.BlindIndex(inviteField, login), Name: in.Name, By: actor.ID, At: now, Expires: inv.Expires}
	var dropped []Invite
	err = retry(func() error {
		if o, err = s.read(ctx, o.ID); err != nil {
			return err
		}
		if !manages(actor, o) {
			return core.Errorf(core.Forbidden, "error.org.manager_only")
		}
		keep, drop := []Invite{}, []Invite{}
		for _, x := range o.Invites {
			if x.LoginKey == entry.LoginKey || !now.Before(x.Expires) {
				drop = append(drop, x)
			} else {
				keep = append(keep, x)
			}
		}
		switch {
		case len(keep) >= MaxInvites:
			return core.Errorf(core.Conflict, "error.org.too_many_invites")
		case len(o.Users)+len(keep) >= MaxUsers:
			return core.Errorf(core.Conflict, "error.org.full")
		}
		dropped = drop
		return s.write(ctx, o, bson.D{{Key: "invites", Value: append(keep, entry)}})
	})
	if err != nil {
		s.dropInvitations(ctx, Invite{ID: inv.ID})
		return nil, err
	}
	s.dropInvitations(ctx, dropped...)
	channel := "email"
	if phone {
		channel = "sms"
	}
	to := notify.Contact{Channel: channel, Sealed: s.vault.Seal(notify.ContactField, login), Masked: masked}
	if err := s.notify.SendLinkTo(ctx, to, "org.message.invite", o.Name, JoinLink(token)); err != nil {
		return nil, err
	}
	s.audit.Record(ctx, actor.Actor(m), "org.user_invite", audit.Success, o.ID, masked)
	return &Invited{ID: inv.ID, SentTo: masked, Expires: inv.Expires, Token: token}, nil
}

// dropInvitations deletes invitations no organisation lists any more.
func (s *Service) dropInvitations(ctx context.Context, list ...Invite) {
	ctx = context.WithoutCancel(ctx)
	for _, x := range list {
		if _, err := s.store.C(Invitations.Name).DeleteOne(ctx, bson.D{{Key: "_id", Value: x.ID}}); err != nil {
			s.log.Warn("invitation left behind", "err", err)
		}
	}
}

// CancelInvite withdraws an open invitation of the caller's organisation
// (its manager only): its link stops working.
func (s *Service) CancelInvite(ctx context.Context, actor accounts.Principal, id string, m accounts.Meta) error {
	o, err := s.managed(ctx, actor, "org.invite_cancel", id, m)
	if err != nil {
		return err
	}
	err = retry(func() error {
		if o, err = s.read(ctx, o.ID); err != nil {
			return err
		}
		i := slices.IndexFunc(o.Invites, func(x Invite) bool { return x.ID == id })
		if i < 0 || id == "" {
			return core.Errorf(core.NotFound, "error.not_found")
		}
		return s.write(ctx, o, bson.D{{Key: "invites", Value: slices.Delete(slices.Clone(o.Invites), i, i+1)}})
	})
	if err != nil {
		return err
	}
	s.dropInvitations(ctx, Invite{ID: id})
	s.audit.Record(ctx, actor.Actor(m), "org.invite_cancel", audit.Success, o.ID, "")
	return nil
}

// openInvitation reads the invitation of a link's token, while its
// organisation still lists it and it has not expired.
func (s *Service) openInvitation(ctx context.Context, token string) (*invitation, *Org, error) {
	if !validToken(token) {
		return nil, nil, gone()
	}
	return s.invitationByID(ctx, regKey(token))
}

func (s *Service) invitationByID(ctx context.Context, id string) (*invitation, *Org, error) {
	var inv invitation
	err := s.store.Get(ctx, Invitations.Name, id, &inv)
	if core.IsCode(err, core.NotFound) {
		return nil, nil, gone()
	}
	if err != nil {
		return nil, nil, err
	}
	o, err := s.read(ctx, inv.Org)
	if core.IsCode(err, core.NotFound) {
		return nil, nil, gone()
	}
	if err != nil {
		return nil, nil, err
	}
	if !slices.ContainsFunc(o.Invites, func(x Invite) bool { return x.ID == id }) || !s.clock.Now().Before(inv.Expires) {
		return nil, nil, gone()
	}
	return &inv, o, nil
}

// Invitation is what the page of an invitation's link shows.
type Invitation struct {
	OrgName string
	OrgKind Kind
	SentTo  string // the login invited, masked
	Name    string // the name the manager gave
	Expires time.Time
}

// InvitationFor reads the invitation of a link's token.
func (s *Service) InvitationFor(ctx context.Context, token string) (*Invitation, error) {
	inv, o, err := s.openInvitation(ctx, token)
	if err != nil {
		return nil, err
	}
	return &Invitation{OrgName: o.Name, OrgKind: o.Kind, SentTo: inv.LoginMasked, Name: inv.Name, Expires: inv.Expires}, nil
}

// StartJoin starts the registration of an invited newcomer with the
// invitation's login, the name and the password they choose: the code goes
// to the login, and Confirm takes them in.
func (s *Service) StartJoin(ctx context.Context, token, name, password string, m accounts.Meta) (*accounts.Started, error) {
	inv, _, err := s.openInvitation(ctx, token)
	if err != nil {
		return nil, err
	}
	login, err := s.vault.Open(inviteField, inv.LoginSealed)
	if err != nil {
		return nil, core.Wrap(err, "open invitation")
	}
	na := accounts.NewAccount{Email: login, Name: name, Password: password}
	if inv.Phone {
		na.Email, na.Phone = "", login
	}
	st, err := s.accounts.StartOrgRegistration(ctx, na, m)
	if err != nil {
		return nil, err
	}
	p := pendingReg{ID: regKey(st.ID), Invitation: inv.ID, Expires: s.clock.Now().Add(time.Duration(st.ExpiresIn) * time.Second)}
	if _, err := s.store.C(Registrations.Name).InsertOne(ctx, p); err != nil {
		return nil, core.Wrap(err, "store joining")
	}
	return st, nil
}

func (s *Service) confirmJoining(ctx context.Context, registrationID, code, invitationID string, m accounts.Meta) (*Confirmed, error) {
	inv, _, err := s.invitationByID(ctx, invitationID)
	if err != nil {
		return nil, err
	}
	var o *Org
	t, err := s.accounts.ConfirmOrgRegistration(ctx, registrationID, code, m, func(ctx context.Context, u *accounts.User) error {
		var err error
		o, err = s.join(ctx, inv, u.ID, u.Name)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.audit.Record(ctx, audit.Actor{ID: t.User.ID, Role: string(t.User.Role), Name: t.User.Name, IP: m.IP}, "org.user_join", audit.Success, o.ID, "")
	return &Confirmed{Tokens: t, Org: o}, nil
}

// Accept takes the caller, an organisation's account that belongs to no
// organisation, into the organisation that invited its login.
func (s *Service) Accept(ctx context.Context, actor accounts.Principal, token string, m accounts.Meta) (*Org, error) {
	if !isOrgUser(actor) {
		s.audit.Record(ctx, actor.Actor(m), "org.user_join", audit.Denied, "", "not an organisation's account")
		return nil, core.Errorf(core.Forbidden, "error.org.join_role")
	}
	inv, _, err := s.openInvitation(ctx, token)
	if err != nil {
		return nil, err
	}
	if ok, err := s.holdsLogin(ctx, actor.ID, inv); err != nil {
		return nil, err
	} else if !ok {
		s.audit.Record(ctx, actor.Actor(m), "org.user_join", audit.Denied, inv.Org, "another login's invitation")
		return nil, core.Errorf(core.Forbidden, "error.org.invitation_other")
	}
	o, err := s.join(ctx, inv, actor.ID, actor.Name)
	if err != nil {
		return nil, err
	}
	s.audit.Record(ctx, actor.Actor(m), "org.user_join", audit.Success, o.ID, "")
	return o, nil
}

// holdsLogin reports whether the account signs in with the invited login.
func (s *Service) holdsLogin(ctx context.Context, userID string, inv *invitation) (bool, error) {
	login, err := s.vault.Open(inviteField, inv.LoginSealed)
	if err != nil {
		return false, core.Wrap(err, "open invitation")
	}
	u, err := s.accounts.Get(ctx, userID)
	if err != nil {
		return false, err
	}
	if !inv.Phone {
		return u.Email != "" && u.Email == login, nil
	}
	if u.PhoneSealed == "" {
		return false, nil
	}
	phone, err := s.vault.Open("phone", u.PhoneSealed) // the accounts' field of a login phone
	return err == nil && phone == login, nil
}

// join takes an account into the organisation of an invitation: its
// membership key first (the account joins one organisation at most), then
// the organisation's list, which the invitation leaves; a failure leaves
// neither.
func (s *Service) join(ctx context.Context, inv *invitation, userID, name string) (*Org, error) {
	if err := s.store.ClaimKey(ctx, memberKey(userID), inv.Org, "error.org.already_member"); err != nil {
		return nil, err
	}
	var o *Org
	err := retry(func() error {
		var err error
		if o, err = s.read(ctx, inv.Org); err != nil {
			return err
		}
		i := slices.IndexFunc(o.Invites, func(x Invite) bool { return x.ID == inv.ID })
		switch {
		case i < 0:
			return gone()
		case len(o.Users) >= MaxUsers:
			return core.Errorf(core.Conflict, "error.org.full")
		case slices.ContainsFunc(o.Users, func(u User) bool { return u.ID == userID }):
			return nil
		}
		users := append(slices.Clone(o.Users), User{ID: userID, Part: Member, Since: s.clock.Now()})
		return s.write(ctx, o, bson.D{{Key: "users", Value: users}, {Key: "invites", Value: slices.Delete(slices.Clone(o.Invites), i, i+1)}})
	})
	if err != nil {
		_ = s.store.ReleaseKey(context.WithoutCancel(ctx), memberKey(userID), inv.Org)
		return nil, err
	}
	s.dropInvitations(ctx, Invite{ID: inv.ID})
	if o, err = s.read(ctx, inv.Org); err != nil {
		return nil, err
	}
	s.notify.Send(ctx, o.ManagerID(), "notify.org.joined", name, "/org")
	return o, nil
}

// RemoveUser takes a user out of the caller's organisation (its manager
// only; the manager stays): their account stays theirs, and belongs to no
// organisation from then on.
func (s *Service) RemoveUser(ctx context.Context, actor accounts.Principal, userID string, m accounts.Meta) error {
	o, err := s.managed(ctx, actor, "org.user_remove", userID, m)
	if err != nil {
		return err
	}
	if err := s.leave(ctx, o, userID); err != nil {
		return err
	}
	s.notify.Send(ctx, userID, "notify.org.removed", o.Name, "/org")
	s.audit.Record(ctx, actor.Actor(m), "org.user_remove", audit.Success, o.ID, userID)
	return nil
}

// Leave takes the caller out of their organisation (anyone but its
// manager, who stays while it exists).
func (s *Service) Leave(ctx context.Context, actor accounts.Principal, m accounts.Meta) error {
	o, _, err := s.Mine(ctx, actor)
	if err != nil {
		return err
	}
	if err := s.leave(ctx, o, actor.ID); err != nil {
		return err
	}
	s.notify.Send(ctx, o.ManagerID(), "notify.org.left", actor.Name, "/org")
	s.audit.Record(ctx, actor.Actor(m), "org.user_leave", audit.Success, o.ID, "")
	return nil
}

// leave takes a user who is not the manager off the organisation's list,
// then gives their membership key back.
func (s *Service) leave(ctx context.Context, o *Org, userID string) error {
	err := retry(func() error {
		var err error
		if o, err = s.read(ctx, o.ID); err != nil {
			return err
		}
		i := slices.IndexFunc(o.Users, func(u User) bool { return u.ID == userID })
		switch {
		case i < 0 || userID == "":
			return core.Errorf(core.NotFound, "error.not_found")
		case o.Users[i].Part == Manager:
			return core.Errorf(core.Conflict, "error.org.manager_stays")
		}
		return s.write(ctx, o, bson.D{{Key: "users", Value: slices.Delete(slices.Clone(o.Users), i, i+1)}})
	})
	if err != nil {
		return err
	}
	return s.store.ReleaseKey(ctx, memberKey(userID), o.ID)
}
