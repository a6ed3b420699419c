// Package onestop owns requests for the one-stop chain of start-up services
// (一條龍服務, source (十二)): project development, plan design, risk
// assessment, opening guidance, financing and follow-up support. Each
// request has a time limit by type (限時辦結) in the bureau's working days,
// an owner on the bureau's side, and a history of who changed what when.
package onestop

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/figures"
	"onestop/services/outbox"
	"onestop/services/people"
	"onestop/services/policy"
	"onestop/services/store"
	"onestop/services/workdays"
)

// Types of service along the chain, in order.
var Types = []string{"project_development", "plan_design", "risk_assessment", "opening_guidance", "financing", "follow_up"}

// DefaultDays is the time limit of each type, in working days of the
// bureau's calendar (services/workdays): what were three weeks, two weeks,
// a week and a month of calendar days.
var DefaultDays = map[string]int{
	"project_development": 10, "plan_design": 7, "risk_assessment": 7,
	"opening_guidance": 3, "financing": 5, "follow_up": 20,
}

// Related names, for each type, the policies whose results the request
// carries (a financing request shows the loan checks).
var Related = map[string][]string{
	"project_development": {"startup-training-subsidy", "ui-training-subsidy"},
	"plan_design":         {"startup-training-subsidy", "ui-training-subsidy"},
	"risk_assessment":     {"guaranteed-loan", "guaranteed-loan-labour-intensive"},
	"opening_guidance":    {"fee-exemption-3y", "farmer-tax-relief", "free-employment-services"},
	"financing":           {"guaranteed-loan", "guaranteed-loan-labour-intensive"},
	"follow_up":           {"farmer-hiring-reward", "farmer-entity-reward"},
}

// Statuses.
const (
	Submitted  = "submitted"
	Accepted   = "accepted"
	InProgress = "in_progress"
	Completed  = "completed"
	Cancelled  = "cancelled"
)

// Collection holds the requests.
var Collection = store.Collection{Name: "service_requests"}

// Index is the staff queue and the owner's list.
var Index = search.Index{
	Name:     "service_requests",
	Text:     []string{"owner_name", "details"},
	Keywords: []string{"status", "type", "owner_id", "assignee_id", "open", "contact_id"},
	Numbers:  []string{"due_ms", "limit_days"},
	Times:    []string{"created_at"},
}

// Request is one service request.
type Request struct {
	ID           string    `bson:"_id"`
	OwnerID      string    `bson:"owner_id"`
	OwnerName    string    `bson:"owner_name"`
	ContactID    string    `bson:"contact_id,omitempty"` // a hotline caller's contact record
	Type         string    `bson:"type"`
	Details      string    `bson:"details"`
	Status       string    `bson:"status"`
	AssigneeID   string    `bson:"assignee_id,omitempty"`
	AssigneeName string    `bson:"assignee_name,omitempty"`
	CreatedAt    time.Time `bson:"created_at"`
	DueAt        time.Time `bson:"due_at"` // the close of the limit's last working day
	// LimitDays is the time limit it was given, in working days; 0 on
	// requests made when limits were calendar days.
	LimitDays int       `bson:"limit_days,omitempty"`
	UpdatedAt time.Time `bson:"updated_at"`
	ClosedAt  time.Time `bson:"closed_at,omitempty"`
	History   []Step    `bson:"history"`
	Linked    []Linked  `bson:"linked,omitempty"`
}

// Step is one change of a request.
type Step struct {
	At        time.Time `bson:"at"`
	ActorID   string    `bson:"actor_id"`
	ActorName string    `bson:"actor_name"`
	Action    string    `bson:"action"`
	From      string    `bson:"from,omitempty"`
	To        string    `bson:"to"`
	Note      string    `bson:"note,omitempty"`
}

// Linked is a policy result captured when the request was made.
type Linked struct {
	PolicyID string        `bson:"policy_id"`
	Status   policy.Status `bson:"status"`
}

// Open reports whether the request still awaits completion.
func (r *Request) Open() bool { return r.Status != Completed && r.Status != Cancelled }

// Overdue reports whether an open request is past its time limit.
func (r *Request) Overdue(now time.Time) bool { return r.Open() && now.After(r.DueAt) }

