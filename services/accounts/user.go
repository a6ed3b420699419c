// Package accounts owns people's accounts: registration (proved by a code
// sent to the login), roles, passwords, sign-in with short-lived access
// tokens and rotating refresh tokens, revocation, and throttling of
// password and code guessing.
package accounts

import (
	"context"
	"slices"
	"time"

	"onestop/search"
	"onestop/services/core"
	"onestop/services/outbox"
	"onestop/services/pii"
	"onestop/services/store"
)

// Role is what an account may do (mission.md, "Who uses it").
type Role string

// The roles.
const (
	Entrepreneur     Role = "entrepreneur"      // 創業者
	Mentor           Role = "mentor"            // 創業導師
	Hotline          Role = "hotline"           // 熱線坐席
	CaseOfficer      Role = "case_officer"      // 勞動保障經辦人員
	IncubatorManager Role = "incubator_manager" // 孵化基地管理員
	Provider         Role = "training_provider" // 培訓機構
	BankOfficer      Role = "bank_officer"      // 合作銀行經辦
	// Organisation is a user of an organisation's account (單位用戶): an
	// employer's, a labour agency's or a farmer-founded entity's
	// (services/orgs keeps which, and who manages it).
	Organisation Role = "organisation"
	Admin        Role = "admin" // 管理員
)

// Roles lists every role, in display order.
var Roles = []Role{Entrepreneur, Mentor, Hotline, CaseOfficer, IncubatorManager, Provider, BankOfficer, Organisation, Admin}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Staff reports whether r works the bureau's front desk: the hotline and
// the administrators. It gates the desk's records and queues — calls,
// complaints and who may be assigned one, follow-up cases, one-stop
// requests, consultations logged for a caller, the loan queue, training
// claims, a person's timeline — so it deliberately leaves case officers
// out: their work is checking facts (and deciding applications), and
// adding them here would open every one of those areas, and make them
// assignable to complaints and requests, without anyone deciding so. Where
// case officers need a desk's read (a person's profile) the area asks
// Bureau instead.
func (r Role) Staff() bool { return r == Hotline || r == Admin }

// Verifier reports whether r may verify a person's facts (核驗) and decide
// applications: case officers and administrators, never the hotline.
func (r Role) Verifier() bool { return r == CaseOfficer || r == Admin }

// Bureau reports whether r is any of the bureau's own staff (the desk and
// the case officers): who may read people's profiles.
func (r Role) Bureau() bool { return r.Staff() || r == CaseOfficer }

// User is an account. The phone number is sensitive: it is stored sealed,
// with a blind index for look-up and a masked form for display.
type User struct {
	ID           string `bson:"_id"`
	Name         string `bson:"name"`
	Email        string `bson:"email,omitempty"`
	PhoneSealed  string `bson:"phone_sealed,omitempty"`
	PhoneMasked  string `bson:"phone_masked,omitempty"`
	Role         Role   `bson:"role"`
	PasswordHash string `bson:"password_hash"`
	Disabled     bool   `bson:"disabled"`
	TokenVersion int64  `bson:"token_version"`
	// DeviceVersion moves on a password change, a disable and a deletion,
	// forgetting the account's device tokens and known addresses (device.go).
	DeviceVersion int64     `bson:"device_version"`
	Locale        string    `bson:"locale,omitempty"`
	CreatedAt     time.Time `bson:"created_at"`
	UpdatedAt     time.Time `bson:"updated_at"`
	LastLoginAt   time.Time `bson:"last_login_at,omitempty"`
}

// Login is what the user types to sign in, masked for display.
func (u *User) MaskedLogin() string {
	if u.Email != "" {
		return pii.MaskEmail(u.Email)
	}
	return u.PhoneMasked
}

// Status is "active" or "disabled".
func (u *User) Status() string {
	if u.Disabled {
		return "disabled"
	}
	return "active"
}

// Collections are the collections this package owns.
var Collections = []store.Collection{
	{Name: "users"},
	{Name: "sessions"},
	{Name: "throttle"},
	Registrations,
	PasswordResets,
}

// Index lists accounts for administrators: names and masked logins only,
// never a phone number in clear.
var Index = search.Index{
	Name:     "users",
	Text:     []string{"name", "login"},
	Keywords: []string{"role", "status"},
	Times:    []string{"created_at"},
}

func toDoc(u *User) *search.Doc {
	return &search.Doc{ID: u.ID, Fields: map[string]any{
		"name": u.Name, "login": u.MaskedLogin(), "role": string(u.Role), "status": u.Status(), "created_at": u.CreatedAt,
	}}
}

// Get reads an account.
func (s *Service) Get(ctx context.Context, id string) (*User, error) {
	if !core.ValidID(id) {
		return nil, core.Errorf(core.NotFound, "error.not_found")
	}
	var u User
	if err := s.store.Get(ctx, "users", id, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// Active lists the active accounts with one of roles (at most 500), for
// choosing an assignee and telling the administrators.
func (s *Service) Active(ctx context.Context, roles ...Role) ([]Row, error) {
	var vals []string
	for _, r := range roles {
		vals = append(vals, string(r))
	}
	var out []Row
	for page := 0; page < 5; page++ {
		r, err := s.outbox.Engine().Search(ctx, Index.Name, search.Query{Filters: []search.Filter{{Field: "role", Values: vals},
			{Field: "status", Values: []string{"active"}}}, Sort: []search.Sort{{Field: "created_at"}}, Offset: page * search.MaxLimit, Limit: search.MaxLimit})
		if err != nil {
			return nil, &core.Error{Code: core.Unavailable, Message: "error.search_unavailable", Cause: err}
		}
		for _, h := range r.Hits {
			out = append(out, Row{ID: h.ID, Name: h.String("name"), Role: h.String("role"), Status: h.String("status")})
		}
		if len(r.Hits) < search.MaxLimit {
			break
		}
	}
	return out, nil
}

// ListQuery filters the account list.
type ListQuery struct {
	Text   string
	Role   Role
	Status string
	Page   core.Page
}

// Row is one line of the account list, straight from the search index.
type Row struct {
	ID, Name, Login, Role, Status string
	CreatedAt                     time.Time
}

// List pages through accounts (admins only).
func (s *Service) List(ctx context.Context, actor Principal, q ListQuery) ([]Row, int, core.Page, error) {
	p := q.Page.Normalize()
	if actor.Role != Admin {
		return nil, 0, p, core.Errorf(core.Forbidden, "error.forbidden")
	}
	sq := search.Query{Text: q.Text, Offset: p.Offset(), Limit: p.Size}
	if q.Role.Valid() {
		sq.Filters = append(sq.Filters, search.Filter{Field: "role", Values: []string{string(q.Role)}})
	}
	if q.Status == "active" || q.Status == "disabled" {
		sq.Filters = append(sq.Filters, search.Filter{Field: "status", Values: []string{q.Status}})
	}
	r, err := s.outbox.Engine().Search(ctx, Index.Name, sq)
	if err != nil {
		return nil, 0, p, &core.Error{Code: core.Unavailable, Message: "error.search_unavailable", Cause: err}
	}
	rows := make([]Row, 0, len(r.Hits))
	for _, h := range r.Hits {
		rows = append(rows, Row{ID: h.ID, Name: h.String("name"), Login: h.String("login"), Role: h.String("role"), Status: h.String("status"), CreatedAt: h.Time("created_at")})
	}
	return rows, r.Total, p, nil
}

func outboxSource(s *Service) outbox.Source {
	return outbox.SourceFor(s.store, "users", Index, toDoc)
}
