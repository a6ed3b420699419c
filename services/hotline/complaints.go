package hotline

import (
	"context"
	"slices"
	"time"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
)

// Complaint kinds, each with its time limit (限時辦結) in the bureau's
// working days (services/workdays), and whom a complaint may be against.
var (
	ComplaintKinds       = []string{"service", "conduct", "policy", "privacy", "other"}
	DefaultComplaintDays = map[string]int{"service": 10, "conduct": 7, "policy": 10, "privacy": 5, "other": 10}
	Against              = []string{"department", "base", "mentor", "provider", "portal"}
)

// Complaint statuses.
const (
	Received   = "received"
	InProgress = "in_progress"
	Answered   = "answered"
	Closed     = "closed"
	Reopened   = "reopened"
)

// ComplaintStatuses in the order of their life.
var ComplaintStatuses = []string{Received, InProgress, Answered, Closed, Reopened}

// ComplaintIndex is the complaint board and the complainant's list.
var ComplaintIndex = search.Index{
	Name: "complaints",
	Text: []string{"subject", "details", "contact_name"},
	// assignee_id is Unassigned when nobody has the complaint yet;
	// assignee_name is what the board's row shows.
	Keywords: []string{"ref", "status", "kind", "against", "against_id", "assignee_id", "assignee_name", "complainant_id", "contact_id", "open", "escalated"},
	Numbers:  []string{"due_ms", "limit_days", "unanswered_due_ms"}, // the last: the limit it came in with while never answered, for OpenOverdue
	Times:    []string{"created_at"},
}

// Complaint is one complaint (投訴). It is visible to the bureau's staff and
// to the complainant only: never to the department, base or mentor it is
// about.
type Complaint struct {
	ID            string    `bson:"_id"`
	Ref           string    `bson:"ref,omitempty"` // the reference number (受理編號) people quote: TS-2026-000123
	ContactID     string    `bson:"contact_id,omitempty"`
	ContactName   string    `bson:"contact_name"`
	ComplainantID string    `bson:"complainant_id,omitempty"` // the account, when there is one
	CallID        string    `bson:"call_id,omitempty"`
	Kind          string    `bson:"kind"`
	Subject       string    `bson:"subject"`
	Against       string    `bson:"against"`
	AgainstName   string    `bson:"against_name,omitempty"`
	AgainstID     string    `bson:"against_id,omitempty"` // the training provider, when it is about one
	Details       string    `bson:"details"`
	Desired       string    `bson:"desired,omitempty"`
	Status        string    `bson:"status"`
	AssigneeID    string    `bson:"assignee_id,omitempty"`
	AssigneeName  string    `bson:"assignee_name,omitempty"`
	DueAt         time.Time `bson:"due_at"`       // the close of the limit's last working day
	FirstDueAt    time.Time `bson:"first_due_at"` // the limit it came in with: the on-time figure's
	// LimitDays is the time limit, in working days, that DueAt counts (a
	// reopened complaint gets the same again); 0 on complaints made when
	// limits were calendar days.
	LimitDays   int       `bson:"limit_days,omitempty"`
	EscalatedAt time.Time `bson:"escalated_at,omitempty"`
	Answer      string    `bson:"answer,omitempty"`
	AnsweredAt  time.Time `bson:"answered_at,omitempty"`
	ClosedAt    time.Time `bson:"closed_at,omitempty"`
	History     []Step    `bson:"history"`
	CreatedAt   time.Time `bson:"created_at"`
	UpdatedAt   time.Time `bson:"updated_at"`
	Version     int       `bson:"version"`
}

// Open reports whether the complaint still needs the bureau's work.
func (c *Complaint) Open() bool { return c.Status != Answered && c.Status != Closed }

// Overdue reports whether an open complaint passed its time limit.
func (c *Complaint) Overdue(now time.Time) bool { return c.Open() && now.After(c.DueAt) }

// limit is the time limit the complaint came in with (a reopened one gets
// a fresh DueAt): the on-time figure's.
func (c *Complaint) limit() time.Time {
	if c.FirstDueAt.IsZero() {
		return c.DueAt
	}
	return c.FirstDueAt
}

