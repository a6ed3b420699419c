// Package mentors owns the mentor expert pool (創業服務專家隊伍, source (十一))
// and consultations (諮詢) that are always answered: routed to the fitting
// mentor with free capacity, answered in a thread within a time limit, or
// moved on to the next mentor by a background worker, closed and rated.
package mentors

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/figures"
	"onestop/services/matching"
	"onestop/services/notify"
	"onestop/services/outbox"
	"onestop/services/reference"
	"onestop/services/store"
)

// Enumerations.
var (
	// Types are the kinds of expert the source names.
	Types = []string{"entrepreneur", "successful_founder", "expert_scholar", "official"}
	// Topics mentors advise on.
	Topics    = []string{"financing", "marketing", "licensing", "tax", "law", "technology", "operations", "restart"}
	Languages = []string{"zh", "yue", "en"}
	// Contacts are the outside channels a mentor may want messages on
	// (in-app notifications always come).
	Contacts = []string{"sms", "email"}
)

// MaxTitle is the longest title a mentor may give (a position and an
// organisation, on one line).
const MaxTitle = 60

// Mentor statuses.
const (
	Applied = "applied"
	Active  = "active"
	Paused  = "paused"
	Retired = "retired"
	// Rejected is an application an administrator did not approve, with
	// the reason (reject.go); the applicant may apply again.
	Rejected = "rejected"
)

// Collections of the package.
var Collections = []store.Collection{{Name: "mentors"}, {Name: "consultations"}, store.Leases}

// MentorIndex is the public directory.
var MentorIndex = search.Index{
	Name:       "mentors",
	ReadMostly: true,
	Text:       []string{"name", "title", "bio"},
	Keywords:   []string{"type", "industries", "topics", "status"},
	Numbers:    []string{"rating", "answered"},
	Times:      []string{"created_at"},
}

// Mentor is an expert of the pool; its id is the account's. Load counts
// the consultations it holds open, changed only by guarded increments, so
// no mentor is ever given more than their capacity.
type Mentor struct {
	ID         string    `bson:"_id" json:"id"`
	Name       string    `bson:"name" json:"name"`
	Title      string    `bson:"title,omitempty" json:"title,omitempty"`
	Type       string    `bson:"type" json:"type"`
	Industries []string  `bson:"industries" json:"industries"`
	Topics     []string  `bson:"topics" json:"topics"`
	Bio        string    `bson:"bio" json:"bio"`
	Languages  []string  `bson:"languages" json:"languages"`
	Capacity   int       `bson:"capacity" json:"capacity"`
	Contact    []string  `bson:"contact" json:"-"` // private: never on public pages
	Load       int       `bson:"load" json:"load"`
	OnLeaveTo  time.Time `bson:"on_leave_to,omitempty" json:"on_leave_to,omitzero"`
	Status     string    `bson:"status" json:"status"`
	Answered   int       `bson:"answered" json:"answered"`
	RatingSum  int       `bson:"rating_sum" json:"-"`
	Ratings    int       `bson:"ratings" json:"ratings"`
	// RejectReason and RejectedAt are the last refusal of the
	// application (reject.go): kept when the person applies again, for
	// the administrator who reads the new application.
	RejectReason string    `bson:"reject_reason,omitempty" json:"-"`
	RejectedAt   time.Time `bson:"rejected_at,omitempty" json:"-"`
	CreatedAt    time.Time `bson:"created_at" json:"created_at"`
	UpdatedAt    time.Time `bson:"updated_at" json:"updated_at"`
}

// Rating is the mean rating, 0 without ratings.
func (m *Mentor) Rating() float64 {
	if m.Ratings == 0 {
		return 0
	}
	return float64(m.RatingSum) / float64(m.Ratings)
}

// MatchMentor is the mentor as the scorer sees it.
func (m *Mentor) MatchMentor() matching.Mentor {
	return matching.Mentor{ID: m.ID, Industries: m.Industries, Topics: m.Topics, Languages: m.Languages,
		Capacity: m.Capacity, Load: m.Load, Available: m.Status == Active, OnLeaveTo: m.OnLeaveTo}
}

func mentorDoc(m *Mentor) *search.Doc {
	return &search.Doc{ID: m.ID, Fields: map[string]any{"name": m.Name, "title": m.Title, "bio": m.Bio, "type": m.Type, "industries": m.Industries,
		"topics": m.Topics, "status": m.Status, "rating": m.Rating(), "answered": m.Answered, "created_at": m.CreatedAt}}
}

