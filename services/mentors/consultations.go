package mentors

import (
	"context"
	"onestop/services/notify"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/matching"
	"onestop/services/reference"
	"onestop/services/store"
)

// Consultation statuses.
const (
	Waiting    = "waiting"    // assigned, awaiting the mentor's first answer
	Answering  = "answering"  // answered at least once, thread open
	Answered   = "answered"   // the mentor marked it answered
	Closed     = "closed"     // the asker closed (and may have rated) it
	Unassigned = "unassigned" // no fitting mentor with capacity: the admin sees it
)

// ConsultationIndex lists consultations for askers, mentors, hotline and admins.
var ConsultationIndex = search.Index{
	Name:     "consultations",
	Text:     []string{"question"},
	Keywords: []string{"status", "topic", "industry", "asker_id", "mentor_id", "seen_by", "logged_by", "contact_id"},
	Numbers:  []string{"due_ms", "rematches", "rating", "answer_minutes", "unanswered_due_ms"}, // the last: the limit it came in with while unanswered, for OpenOverdue
	Times:    []string{"created_at"},
}

// Message is one entry of a thread. Text is plain text, always escaped
// when shown.
type Message struct {
	At         time.Time `bson:"at" json:"at"`
	AuthorID   string    `bson:"author_id" json:"-"`
	AuthorName string    `bson:"author_name" json:"author_name"`
	Role       string    `bson:"role" json:"role"` // asker, mentor, staff, system
	// Event is what a system message records (one of Events), shown in the
	// reader's language; Text is then its detail (a reason, a name).
	Event string `bson:"event,omitempty" json:"event,omitempty"`
	Text  string `bson:"text" json:"text"`
}

// Events a consultation's thread records as system messages: a mentor
// declined it, let it run past its time, or became unavailable; each time
// it moved on to another mentor.
var Events = []string{"decline", "overdue", mentorUnavailable}

// Said returns a system message's event and detail. Messages written
// before events were kept apart held them as "event: detail" in the text.
func (m Message) Said() (event, text string) {
	if m.Role != "system" || m.Event != "" {
		return m.Event, m.Text
	}
	if e, rest, ok := strings.Cut(m.Text, ":"); ok && slices.Contains(Events, e) {
		return e, strings.TrimPrefix(rest, " ")
	}
	return "", m.Text
}

// Consultation is one question and its thread.
type Consultation struct {
	ID            string    `bson:"_id"`
	AskerID       string    `bson:"asker_id,omitempty"` // empty for a caller without an account
	AskerName     string    `bson:"asker_name"`
	LoggedBy      string    `bson:"logged_by,omitempty"`  // hotline staff who logged it for a caller
	ContactID     string    `bson:"contact_id,omitempty"` // and the caller's contact record
	Topic         string    `bson:"topic"`
	Industry      string    `bson:"industry,omitempty"`
	Question      string    `bson:"question"`
	Status        string    `bson:"status"`
	MentorID      string    `bson:"mentor_id,omitempty"`
	MentorName    string    `bson:"mentor_name,omitempty"`
	SeenBy        []string  `bson:"seen_by"` // every mentor it was ever assigned to
	Declined      []string  `bson:"declined"`
	Messages      []Message `bson:"messages"`
	AssignedAt    time.Time `bson:"assigned_at,omitempty"`
	DueAt         time.Time `bson:"due_at,omitempty"`
	FirstDueAt    time.Time `bson:"first_due_at,omitempty"` // the limit it came in with, whoever takes it: the on-time figure's
	RemindedAt    time.Time `bson:"reminded_at,omitempty"`
	FirstAnswerAt time.Time `bson:"first_answer_at,omitempty"`
	ClosedAt      time.Time `bson:"closed_at,omitempty"`
	Rematches     int       `bson:"rematches"`
	Rating        int       `bson:"rating,omitempty"`
	RatingComment string    `bson:"rating_comment,omitempty"`
	CreatedAt     time.Time `bson:"created_at"`
	UpdatedAt     time.Time `bson:"updated_at"`
}

