package training

import (
	"context"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/people"
	"onestop/services/store"
)

// Enrolment statuses.
const (
	Enrolled  = "enrolled"
	Passed    = "passed"     // completed under the attendance rule
	NotPassed = "not_passed" // attended too little
	Withdrawn = "withdrawn"
)

// Enrolment is a person on a course, by real name. Its id is computed from
// the course and the person, so enrolling twice is one insert refused.
type Enrolment struct {
	ID          string    `bson:"_id" json:"id"`
	CourseID    string    `bson:"course_id" json:"course_id"`
	CourseTitle string    `bson:"course_title" json:"course_title"`
	Kind        string    `bson:"kind" json:"kind"`
	ProviderID  string    `bson:"provider_id" json:"-"`
	PersonID    string    `bson:"person_id" json:"person_id"`
	RealName    string    `bson:"real_name" json:"real_name"`
	IDMasked    string    `bson:"id_masked,omitempty" json:"id_masked,omitempty"`
	Status      string    `bson:"status" json:"status"`
	Attended    []string  `bson:"attended" json:"attended"`
	EnrolledBy  string    `bson:"enrolled_by" json:"-"`
	Code        string    `bson:"code,omitempty" json:"code,omitempty"` // certificate code
	Claimed     bool      `bson:"claimed" json:"claimed"`
	CompletedOn core.Date `bson:"completed_on,omitempty" json:"completed_on,omitzero"`
	DueOn       core.Date `bson:"due_on,omitempty" json:"-"` // the last session's day, kept with the result: the completion figure's
	CreatedAt   time.Time `bson:"created_at" json:"created_at"`
}

func enrolmentID(courseID, personID string) string { return courseID + "-" + personID }

// EnrolmentIndex lists a course's roster and a person's trainings.
var EnrolmentIndex = search.Index{
	Name:     "enrolments",
	Keywords: []string{"course_id", "person_id", "status", "provider_id", "kind"},
	Times:    []string{"created_at"},
}

func enrolmentDoc(e *Enrolment) *search.Doc {
	return &search.Doc{ID: e.ID, Fields: map[string]any{"course_id": e.CourseID, "person_id": e.PersonID, "status": e.Status,
		"provider_id": e.ProviderID, "kind": e.Kind, "created_at": e.CreatedAt}}
}

// changed brings an enrolment's index entry in step after a write.
func (s *Service) changed(ctx context.Context, id string) {
	_ = s.outbox.Changed(context.WithoutCancel(ctx), EnrolmentIndex.Name, id)
}

// enrolments reads the enrolments the index lists for a filter, each from
// the database (the roster of one course is bounded by its seats).
func (s *Service) enrolments(ctx context.Context, field, value string) ([]*Enrolment, error) {
	var out []*Enrolment
	for page := 0; page < 50; page++ {
		r, err := s.outbox.Engine().Search(ctx, EnrolmentIndex.Name, search.Query{Filters: []search.Filter{{Field: field, Values: []string{value}}},
			Sort: []search.Sort{{Field: "created_at"}}, Offset: page * search.MaxLimit, Limit: search.MaxLimit})
		if err != nil {
			return nil, &core.Error{Code: core.Unavailable, Message: "error.search_unavailable", Cause: err}
		}
		for _, h := range r.Hits {
			var e Enrolment
			if err := s.store.Get(ctx, "enrolments", h.ID, &e); err == nil {
				out = append(out, &e)
			}
		}
		if len(r.Hits) < search.MaxLimit {
			break
		}
	}
	return out, nil
}