// Profile is what a mentor writes about themselves. Title is their
// position and organisation (頭銜與單位: 「城市商業銀行退休信貸經理」), shown
// beside the name wherever mentors are listed, so two of one name are told
// apart.
type Profile struct {
	Title      string    `json:"title"`
	Type       string    `json:"type"`
	Industries []string  `json:"industries"`
	Topics     []string  `json:"topics"`
	Bio        string    `json:"bio"`
	Languages  []string  `json:"languages"`
	Capacity   int       `json:"capacity"`
	OnLeaveTo  core.Date `json:"on_leave_to,omitzero"`
	Contact    []string  `json:"contact"`
}

// validate checks and normalises a profile; industries says which it may
// name, and turns labels into codes.
func (p *Profile) validate(industries reference.Rule) error {
	var v core.Validation
	v.Check(slices.Contains(Types, p.Type), "type", "error.enum")
	p.Title = v.Text("title", p.Title, 0, MaxTitle)
	if strings.ContainsAny(p.Title, "\r\n\t") && !v.Has("title") {
		v.Add("title", "error.text.chars") // one line, beside a name
	}
	p.Industries = industries.CheckAll(&v, "industries", p.Industries)
	p.Topics = v.Subset("topics", p.Topics, Topics)
	p.Languages = v.Subset("languages", p.Languages, Languages)
	p.Contact = v.Subset("contact", p.Contact, Contacts)
	v.Check(len(p.Topics) > 0, "topics", "error.mentor.topics")
	p.Bio = strings.TrimSpace(p.Bio)
	n := utf8.RuneCountInString(p.Bio)
	v.Check(n >= 10 && n <= 2000 && !strings.ContainsRune(p.Bio, 0), "bio", "error.mentor.bio")
	v.Check(p.Capacity >= 1 && p.Capacity <= 50, "capacity", "error.number.range")
	return v.Err()
}

// Service runs the pool and the consultations.
type Service struct {
	store   *store.Store
	outbox  *outbox.Outbox
	audit   *audit.Log
	notify  *notify.Service
	clock   core.Clock
	figures *figures.Service
	// reference: the industries mentors and questions name.
	reference *reference.Lists
	// AnswerWithin is the time limit for a first answer.
	AnswerWithin time.Duration

	// pool is the cache of every mentor, shared by the service's copies
	// on other clocks (WithClock), so a write through one refreshes all.
	pool *pool
}

type pool struct {
	mu   sync.Mutex
	list []*Mentor
	byID map[string]*Mentor // list by id
	at   time.Time
}

// Deps wires the service.
type Deps struct {
	Store  *store.Store
	Outbox *outbox.Outbox
	Audit  *audit.Log
	Notify *notify.Service
	Clock  core.Clock
	// Figures counts consultations asked, answered and rated (figures.go).
	Figures *figures.Service
	// AnswerWithin is the time limit for a first answer; zero is 48 hours.
	AnswerWithin time.Duration
	// Reference holds the industries mentors and questions name.
	Reference *reference.Lists
}

// DefaultAnswerWithin is the time limit for a first answer unless
// configured.
const DefaultAnswerWithin = 48 * time.Hour

// New returns the service and registers its indexes.
func New(d Deps) (*Service, error) {
	if err := core.CheckDeps("mentors", d); err != nil {
		return nil, err
	}
	if d.AnswerWithin <= 0 {
		d.AnswerWithin = DefaultAnswerWithin
	}
	d.Outbox.Register(outbox.SourceFor(d.Store, "mentors", MentorIndex, mentorDoc))
	s := &Service{store: d.Store, outbox: d.Outbox, audit: d.Audit, notify: d.Notify, clock: d.Clock, figures: d.Figures,
		reference: d.Reference, AnswerWithin: d.AnswerWithin, pool: &pool{}}
	consultations := outbox.SourceFor(d.Store, "consultations", ConsultationIndex, consultationDoc)
	consultations.After = d.Figures.After(s.FigureSource())
	d.Outbox.Register(consultations)
	return s, nil
}