func complaintDoc(c *Complaint) *search.Doc {
	open, esc := "no", "no"
	if c.Open() {
		open = "yes"
	}
	if !c.EscalatedAt.IsZero() {
		esc = "yes"
	}
	unanswered := int64(0)
	if c.AnsweredAt.IsZero() {
		unanswered = c.limit().UnixMilli()
	}
	assignee := c.AssigneeID
	if assignee == "" {
		assignee = Unassigned // an empty keyword cannot be filtered on
	}
	return &search.Doc{ID: c.ID, Fields: map[string]any{"unanswered_due_ms": unanswered, "ref": c.Ref, "subject": c.Subject, "details": c.Details, "contact_name": c.ContactName,
		"status": c.Status, "kind": c.Kind, "against": c.Against, "against_id": c.AgainstID, "assignee_id": assignee, "assignee_name": c.AssigneeName, "complainant_id": c.ComplainantID,
		"contact_id": c.ContactID, "open": open, "escalated": esc, "due_ms": c.DueAt.UnixMilli(), "limit_days": c.LimitDays, "created_at": c.CreatedAt}}
}

// NewComplaint is the complaint form. ContactID and CallID are set when
// hotline staff take it on a call.
type NewComplaint struct {
	ContactID   string `json:"contact_id,omitempty"`
	CallID      string `json:"call_id,omitempty"`
	Kind        string `json:"kind"`
	Subject     string `json:"subject"`
	Against     string `json:"against"`
	AgainstName string `json:"against_name,omitempty"`
	AgainstID   string `json:"against_id,omitempty"` // a training provider's id, when against is "provider"
	Details     string `json:"details"`
	Desired     string `json:"desired,omitempty"`
}

