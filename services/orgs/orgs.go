// Package orgs owns organisation accounts (單位帳號): the employers, the
// labour agencies and training institutions that place farmers, and the
// economic entities founded by land-expropriated farmers
// (被征地農民創辦的經濟實體) that claim the hiring rewards of the seed's
// policy. An organisation registers with its unified social credit code
// (code.go; unique, a key of the key collection) and its first user, who
// becomes its manager (register.go); staff verify or reject it (review.go);
// the manager invites and removes its users, and an account belongs to one
// organisation at most, a key too (members.go). Who may do what is decided
// in perm.go alone.
package orgs

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/notify"
	"onestop/services/outbox"
	"onestop/services/pii"
	"onestop/services/reference"
	"onestop/services/store"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Kind is what an organisation is, as the seed's rewards tell them apart.
type Kind string

// The kinds.
const (
	// Employer is a company or institution hiring farmers (用人單位): 200
	// yuan a farmer after two years.
	Employer Kind = "employer"
	// LabourAgency is a labour agency or training institution placing
	// farmers with employers (勞務中介、培訓機構): 100 yuan a farmer.
	LabourAgency Kind = "labour_agency"
	// FarmerEntity is an economic entity founded by land-expropriated
	// farmers (被征地農民創辦的經濟實體): 300 yuan a farmer it employs.
	FarmerEntity Kind = "farmer_entity"
)

// Kinds lists the kinds in display order.
var Kinds = []Kind{Employer, LabourAgency, FarmerEntity}

// Status is where an organisation's verification stands.
type Status string

// The statuses: registered and waiting for staff, verified, or rejected
// with a reason (its manager corrects the details and it waits again).
const (
	Pending  Status = "pending"
	Verified Status = "verified"
	Rejected Status = "rejected"
)

// Statuses lists the statuses in display order.
var Statuses = []Status{Pending, Verified, Rejected}

// The parts a user takes in an organisation: its manager (the user who
// registered it) and the colleagues the manager added.
const (
	Manager = "manager"
	Member  = "member"
)

// Bounds of an organisation's users and open invitations: one document
// holds them all.
const (
	MaxUsers   = 50
	MaxInvites = 20
	// InviteTTL is how long an invitation's link stays good.
	InviteTTL = 7 * 24 * time.Hour
)

// Org is an organisation account.
type Org struct {
	ID         string `bson:"_id"`
	Name       string `bson:"name"`
	CreditCode string `bson:"credit_code"`
	Kind       Kind   `bson:"kind"`
	District   string `bson:"district"`
	Address    string `bson:"address"`
	// The contact the organisation gives the bureau to call about it.
	ContactName  string `bson:"contact_name"`
	ContactPhone string `bson:"contact_phone"`
	Status       Status `bson:"status"`
	// Reason is why staff rejected it, until it is sent again.
	Reason     string    `bson:"reason,omitempty"`
	ReviewedBy string    `bson:"reviewed_by,omitempty"`
	ReviewedAt time.Time `bson:"reviewed_at,omitzero"`
	Users      []User    `bson:"users"`
	Invites    []Invite  `bson:"invites"`
	// Version moves with every write: each is guarded on the one read.
	Version   int       `bson:"version"`
	CreatedAt time.Time `bson:"created_at"`
	UpdatedAt time.Time `bson:"updated_at"`
}

// User is an account's place in an organisation: its id (the name is the
// account's, read when shown, so an erased account shows its pseudonym).
type User struct {
	ID    string    `bson:"id"`
	Part  string    `bson:"part"` // Manager or Member
	Since time.Time `bson:"since"`
}

// Invite is an open invitation as its organisation lists it; the
// invitation itself, with the login sealed, is in its own collection
// under the same id.
type Invite struct {
	ID          string `bson:"id"`
	LoginMasked string `bson:"login_masked"`
	// LoginKey is a keyed hash of the login: a second invitation of the
	// same login replaces the first.
	LoginKey string    `bson:"login_key"`
	Name     string    `bson:"name"`
	By       string    `bson:"by"`
	At       time.Time `bson:"at"`
	Expires  time.Time `bson:"expires"`
}

// Verified reports whether staff verified the organisation: only then may
// it claim anything (the hiring rewards).
func (o *Org) Verified() bool { return o.Status == Verified }

// UserOf returns the account's place in the organisation.
func (o *Org) UserOf(id string) (User, bool) {
	i := slices.IndexFunc(o.Users, func(u User) bool { return u.ID == id })
	if i < 0 || id == "" {
		return User{}, false
	}
	return o.Users[i], true
}

// ManagerID is the account that manages the organisation.
func (o *Org) ManagerID() string {
	for _, u := range o.Users {
		if u.Part == Manager {
			return u.ID
		}
	}
	return ""
}

