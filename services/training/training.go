// Package training owns start-up training (創業培訓, source (八)(九)): the
// bureau's list of subsidised training providers, their courses and
// sessions, enrolment by real name, attendance, completion under the
// course's attendance rule with a certificate anyone can verify by its
// code, the profile updated so eligibility follows, and the providers'
// subsidy claims generated from attendance and reviewed by the bureau.
package training

import (
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/figures"
	"onestop/services/outbox"
	"onestop/services/people"
	"onestop/services/policy"
	"onestop/services/reference"
	"onestop/services/store"
)

// Kinds of course: the first two are start-up training proper (one
// subsidised course per person, source (九)).
var (
	Kinds        = []string{"awareness", "planning", "management", "skills"}
	StartupKinds = []string{"awareness", "planning"}
)

// Collections of the package.
var Collections = []store.Collection{{Name: "providers"}, {Name: "courses"}, {Name: "enrolments"}, {Name: "claims"}}

// CourseIndex is the public catalogue.
var CourseIndex = search.Index{
	Name:       "courses",
	ReadMostly: true,
	Text:       []string{"title", "provider_name", "description"},
	Keywords:   []string{"kind", "status", "provider_id", "target_groups", "district", "online"},
	Numbers:    []string{"fee", "subsidy", "seats_left", "open_ends_ms"}, // the last: the last session's end while not closed, for OpenOverdue
	Times:      []string{"starts_at"},
}

// Service runs training.
type Service struct {
	store    *store.Store
	outbox   *outbox.Outbox
	audit    *audit.Log
	people   *people.Service
	policies *policy.Catalogue // the subsidy standards
	accounts *accounts.Service
	figures  *figures.Service
	clock    core.Clock
	// reference: the districts courses are held in.
	reference *reference.Lists
	// vouchers are the training vouchers a claim redeems (UseVouchers).
	vouchers Vouchers
}

// Deps wires the service.
type Deps struct {
	Store  *store.Store
	Outbox *outbox.Outbox
	Audit  *audit.Log
	// People reads an enrolled person's facts and records completed
	// training on their profile.
	People *people.Service
	// Policies holds the subsidy standards.
	Policies *policy.Catalogue
	// Accounts checks that a listed provider is a provider's account.
	Accounts *accounts.Service
	// Figures counts enrolments and their results (figures.go).
	Figures *figures.Service
	Clock   core.Clock
	// Reference holds the districts courses are held in.
	Reference *reference.Lists
}

// New returns the service and registers its index.
func New(d Deps) (*Service, error) {
	if err := core.CheckDeps("training", d); err != nil {
		return nil, err
	}
	d.Outbox.Register(outbox.SourceFor(d.Store, "courses", CourseIndex, courseDoc))
	d.Outbox.Register(outbox.SourceFor(d.Store, "enrolments", EnrolmentIndex, enrolmentDoc))
	return &Service{store: d.Store, outbox: d.Outbox, audit: d.Audit, people: d.People, policies: d.Policies, accounts: d.Accounts,
		figures: d.Figures, clock: d.Clock, reference: d.Reference}, nil
}

// Provider is a training institution: an account of the provider role, on
// the bureau's published list of subsidised providers while Listed.
type Provider struct {
	ID        string    `bson:"_id" json:"id"`
	Name      string    `bson:"name" json:"name"`
	Listed    bool      `bson:"listed" json:"listed"`
	CreatedAt time.Time `bson:"created_at" json:"created_at"`
}

