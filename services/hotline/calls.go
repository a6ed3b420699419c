package hotline

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
)

// Enumerations of a call.
var (
	CallTypes = []string{"consultation", "complaint", "follow_up", "policy", "other"}
	// CallTopics are what callers ask about; counted per week, they show
	// the bureau which page or rule causes repeated questions.
	CallTopics = []string{"eligibility", "training", "loan", "subsidy", "registration", "tax", "premises", "incubator",
		"mentoring", "restart", "portal", "other"}
	CallOutcomes = []string{"resolved", "referred", "callback", "escalated"}
)

// CallIndex is the call log: by contact, by staff, by week and topic.
var CallIndex = search.Index{
	Name:     "calls",
	Text:     []string{"notes", "contact_name"},
	Keywords: []string{"type", "topic", "outcome", "staff_id", "contact_id", "week", "links"},
	Numbers:  []string{"duration", "callback_ms"},
	Times:    []string{"created_at"},
}

// Call is one logged call.
type Call struct {
	ID          string `bson:"_id"`
	ContactID   string `bson:"contact_id"`
	ContactName string `bson:"contact_name"`
	StaffID     string `bson:"staff_id"`
	StaffName   string `bson:"staff_name"`
	Type        string `bson:"type"`
	Topic       string `bson:"topic"`
	Notes       string `bson:"notes"`
	Outcome     string `bson:"outcome"`
	Duration    int    `bson:"duration"` // seconds
	NextStep    string `bson:"next_step,omitempty"`
	Week        string `bson:"week"` // ISO week, 2026-W48
	Links       []Link `bson:"links"`
	// CallbackAt is when the caller is to be called back (an outcome of
	// 「需回電」); CallbackDone is when that was done. The member of staff
	// who took the call finds it in their work of the day until then.
	CallbackAt   time.Time `bson:"callback_at,omitempty"`
	CallbackDone time.Time `bson:"callback_done,omitempty"`
	CreatedAt    time.Time `bson:"created_at"`
	Version      int       `bson:"version"`
}

// CallbackOpen reports whether the call still waits for its callback.
func (c *Call) CallbackOpen() bool { return !c.CallbackAt.IsZero() && c.CallbackDone.IsZero() }

func callDoc(c *Call) *search.Doc {
	// The row shows what was made from the call: "kind:id" in the index, so
	// a list needs no read per row.
	links := make([]string, len(c.Links))
	for i, l := range c.Links {
		links[i] = l.Kind + ":" + l.ID
	}
	callback := int64(0) // 0: none waiting
	if c.CallbackOpen() {
		callback = c.CallbackAt.UnixMilli()
	}
	return &search.Doc{ID: c.ID, Fields: map[string]any{"notes": c.Notes, "contact_name": c.ContactName, "type": c.Type,
		"topic": c.Topic, "outcome": c.Outcome, "staff_id": c.StaffID, "contact_id": c.ContactID, "week": c.Week,
		"duration": c.Duration, "links": links, "created_at": c.CreatedAt, "callback_ms": callback}}
}

// Week names the ISO week of t in China Standard Time.
func Week(t time.Time) string {
	y, w := core.DateOf(t).Time().ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

// NewCall is the call form.
type NewCall struct {
	ContactID string `json:"contact_id"`
	Type      string `json:"type"`
	Topic     string `json:"topic"`
	Notes     string `json:"notes"`
	Outcome   string `json:"outcome"`
	// DurationMinutes is how long the call took (0.1 to 600).
	DurationMinutes float64 `json:"duration_minutes"`
	NextStep        string  `json:"next_step,omitempty"`
	// CallbackAt is when to call back, for the outcome "callback" (by
	// default the next working day at 10:00 China time).
	CallbackAt time.Time `json:"callback_at,omitzero"`
}

// LogCall records a call with a known contact.
func (s *Service) LogCall(ctx context.Context, actor accounts.Principal, in NewCall, m accounts.Meta) (*Call, error) {
	if err := staffOnly(actor); err != nil {
		return nil, err
	}
	var v core.Validation
	enum(&v, "type", in.Type, CallTypes)
	enum(&v, "topic", in.Topic, CallTopics)
	enum(&v, "outcome", in.Outcome, CallOutcomes)
	notes := v.Text("notes", in.Notes, 1, 4000)
	next := v.Text("next_step", in.NextStep, 0, 500)
	v.Check(in.DurationMinutes >= 0.1 && in.DurationMinutes <= 600, "duration_minutes", "error.number.range")
	contact, err := s.contactField(ctx, actor, &v, in.ContactID)
	if err != nil {
		return nil, err
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	c := &Call{ID: core.NewID(), ContactID: contact.ID, ContactName: contact.Name, StaffID: actor.ID, StaffName: actor.Name,
		Type: in.Type, Topic: in.Topic, Notes: notes, Outcome: in.Outcome, Duration: int(in.DurationMinutes*60 + 0.5),
		NextStep: next, Week: Week(now), Links: []Link{}, CreatedAt: now}
	if in.Outcome == "callback" {
		c.CallbackAt = in.CallbackAt
		if c.CallbackAt.IsZero() {
			c.CallbackAt = core.DateOf(s.calendar.DueOn(now, 1)).Time().Add(10 * time.Hour) // the next working day at 10:00
		}
		if c.CallbackAt.Before(now.Add(-time.Minute)) || c.CallbackAt.After(now.AddDate(0, 3, 0)) {
			return nil, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"callback_at": "error.call.callback_at"}}
		}
	}
	if err := s.insert(ctx, "calls", CallIndex.Name, c.ID, c); err != nil {
		return nil, err
	}
	s.audit.Record(ctx, actor.Actor(m), "call.log", audit.Success, c.ID, c.Type)
	return c, nil
}