// Service manages requests.
type Service struct {
	store   *store.Store
	outbox  *outbox.Outbox
	audit   *audit.Log
	clock   core.Clock
	days    map[string]int
	figures *figures.Service
	people  *people.Service
	// calendar counts time limits in working days.
	calendar *workdays.Calendar
}

// Deps wires the service.
type Deps struct {
	Store  *store.Store
	Outbox *outbox.Outbox
	Audit  *audit.Log
	Clock  core.Clock
	// Figures counts requests made and completed on time (figures.go).
	Figures *figures.Service
	// People checks the caller's eligibility when they file a request.
	People *people.Service
	// Calendar is the bureau's working-day calendar the limits count in.
	Calendar *workdays.Calendar
	// Days overrides the default time limits (DefaultDays), by type.
	Days map[string]int `deps:"optional"`
}

// New returns the service and registers its index.
func New(d Deps) (*Service, error) {
	if err := core.CheckDeps("onestop", d); err != nil {
		return nil, err
	}
	days := map[string]int{}
	for k, v := range DefaultDays {
		days[k] = v
	}
	for k, v := range d.Days {
		days[k] = v
	}
	svc := &Service{store: d.Store, outbox: d.Outbox, audit: d.Audit, clock: d.Clock, days: days, figures: d.Figures, people: d.People,
		calendar: d.Calendar}
	src := outbox.SourceFor(d.Store, Collection.Name, Index, toDoc)
	src.After = d.Figures.After(svc.FigureSource())
	d.Outbox.Register(src)
	return svc, nil
}

// Days returns the time limit of a type, in working days.
func (s *Service) Days(t string) int { return s.days[t] }

func toDoc(r *Request) *search.Doc {
	open := "no"
	if r.Open() {
		open = "yes"
	}
	return &search.Doc{ID: r.ID, Fields: map[string]any{
		"owner_name": r.OwnerName, "details": r.Details, "status": r.Status, "type": r.Type, "owner_id": r.OwnerID,
		"assignee_id": r.AssigneeID, "open": open, "due_ms": r.DueAt.UnixMilli(), "limit_days": r.LimitDays, "created_at": r.CreatedAt, "contact_id": r.ContactID,
	}}
}

// WithClock returns the service on another clock: the demo loader uses it
// to lay down requests made and handled months ago.
func (s *Service) WithClock(c core.Clock) *Service {
	cp := *s
	cp.clock = c
	return &cp
}

// NewRequest is what an entrepreneur asks for.
type NewRequest struct {
	Type    string `json:"type"`
	Details string `json:"details"`
}