// SetListed puts a provider account on the published list, or takes it off
// (administrators). A provider off the list cannot open courses.
func (s *Service) SetListed(ctx context.Context, actor accounts.Principal, id string, listed bool, m accounts.Meta) (*Provider, error) {
	if actor.Role != accounts.Admin {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	u, err := s.accounts.Get(ctx, id)
	if err != nil || u.Role != accounts.Provider {
		return nil, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"provider_id": "error.training.provider"}}
	}
	var p Provider
	err = s.store.Get(ctx, "providers", id, &p)
	switch {
	case core.IsCode(err, core.NotFound):
		p = Provider{ID: id, Name: u.Name, Listed: listed, CreatedAt: s.clock.Now()}
		if _, err := s.store.C("providers").InsertOne(ctx, &p); err != nil {
			return nil, core.Wrap(err, "insert provider")
		}
	case err != nil:
		return nil, err
	default:
		if err := s.store.UpdateIf(ctx, "providers", id, nil, bson.D{{Key: "$set", Value: bson.D{{Key: "listed", Value: listed}, {Key: "name", Value: u.Name}}}}); err != nil {
			return nil, err
		}
		p.Listed, p.Name = listed, u.Name
	}
	s.audit.Record(ctx, actor.Actor(m), "provider.listed", audit.Success, id, map[bool]string{true: "listed", false: "delisted"}[listed])
	return &p, nil
}

// Providers lists every provider record (a small collection, read whole).
// ProviderName names a provider on the published list (complaints about
// one name it from here).
func (s *Service) ProviderName(ctx context.Context, id string) (string, bool) {
	var p Provider
	if err := s.store.Get(ctx, "providers", id, &p); err != nil || !p.Listed {
		return "", false
	}
	return p.Name, true
}

func (s *Service) Providers(ctx context.Context) ([]*Provider, error) {
	var out []*Provider
	err := store.Each(ctx, s.store, "providers", func(p *Provider) error { out = append(out, p); return nil })
	slices.SortFunc(out, func(a, b *Provider) int { return strings.Compare(a.Name, b.Name) })
	return out, err
}

func (s *Service) listedProvider(ctx context.Context, id string) (*Provider, error) {
	var p Provider
	if err := s.store.Get(ctx, "providers", id, &p); err != nil || !p.Listed {
		return nil, core.Errorf(core.Forbidden, "error.training.not_listed")
	}
	return &p, nil
}

// Session is one meeting of a course.
type Session struct {
	ID       string    `bson:"id" json:"id"`
	StartsAt time.Time `bson:"starts_at" json:"starts_at"`
	Hours    float64   `bson:"hours" json:"hours"`
}

// Course statuses.
const (
	Open      = "open"      // taking enrolments
	Running   = "running"   // enrolment closed, sessions under way
	Completed = "completed" // the provider closed it: completions decided
)

// Course is a training course of a listed provider.
type Course struct {
	ID            string    `bson:"_id" json:"id"`
	ProviderID    string    `bson:"provider_id" json:"provider_id"`
	ProviderName  string    `bson:"provider_name" json:"provider_name"`
	Title         string    `bson:"title" json:"title"`
	Kind          string    `bson:"kind" json:"kind"`
	Description   string    `bson:"description" json:"description"`
	Sessions      []Session `bson:"sessions" json:"sessions"`
	Place         string    `bson:"place,omitempty" json:"place,omitempty"`
	District      string    `bson:"district,omitempty" json:"district,omitempty"`
	Online        bool      `bson:"online" json:"online"`
	Seats         int       `bson:"seats" json:"seats"`
	Enrolled      int       `bson:"enrolled" json:"enrolled"` // guarded counter
	TargetGroups  []string  `bson:"target_groups" json:"target_groups"`
	FeeYuan       int64     `bson:"fee_yuan" json:"fee_yuan"`
	SubsidyYuan   int64     `bson:"subsidy_yuan" json:"subsidy_yuan"`
	Certificate   string    `bson:"certificate,omitempty" json:"certificate,omitempty"`
	SkillCert     bool      `bson:"skill_certificate" json:"skill_certificate"`
	MinAttendance int       `bson:"min_attendance" json:"min_attendance"` // percent of sessions
	Status        string    `bson:"status" json:"status"`
	CreatedAt     time.Time `bson:"created_at" json:"created_at"`
	Version       int       `bson:"version" json:"-"`
}

// StartsAt is the first session's start.
func (c *Course) StartsAt() time.Time {
	if len(c.Sessions) == 0 {
		return time.Time{}
	}
	return c.Sessions[0].StartsAt
}