// Enrol puts a person on an open course: an entrepreneur themselves, or
// hotline staff for one. The person must have a real-name profile; a seat
// is taken with a guarded increment, so a course is never over-full.
func (s *Service) Enrol(ctx context.Context, actor accounts.Principal, courseID, personID string, m accounts.Meta) (*Enrolment, error) {
	switch {
	case actor.Role == accounts.Entrepreneur:
		personID = actor.ID
	case actor.Role.Staff():
	default:
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	c, err := s.Course(ctx, courseID)
	if err != nil {
		return nil, err
	}
	if c.Status != Open {
		return nil, core.Errorf(core.Conflict, "error.training.closed")
	}
	p, err := s.people.Get(ctx, actor, personID)
	if err != nil {
		return nil, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"person_id": "error.not_found"}}
	}
	if p.RealName == "" {
		return nil, &core.Error{Code: core.Invalid, Message: "error.training.real_name", Fields: map[string]string{"person_id": "error.training.real_name"}}
	}
	e := &Enrolment{ID: enrolmentID(c.ID, p.ID), CourseID: c.ID, CourseTitle: c.Title, Kind: c.Kind, ProviderID: c.ProviderID,
		PersonID: p.ID, RealName: p.RealName, IDMasked: idMasked(p), Status: Enrolled, Attended: []string{}, EnrolledBy: actor.ID, CreatedAt: s.clock.Now()}
	var existing Enrolment
	if err := s.store.Get(ctx, "enrolments", e.ID, &existing); err == nil && existing.Status != Withdrawn {
		return nil, core.Errorf(core.Conflict, "error.training.enrolled")
	}
	// The seat first, then the record; a failed insert gives the seat back.
	err = s.store.UpdateIf(ctx, "courses", c.ID, []store.Cond{store.Eq("status", Open), store.Lt("enrolled", c.Seats)},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "enrolled", Value: 1}}}})
	if core.IsCode(err, core.Conflict) {
		return nil, core.Errorf(core.Conflict, "error.training.full")
	}
	if err != nil {
		return nil, err
	}
	s.outbox.Changed(ctx, CourseIndex.Name, c.ID)
	if existing.ID != "" {
		// Back after withdrawing: only if still withdrawn, so two racing
		// re-enrolments take one seat (the loser gives its seat back).
		e.CreatedAt = existing.CreatedAt // one enrolment, counted on its first day
		err = s.store.UpdateIf(ctx, "enrolments", e.ID, []store.Cond{store.Eq("status", Withdrawn)}, bson.D{{Key: "$set", Value: bson.D{
			{Key: "status", Value: Enrolled}, {Key: "attended", Value: []string{}}, {Key: "enrolled_by", Value: actor.ID}}}})
		if core.IsCode(err, core.Conflict) {
			s.freeSeat(ctx, c.ID)
			return nil, core.Errorf(core.Conflict, "error.training.enrolled")
		}
	} else {
		_, err = s.store.C("enrolments").InsertOne(ctx, e)
	}
	if err != nil {
		s.freeSeat(ctx, c.ID)
		if mongo.IsDuplicateKeyError(err) {
			return nil, core.Errorf(core.Conflict, "error.training.enrolled")
		}
		return nil, core.Wrap(err, "insert enrolment")
	}
	s.changed(ctx, e.ID)
	s.count(ctx, e.ID)
	s.audit.Record(ctx, actor.Actor(m), "course.enrol", audit.Success, e.ID, "")
	return e, nil
}

func (s *Service) freeSeat(ctx context.Context, courseID string) {
	_ = s.store.UpdateIf(context.WithoutCancel(ctx), "courses", courseID, []store.Cond{store.Gt("enrolled", 0)},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "enrolled", Value: -1}}}})
	s.outbox.Changed(context.WithoutCancel(ctx), CourseIndex.Name, courseID)
}

// Withdraw takes a person off a course that has not finished.
func (s *Service) Withdraw(ctx context.Context, actor accounts.Principal, courseID string, m accounts.Meta) error {
	var e Enrolment
	if err := s.store.Get(ctx, "enrolments", enrolmentID(courseID, actor.ID), &e); err != nil || e.Status != Enrolled {
		return core.Errorf(core.NotFound, "error.not_found")
	}
	if err := s.store.UpdateIf(ctx, "enrolments", e.ID, []store.Cond{store.Eq("status", Enrolled)},
		bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: Withdrawn}}}}); err != nil {
		return err
	}
	s.changed(ctx, e.ID)
	s.freeSeat(ctx, courseID)
	s.audit.Record(ctx, actor.Actor(m), "course.withdraw", audit.Success, e.ID, "")
	return nil
}

// Roster lists a course's enrolments for its provider (and staff): a
// course's roster is bounded by its seats, so it is read by computed ids.
func (s *Service) Roster(ctx context.Context, actor accounts.Principal, courseID string) (*Course, []*Enrolment, error) {
	c, err := s.Course(ctx, courseID)
	if err != nil {
		return nil, nil, err
	}
	if c.ProviderID != actor.ID && !actor.Role.Staff() {
		return nil, nil, core.Errorf(core.NotFound, "error.not_found")
	}
	all, err := s.enrolments(ctx, "course_id", c.ID)
	out := slices.DeleteFunc(all, func(e *Enrolment) bool { return e.Status == Withdrawn })
	return c, out, err
}