// Save creates or updates the caller's own mentor profile. A new profile
// is an application that an administrator approves.
func (s *Service) Save(ctx context.Context, actor accounts.Principal, p Profile, m accounts.Meta) (*Mentor, error) {
	if actor.Role != accounts.Mentor {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	var existing Mentor
	err := s.store.Get(ctx, "mentors", actor.ID, &existing)
	if err != nil && !core.IsCode(err, core.NotFound) {
		return nil, err
	}
	// A retired industry the profile holds may stay.
	if err := p.validate(s.reference.Current(reference.Industry).Keeping(existing.Industries...)); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	var leave time.Time
	if !p.OnLeaveTo.IsZero() {
		leave, _ = time.Parse(time.DateOnly, p.OnLeaveTo.String())
	}
	set := bson.D{{Key: "name", Value: actor.Name}, {Key: "title", Value: p.Title}, {Key: "type", Value: p.Type}, {Key: "industries", Value: p.Industries},
		{Key: "topics", Value: p.Topics}, {Key: "bio", Value: p.Bio}, {Key: "languages", Value: p.Languages},
		{Key: "capacity", Value: p.Capacity}, {Key: "on_leave_to", Value: leave}, {Key: "contact", Value: p.Contact}, {Key: "updated_at", Value: now}}
	if err := s.outbox.Begin(ctx, MentorIndex.Name, actor.ID); err != nil {
		return nil, err
	}
	switch {
	case core.IsCode(err, core.NotFound):
		mt := &Mentor{ID: actor.ID, Name: actor.Name, Title: p.Title, Type: p.Type, Industries: p.Industries, Topics: p.Topics, Bio: p.Bio,
			Languages: p.Languages, Capacity: p.Capacity, OnLeaveTo: leave, Contact: p.Contact, Status: Applied, CreatedAt: now, UpdatedAt: now}
		if _, err := s.store.C("mentors").InsertOne(ctx, mt); err != nil {
			return nil, core.Wrap(err, "insert mentor")
		}
	case err != nil:
		return nil, err
	case existing.Status == Rejected:
		// Saving a refused application applies again: it goes back to
		// the administrators, unless one changed it meanwhile.
		set = append(set, bson.E{Key: "status", Value: Applied})
		if err := s.store.UpdateIf(ctx, "mentors", actor.ID, []store.Cond{store.Eq("status", Rejected)}, bson.D{{Key: "$set", Value: set}}); err != nil {
			return nil, err
		}
	default:
		if _, err := s.store.C("mentors").UpdateOne(ctx, bson.D{{Key: "_id", Value: actor.ID}}, bson.D{{Key: "$set", Value: set}}); err != nil {
			return nil, core.Wrap(err, "update mentor")
		}
	}
	s.outbox.Apply(ctx, MentorIndex.Name, actor.ID)
	s.invalidate()
	action := "mentor.profile"
	if existing.Status == Rejected {
		action = "mentor.reapply"
	}
	s.audit.Record(ctx, actor.Actor(m), action, audit.Success, actor.ID, "")
	return s.Mentor(ctx, actor.ID)
}

// Mentor reads a mentor.
func (s *Service) Mentor(ctx context.Context, id string) (*Mentor, error) {
	var m Mentor
	if err := s.store.Get(ctx, "mentors", id, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// VisibleTo reports whether me may see the mentor: anyone when active;
// the mentor themselves and administrators in any state.
func (m *Mentor) VisibleTo(me accounts.Principal) bool {
	return m.Status == Active || me.ID == m.ID || me.Role == accounts.Admin
}

// Visible reads a mentor me may see; any other does not exist for them.
func (s *Service) Visible(ctx context.Context, me accounts.Principal, id string) (*Mentor, error) {
	m, err := s.Mentor(ctx, id)
	if err != nil {
		return nil, err
	}
	if !m.VisibleTo(me) {
		return nil, core.Errorf(core.NotFound, "error.not_found")
	}
	return m, nil
}

// Mentors reads the mentors with the given ids (a page of search hits), in
// their order; ids no longer on record are left out. They come from the
// pool's short-lived cache (see all): the directory is the portal's most
// viewed list, and twenty reads a view were most of the store's work.
func (s *Service) Mentors(ctx context.Context, ids []string) ([]*Mentor, error) {
	if _, err := s.all(ctx); err != nil {
		return nil, err
	}
	out := make([]*Mentor, len(ids))
	var missing []int // joined on another replica since the cache was read
	s.pool.mu.Lock()
	for i, id := range ids {
		if m := s.pool.byID[id]; m != nil {
			c := *m // callers get their own copy
			out[i] = &c
		} else {
			missing = append(missing, i)
		}
	}
	s.pool.mu.Unlock()
	if len(missing) > 0 {
		rest := make([]string, len(missing))
		for j, i := range missing {
			rest[j] = ids[i]
		}
		found, err := store.GetMany[Mentor](ctx, s.store, "mentors", rest)
		if err != nil {
			return nil, err
		}
		for j, i := range missing {
			out[i] = found[j]
		}
	}
	return slices.DeleteFunc(out, func(m *Mentor) bool { return m == nil }), nil
}

// WithClock returns the service on another clock: the demo loader uses it
// to lay down questions asked and answered over past days.
func (s *Service) WithClock(c core.Clock) *Service {
	cp := *s
	cp.clock = c
	return &cp
}

// SetStatus approves, pauses or retires a mentor (administrators).
func (s *Service) SetStatus(ctx context.Context, actor accounts.Principal, id, status string, m accounts.Meta) error {
	if actor.Role != accounts.Admin {
		return core.Errorf(core.Forbidden, "error.forbidden")
	}
	if !slices.Contains([]string{Active, Paused, Retired}, status) {
		return &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"status": "error.enum"}}
	}
	if _, err := s.Mentor(ctx, id); err != nil {
		return err
	}
	if status == Active && s.onHold(ctx, id) {
		return core.Errorf(core.Conflict, "error.mentor.account_disabled") // personal.go
	}
	if err := s.outbox.Begin(ctx, MentorIndex.Name, id); err != nil {
		return err
	}
	if _, err := s.store.C("mentors").UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: status}, {Key: "updated_at", Value: s.clock.Now()}}}}); err != nil {
		return core.Wrap(err, "mentor status")
	}
	s.outbox.Apply(ctx, MentorIndex.Name, id)
	s.invalidate()
	s.audit.Record(ctx, actor.Actor(m), "mentor."+status, audit.Success, id, "")
	return nil
}