// limit is the time limit the question came in with; one asked before
// it was kept has the default one from when it was asked.
func (c *Consultation) limit() time.Time {
	if c.FirstDueAt.IsZero() {
		return c.CreatedAt.Add(DefaultAnswerWithin)
	}
	return c.FirstDueAt
}

// Overdue reports whether a waiting consultation passed its time limit.
func (c *Consultation) Overdue(now time.Time) bool {
	return c.Status == Waiting && !c.DueAt.IsZero() && now.After(c.DueAt)
}

func consultationDoc(c *Consultation) *search.Doc {
	answer := 0.0
	if !c.FirstAnswerAt.IsZero() && !c.CreatedAt.IsZero() {
		answer = c.FirstAnswerAt.Sub(c.CreatedAt).Minutes()
	}
	due, unanswered := int64(0), int64(0)
	if c.Status == Waiting && !c.DueAt.IsZero() {
		due = c.DueAt.UnixMilli()
	}
	if c.FirstAnswerAt.IsZero() && c.Status != Closed {
		unanswered = c.limit().UnixMilli()
	}
	return &search.Doc{ID: c.ID, Fields: map[string]any{"unanswered_due_ms": unanswered, "question": c.Question, "status": c.Status, "topic": c.Topic,
		"industry": c.Industry, "asker_id": c.AskerID, "mentor_id": c.MentorID, "seen_by": c.SeenBy, "logged_by": c.LoggedBy, "contact_id": c.ContactID,
		"due_ms": due, "rematches": c.Rematches, "rating": c.Rating, "answer_minutes": answer, "created_at": c.CreatedAt}}
}

// Question is what an asker sends.
type Question struct {
	Topic    string `json:"topic"`
	Industry string `json:"industry,omitempty"`
	Question string `json:"question"`
	// ContactID is the hotline contact record of a caller that hotline
	// staff ask for; the hotline fills CallerName from it.
	ContactID  string `json:"contact_id,omitempty"`
	CallerName string `json:"-"`
	// AccountID is the caller's account when the contact record is linked
	// to one (the hotline fills it): the question is theirs to follow.
	AccountID string `json:"-"`
	// MentorID asks one mentor (from their page) rather than the best
	// fitting one; they must be able to take it now.
	MentorID string `json:"mentor_id,omitempty"`
}

// MaxText bounds a question or a message.
const MaxText = 4000

func cleanText(v *core.Validation, field, s string, min int) string {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	v.Check(n >= min && n <= MaxText && utf8.ValidString(s) && !strings.ContainsRune(s, 0), field, "error.consult.text")
	return s
}