// Create files a request for the caller, with their eligibility today for
// the type's related policies attached (none when they have no profile yet
// or it is incomplete).
func (s *Service) Create(ctx context.Context, actor accounts.Principal, in NewRequest, m accounts.Meta) (*Request, error) {
	if actor.Role != accounts.Entrepreneur {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	var linked []Linked
	rs, _, err := s.people.MyEligibility(ctx, actor)
	switch {
	case err == nil:
		for _, id := range Related[in.Type] {
			for _, r := range rs {
				if r.Policy.ID == id {
					linked = append(linked, Linked{PolicyID: id, Status: r.Status})
				}
			}
		}
	case !core.IsCode(err, core.Invalid) && !core.IsCode(err, core.NotFound):
		return nil, err
	}
	return s.create(ctx, actor, Owner{AccountID: actor.ID, Name: actor.Name}, in, linked, m)
}

// Owner is whom a request is for: an account, or a hotline caller known
// only by a contact record.
type Owner struct {
	AccountID, ContactID, Name string
}

// CreateFor files a request for a hotline caller (staff only).
func (s *Service) CreateFor(ctx context.Context, actor accounts.Principal, owner Owner, in NewRequest, m accounts.Meta) (*Request, error) {
	if !actor.Role.Staff() {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	return s.create(ctx, actor, owner, in, nil, m)
}

func (s *Service) create(ctx context.Context, actor accounts.Principal, owner Owner, in NewRequest, linked []Linked, m accounts.Meta) (*Request, error) {
	var v core.Validation
	v.Check(slices.Contains(Types, in.Type), "type", "error.enum")
	in.Details = strings.TrimSpace(in.Details)
	v.Check(in.Details != "" && utf8.ValidString(in.Details) && utf8.RuneCountInString(in.Details) <= 2000 && !strings.ContainsRune(in.Details, 0), "details", "error.details")
	if err := v.Err(); err != nil {
		return nil, err
	}
	now, days := s.clock.Now(), s.days[in.Type]
	r := &Request{ID: core.IDFor(ctx, "service_request"), OwnerID: owner.AccountID, ContactID: owner.ContactID, OwnerName: owner.Name, Type: in.Type, Details: in.Details,
		Status: Submitted, CreatedAt: now, UpdatedAt: now, DueAt: s.calendar.DueOn(now, days), LimitDays: days, Linked: linked,
		History: []Step{{At: now, ActorID: actor.ID, ActorName: actor.Name, Action: "submit", To: Submitted}}}
	if err := s.outbox.Begin(ctx, Index.Name, r.ID); err != nil {
		return nil, err
	}
	if err := s.store.Insert(ctx, Collection.Name, r); mongo.IsDuplicateKeyError(err) {
		// The same request, retried with its key after the first made the
		// record but died before answering: that record is the answer.
		var first Request
		if err := s.store.Get(ctx, Collection.Name, r.ID, &first); err != nil || first.OwnerID != r.OwnerID || first.ContactID != r.ContactID {
			return nil, core.Errorf(core.Conflict, "error.stale")
		}
		s.outbox.Apply(ctx, Index.Name, r.ID)
		return &first, nil
	} else if err != nil {
		return nil, core.Wrap(err, "insert request")
	}
	s.outbox.Apply(ctx, Index.Name, r.ID)
	s.audit.Record(ctx, actor.Actor(m), "service.submit", audit.Success, r.ID, r.Type)
	return r, nil
}

// Get reads a request: its owner and the bureau's staff may; for anyone
// else it does not exist.
func (s *Service) Get(ctx context.Context, actor accounts.Principal, id string) (*Request, error) {
	notFound := core.Errorf(core.NotFound, "error.not_found")
	if actor.Guest() || !core.ValidID(id) {
		return nil, notFound
	}
	var r Request
	if err := s.store.Get(ctx, Collection.Name, id, &r); err != nil {
		return nil, err
	}
	if r.OwnerID != actor.ID && !actor.Role.Staff() {
		return nil, notFound
	}
	return &r, nil
}

// transitions: action → allowed from-statuses and the resulting status.
var transitions = map[string]struct {
	from []string
	to   string
}{
	"assign":   {[]string{Submitted, Accepted, InProgress}, ""}, // keeps in_progress, accepts a submitted one
	"start":    {[]string{Accepted}, InProgress},
	"complete": {[]string{InProgress}, Completed},
	"cancel":   {[]string{Submitted, Accepted}, Cancelled},
}

// Act moves a request along: staff assign (to themselves or to another
// staff member), the assignee starts and completes it (with a note), the
// owner may cancel before work starts. The status change is one guarded
// update, so two people acting at once cannot both succeed.
func (s *Service) Act(ctx context.Context, actor accounts.Principal, id, action, note string, assignee *accounts.Principal, m accounts.Meta) (*Request, error) {
	r, err := s.Get(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	tr, ok := transitions[action]
	if !ok {
		return nil, core.Errorf(core.Invalid, "error.action")
	}
	note = strings.TrimSpace(note)
	if !utf8.ValidString(note) || utf8.RuneCountInString(note) > 1000 || strings.ContainsRune(note, 0) {
		return nil, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"note": "error.details"}}
	}
	switch action {
	case "cancel":
		if actor.ID != r.OwnerID {
			return nil, core.Errorf(core.Forbidden, "error.forbidden")
		}
	case "assign":
		if !actor.Role.Staff() || assignee == nil || !assignee.Role.Staff() {
			return nil, core.Errorf(core.Forbidden, "error.forbidden")
		}
	default:
		if !actor.Role.Staff() || (r.AssigneeID != actor.ID && actor.Role != accounts.Admin) {
			return nil, core.Errorf(core.Forbidden, "error.forbidden")
		}
		if action == "complete" && note == "" {
			return nil, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"note": "error.note.required"}}
		}
	}
	if !slices.Contains(tr.from, r.Status) {
		return nil, core.Errorf(core.Conflict, "error.stale")
	}
	to := tr.to
	if action == "assign" {
		to = r.Status
		if to == Submitted {
			to = Accepted
		}
	}
	now := s.clock.Now()
	step := Step{At: now, ActorID: actor.ID, ActorName: actor.Name, Action: action, From: r.Status, To: to, Note: note}
	set := bson.D{{Key: "status", Value: to}, {Key: "updated_at", Value: now}}
	if action == "assign" {
		set = append(set, bson.E{Key: "assignee_id", Value: assignee.ID}, bson.E{Key: "assignee_name", Value: assignee.Name})
		step.Note = assignee.Name
	}
	if to == Completed || to == Cancelled {
		set = append(set, bson.E{Key: "closed_at", Value: now})
	}
	if err := s.outbox.Begin(ctx, Index.Name, r.ID); err != nil {
		return nil, err
	}
	err = s.store.UpdateIf(ctx, Collection.Name, r.ID, []store.Cond{store.Eq("status", r.Status), store.Eq("updated_at", r.UpdatedAt)},
		bson.D{{Key: "$set", Value: set}, {Key: "$push", Value: bson.D{{Key: "history", Value: step}}}})
	s.outbox.Apply(ctx, Index.Name, r.ID)
	if err != nil {
		return nil, err
	}
	s.audit.Record(ctx, actor.Actor(m), "service."+action, audit.Success, r.ID, r.Status+"→"+to)
	return s.Get(ctx, actor, id)
}