// LiveInvites are the invitations not yet expired at now.
func (o *Org) LiveInvites(now time.Time) []Invite {
	out := []Invite{}
	for _, in := range o.Invites {
		if now.Before(in.Expires) {
			out = append(out, in)
		}
	}
	return out
}

// Collection holds the organisations; Registrations an organisation's
// registration (or a colleague's joining) while its user's code is
// awaited; Invitations the open invitations.
var (
	Collection    = store.Collection{Name: "orgs"}
	Registrations = store.Collection{Name: "org_registrations"}
	Invitations   = store.Collection{Name: "org_invitations"}
	Collections   = []store.Collection{Collection, Registrations, Invitations}
)

// Index lists organisations for staff: what a row shows, and the credit
// code to find one by.
var Index = search.Index{
	Name:     "orgs",
	Text:     []string{"name"},
	Keywords: []string{"code", "kind", "status", "district"},
	Numbers:  []string{"users"},
	Times:    []string{"created_at"},
}

func toDoc(o *Org) *search.Doc {
	return &search.Doc{ID: o.ID, Fields: map[string]any{"name": o.Name, "code": o.CreditCode, "kind": string(o.Kind),
		"status": string(o.Status), "district": o.District, "users": float64(len(o.Users)), "created_at": o.CreatedAt}}
}

// Deps wires the service.
type Deps struct {
	Store  *store.Store
	Outbox *outbox.Outbox
	Audit  *audit.Log
	// Notify tells an organisation's users of its review and of changes to
	// its users, and takes invitations to their addresses.
	Notify *notify.Service
	// Accounts opens the users' accounts (its registration flow) and names
	// them.
	Accounts *accounts.Service
	// Vault seals an invitation's login until it is accepted.
	Vault     *pii.Vault
	Clock     core.Clock
	Reference *reference.Lists
	Log       *slog.Logger `deps:"optional"`
}

// Service manages organisations.
type Service struct {
	store     *store.Store
	outbox    *outbox.Outbox
	audit     *audit.Log
	notify    *notify.Service
	accounts  *accounts.Service
	vault     *pii.Vault
	clock     core.Clock
	reference *reference.Lists
	log       *slog.Logger
}