// Ask files a question (entrepreneurs for themselves, hotline staff for a
// caller) and routes it to the best fitting mentor with free capacity.
func (s *Service) Ask(ctx context.Context, actor accounts.Principal, q Question, m accounts.Meta) (*Consultation, error) {
	var v core.Validation
	v.Check(slices.Contains(Topics, q.Topic), "topic", "error.enum")
	s.reference.Current(reference.Industry).Check(&v, "industry", &q.Industry)
	q.Question = cleanText(&v, "question", q.Question, 5)
	now := s.clock.Now()
	c := &Consultation{ID: core.NewID(), Topic: q.Topic, Industry: q.Industry, Question: q.Question, Status: Unassigned,
		SeenBy: []string{}, Declined: []string{}, Messages: []Message{}, FirstDueAt: now.Add(s.AnswerWithin), CreatedAt: now, UpdatedAt: now}
	switch actor.Role {
	case accounts.Entrepreneur:
		c.AskerID, c.AskerName = actor.ID, actor.Name
	case accounts.Hotline, accounts.Admin:
		// The hotline resolved the contact and named the caller; without
		// a contact record there is nobody to answer.
		v.Check(core.ValidID(q.ContactID) && strings.TrimSpace(q.CallerName) != "", "contact_id", "error.contact.unknown")
		c.AskerName, c.LoggedBy, c.ContactID, c.AskerID = strings.TrimSpace(q.CallerName), actor.ID, q.ContactID, q.AccountID
	default:
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	chosen, err := s.chosen(ctx, actor, q, now)
	if err != nil {
		return nil, err
	}
	if err := s.outbox.Begin(ctx, ConsultationIndex.Name, c.ID); err != nil {
		return nil, err
	}
	if err := s.store.Insert(ctx, "consultations", c); err != nil {
		return nil, core.Wrap(err, "insert consultation")
	}
	s.outbox.Apply(ctx, ConsultationIndex.Name, c.ID)
	s.audit.Record(ctx, actor.Actor(m), "consultation.ask", audit.Success, c.ID, c.Topic)
	_, err = s.route(ctx, c, chosen)
	if chosen != nil && core.IsCode(err, core.Conflict) {
		// The chosen mentor filled up since the check: the question is
		// not lost, it goes to the best fitting one.
		_, err = s.route(ctx, c, nil)
	}
	if core.IsCode(err, core.Conflict) {
		// The question changed since it was filed: the worker, which
		// routes unassigned questions, took it first (the load program
		// found one such 409 in 303). Routed is what was asked for.
		if now, rerr := s.read(ctx, c.ID); rerr == nil && now.Status != Unassigned {
			err = nil
		}
	}
	if err != nil {
		return nil, err
	}
	return s.read(ctx, c.ID)
}

// chosen is the mentor a question names, checked before anything is
// written: one the asker may see who takes the topic or the industry and
// has room now; the refusal says why not. Nil when none is named.
func (s *Service) chosen(ctx context.Context, actor accounts.Principal, q Question, now time.Time) (*Mentor, error) {
	if q.MentorID == "" {
		return nil, nil
	}
	refuse := func(key string) error {
		return &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"mentor_id": key}}
	}
	mt, err := s.Visible(ctx, actor, q.MentorID)
	if core.IsCode(err, core.NotFound) || (err == nil && mt.Status != Active) {
		return nil, refuse("error.consult.mentor")
	}
	if err != nil {
		return nil, err
	}
	sc := matching.ScoreMentor(matching.Ask{Industry: q.Industry, Topic: q.Topic, Language: "zh"}, mt.MatchMentor(), now)
	for _, p := range sc.Parts {
		if p.Excludes {
			return nil, refuse("error.consult." + strings.TrimPrefix(p.Key, "match."))
		}
	}
	return mt, nil
}