// Mine lists the caller's enrolments, newest first.
func (s *Service) Mine(ctx context.Context, actor accounts.Principal) ([]*Enrolment, error) {
	out, err := s.enrolments(ctx, "person_id", actor.ID)
	slices.Reverse(out)
	return out, err
}

// RecordAttendance marks who attended a session (the provider): present
// holds person ids, each of whom must be enrolled; the session's marks are
// replaced, so a correction is another call.
func (s *Service) RecordAttendance(ctx context.Context, actor accounts.Principal, courseID, sessionID string, present []string, m accounts.Meta) error {
	c, err := s.ownCourse(ctx, actor, courseID)
	if err != nil {
		return err
	}
	if c.Status == Completed {
		return core.Errorf(core.Conflict, "error.training.completed")
	}
	var v core.Validation
	i := slices.IndexFunc(c.Sessions, func(ss Session) bool { return ss.ID == sessionID })
	v.Check(i >= 0, "session_id", "error.enum")
	if i >= 0 && s.clock.Now().Before(c.Sessions[i].StartsAt) {
		// Nobody attends a session that has not begun; a mark now would
		// start the course and feed subsidy claims on nothing.
		return core.Errorf(core.Conflict, "error.training.session_ahead")
	}
	_, roster, err := s.Roster(ctx, actor, courseID)
	if err != nil {
		return err
	}
	byPerson := map[string]*Enrolment{}
	for _, e := range roster {
		byPerson[e.PersonID] = e
	}
	for _, pid := range present {
		if e := byPerson[pid]; e == nil || e.Status != Enrolled {
			v.Add("present", "error.training.not_enrolled")
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	for _, e := range roster {
		if e.Status != Enrolled {
			continue
		}
		was, is := slices.Contains(e.Attended, sessionID), slices.Contains(present, e.PersonID)
		var op bson.D
		switch {
		case is && !was:
			// A set: a form sent twice marks the session once.
			op = bson.D{{Key: "$addToSet", Value: bson.D{{Key: "attended", Value: sessionID}}}}
		case was && !is:
			op = bson.D{{Key: "$set", Value: bson.D{{Key: "attended", Value: slices.DeleteFunc(slices.Clone(e.Attended), func(x string) bool { return x == sessionID })}}}}
		default:
			continue
		}
		if err := s.store.UpdateIf(ctx, "enrolments", e.ID, []store.Cond{store.Eq("status", Enrolled)}, op); err != nil {
			return err
		}
	}
	if c.Status == Open {
		// The first attendance closes enrolment.
		_ = s.store.UpdateIf(ctx, "courses", c.ID, []store.Cond{store.Eq("status", Open)}, bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: Running}}}})
		s.outbox.Changed(ctx, CourseIndex.Name, c.ID)
	}
	s.audit.Record(ctx, actor.Actor(m), "course.attendance", audit.Success, c.ID, sessionID)
	return nil
}

// Completion is what closing a course decided.
type Completion struct {
	Passed, NotPassed int
}