// New returns the service and registers its search index.
func New(d Deps) (*Service, error) {
	if err := core.CheckDeps("orgs", d); err != nil {
		return nil, err
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	d.Outbox.Register(outbox.SourceFor(d.Store, Collection.Name, Index, toDoc))
	return &Service{store: d.Store, outbox: d.Outbox, audit: d.Audit, notify: d.Notify, accounts: d.Accounts, vault: d.Vault,
		clock: d.Clock, reference: d.Reference, log: d.Log}, nil
}

// WithClock returns the service on another clock (the demo loader, which
// opens its organisations months before the claims they file).
func (s *Service) WithClock(c core.Clock) *Service {
	cp := *s
	cp.clock = c
	return &cp
}

// codeKey is the key-collection key of a credit code; memberKey the one
// that makes an account belong to one organisation at most.
func codeKey(code string) string   { return "uscc:" + code }
func memberKey(user string) string { return "orgmember:" + user }

// read reads an organisation by id.
func (s *Service) read(ctx context.Context, id string) (*Org, error) {
	if !core.ValidID(id) {
		return nil, core.Errorf(core.NotFound, "error.not_found")
	}
	var o Org
	if err := s.store.Get(ctx, Collection.Name, id, &o); err != nil {
		return nil, err
	}
	return &o, nil
}

// Of returns the organisation an account belongs to and its place there,
// or NotFound (error.org.none) when it belongs to none. The claims of the
// hiring rewards start here: a claim is an organisation's, made by one of
// its users, and only a Verified one's.
func (s *Service) Of(ctx context.Context, userID string) (*Org, User, error) {
	none := core.Errorf(core.NotFound, "error.org.none")
	if userID == "" {
		return nil, User{}, none
	}
	id, err := s.store.KeyOwner(ctx, memberKey(userID))
	if core.IsCode(err, core.NotFound) {
		return nil, User{}, none
	}
	if err != nil {
		return nil, User{}, err
	}
	o, err := s.read(ctx, id)
	if core.IsCode(err, core.NotFound) {
		return nil, User{}, none
	}
	if err != nil {
		return nil, User{}, err
	}
	// The organisation's list is the truth; a key it does not back (a
	// removal cut short before its key was released) counts for nothing.
	u, ok := o.UserOf(userID)
	if !ok {
		return nil, User{}, none
	}
	return o, u, nil
}

// Mine is the caller's organisation, for its own users.
func (s *Service) Mine(ctx context.Context, actor accounts.Principal) (*Org, User, error) {
	if !isOrgUser(actor) {
		return nil, User{}, core.Errorf(core.Forbidden, "error.forbidden")
	}
	return s.Of(ctx, actor.ID)
}

// Get reads an organisation for staff who verify, or for its own users;
// to anyone else it does not exist.
func (s *Service) Get(ctx context.Context, actor accounts.Principal, id string) (*Org, error) {
	o, err := s.read(ctx, id)
	if err != nil {
		return nil, err
	}
	if !canSee(actor, o) {
		return nil, core.Errorf(core.NotFound, "error.not_found")
	}
	return o, nil
}

// Person is one of an organisation's users as its pages show them.
type Person struct {
	ID, Name, Login, Part string
	Since                 time.Time
	Disabled              bool
}

// People names an organisation's users, the manager first.
func (s *Service) People(ctx context.Context, o *Org) ([]Person, error) {
	out := make([]Person, 0, len(o.Users))
	for _, u := range o.Users {
		p := Person{ID: u.ID, Part: u.Part, Since: u.Since, Name: accounts.Pseudonym(u.ID)}
		acc, err := s.accounts.Get(ctx, u.ID)
		switch {
		case err == nil:
			p.Name, p.Login, p.Disabled = acc.Name, acc.MaskedLogin(), acc.Disabled
		case !core.IsCode(err, core.NotFound):
			return nil, err
		}
		out = append(out, p)
	}
	slices.SortStableFunc(out, func(a, b Person) int {
		if (a.Part == Manager) != (b.Part == Manager) {
			if a.Part == Manager {
				return -1
			}
			return 1
		}
		return a.Since.Compare(b.Since)
	})
	return out, nil
}

// ListQuery filters the staff's list.
type ListQuery struct {
	// Text is a name, or words of one, or a whole credit code.
	Text   string
	Status Status
	Kind   Kind
	Page   core.Page
}

// Row is one line of the staff's list, straight from the search index.
type Row struct {
	ID, Name, Code, Kind, Status, District string
	Users                                  int
	CreatedAt                              time.Time
}

// List pages through organisations for staff who verify them, newest
// first; a query that is a whole credit code finds that organisation.
func (s *Service) List(ctx context.Context, actor accounts.Principal, q ListQuery) ([]Row, int, core.Page, error) {
	p := q.Page.Normalize()
	if !canVerify(actor.Role) {
		return nil, 0, p, core.Errorf(core.Forbidden, "error.forbidden")
	}
	sq := search.Query{Offset: p.Offset(), Limit: p.Size, Sort: []search.Sort{{Field: "created_at", Desc: true}}}
	if code := NormalizeCode(q.Text); len(code) == CodeLength && isASCII(code) {
		// A credit code, even one mistyped in its check character, is
		// looked up whole: the engine's words would split it.
		sq.Filters = append(sq.Filters, search.Filter{Field: "code", Values: []string{code}})
	} else {
		sq.Text = q.Text
		if q.Text != "" {
			sq.Sort = nil // by relevance
		}
	}
	if slices.Contains(Statuses, q.Status) {
		sq.Filters = append(sq.Filters, search.Filter{Field: "status", Values: []string{string(q.Status)}})
	}
	if slices.Contains(Kinds, q.Kind) {
		sq.Filters = append(sq.Filters, search.Filter{Field: "kind", Values: []string{string(q.Kind)}})
	}
	r, err := s.outbox.Engine().Search(ctx, Index.Name, sq)
	if err != nil {
		return nil, 0, p, &core.Error{Code: core.Unavailable, Message: "error.search_unavailable", Cause: err}
	}
	rows := make([]Row, 0, len(r.Hits))
	for _, h := range r.Hits {
		rows = append(rows, Row{ID: h.ID, Name: h.String("name"), Code: h.String("code"), Kind: h.String("kind"), Status: h.String("status"),
			District: h.String("district"), Users: int(h.Number("users")), CreatedAt: h.Time("created_at")})
	}
	return rows, r.Total, p, nil
}

// Purge deletes the registrations whose code was never confirmed and the
// invitations nobody took up, once expired; the portal runs it now and
// then (the embedded store has no TTL indexes). An organisation's list of
// invitations drops an expired entry at its next invitation.
func (s *Service) Purge(ctx context.Context) error {
	expired := bson.D{{Key: "expires", Value: bson.D{{Key: "$lt", Value: s.clock.Now()}}}}
	if _, err := s.store.C(Registrations.Name).DeleteMany(ctx, expired); err != nil {
		return core.Wrap(err, "purge organisation registrations")
	}
	_, err := s.store.C(Invitations.Name).DeleteMany(ctx, expired)
	return core.Wrap(err, "purge invitations")
}