// EndsAt is the last session's end: the day its enrolments are due to be
// decided (passed or not).
func (c *Course) EndsAt() time.Time {
	if len(c.Sessions) == 0 {
		return time.Time{}
	}
	last := c.Sessions[len(c.Sessions)-1]
	return last.StartsAt.Add(time.Duration(last.Hours * float64(time.Hour)))
}

func courseDoc(c *Course) *search.Doc {
	online := "no"
	if c.Online {
		online = "yes"
	}
	ends := int64(0)
	if c.Status != Completed && len(c.Sessions) > 0 {
		ends = c.EndsAt().UnixMilli()
	}
	return &search.Doc{ID: c.ID, Fields: map[string]any{"open_ends_ms": ends, "title": c.Title, "provider_name": c.ProviderName, "description": c.Description,
		"kind": c.Kind, "status": c.Status, "provider_id": c.ProviderID, "target_groups": c.TargetGroups, "district": c.District,
		"online": online, "fee": c.FeeYuan, "subsidy": c.SubsidyYuan, "seats_left": c.Seats - c.Enrolled, "starts_at": c.StartsAt()}}
}

// NewCourse is the course form.
type NewCourse struct {
	Title         string    `json:"title"`
	Kind          string    `json:"kind"`
	Description   string    `json:"description"`
	Sessions      []Session `json:"sessions"`
	Place         string    `json:"place,omitempty"`
	District      string    `json:"district,omitempty"`
	Online        bool      `json:"online"`
	Seats         int       `json:"seats"`
	TargetGroups  []string  `json:"target_groups,omitempty"`
	FeeYuan       int64     `json:"fee_yuan"`
	SubsidyYuan   int64     `json:"subsidy_yuan"`
	Certificate   string    `json:"certificate,omitempty"`
	SkillCert     bool      `json:"skill_certificate"`
	MinAttendance int       `json:"min_attendance"`
}