// Complete closes a course after its last session (the provider): each
// enrolled person who attended at least the course's share of sessions
// passes, gets a certificate code anyone can verify, and has the course
// added to their profile (a skill certificate sets has_skill_certificate,
// so eligibility follows).
func (s *Service) Complete(ctx context.Context, actor accounts.Principal, courseID string, m accounts.Meta) (Completion, error) {
	var out Completion
	c, err := s.ownCourse(ctx, actor, courseID)
	if err != nil {
		return out, err
	}
	if c.Status == Completed {
		return out, core.Errorf(core.Conflict, "error.training.completed")
	}
	if now := s.clock.Now(); now.Before(c.Sessions[len(c.Sessions)-1].StartsAt) {
		return out, core.Errorf(core.Conflict, "error.training.not_over")
	}
	_, roster, err := s.Roster(ctx, actor, courseID)
	if err != nil {
		return out, err
	}
	today, dueOn := core.DateOf(s.clock.Now()), core.DateOf(c.EndsAt())
	for _, e := range roster {
		if e.Status == Passed {
			// Passed on an earlier try that failed before the profile was
			// written: write it now (it is recorded once per course).
			if err := s.people.RecordTraining(ctx, e.PersonID, people.Training{CourseID: c.ID, Title: c.Title, Kind: c.Kind, Certificate: c.Certificate,
				Code: e.Code, CompletedOn: e.CompletedOn}, c.SkillCert); err != nil {
				return out, err
			}
			continue
		}
		if e.Status != Enrolled {
			continue
		}
		attended := 0
		for _, ss := range c.Sessions {
			if slices.Contains(e.Attended, ss.ID) {
				attended++
			}
		}
		share := 100 * attended / len(c.Sessions)
		if share < c.MinAttendance {
			if s.store.UpdateIf(ctx, "enrolments", e.ID, []store.Cond{store.Eq("status", Enrolled)},
				bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: NotPassed}, {Key: "completed_on", Value: today}, {Key: "due_on", Value: dueOn}}}}) == nil {
				out.NotPassed++
				s.changed(ctx, e.ID)
				s.count(ctx, e.ID)
			}
			continue
		}
		code := newCode()
		if err := s.store.ClaimKey(ctx, "cert:"+code, e.ID, "error.stale"); err != nil {
			return out, err
		}
		if err := s.store.UpdateIf(ctx, "enrolments", e.ID, []store.Cond{store.Eq("status", Enrolled)},
			bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: Passed}, {Key: "code", Value: code}, {Key: "completed_on", Value: today}, {Key: "due_on", Value: dueOn}}}}); err != nil {
			_ = s.store.ReleaseKey(context.WithoutCancel(ctx), "cert:"+code, e.ID)
			continue
		}
		s.changed(ctx, e.ID)
		s.count(ctx, e.ID)
		if err := s.people.RecordTraining(ctx, e.PersonID, people.Training{CourseID: c.ID, Title: c.Title, Kind: c.Kind, Certificate: c.Certificate,
			Code: code, CompletedOn: today}, c.SkillCert); err != nil {
			return out, err
		}
		out.Passed++
	}
	if err := s.store.UpdateIf(ctx, "courses", c.ID, []store.Cond{store.Ne("status", Completed)}, bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: Completed}}}}); err != nil {
		return out, err
	}
	s.outbox.Changed(ctx, CourseIndex.Name, c.ID)
	s.audit.Record(ctx, actor.Actor(m), "course.complete", audit.Success, c.ID, "")
	return out, nil
}

// Certificate is what the public verification page shows: enough to check
// a certificate someone presents, nothing more (the name masked).
type Certificate struct {
	Code        string    `json:"code"`
	Name        string    `json:"name"`
	Course      string    `json:"course"`
	Kind        string    `json:"kind"`
	Provider    string    `json:"provider"`
	Certificate string    `json:"certificate,omitempty"`
	CompletedOn core.Date `json:"completed_on"`
}

// Verify looks a certificate code up (public).
func (s *Service) Verify(ctx context.Context, code string) (*Certificate, error) {
	id, err := s.store.KeyOwner(ctx, "cert:"+code)
	if err != nil || len(code) != 10 {
		return nil, core.Errorf(core.NotFound, "error.training.no_certificate")
	}
	var e Enrolment
	if err := s.store.Get(ctx, "enrolments", id, &e); err != nil || e.Status != Passed {
		return nil, core.Errorf(core.NotFound, "error.training.no_certificate")
	}
	c, err := s.Course(ctx, e.CourseID)
	if err != nil {
		return nil, err
	}
	return &Certificate{Code: code, Name: maskName(e.RealName), Course: c.Title, Kind: c.Kind, Provider: c.ProviderName,
		Certificate: c.Certificate, CompletedOn: e.CompletedOn}, nil
}

// maskName keeps the first character: 王小明 → 王**.
func maskName(n string) string {
	r := []rune(n)
	if len(r) <= 1 {
		return n
	}
	return string(r[0]) + string(slices.Repeat([]rune{'*'}, len(r)-1))
}

// idMasked is the person's masked ID number for the roster, when it is
// settled as theirs.
func idMasked(p *people.Profile) string { id, _ := p.Masked(); return id }