func (s *Service) read(ctx context.Context, id string) (*Consultation, error) {
	var c Consultation
	if err := s.store.Get(ctx, "consultations", id, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// Suggestions ranks the mentors for a consultation, with the parts of each
// score, leaving out those already tried.
func (s *Service) Suggestions(ctx context.Context, c *Consultation) ([]matching.RankedMentor, error) {
	return s.Rank(ctx, matching.Ask{Industry: c.Industry, Topic: c.Topic, Language: "zh"}, c.SeenBy)
}

// Rank orders the pool for an ask, with the parts of each score, leaving
// out the mentors in exclude (hotline cases use it for "restart" mentors).
func (s *Service) Rank(ctx context.Context, ask matching.Ask, exclude []string) ([]matching.RankedMentor, error) {
	list, err := s.all(ctx)
	if err != nil {
		return nil, err
	}
	ms := make([]matching.Mentor, len(list))
	for i, m := range list {
		ms[i] = m.MatchMentor()
	}
	return matching.RankMentors(ask, ms, exclude, s.clock.Now()), nil
}

// route assigns a consultation to a mentor: prefer (when it fits) or the
// best fitting mentor not yet tried. A seat of the mentor's capacity is
// taken with a guarded increment first, so no mentor is ever over
// capacity; the assignment itself is guarded on the consultation's status
// and version, so two routings of one consultation cannot both happen.
func (s *Service) route(ctx context.Context, c *Consultation, prefer *Mentor) (bool, error) {
	ranked, err := s.Suggestions(ctx, c)
	if err != nil {
		return false, err
	}
	var order []*matching.Mentor
	if prefer != nil {
		for _, r := range ranked {
			if r.Mentor.ID == prefer.ID && !r.Score.Excluded {
				order = append(order, r.Mentor)
			}
		}
		if len(order) == 0 {
			return false, &core.Error{Code: core.Conflict, Message: "error.consult.mentor_full", Fields: map[string]string{"mentor_id": "error.consult.mentor_full"}}
		}
	} else {
		for _, r := range ranked {
			if !r.Score.Excluded {
				order = append(order, r.Mentor)
			}
		}
	}
	for _, cand := range order {
		err := s.store.UpdateIf(ctx, "mentors", cand.ID, []store.Cond{store.Eq("status", Active), store.Lt("load", cand.Capacity)},
			bson.D{{Key: "$inc", Value: bson.D{{Key: "load", Value: 1}}}})
		if core.IsCode(err, core.Conflict) {
			continue // filled up meanwhile; next one
		}
		if err != nil {
			return false, err
		}
		mt, err := s.Mentor(ctx, cand.ID)
		if err != nil {
			return false, err
		}
		now := s.clock.Now()
		set := bson.D{{Key: "status", Value: Waiting}, {Key: "mentor_id", Value: mt.ID}, {Key: "mentor_name", Value: mt.Name},
			{Key: "assigned_at", Value: now}, {Key: "due_at", Value: now.Add(s.AnswerWithin)}, {Key: "reminded_at", Value: time.Time{}},
			{Key: "updated_at", Value: now}}
		if err := s.outbox.Begin(ctx, ConsultationIndex.Name, c.ID); err != nil {
			return false, err
		}
		err = s.store.UpdateIf(ctx, "consultations", c.ID, []store.Cond{store.Eq("updated_at", c.UpdatedAt)},
			bson.D{{Key: "$set", Value: set}, {Key: "$push", Value: bson.D{{Key: "seen_by", Value: mt.ID}}}})
		s.outbox.Apply(ctx, ConsultationIndex.Name, c.ID)
		if err != nil {
			s.freeSlot(ctx, mt.ID)
			return false, err
		}
		s.invalidate()
		s.notify.Send(ctx, mt.ID, "notify.consult.assigned", notify.Label("topic."+c.Topic), "/consultations/"+c.ID)
		return true, nil
	}
	// Nobody fits now: leave it unassigned for the admin, and the worker
	// tries again on its next pass.
	if c.Status != Unassigned {
		if err := s.outbox.Begin(ctx, ConsultationIndex.Name, c.ID); err != nil {
			return false, err
		}
		err := s.store.UpdateIf(ctx, "consultations", c.ID, []store.Cond{store.Eq("updated_at", c.UpdatedAt)},
			bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: Unassigned}, {Key: "mentor_id", Value: ""}, {Key: "updated_at", Value: s.clock.Now()}}}})
		s.outbox.Apply(ctx, ConsultationIndex.Name, c.ID)
		return false, err
	}
	return false, nil
}

func (s *Service) freeSlot(ctx context.Context, mentorID string) {
	_ = s.store.UpdateIf(context.WithoutCancel(ctx), "mentors", mentorID, []store.Cond{store.Gt("load", 0)},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "load", Value: -1}}}})
	s.invalidate()
}

// canRead: the asker, the hotline staff who logged it, every mentor it was
// ever assigned to, administrators. For anyone else it does not exist.
func canRead(actor accounts.Principal, c *Consultation) bool {
	if actor.Guest() {
		return false
	}
	return actor.Role == accounts.Admin || (c.AskerID != "" && c.AskerID == actor.ID) ||
		(c.LoggedBy != "" && c.LoggedBy == actor.ID) || slices.Contains(c.SeenBy, actor.ID)
}