// FileComplaint records a complaint: an entrepreneur's own, or one staff
// take for a caller.
func (s *Service) FileComplaint(ctx context.Context, actor accounts.Principal, in NewComplaint, m accounts.Meta) (*Complaint, error) {
	if actor.Guest() {
		return nil, core.Errorf(core.Unauthenticated, "error.unauthenticated")
	}
	var v core.Validation
	enum(&v, "kind", in.Kind, ComplaintKinds)
	enum(&v, "against", in.Against, Against)
	now := s.clock.Now()
	c := &Complaint{ID: core.NewID(), Kind: in.Kind, Against: in.Against, Status: Received, CreatedAt: now, UpdatedAt: now}
	c.Subject = v.Line("subject", in.Subject, 2, 100)
	c.AgainstName = v.Line("against_name", in.AgainstName, 0, 100)
	if in.Against == "provider" {
		// Named from the bureau's list, so the provider's record counts it.
		name, ok := "", false
		if core.ValidID(in.AgainstID) {
			name, ok = s.providerName(ctx, in.AgainstID)
		}
		v.Check(ok, "against_id", "error.enum")
		c.AgainstID, c.AgainstName = in.AgainstID, name
	}
	v.Check(in.Against == "portal" || c.AgainstName != "", "against_name", "error.required")
	c.Details = v.Text("details", in.Details, 5, 4000)
	c.Desired = v.Text("desired", in.Desired, 0, 1000)
	switch {
	case actor.Role == accounts.Entrepreneur:
		c.ComplainantID, c.ContactName = actor.ID, actor.Name
	case actor.Role.Staff():
		contact, err := s.contactField(ctx, actor, &v, in.ContactID)
		if err != nil {
			return nil, err
		}
		c.ContactID, c.ContactName, c.ComplainantID = contact.ID, contact.Name, contact.AccountID
		if in.CallID != "" {
			if call, err := s.Call(ctx, actor, in.CallID); err != nil || call.ContactID != contact.ID {
				v.Add("call_id", "error.not_found")
			}
			c.CallID = in.CallID
		}
	default:
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	c.LimitDays = s.days[c.Kind]
	c.DueAt = s.calendar.DueOn(now, c.LimitDays)
	c.FirstDueAt = c.DueAt
	c.History = []Step{{At: now, ActorID: actor.ID, ActorName: actor.Name, Action: "receive"}}
	ref, err := s.complaintRef(ctx, c.ID, now)
	if err != nil {
		return nil, err
	}
	c.Ref = ref
	if err := s.insert(ctx, "complaints", ComplaintIndex.Name, c.ID, c); err != nil {
		_ = s.store.ReleaseKey(context.WithoutCancel(ctx), complaintRefKey+c.Ref, c.ID)
		return nil, err
	}
	if c.CallID != "" {
		s.linkCall(ctx, c.CallID, Link{Kind: "complaint", ID: c.ID, At: now})
	}
	s.audit.Record(ctx, actor.Actor(m), "complaint.file", audit.Success, c.ID, c.Kind)
	return c, nil
}

// canReadComplaint: the bureau's staff and the complainant. Whoever the
// complaint is about — a mentor, a base's manager — is neither, so never
// sees it.
func canReadComplaint(actor accounts.Principal, c *Complaint) bool {
	return actor.Role.Staff() || (c.ComplainantID != "" && c.ComplainantID == actor.ID)
}

// Complaint reads a complaint the caller may see.
func (s *Service) Complaint(ctx context.Context, actor accounts.Principal, id string) (*Complaint, error) {
	notFound := core.Errorf(core.NotFound, "error.not_found")
	if actor.Guest() || !core.ValidID(id) {
		return nil, notFound
	}
	var c Complaint
	if err := s.store.Get(ctx, "complaints", id, &c); err != nil {
		return nil, err
	}
	if !canReadComplaint(actor, &c) {
		return nil, notFound
	}
	if !actor.Role.Staff() {
		c.History = publicSteps(c.History)
	}
	return &c, nil
}

// NoteAction is the step that adds a working note (內部備註) to a
// complaint: staff's alone, never shown to the complainant.
const NoteAction = "note"

// publicSteps is a complaint's history as the complainant reads it: staff's
// working notes stay with staff, and the steps that are nothing but a note
// are left out altogether (an empty row would still say that staff wrote
// something).
func publicSteps(hist []Step) []Step {
	out := make([]Step, 0, len(hist))
	for _, st := range hist {
		if st.Action == NoteAction {
			continue
		}
		st.Note = ""
		out = append(out, st)
	}
	return out
}

// ComplaintStep is an action on a complaint.
type ComplaintStep struct {
	Action string `json:"action"`
	// Text is the answer to the complainant (answer), the reason to reopen
	// (reopen: required, and read by the complainant too), an internal
	// note (note: staff only), or a note with the step (start, close).
	Text       string `json:"text,omitempty"`
	AssigneeID string `json:"assignee_id,omitempty"`
}

var complaintTransitions = map[string]struct {
	from  []string
	to    string
	owner bool // the complainant may too (staff always may)
}{
	"assign": {from: []string{Received, InProgress, Reopened}},
	"start":  {from: []string{Received, Reopened}, to: InProgress},
	"answer": {from: []string{Received, InProgress, Reopened}, to: Answered},
	"close":  {from: []string{Answered}, to: Closed, owner: true},
	"reopen": {from: []string{Answered, Closed}, to: Reopened, owner: true},
	// A working note may be added whatever the status, answered and closed
	// complaints too (a call about one after it was settled).
	NoteAction: {from: ComplaintStatuses},
}

// ActOnComplaint moves a complaint on. Staff assign, start, answer (the
// answer goes to the complainant), close and reopen, and add internal
// notes; the complainant may close an answered complaint or reopen it when
// the answer does not settle it, which gives it a fresh time limit. A
// reopening says why, and both sides read the reason.
func (s *Service) ActOnComplaint(ctx context.Context, actor accounts.Principal, id string, in ComplaintStep, m accounts.Meta) (*Complaint, error) {
	c, err := s.Complaint(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	tr, ok := complaintTransitions[in.Action]
	if !ok {
		return nil, &core.Error{Code: core.Invalid, Message: "error.action", Fields: map[string]string{"action": "error.enum"}}
	}
	if !actor.Role.Staff() && !(tr.owner && c.ComplainantID == actor.ID) {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	if !slices.Contains(tr.from, c.Status) {
		return nil, core.Errorf(core.Conflict, "error.complaint.state")
	}
	var v core.Validation
	now := s.clock.Now()
	step := Step{At: now, ActorID: actor.ID, ActorName: actor.Name, Action: in.Action}
	fields := []any{"updated_at", now}
	switch in.Action {
	case "assign":
		assignee, err := s.staffMember(ctx, in.AssigneeID)
		if err != nil {
			v.Add("assignee_id", "error.assignee")
		} else {
			fields = append(fields, "assignee_id", assignee.ID, "assignee_name", assignee.Name)
			step.Note = assignee.Name
		}
	case "answer":
		// The answer is the text the complainant reads, and only that:
		// notes go through their own action.
		answer := v.Text("text", in.Text, 5, 4000)
		fields = append(fields, "answer", answer, "answered_at", now)
	case NoteAction:
		step.Note = v.Text("text", in.Text, 2, 2000)
	case "reopen":
		// The reason is for the record both sides read, whoever reopens.
		step.Said = v.Text("text", in.Text, 5, 1000)
		days := s.days[c.Kind]
		fields = append(fields, "due_at", s.calendar.DueOn(now, days), "limit_days", days, "escalated_at", time.Time{})
	case "close":
		step.Note = v.Text("text", in.Text, 0, 1000)
		fields = append(fields, "closed_at", now)
	default:
		step.Note = v.Text("text", in.Text, 0, 1000)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if tr.to != "" {
		fields = append(fields, "status", tr.to)
	}
	if c.AssigneeID == "" && actor.Role.Staff() && in.Action != "assign" && in.Action != NoteAction {
		fields = append(fields, "assignee_id", actor.ID, "assignee_name", actor.Name)
	}
	if !actor.Role.Staff() && step.Note != "" {
		// The complainant's words are for everyone on the record to read,
		// not a staff note.
		step.Said, step.Note = step.Note, ""
	}
	update := with(set(fields...), push("history", step))
	if err := s.change(ctx, "complaints", ComplaintIndex.Name, c.ID, c.Version, update); err != nil {
		return nil, err
	}
	s.audit.Record(ctx, actor.Actor(m), "complaint."+in.Action, audit.Success, c.ID, "")
	if in.Action == "answer" && c.ComplainantID != "" {
		s.notify.Send(ctx, c.ComplainantID, "notify.complaint.answered", c.Subject, "/complaints/"+c.ID)
	}
	if in.Action == "assign" {
		if a, ok := fieldValue(fields, "assignee_id"); ok && a != actor.ID {
			s.notify.Send(ctx, a, "notify.complaint.assigned", c.Subject, "/complaints/"+c.ID)
		}
	}
	return s.Complaint(ctx, actor, c.ID)
}

func fieldValue(kv []any, key string) (string, bool) {
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i] == key {
			s, ok := kv[i+1].(string)
			return s, ok
		}
	}
	return "", false
}

// staffMember reads an active hotline or admin account (an assignee).
func (s *Service) staffMember(ctx context.Context, id string) (*accounts.User, error) {
	if !core.ValidID(id) {
		return nil, core.Errorf(core.NotFound, "error.not_found")
	}
	u, err := s.accounts.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if !u.Role.Staff() || u.Disabled {
		return nil, core.Errorf(core.NotFound, "error.not_found")
	}
	return u, nil
}

// escalate marks an overdue complaint escalated, once, and tells the
// administrators and the assignee.
func (s *Service) escalate(ctx context.Context, c *Complaint, admins []string) bool {
	now := s.clock.Now()
	if !c.Overdue(now) || !c.EscalatedAt.IsZero() {
		return false
	}
	step := Step{At: now, ActorName: "system", Action: "escalate"}
	if err := s.change(ctx, "complaints", ComplaintIndex.Name, c.ID, c.Version, with(set("escalated_at", now), push("history", step))); err != nil {
		return false
	}
	for _, id := range admins {
		s.notify.Send(ctx, id, "notify.complaint.escalated", c.Subject, "/complaints/"+c.ID)
	}
	if c.AssigneeID != "" && !slices.Contains(admins, c.AssigneeID) {
		s.notify.Send(ctx, c.AssigneeID, "notify.complaint.escalated", c.Subject, "/complaints/"+c.ID)
	}
	return true
}

// ComplaintsAbout counts the complaints about each of the given ones of
// a kind (the training providers on the list), one count query each — a
// facet would keep only the most frequent values. The bureau's dynamic
// management of its list reads them.
func (s *Service) ComplaintsAbout(ctx context.Context, against string, ids []string) (map[string]int, error) {
	out := map[string]int{}
	for _, id := range ids {
		r, err := s.outbox.Engine().Search(ctx, ComplaintIndex.Name, search.Query{Filters: []search.Filter{{Field: "against", Values: []string{against}},
			{Field: "against_id", Values: []string{id}}}, Limit: 1})
		if err != nil {
			return nil, unavailable(err)
		}
		out[id] = r.Total
	}
	return out, nil
}