// CreateCourse opens a course of the calling provider, who must be on the
// published list. Sessions are 1 to 60, in the future, 0.5 to 12 hours.
func (s *Service) CreateCourse(ctx context.Context, actor accounts.Principal, in NewCourse, m accounts.Meta) (*Course, error) {
	if actor.Role != accounts.Provider {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	prov, err := s.listedProvider(ctx, actor.ID)
	if err != nil {
		return nil, err
	}
	var v core.Validation
	now := s.clock.Now()
	c := &Course{ID: core.NewID(), ProviderID: prov.ID, ProviderName: prov.Name, Kind: in.Kind, Online: in.Online, Seats: in.Seats,
		FeeYuan: in.FeeYuan, SubsidyYuan: in.SubsidyYuan, SkillCert: in.SkillCert, MinAttendance: in.MinAttendance, Status: Open, CreatedAt: now}
	c.Title = v.Line("title", in.Title, 2, 100)
	c.Description = v.Text("description", in.Description, 0, 4000)
	c.Place = v.Line("place", in.Place, 0, 200)
	c.Certificate = v.Line("certificate", in.Certificate, 0, 100)
	v.Check(slices.Contains(Kinds, in.Kind), "kind", "error.enum")
	s.reference.Current(reference.District).Check(&v, "district", &in.District)
	c.District = in.District
	v.Check(in.Online || c.Place != "", "place", "error.required")
	c.TargetGroups = v.Subset("target_groups", in.TargetGroups, policy.TargetGroups)
	v.Check(in.Seats >= 1 && in.Seats <= 500, "seats", "error.number.range")
	v.Check(in.FeeYuan >= 0 && in.FeeYuan <= 100_000, "fee_yuan", "error.number.range")
	if err := s.checkSubsidy(ctx, &v, in); err != nil {
		return nil, err
	}
	if c.MinAttendance == 0 {
		c.MinAttendance = 80
	}
	v.Check(c.MinAttendance >= 1 && c.MinAttendance <= 100, "min_attendance", "error.number.range")
	v.Check(!in.SkillCert || c.Certificate != "", "certificate", "error.required")
	v.Check(len(in.Sessions) >= 1 && len(in.Sessions) <= 60, "sessions", "error.training.sessions")
	for i, ss := range in.Sessions {
		if ss.StartsAt.Before(now) || ss.StartsAt.After(now.AddDate(2, 0, 0)) || !(ss.Hours >= 0.5 && ss.Hours <= 12) { // NaN fails both bounds
			v.Add("sessions", "error.training.sessions")
			break
		}
		c.Sessions = append(c.Sessions, Session{ID: sessionID(i), StartsAt: ss.StartsAt.UTC().Truncate(time.Minute), Hours: ss.Hours})
	}
	slices.SortFunc(c.Sessions, func(a, b Session) int { return a.StartsAt.Compare(b.StartsAt) })
	for i := range c.Sessions {
		c.Sessions[i].ID = sessionID(i)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if c.TargetGroups == nil {
		c.TargetGroups = []string{}
	}
	if err := s.outbox.Begin(ctx, CourseIndex.Name, c.ID); err != nil {
		return nil, err
	}
	if _, err := s.store.C("courses").InsertOne(ctx, c); err != nil {
		return nil, core.Wrap(err, "insert course")
	}
	s.outbox.Apply(ctx, CourseIndex.Name, c.ID)
	s.audit.Record(ctx, actor.Actor(m), "course.create", audit.Success, c.ID, c.Kind)
	return c, nil
}

func sessionID(i int) string { return fmt.Sprintf("s%d", i+1) }

// Course reads a course (public).
func (s *Service) Course(ctx context.Context, id string) (*Course, error) {
	if !core.ValidID(id) {
		return nil, core.Errorf(core.NotFound, "error.not_found")
	}
	var c Course
	if err := s.store.Get(ctx, "courses", id, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// ownCourse reads a course of the calling provider.
func (s *Service) ownCourse(ctx context.Context, actor accounts.Principal, id string) (*Course, error) {
	c, err := s.Course(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.ProviderID != actor.ID {
		return nil, core.Errorf(core.NotFound, "error.not_found")
	}
	return c, nil
}

// CatalogueQuery picks courses.
type CatalogueQuery struct {
	Text, Kind, District, TargetGroup, Provider string
	All                                         bool // include closed courses
	Page                                        core.Page
}

// Catalogue searches the courses: open ones, soonest first (with text,
// by relevance).
func (s *Service) Catalogue(ctx context.Context, q CatalogueQuery) (*search.Result, core.Page, error) {
	p := q.Page.Normalize()
	if utf8.RuneCountInString(q.Text) > 100 {
		return nil, p, &core.Error{Code: core.Invalid, Message: "error.query.long", Fields: map[string]string{"q": "error.query.long"}}
	}
	sq := search.Query{Text: q.Text, Offset: p.Offset(), Limit: p.Size}
	if q.Text == "" {
		sq.Sort = []search.Sort{{Field: "starts_at"}}
	}
	if !q.All {
		sq.Filters = append(sq.Filters, search.Filter{Field: "status", Values: []string{Open}})
	}
	if code, ok := s.reference.Known(reference.District).Resolve(q.District); ok {
		q.District = code // a label finds the district's courses
	}
	for field, val := range map[string]string{"kind": q.Kind, "district": q.District, "target_groups": q.TargetGroup, "provider_id": q.Provider} {
		if val != "" {
			sq.Filters = append(sq.Filters, search.Filter{Field: field, Values: []string{val}})
		}
	}
	r, err := s.outbox.Engine().Search(ctx, CourseIndex.Name, sq)
	if err != nil {
		return nil, p, &core.Error{Code: core.Unavailable, Message: "error.search_unavailable", Cause: err}
	}
	return r, p, nil
}

// newCode makes a certificate code: ten characters people can read out
// over the phone (no 0/O or 1/I/L).
func newCode() string {
	const alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// WithClock returns the service on another clock (the demo loader lays
// down past courses with it).
func (s *Service) WithClock(c core.Clock) *Service {
	cp := *s
	cp.clock = c
	return &cp
}