// CallbackDone records that the caller was called back (the member of
// staff who took the call, or an administrator).
func (s *Service) CallbackDone(ctx context.Context, actor accounts.Principal, id string, m accounts.Meta) (*Call, error) {
	c, err := s.Call(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if !c.CallbackOpen() {
		return nil, core.Errorf(core.Conflict, "error.call.no_callback")
	}
	if err := s.change(ctx, "calls", CallIndex.Name, c.ID, c.Version, set("callback_done", s.clock.Now())); err != nil {
		return nil, err
	}
	s.audit.Record(ctx, actor.Actor(m), "call.callback", audit.Success, c.ID, "")
	return s.Call(ctx, actor, id)
}

// contactField reads the contact a form names; an unknown one is a field
// error, not a missing page.
func (s *Service) contactField(ctx context.Context, actor accounts.Principal, v *core.Validation, id string) (*Contact, error) {
	c, err := s.Contact(ctx, actor, id)
	if core.IsCode(err, core.NotFound) {
		v.Add("contact_id", "error.contact.unknown")
		return &Contact{}, nil
	}
	return c, err
}

// Call reads a call (staff only).
func (s *Service) Call(ctx context.Context, actor accounts.Principal, id string) (*Call, error) {
	if err := staffOnly(actor); err != nil {
		return nil, err
	}
	if !core.ValidID(id) {
		return nil, core.Errorf(core.NotFound, "error.not_found")
	}
	var c Call
	if err := s.store.Get(ctx, "calls", id, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// linkCall records on a call what was made from it.
func (s *Service) linkCall(ctx context.Context, callID string, l Link) {
	var c Call
	if err := s.store.Get(ctx, "calls", callID, &c); err != nil {
		return
	}
	_ = s.change(ctx, "calls", CallIndex.Name, c.ID, c.Version, bson.D{push("links", l)})
}

// CallRow is one call of a list.
type CallRow struct {
	ID, ContactID, ContactName, Type, Topic, Outcome, Notes string
	Duration                                                int
	Links                                                   []Link
	CreatedAt                                               time.Time
}

// CallQuery picks calls.
type CallQuery struct {
	ContactID, StaffID, Topic, Week string
	Page                            core.Page
}

// Calls lists calls, newest first (staff only).
func (s *Service) Calls(ctx context.Context, actor accounts.Principal, q CallQuery) ([]CallRow, int, core.Page, error) {
	p := q.Page.Normalize()
	if err := staffOnly(actor); err != nil {
		return nil, 0, p, err
	}
	sq := search.Query{Offset: p.Offset(), Limit: p.Size, Sort: []search.Sort{{Field: "created_at", Desc: true}}}
	for field, val := range map[string]string{"contact_id": q.ContactID, "staff_id": q.StaffID, "topic": q.Topic, "week": q.Week} {
		if val != "" {
			sq.Filters = append(sq.Filters, search.Filter{Field: field, Values: []string{val}})
		}
	}
	r, err := s.outbox.Engine().Search(ctx, CallIndex.Name, sq)
	if err != nil {
		return nil, 0, p, unavailable(err)
	}
	rows := make([]CallRow, 0, len(r.Hits))
	for _, h := range r.Hits {
		rows = append(rows, CallRow{ID: h.ID, ContactID: h.String("contact_id"), ContactName: h.String("contact_name"), Type: h.String("type"),
			Topic: h.String("topic"), Outcome: h.String("outcome"), Notes: h.String("notes"), Duration: int(h.Number("duration")),
			Links: linksOf(h.Strings("links")), CreatedAt: h.Time("created_at")})
	}
	return rows, r.Total, p, nil
}

func unavailable(err error) error {
	return &core.Error{Code: core.Unavailable, Message: "error.search_unavailable", Cause: err}
}

// WeekTopics is how many calls of each topic came in one week.
type WeekTopics struct {
	Week   string         `json:"week"`
	Total  int            `json:"total"`
	Topics map[string]int `json:"topics"`
}

// TopicsByWeek counts the calls of each topic over the last n weeks, newest
// first, from the index's facets (no record is read).
func (s *Service) TopicsByWeek(ctx context.Context, actor accounts.Principal, n int) ([]WeekTopics, error) {
	if err := staffOnly(actor); err != nil {
		return nil, err
	}
	n = min(max(n, 1), 52)
	now := s.clock.Now()
	out := make([]WeekTopics, 0, n)
	for i := range n {
		w := Week(now.AddDate(0, 0, -7*i))
		r, err := s.outbox.Engine().Search(ctx, CallIndex.Name, search.Query{Filters: []search.Filter{{Field: "week", Values: []string{w}}},
			Facets: []string{"topic"}, Limit: 1})
		if err != nil {
			return nil, unavailable(err)
		}
		wt := WeekTopics{Week: w, Total: r.Total, Topics: map[string]int{}}
		for _, f := range r.Facets["topic"] {
			wt.Topics[f.Value] = f.Count
		}
		out = append(out, wt)
	}
	return out, nil
}

func linksOf(kv []string) []Link {
	out := []Link{}
	for _, s := range kv {
		if k, id, ok := strings.Cut(s, ":"); ok {
			out = append(out, Link{Kind: k, ID: id})
		}
	}
	return out
}
