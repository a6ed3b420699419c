package hotline

import (
	"context"
	"fmt"
	"slices"
	"time"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/matching"
	"onestop/services/mentors"
)

// Enumerations of a follow-up case.
var (
	FailureReasons = []string{"market", "funding", "management", "policy", "personal", "external_shock", "other"}
	// LoanStatuses of a guaranteed loan: none, being repaid, overdue,
	// repaid, or paid off by the guarantee fund (代償).
	LoanStatuses = []string{"none", "repaying", "overdue", "repaid", "compensated"}
	CaseNeeds    = []string{"training", "financing", "mentoring", "employment", "premises", "debt_advice", "counselling", "licensing"}
	Outcomes     = []string{"started_again", "employed", "in_training", "referred", "unreachable", "closed"}
	CaseSources  = []string{"call", "staff", "venture_closed", "stability_checkin"}
	Channels     = []string{"phone", "visit", "meeting", "message"}
	// CheckinMonths are the default scheduled contacts after a case opens.
	CheckinMonths = []int{1, 3, 6, 12}
)

const unassigned = "none"

// Case statuses.
const (
	CaseOpen   = "open"
	CaseClosed = "closed"
)

// CaseIndex is the queues: due today, overdue, by staff member.
var CaseIndex = search.Index{
	Name:     "cases",
	Text:     []string{"person_name", "situation"},
	Keywords: []string{"status", "staff_id", "mentor_id", "person_id", "contact_id", "outcome", "reasons", "source"},
	Numbers:  []string{"next_due"},
	Times:    []string{"created_at"},
}

// Checkin is a scheduled contact with the person, and once done, its
// record. Note is staff-only.
type Checkin struct {
	ID        string    `bson:"id" json:"id"`
	DueOn     core.Date `bson:"due_on" json:"due_on"`
	Done      bool      `bson:"done" json:"done"`
	DoneOn    core.Date `bson:"done_on,omitempty" json:"done_on,omitzero"`
	Channel   string    `bson:"channel,omitempty" json:"channel,omitempty"`
	Note      string    `bson:"note,omitempty" json:"note,omitempty"`
	StaffName string    `bson:"staff_name,omitempty" json:"staff_name,omitempty"`
}

// PlanStep is one step of the plan agreed with the person.
type PlanStep struct {
	Text string `bson:"text" json:"text"`
	Done bool   `bson:"done" json:"done"`
}

// Case is a follow-up case for an entrepreneur whose venture failed:
// what happened, what they need, a plan, scheduled contacts and their
// notes, a mentor, links to the help given, and how it ended.
type Case struct {
	ID          string     `bson:"_id"`
	ContactID   string     `bson:"contact_id"`
	PersonID    string     `bson:"person_id,omitempty"` // the account, when the contact has one
	PersonName  string     `bson:"person_name"`
	Source      string     `bson:"source"`
	CallID      string     `bson:"call_id,omitempty"`
	Reasons     []string   `bson:"reasons"`
	DebtsYuan   int64      `bson:"debts_yuan"`
	LoanStatus  string     `bson:"loan_status"`
	Situation   string     `bson:"situation"`
	Needs       []string   `bson:"needs"`
	Plan        []PlanStep `bson:"plan"`
	Checkins    []Checkin  `bson:"checkins"`
	StaffID     string     `bson:"staff_id"`
	StaffName   string     `bson:"staff_name"`
	MentorID    string     `bson:"mentor_id,omitempty"`
	MentorName  string     `bson:"mentor_name,omitempty"`
	Links       []Link     `bson:"links"`
	Status      string     `bson:"status"`
	Outcome     string     `bson:"outcome,omitempty"`
	OutcomeOn   core.Date  `bson:"outcome_on,omitempty"`
	NextDue     core.Date  `bson:"next_due,omitempty"`
	RemindedFor core.Date  `bson:"reminded_for,omitempty"` // the due day a reminder went out for
	History     []Step     `bson:"history"`
	CreatedAt   time.Time  `bson:"created_at"`
	UpdatedAt   time.Time  `bson:"updated_at"`
	Version     int        `bson:"version"`
}