// all returns every mentor from a short-lived cache (the pool is bounded:
// about ten thousand in a city); routing reads it, writes refresh it.
func (s *Service) all(ctx context.Context) ([]*Mentor, error) {
	s.pool.mu.Lock()
	defer s.pool.mu.Unlock()
	if s.pool.list != nil && time.Since(s.pool.at) < 5*time.Second {
		return s.pool.list, nil
	}
	var list []*Mentor
	if err := store.Each(ctx, s.store, "mentors", func(m *Mentor) error { list = append(list, m); return nil }); err != nil {
		return nil, err
	}
	s.pool.byID = make(map[string]*Mentor, len(list))
	for _, m := range list {
		s.pool.byID[m.ID] = m
	}
	s.pool.list, s.pool.at = list, time.Now()
	return list, nil
}

func (s *Service) invalidate() {
	s.pool.mu.Lock()
	s.pool.list = nil
	s.pool.mu.Unlock()
}

// DirectoryQuery filters the public directory.
type DirectoryQuery struct {
	Text, Type, Industry, Topic string
	Page                        core.Page
}

// Directory searches the active mentors.
func (s *Service) Directory(ctx context.Context, q DirectoryQuery) (*search.Result, core.Page, error) {
	p := q.Page.Normalize()
	sq := search.Query{Text: q.Text, Offset: p.Offset(), Limit: p.Size, Filters: []search.Filter{{Field: "status", Values: []string{Active}}},
		Sort: []search.Sort{{Field: "rating", Desc: true}}}
	var v core.Validation
	s.reference.Known(reference.Industry).Check(&v, "industries", &q.Industry)
	for field, val := range map[string]string{"type": q.Type, "industries": q.Industry, "topics": q.Topic} {
		if val == "" {
			continue
		}
		if field != "industries" {
			allowed := map[string][]string{"type": Types, "topics": Topics}[field]
			v.Check(slices.Contains(allowed, val), field, "error.enum")
		}
		sq.Filters = append(sq.Filters, search.Filter{Field: field, Values: []string{val}})
	}
	if err := v.Err(); err != nil {
		return nil, p, err
	}
	if q.Text != "" {
		sq.Sort = nil
	}
	r, err := s.outbox.Engine().Search(ctx, MentorIndex.Name, sq)
	if err != nil {
		return nil, p, &core.Error{Code: core.Unavailable, Message: "error.search_unavailable", Cause: err}
	}
	return r, p, nil
}

// ContactChannels returns the outside channels a mentor asked for; ok is
// false when the person is not in the pool.
func (s *Service) ContactChannels(ctx context.Context, userID string) (channels []string, ok bool) {
	var mt Mentor
	if err := s.store.Get(ctx, "mentors", userID, &mt); err != nil {
		return nil, false
	}
	return mt.Contact, true
}