// Query filters lists of requests.
type Query struct {
	OwnerID    string
	AssigneeID string
	Status     string
	Type       string
	Text       string
	Overdue    bool
	Page       core.Page
}

// Row is one line of a list, straight from the index.
type Row struct {
	ID, OwnerName, Type, Status, AssigneeID string
	CreatedAt, DueAt                        time.Time
	LimitDays                               int // working days; 0 when counted in calendar days
	Overdue                                 bool
}

// List pages through requests: staff see the queue, others their own.
func (s *Service) List(ctx context.Context, actor accounts.Principal, q Query) ([]Row, int, core.Page, error) {
	p := q.Page.Normalize()
	if actor.Guest() {
		return nil, 0, p, core.Errorf(core.Unauthenticated, "error.unauthenticated")
	}
	if !actor.Role.Staff() {
		q.OwnerID = actor.ID
	}
	now := s.clock.Now()
	sq := search.Query{Text: q.Text, Offset: p.Offset(), Limit: p.Size, Sort: []search.Sort{{Field: "created_at", Desc: true}}}
	add := func(field, v string) {
		if v != "" {
			sq.Filters = append(sq.Filters, search.Filter{Field: field, Values: []string{v}})
		}
	}
	add("owner_id", q.OwnerID)
	add("assignee_id", q.AssigneeID)
	if slices.Contains([]string{Submitted, Accepted, InProgress, Completed, Cancelled}, q.Status) {
		add("status", q.Status)
	}
	if slices.Contains(Types, q.Type) {
		add("type", q.Type)
	}
	if q.Overdue {
		add("open", "yes")
		max := float64(now.UnixMilli())
		sq.Ranges = append(sq.Ranges, search.Range{Field: "due_ms", Max: &max})
		sq.Sort = []search.Sort{{Field: "due_ms"}}
	}
	r, err := s.outbox.Engine().Search(ctx, Index.Name, sq)
	if err != nil {
		return nil, 0, p, &core.Error{Code: core.Unavailable, Message: "error.search_unavailable", Cause: err}
	}
	rows := make([]Row, 0, len(r.Hits))
	for _, h := range r.Hits {
		due := time.UnixMilli(int64(h.Number("due_ms"))).UTC()
		row := Row{ID: h.ID, OwnerName: h.String("owner_name"), Type: h.String("type"), Status: h.String("status"),
			AssigneeID: h.String("assignee_id"), CreatedAt: h.Time("created_at"), DueAt: due, LimitDays: int(h.Number("limit_days"))}
		row.Overdue = h.String("open") == "yes" && now.After(due)
		rows = append(rows, row)
	}
	return rows, r.Total, p, nil
}