// Get reads a consultation the caller may see.
func (s *Service) Get(ctx context.Context, actor accounts.Principal, id string) (*Consultation, error) {
	if !core.ValidID(id) {
		return nil, core.Errorf(core.NotFound, "error.not_found")
	}
	c, err := s.read(ctx, id)
	if err != nil {
		return nil, err
	}
	if !canRead(actor, c) {
		return nil, core.Errorf(core.NotFound, "error.not_found")
	}
	return c, nil
}

// ListQuery picks a list of consultations.
type ListQuery struct {
	Status string
	Page   core.Page
}

// Row is one consultation in a list.
type Row struct {
	ID, Topic, Status, Question string
	Rematches                   int
	DueAt, CreatedAt            time.Time
	Overdue                     bool
}

// List returns the caller's consultations: an entrepreneur's own, a
// mentor's assigned (now or before), the ones hotline staff logged, all for
// administrators.
func (s *Service) List(ctx context.Context, actor accounts.Principal, q ListQuery) ([]Row, int, core.Page, error) {
	p := q.Page.Normalize()
	sq := search.Query{Offset: p.Offset(), Limit: p.Size, Sort: []search.Sort{{Field: "created_at", Desc: true}}}
	switch actor.Role {
	case accounts.Entrepreneur:
		sq.Filters = append(sq.Filters, search.Filter{Field: "asker_id", Values: []string{actor.ID}})
	case accounts.Mentor:
		sq.Filters = append(sq.Filters, search.Filter{Field: "seen_by", Values: []string{actor.ID}})
	case accounts.Hotline:
		sq.Filters = append(sq.Filters, search.Filter{Field: "logged_by", Values: []string{actor.ID}})
	case accounts.Admin:
	default:
		return nil, 0, p, core.Errorf(core.Forbidden, "error.forbidden")
	}
	now := s.clock.Now()
	switch q.Status {
	case "":
	case "overdue":
		max, min := float64(now.UnixMilli()), 1.0
		sq.Filters = append(sq.Filters, search.Filter{Field: "status", Values: []string{Waiting}})
		sq.Ranges = append(sq.Ranges, search.Range{Field: "due_ms", Min: &min, Max: &max})
	case "rematched":
		min := 1.0
		sq.Ranges = append(sq.Ranges, search.Range{Field: "rematches", Min: &min})
	case "mine":
		sq.Filters = append(sq.Filters, search.Filter{Field: "mentor_id", Values: []string{actor.ID}}, search.Filter{Field: "status", Values: []string{Waiting, Answering}})
	default:
		if !slices.Contains([]string{Waiting, Answering, Answered, Closed, Unassigned}, q.Status) {
			return nil, 0, p, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"status": "error.enum"}}
		}
		sq.Filters = append(sq.Filters, search.Filter{Field: "status", Values: []string{q.Status}})
	}
	r, err := s.outbox.Engine().Search(ctx, ConsultationIndex.Name, sq)
	if err != nil {
		return nil, 0, p, &core.Error{Code: core.Unavailable, Message: "error.search_unavailable", Cause: err}
	}
	rows := make([]Row, 0, len(r.Hits))
	for _, h := range r.Hits {
		due := time.Time{}
		if ms := h.Number("due_ms"); ms > 0 {
			due = time.UnixMilli(int64(ms)).UTC()
		}
		row := Row{ID: h.ID, Topic: h.String("topic"), Status: h.String("status"), Question: h.String("question"),
			Rematches: int(h.Number("rematches")), DueAt: due, CreatedAt: h.Time("created_at")}
		row.Overdue = row.Status == Waiting && !due.IsZero() && now.After(due)
		rows = append(rows, row)
	}
	return rows, r.Total, p, nil
}