func caseDoc(c *Case) *search.Doc {
	staff := c.StaffID
	if staff == "" {
		staff = unassigned // an empty keyword cannot be filtered on
	}
	return &search.Doc{ID: c.ID, Fields: map[string]any{"person_name": c.PersonName, "situation": c.Situation, "status": c.Status,
		"staff_id": staff, "mentor_id": c.MentorID, "person_id": c.PersonID, "contact_id": c.ContactID, "outcome": c.Outcome,
		"reasons": c.Reasons, "source": c.Source, "next_due": c.NextDue.Day(), "created_at": c.CreatedAt}}
}

// nextDue is the earliest contact not yet done of an open case.
func nextDue(status string, cs []Checkin) core.Date {
	var d core.Date
	if status != CaseOpen {
		return d
	}
	for _, c := range cs {
		if !c.Done && (d.IsZero() || c.DueOn.Before(d)) {
			d = c.DueOn
		}
	}
	return d
}

// NewCase is the form that opens a case.
type NewCase struct {
	ContactID  string   `json:"contact_id"`
	CallID     string   `json:"call_id,omitempty"`
	Reasons    []string `json:"reasons"`
	DebtsYuan  int64    `json:"debts_yuan"`
	LoanStatus string   `json:"loan_status"`
	Situation  string   `json:"situation"`
	Needs      []string `json:"needs"`
	// StaffID is who follows the case; empty means the one opening it.
	StaffID string `json:"staff_id,omitempty"`
}

// OpenCase opens a follow-up case for a known contact, with contacts
// scheduled at 1, 3, 6 and 12 months.
func (s *Service) OpenCase(ctx context.Context, actor accounts.Principal, in NewCase, m accounts.Meta) (*Case, error) {
	if err := staffOnly(actor); err != nil {
		return nil, err
	}
	source := "staff"
	if in.CallID != "" {
		source = "call"
	}
	return s.openCase(ctx, actor, in, source, m)
}