// Pseudonymise replaces the owner's name on every request of a deleted
// account; the requests themselves are records the bureau keeps.
func (s *Service) Pseudonymise(ctx context.Context, ownerID, pseudonym string) error {
	var ids []string
	for page := 1; ; page++ {
		r, err := s.outbox.Engine().Search(ctx, Index.Name, search.Query{
			Filters: []search.Filter{{Field: "owner_id", Values: []string{ownerID}}}, Offset: (page - 1) * 100, Limit: 100})
		if err != nil {
			return &core.Error{Code: core.Unavailable, Message: "error.search_unavailable", Cause: err}
		}
		for _, h := range r.Hits {
			ids = append(ids, h.ID)
		}
		if len(r.Hits) < 100 {
			break
		}
	}
	for _, id := range ids {
		if err := s.pseudonymiseOne(ctx, id, ownerID, pseudonym); err != nil {
			return err
		}
	}
	return nil
}

// pseudonymiseOne rewrites the owner's name on one request and in its
// history; the embedded store has no array filters, so the history is
// rewritten whole under a guard on updated_at (retried when it moved).
func (s *Service) pseudonymiseOne(ctx context.Context, id, ownerID, pseudonym string) error {
	for range 3 {
		var r Request
		if err := s.store.Get(ctx, Collection.Name, id, &r); err != nil {
			return err
		}
		for i := range r.History {
			if r.History[i].ActorID == ownerID {
				r.History[i].ActorName = pseudonym
			}
		}
		if err := s.outbox.Begin(ctx, Index.Name, id); err != nil {
			return err
		}
		err := s.store.UpdateIf(ctx, Collection.Name, id, []store.Cond{store.Eq("updated_at", r.UpdatedAt)},
			bson.D{{Key: "$set", Value: bson.D{{Key: "owner_name", Value: pseudonym}, {Key: "history", Value: r.History}}}})
		s.outbox.Apply(ctx, Index.Name, id)
		if !core.IsCode(err, core.Conflict) {
			return err
		}
	}
	return core.Errorf(core.Conflict, "error.stale")
}

// AttachOwner gives the requests the hotline filed for a caller's contact
// record, and nobody owns yet, to the account the caller turned out to
// hold (the hotline links them): they then follow them in their list.
func (s *Service) AttachOwner(ctx context.Context, contactID, accountID string) error {
	ids, err := search.AllIDs(ctx, s.outbox.Engine(), Index.Name, search.Filter{Field: "contact_id", Values: []string{contactID}})
	if err != nil {
		return err
	}
	for _, id := range ids {
		var r Request
		if err := s.store.Get(ctx, Collection.Name, id, &r); err != nil || r.OwnerID != "" {
			continue
		}
		if err := s.outbox.Begin(ctx, Index.Name, id); err != nil {
			return err
		}
		err := s.store.UpdateIf(ctx, Collection.Name, id, []store.Cond{store.Eq("updated_at", r.UpdatedAt)},
			bson.D{{Key: "$set", Value: bson.D{{Key: "owner_id", Value: accountID}}}})
		s.outbox.Apply(ctx, Index.Name, id)
		if err != nil {
			return err
		}
	}
	return nil
}

// Mine returns every request of the caller in full, for their data export.
func (s *Service) Mine(ctx context.Context, actor accounts.Principal) ([]*Request, error) {
	var out []*Request
	for page := 1; page <= 50; page++ {
		rows, _, _, err := s.List(ctx, accounts.Principal{ID: actor.ID, Role: accounts.Entrepreneur}, Query{Page: core.Page{Number: page, Size: 100}})
		if err != nil {
			return nil, err
		}
		for _, row := range rows {
			var r Request
			if err := s.store.Get(ctx, Collection.Name, row.ID, &r); err == nil {
				out = append(out, &r)
			}
		}
		if len(rows) < 100 {
			break
		}
	}
	return out, nil
}