// Overview is the administrators' view of how consultations go.
type Overview struct {
	ByStatus        map[string]int `json:"by_status"`
	Overdue         int            `json:"overdue"`
	Rematched       int            `json:"rematched"`
	AnswerMedianMin float64        `json:"answer_median_minutes"`
	AnswerP90Min    float64        `json:"answer_p90_minutes"`
	Answered        int            `json:"answered_count"`
	Mentors         []MentorStat   `json:"mentors"`
}

// MentorStat is one mentor's record.
type MentorStat struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	Title    string  `json:"title,omitempty"`
	Status   string  `json:"status"`
	Load     int     `json:"load"`
	Capacity int     `json:"capacity"`
	Answered int     `json:"answered"`
	Rating   float64 `json:"rating"`
	Ratings  int     `json:"ratings"`
}

// Overview counts consultations by status, the overdue and re-matched
// ones, the time to a first answer (median and 90th percentile, over the
// latest answered ones) and every mentor's record.
func (s *Service) Overview(ctx context.Context, actor accounts.Principal) (*Overview, error) {
	if actor.Role != accounts.Admin {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	e := s.outbox.Engine()
	ov := &Overview{ByStatus: map[string]int{}}
	r, err := e.Search(ctx, ConsultationIndex.Name, search.Query{Facets: []string{"status"}, Limit: 1})
	if err != nil {
		return nil, &core.Error{Code: core.Unavailable, Message: "error.search_unavailable", Cause: err}
	}
	for _, f := range r.Facets["status"] {
		ov.ByStatus[f.Value] = f.Count
	}
	for _, q := range []struct {
		status string
		into   *int
	}{{"overdue", &ov.Overdue}, {"rematched", &ov.Rematched}} {
		_, total, _, err := s.List(ctx, actor, ListQuery{Status: q.status, Page: core.Page{Size: 1}})
		if err != nil {
			return nil, err
		}
		*q.into = total
	}
	var minutes []float64
	min := 0.0001
	for page := 0; page < 20; page++ {
		r, err := e.Search(ctx, ConsultationIndex.Name, search.Query{Ranges: []search.Range{{Field: "answer_minutes", Min: &min}},
			Sort: []search.Sort{{Field: "created_at", Desc: true}}, Offset: page * search.MaxLimit, Limit: search.MaxLimit})
		if err != nil {
			return nil, &core.Error{Code: core.Unavailable, Message: "error.search_unavailable", Cause: err}
		}
		for _, h := range r.Hits {
			minutes = append(minutes, h.Number("answer_minutes"))
		}
		if len(r.Hits) < search.MaxLimit {
			break
		}
	}
	slices.Sort(minutes)
	ov.Answered = len(minutes)
	if n := len(minutes); n > 0 {
		ov.AnswerMedianMin = minutes[n/2]
		ov.AnswerP90Min = minutes[min90(n)]
	}
	list, err := s.all(ctx)
	if err != nil {
		return nil, err
	}
	for _, m := range list {
		ov.Mentors = append(ov.Mentors, MentorStat{ID: m.ID, Name: m.Name, Title: m.Title, Status: m.Status, Load: m.Load, Capacity: m.Capacity,
			Answered: m.Answered, Rating: m.Rating(), Ratings: m.Ratings})
	}
	slices.SortFunc(ov.Mentors, func(a, b MentorStat) int {
		if a.Rating != b.Rating {
			if a.Rating > b.Rating {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	return ov, nil
}

func min90(n int) int { return min(n-1, n*9/10) }

// Pending lists mentor applications awaiting approval (administrators).
func (s *Service) Pending(ctx context.Context, actor accounts.Principal) ([]*Mentor, error) {
	if actor.Role != accounts.Admin {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	list, err := s.all(ctx)
	if err != nil {
		return nil, err
	}
	var out []*Mentor
	for _, m := range list {
		// A refused application waits for the applicant, not for them.
		if m.Status != Active && m.Status != Rejected {
			out = append(out, m)
		}
	}
	return out, nil
}