func (s *Service) openCase(ctx context.Context, actor accounts.Principal, in NewCase, source string, m accounts.Meta) (*Case, error) {
	var v core.Validation
	now := s.clock.Now()
	c := &Case{ID: core.NewID(), Source: source, Status: CaseOpen, LoanStatus: in.LoanStatus, DebtsYuan: in.DebtsYuan,
		Plan: []PlanStep{}, Links: []Link{}, CreatedAt: now, UpdatedAt: now}
	c.Reasons = v.Subset("reasons", in.Reasons, FailureReasons)
	v.Check(len(c.Reasons) > 0, "reasons", "error.required")
	c.Needs = v.Subset("needs", in.Needs, CaseNeeds)
	enum(&v, "loan_status", in.LoanStatus, LoanStatuses)
	v.Check(in.DebtsYuan >= 0 && in.DebtsYuan <= 100_000_000, "debts_yuan", "error.number.range")
	c.Situation = v.Text("situation", in.Situation, 0, 4000)
	contact, err := s.contactField(ctx, actor, &v, in.ContactID)
	if err != nil {
		return nil, err
	}
	c.ContactID, c.PersonID, c.PersonName = contact.ID, contact.AccountID, contact.Name
	if in.CallID != "" {
		if call, err := s.Call(ctx, actor, in.CallID); err != nil || call.ContactID != contact.ID {
			v.Add("call_id", "error.not_found")
		}
		c.CallID = in.CallID
	}
	staff := &accounts.User{ID: actor.ID, Name: actor.Name}
	if in.StaffID != "" && in.StaffID != actor.ID {
		if staff, err = s.staffMember(ctx, in.StaffID); err != nil {
			v.Add("staff_id", "error.assignee")
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	c.StaffID, c.StaffName = staff.ID, staff.Name
	today := core.DateOf(now)
	for i, months := range CheckinMonths {
		c.Checkins = append(c.Checkins, Checkin{ID: fmt.Sprintf("k%d", i+1), DueOn: today.AddMonths(months)})
	}
	c.NextDue = nextDue(c.Status, c.Checkins)
	c.History = []Step{{At: now, ActorID: actor.ID, ActorName: actor.Name, Action: "open." + source}}
	if err := s.insert(ctx, "cases", CaseIndex.Name, c.ID, c); err != nil {
		return nil, err
	}
	if c.CallID != "" {
		s.linkCall(ctx, c.CallID, Link{Kind: "case", ID: c.ID, At: now})
	}
	if c.StaffID != actor.ID {
		s.notify.Send(ctx, c.StaffID, "notify.case.assigned", c.PersonName, "/cases/"+c.ID)
	}
	s.audit.Record(ctx, actor.Actor(m), "case.open", audit.Success, c.ID, source)
	return c, nil
}

// canReadCase: staff; the person themselves; the mentor assigned now.
func canReadCase(actor accounts.Principal, c *Case) bool {
	return actor.Role.Staff() || (c.PersonID != "" && c.PersonID == actor.ID) ||
		(actor.Role == accounts.Mentor && c.MentorID != "" && c.MentorID == actor.ID)
}

// Case reads a case the caller may see. Whoever is not staff sees a
// summary: the notes of contacts and of the timeline stay with staff.
func (s *Service) Case(ctx context.Context, actor accounts.Principal, id string) (*Case, error) {
	notFound := core.Errorf(core.NotFound, "error.not_found")
	if actor.Guest() || !core.ValidID(id) {
		return nil, notFound
	}
	var c Case
	if err := s.store.Get(ctx, "cases", id, &c); err != nil {
		return nil, err
	}
	if !canReadCase(actor, &c) {
		return nil, notFound
	}
	if !actor.Role.Staff() {
		for i := range c.Checkins {
			c.Checkins[i].Note = ""
		}
		for i := range c.History {
			c.History[i].Note = ""
		}
		c.DebtsYuan, c.LoanStatus = 0, ""
		if actor.ID != c.PersonID {
			c.Situation = ""
		}
	}
	return &c, nil
}

// staffCase reads a case for a change by staff: only staff change cases.
func (s *Service) staffCase(ctx context.Context, actor accounts.Principal, id string) (*Case, error) {
	if err := staffOnly(actor); err != nil {
		return nil, err
	}
	return s.Case(ctx, actor, id)
}

// openStaffCase reads an open case for a change by staff: closed cases
// change no more.
func (s *Service) openStaffCase(ctx context.Context, actor accounts.Principal, id string) (*Case, error) {
	c, err := s.staffCase(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if c.Status != CaseOpen {
		return nil, core.Errorf(core.Conflict, "error.case.closed")
	}
	return c, nil
}

// ContactRecord is a contact made with the person.
type ContactRecord struct {
	// CheckinID is the scheduled contact this was; empty for an
	// unscheduled one.
	CheckinID string    `json:"checkin_id,omitempty"`
	On        core.Date `json:"on"`
	Channel   string    `json:"channel"`
	Note      string    `json:"note"`
}

// RecordContact notes a contact: on a day between the case's opening and
// today, by a channel, with what was said.
func (s *Service) RecordContact(ctx context.Context, actor accounts.Principal, id string, in ContactRecord, m accounts.Meta) (*Case, error) {
	c, err := s.openStaffCase(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	var v core.Validation
	s.dayBetween(&v, "on", in.On, core.DateOf(c.CreatedAt), core.DateOf(s.clock.Now()))
	enum(&v, "channel", in.Channel, Channels)
	note := v.Text("note", in.Note, 2, 4000)
	checkins := slices.Clone(c.Checkins)
	rec := Checkin{Done: true, DoneOn: in.On, Channel: in.Channel, Note: note, StaffName: actor.Name}
	if in.CheckinID == "" {
		n := 0
		for _, k := range checkins {
			n = max(n, idNumber(k.ID))
		}
		rec.ID, rec.DueOn = fmt.Sprintf("k%d", n+1), in.On
		checkins = append(checkins, rec)
	} else {
		i := slices.IndexFunc(checkins, func(k Checkin) bool { return k.ID == in.CheckinID && !k.Done })
		if i < 0 {
			v.Add("checkin_id", "error.case.checkin")
		} else {
			rec.ID, rec.DueOn = checkins[i].ID, checkins[i].DueOn
			checkins[i] = rec
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.saveCase(ctx, actor, c, m, "contact", note, "checkins", checkins)
}

// dayBetween checks a required day lies in [from, to].
func (s *Service) dayBetween(v *core.Validation, field string, d, from, to core.Date) {
	switch {
	case d.IsZero():
		v.Add(field, "error.date")
	case d.Before(from):
		v.Add(field, "error.date.before_case")
	case d.After(to):
		v.Add(field, "error.date.future")
	}
}

// saveCase writes changed fields of a case with a timeline step,
// recomputing when the next contact is due.
func (s *Service) saveCase(ctx context.Context, actor accounts.Principal, c *Case, m accounts.Meta, action, note string, kv ...any) (*Case, error) {
	now := s.clock.Now()
	status, checkins := c.Status, c.Checkins
	if v, ok := kvGet(kv, "status"); ok {
		status = v.(string)
	}
	if v, ok := kvGet(kv, "checkins"); ok {
		checkins = v.([]Checkin)
	}
	kv = append(kv, "next_due", nextDue(status, checkins), "updated_at", now)
	step := Step{At: now, ActorID: actor.ID, ActorName: actor.Name, Action: action, Note: note}
	if err := s.change(ctx, "cases", CaseIndex.Name, c.ID, c.Version, with(set(kv...), push("history", step))); err != nil {
		return nil, err
	}
	s.audit.Record(ctx, actor.Actor(m), "case."+action, audit.Success, c.ID, "")
	return s.Case(ctx, actor, c.ID)
}

func kvGet(kv []any, key string) (any, bool) {
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i] == key {
			return kv[i+1], true
		}
	}
	return nil, false
}

// Schedule replaces the contacts not yet made with the given days (today
// up to five years after the case opened; one to 24).
func (s *Service) Schedule(ctx context.Context, actor accounts.Principal, id string, days []core.Date, m accounts.Meta) (*Case, error) {
	c, err := s.openStaffCase(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	var v core.Validation
	today := core.DateOf(s.clock.Now())
	limit := core.DateOf(c.CreatedAt).AddYears(5)
	// An open case always has a next contact: nothing due is forgotten.
	v.Check(len(days) >= 1, "days", "error.required")
	v.Check(len(days) <= 24, "days", "error.too_many_items")
	var checkins []Checkin
	n := 0
	for _, k := range c.Checkins {
		if k.Done {
			checkins = append(checkins, k)
		}
		n = max(n, idNumber(k.ID))
	}
	slices.SortFunc(days, func(a, b core.Date) int { return a.Day() - b.Day() })
	for _, d := range slices.CompactFunc(days, core.Date.Equal) {
		s.dayBetween(&v, "days", d, today, limit)
		n++
		checkins = append(checkins, Checkin{ID: fmt.Sprintf("k%d", n), DueOn: d})
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.saveCase(ctx, actor, c, m, "schedule", "", "checkins", checkins)
}

func idNumber(id string) int {
	var n int
	fmt.Sscanf(id, "k%d", &n)
	return n
}

// CaseDetails is the part of a case staff edit after opening it.
type CaseDetails struct {
	Reasons    []string   `json:"reasons"`
	DebtsYuan  int64      `json:"debts_yuan"`
	LoanStatus string     `json:"loan_status"`
	Situation  string     `json:"situation"`
	Needs      []string   `json:"needs"`
	Plan       []PlanStep `json:"plan"`
}

// Update saves the details and the plan (at most 20 steps).
func (s *Service) Update(ctx context.Context, actor accounts.Principal, id string, in CaseDetails, m accounts.Meta) (*Case, error) {
	c, err := s.openStaffCase(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	var v core.Validation
	reasons := v.Subset("reasons", in.Reasons, FailureReasons)
	v.Check(len(reasons) > 0, "reasons", "error.required")
	needs := v.Subset("needs", in.Needs, CaseNeeds)
	enum(&v, "loan_status", in.LoanStatus, LoanStatuses)
	v.Check(in.DebtsYuan >= 0 && in.DebtsYuan <= 100_000_000, "debts_yuan", "error.number.range")
	situation := v.Text("situation", in.Situation, 0, 4000)
	plan := []PlanStep{}
	for _, p := range in.Plan {
		t := v.Line("plan", p.Text, 0, 300)
		if t != "" {
			plan = append(plan, PlanStep{Text: t, Done: p.Done})
		}
	}
	v.Check(len(plan) <= 20, "plan", "error.too_many_items")
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.saveCase(ctx, actor, c, m, "update", "", "reasons", reasons, "needs", needs, "loan_status", in.LoanStatus,
		"debts_yuan", in.DebtsYuan, "situation", situation, "plan", plan)
}

// MentorSuggestions ranks the pool for a case: topic "restart after
// failure", with the parts of each score.
func (s *Service) MentorSuggestions(ctx context.Context, actor accounts.Principal, c *Case) ([]matching.RankedMentor, error) {
	if err := staffOnly(actor); err != nil {
		return nil, err
	}
	var exclude []string
	if c.MentorID != "" {
		exclude = []string{c.MentorID}
	}
	return s.mentors.Rank(ctx, matching.Ask{Topic: "restart", Language: "zh"}, exclude)
}

// AssignMentor gives the case an active mentor, who is told and may then
// read the case summary.
func (s *Service) AssignMentor(ctx context.Context, actor accounts.Principal, id, mentorID string, m accounts.Meta) (*Case, error) {
	c, err := s.openStaffCase(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	mt, err := s.mentors.Mentor(ctx, mentorID)
	if err != nil || mt.Status != mentors.Active {
		return nil, &core.Error{Code: core.Invalid, Message: "error.consult.mentor", Fields: map[string]string{"mentor_id": "error.consult.mentor"}}
	}
	out, err := s.saveCase(ctx, actor, c, m, "mentor", mt.Name, "mentor_id", mt.ID, "mentor_name", mt.Name)
	if err != nil {
		return nil, err
	}
	s.notify.Send(ctx, mt.ID, "notify.case.mentor", c.PersonName, "/cases/"+c.ID)
	return out, nil
}

// AddLink records help given for the case: a consultation, a service
// request, training or a fresh eligibility check.
func (s *Service) AddLink(ctx context.Context, actor accounts.Principal, id string, l Link, m accounts.Meta) (*Case, error) {
	c, err := s.staffCase(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(LinkKinds, l.Kind) || !core.ValidID(l.ID) {
		return nil, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"kind": "error.enum"}}
	}
	l.At = s.clock.Now()
	return s.saveCase(ctx, actor, c, m, "link."+l.Kind, "", "links", append(slices.Clone(c.Links), l))
}

// CloseCase ends a case with its outcome and the day it was reached.
func (s *Service) CloseCase(ctx context.Context, actor accounts.Principal, id, outcome string, on core.Date, note string, m accounts.Meta) (*Case, error) {
	c, err := s.openStaffCase(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	var v core.Validation
	v.Check(outcome != "", "outcome", "error.case.outcome")
	v.Check(outcome == "" || slices.Contains(Outcomes, outcome), "outcome", "error.enum")
	s.dayBetween(&v, "outcome_on", on, core.DateOf(c.CreatedAt), core.DateOf(s.clock.Now()))
	note = v.Text("note", note, 0, 2000)
	if err := v.Err(); err != nil {
		return nil, err
	}
	out, err := s.saveCase(ctx, actor, c, m, "close."+outcome, note, "status", CaseClosed, "outcome", outcome, "outcome_on", on)
	return out, err
}

// ReopenCase opens a closed case again (hotline staff and administrators):
// the venture restarted and failed again, or the person asks for help
// once more. A reason is required; the outcome is kept in the history and
// the case gets a next contact in a week, so nothing open goes unplanned.
func (s *Service) ReopenCase(ctx context.Context, actor accounts.Principal, id, reason string, m accounts.Meta) (*Case, error) {
	c, err := s.staffCase(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if c.Status != CaseClosed {
		return nil, core.Errorf(core.Conflict, "error.case.not_closed")
	}
	var v core.Validation
	reason = v.Text("reason", reason, 2, 2000)
	if err := v.Err(); err != nil {
		return nil, err
	}
	checkins := slices.Clone(c.Checkins)
	n := 0
	for _, k := range checkins {
		n = max(n, idNumber(k.ID))
	}
	checkins = slices.DeleteFunc(checkins, func(k Checkin) bool { return !k.Done })
	checkins = append(checkins, Checkin{ID: fmt.Sprintf("k%d", n+1), DueOn: core.DateOf(s.clock.Now()).AddDays(7)})
	out, err := s.saveCase(ctx, actor, c, m, "reopen", reason, "status", CaseOpen, "outcome", "", "outcome_on", core.Date{}, "checkins", checkins)
	return out, err
}

// CaseQuery picks cases.
type CaseQuery struct {
	// Queue: "" (all), due_today, overdue, mine, open, closed.
	Queue     string
	StaffID   string
	ContactID string
	Text      string
	Page      core.Page
}

// CaseRow is one case of a queue.
type CaseRow struct {
	ID, PersonName, Status, Outcome, Source string
	Reasons                                 []string
	NextDue                                 core.Date
	CreatedAt                               time.Time
	Overdue, DueToday                       bool
}

// CaseQueues are the named queues.
var CaseQueues = []string{"due_today", "overdue", "mine", "unassigned", "open", "closed"}

// Cases lists cases: queues for staff, the assigned ones for a mentor, their
// own for an entrepreneur. Due today and overdue are ranges over the day
// number of the next contact in the index: one query, whatever the number
// of open cases.
func (s *Service) Cases(ctx context.Context, actor accounts.Principal, q CaseQuery) ([]CaseRow, int, core.Page, error) {
	p := q.Page.Normalize()
	sq := search.Query{Text: q.Text, Offset: p.Offset(), Limit: p.Size, Sort: []search.Sort{{Field: "created_at", Desc: true}}}
	switch {
	case actor.Guest():
		return nil, 0, p, core.Errorf(core.Unauthenticated, "error.unauthenticated")
	case actor.Role.Staff():
	case actor.Role == accounts.Mentor:
		sq.Filters = append(sq.Filters, search.Filter{Field: "mentor_id", Values: []string{actor.ID}})
	default:
		sq.Filters = append(sq.Filters, search.Filter{Field: "person_id", Values: []string{actor.ID}})
	}
	if q.StaffID != "" {
		sq.Filters = append(sq.Filters, search.Filter{Field: "staff_id", Values: []string{q.StaffID}})
	}
	if q.ContactID != "" {
		sq.Filters = append(sq.Filters, search.Filter{Field: "contact_id", Values: []string{q.ContactID}})
	}
	today := float64(core.DateOf(s.clock.Now()).Day())
	open := search.Filter{Field: "status", Values: []string{CaseOpen}}
	switch q.Queue {
	case "":
	case "due_today":
		sq.Filters = append(sq.Filters, open)
		sq.Ranges = append(sq.Ranges, search.Range{Field: "next_due", Min: &today, Max: &today})
	case "overdue":
		one, before := 1.0, today-1
		sq.Filters = append(sq.Filters, open)
		sq.Ranges = append(sq.Ranges, search.Range{Field: "next_due", Min: &one, Max: &before})
		sq.Sort = []search.Sort{{Field: "next_due"}}
	case "mine":
		sq.Filters = append(sq.Filters, open, search.Filter{Field: "staff_id", Values: []string{actor.ID}})
		sq.Sort = []search.Sort{{Field: "next_due"}}
	case "unassigned":
		sq.Filters = append(sq.Filters, open, search.Filter{Field: "staff_id", Values: []string{unassigned}})
	case "open", "closed":
		sq.Filters = append(sq.Filters, search.Filter{Field: "status", Values: []string{q.Queue}})
	default:
		return nil, 0, p, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"queue": "error.enum"}}
	}
	r, err := s.outbox.Engine().Search(ctx, CaseIndex.Name, sq)
	if err != nil {
		return nil, 0, p, unavailable(err)
	}
	rows := make([]CaseRow, 0, len(r.Hits))
	for _, h := range r.Hits {
		due := int(h.Number("next_due"))
		row := CaseRow{ID: h.ID, PersonName: h.String("person_name"), Status: h.String("status"), Outcome: h.String("outcome"),
			Source: h.String("source"), Reasons: h.Strings("reasons"), NextDue: core.DateOfDay(due), CreatedAt: h.Time("created_at")}
		row.Overdue = due > 0 && float64(due) < today
		row.DueToday = float64(due) == today
		rows = append(rows, row)
	}
	return rows, r.Total, p, nil
}

// AssignStaff gives a case to a hotline staff member or administrator (or
// takes it, with one's own id).
func (s *Service) AssignStaff(ctx context.Context, actor accounts.Principal, id, staffID string, m accounts.Meta) (*Case, error) {
	c, err := s.openStaffCase(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	staff, err := s.staffMember(ctx, staffID)
	if err != nil {
		return nil, &core.Error{Code: core.Invalid, Message: "error.assignee", Fields: map[string]string{"staff_id": "error.assignee"}}
	}
	out, err := s.saveCase(ctx, actor, c, m, "assign", staff.Name, "staff_id", staff.ID, "staff_name", staff.Name)
	if err != nil {
		return nil, err
	}
	if staff.ID != actor.ID {
		s.notify.Send(ctx, staff.ID, "notify.case.assigned", c.PersonName, "/cases/"+c.ID)
	}
	return out, nil
}

// Reassigned counts what ReassignAll moved.
type Reassigned struct {
	Cases      int `json:"cases"`
	Complaints int `json:"complaints"`
}

// ReassignAll hands every open case and open complaint of a staff member
// who leaves to another (administrators). Each record is moved by a guarded
// update, so a run that is repeated or interrupted moves the rest.
func (s *Service) ReassignAll(ctx context.Context, actor accounts.Principal, fromID, toID string, m accounts.Meta) (Reassigned, error) {
	var out Reassigned
	if actor.Role != accounts.Admin {
		return out, core.Errorf(core.Forbidden, "error.forbidden")
	}
	var v core.Validation
	v.Check(core.ValidID(fromID), "from_id", "error.assignee")
	to, err := s.staffMember(ctx, toID)
	v.Check(err == nil && toID != fromID, "to_id", "error.assignee")
	if err := v.Err(); err != nil {
		return out, err
	}
	e := s.outbox.Engine()
	for range 1000 {
		r, err := e.Search(ctx, CaseIndex.Name, search.Query{Filters: []search.Filter{{Field: "status", Values: []string{CaseOpen}},
			{Field: "staff_id", Values: []string{fromID}}}, Limit: search.MaxLimit})
		if err != nil {
			return out, unavailable(err)
		}
		moved := 0
		for _, h := range r.Hits {
			c, err := s.Case(ctx, actor, h.ID)
			if err != nil || c.StaffID != fromID || c.Status != CaseOpen {
				continue
			}
			if _, err := s.saveCase(ctx, actor, c, m, "assign", to.Name, "staff_id", to.ID, "staff_name", to.Name); err == nil {
				moved++
			}
		}
		out.Cases += moved
		if moved == 0 || len(r.Hits) < search.MaxLimit {
			break
		}
	}
	for range 1000 {
		r, err := e.Search(ctx, ComplaintIndex.Name, search.Query{Filters: []search.Filter{{Field: "open", Values: []string{"yes"}},
			{Field: "assignee_id", Values: []string{fromID}}}, Limit: search.MaxLimit})
		if err != nil {
			return out, unavailable(err)
		}
		moved := 0
		for _, h := range r.Hits {
			if _, err := s.ActOnComplaint(ctx, actor, h.ID, ComplaintStep{Action: "assign", AssigneeID: to.ID}, m); err == nil {
				moved++
			}
		}
		out.Complaints += moved
		if moved == 0 || len(r.Hits) < search.MaxLimit {
			break
		}
	}
	if out.Cases+out.Complaints > 0 {
		s.notify.Send(ctx, to.ID, "notify.case.reassigned", fmt.Sprint(out.Cases+out.Complaints), "/hotline/cases?queue=mine")
	}
	return out, nil
}
