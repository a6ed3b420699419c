package hotline

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
)

// StabilityMonths are the check-ins after a venture's first registration;
// their answers are the records the stability rate (創業穩定率) and jobs
// created are computed from.
var StabilityMonths = []int{6, 12, 24, 36}

// Venture statuses.
const (
	Tracking      = "tracking"  // operating, check-ins scheduled
	VentureClosed = "closed"    // stopped operating
	Completed     = "completed" // every check-in done
)

// VentureIndex is the queue of stability check-ins.
var VentureIndex = search.Index{
	Name:     "ventures",
	Text:     []string{"name"},
	Keywords: []string{"status", "district", "industry", "review"},
	Numbers:  []string{"next_due"},
	Times:    []string{"updated_at"},
}

// StabilityCheck is one scheduled check-in of an operating venture and,
// once done, its answer.
type StabilityCheck struct {
	Month     int       `bson:"month" json:"month"`
	DueOn     core.Date `bson:"due_on" json:"due_on"`
	Done      bool      `bson:"done" json:"done"`
	DoneOn    core.Date `bson:"done_on,omitempty" json:"done_on,omitzero"`
	Operating bool      `bson:"operating" json:"operating"`
	Employees int       `bson:"employees" json:"employees"`
	By        string    `bson:"by,omitempty" json:"by,omitempty"` // staff or self
	// Review is a self-report's verification: ToVerify (an outlier
	// waiting for staff), Verified, or empty (taken as said).
	Review string `bson:"review,omitempty" json:"review,omitempty"`
	// Reported is the head-count the person gave when staff corrected it.
	Reported int `bson:"reported,omitempty" json:"reported,omitempty"`
}

// AnswerAhead is how many days before its day a check-in may be answered:
// a month, so a person who is away on the day can answer before it.
const AnswerAhead = 31

// OpensOn is the first day the check-in may be answered.
func (k StabilityCheck) OpensOn() core.Date { return k.DueOn.AddDays(-AnswerAhead) }

// Overdue reports whether the check-in is past its day and not answered.
func (k StabilityCheck) Overdue(today core.Date) bool { return !k.Done && k.DueOn.Before(today) }

// Venture is an entrepreneur's venture under stability follow-up; its id is
// the person's account id (one venture per profile).
type Venture struct {
	ID              string           `bson:"_id"`
	Name            string           `bson:"name"`
	District        string           `bson:"district,omitempty"`
	Industry        string           `bson:"industry,omitempty"`
	Group           string           `bson:"group,omitempty"` // the first of the person's target groups, for the figures
	FirstRegistered core.Date        `bson:"first_registered"`
	Status          string           `bson:"status"`
	Checks          []StabilityCheck `bson:"checks"`
	NextDue         core.Date        `bson:"next_due,omitempty"`
	RemindedFor     core.Date        `bson:"reminded_for,omitempty"`
	CaseID          string           `bson:"case_id,omitempty"`
	UpdatedAt       time.Time        `bson:"updated_at"`
	Version         int              `bson:"version"`
}

func ventureDoc(v *Venture) *search.Doc {
	return &search.Doc{ID: v.ID, Fields: map[string]any{"name": v.Name, "status": v.Status, "district": v.District,
		"industry": v.Industry, "review": reviewState(v), "next_due": v.NextDue.Day(), "updated_at": v.UpdatedAt}}
}

func ventureNextDue(status string, cs []StabilityCheck) core.Date {
	if status != Tracking {
		return core.Date{}
	}
	for _, c := range cs {
		if !c.Done {
			return c.DueOn
		}
	}
	return core.Date{}
}

// system acts for the portal itself (the profile hook and the worker).
var system = accounts.Principal{ID: "system", Role: accounts.Admin, Name: "system"}

// SyncVenture brings a person's stability follow-up in step with their
// profile: an operating venture with a first registration date gets its
// check-ins at 6, 12, 24 and 36 months; a venture whose stage became
// closed stops being tracked and gets a follow-up case, once. It is
// idempotent: the profile hook calls it after each save and the worker's
// daily sweep repeats it, so a crash between the two writes loses nothing.
func (s *Service) SyncVenture(ctx context.Context, personID string) error {
	p, err := s.people.Get(ctx, system, personID)
	if err != nil {
		return err
	}
	w := p.Facts.Venture
	if w == nil || w.FirstRegistered == nil || (w.Stage != "operating" && w.Stage != "closed") {
		return nil
	}
	var v Venture
	err = s.store.Get(ctx, "ventures", personID, &v)
	if core.IsCode(err, core.NotFound) {
		if w.Stage == "closed" {
			return s.ventureFailed(ctx, personID, "venture_closed")
		}
		now := s.clock.Now()
		if w.FirstRegistered.Before(followFloor(core.DateOf(now))) {
			return nil // past every check-in: not followed (followFloor)
		}
		v = Venture{ID: personID, Name: p.RealName, District: p.District, Industry: w.Industry, Group: firstGroup(p.Facts.TargetGroups),
			FirstRegistered: *w.FirstRegistered, Status: Tracking, UpdatedAt: now}
		for _, m := range StabilityMonths {
			v.Checks = append(v.Checks, StabilityCheck{Month: m, DueOn: w.FirstRegistered.AddMonths(m)})
		}
		v.NextDue = ventureNextDue(v.Status, v.Checks)
		err := s.insert(ctx, "ventures", VentureIndex.Name, v.ID, &v)
		if mongo.IsDuplicateKeyError(err) {
			return nil // another save got there first
		}
		if err == nil {
			s.countVenture(ctx, v.ID)
		}
		return err
	}
	if err != nil {
		return err
	}
	if w.Stage == "closed" {
		return s.ventureFailed(ctx, personID, "venture_closed")
	}
	group := firstGroup(p.Facts.TargetGroups)
	// The person corrects the date until a check-in is answered, within
	// the window (CheckFacts refuses the rest); after that it is staff's
	// (CorrectRegistration), and a profile saying otherwise is not followed.
	reg := v.FirstRegistered
	if !answered(&v) && !w.FirstRegistered.Before(followFloor(core.DateOf(s.clock.Now()))) {
		reg = *w.FirstRegistered
	}
	if v.FirstRegistered.Equal(reg) && v.Name == p.RealName && v.Industry == w.Industry && v.District == p.District && v.Group == group {
		return nil
	}
	checks := rescheduled(v.Checks, reg)
	err = s.change(ctx, "ventures", VentureIndex.Name, v.ID, v.Version, set("first_registered", reg, "name", p.RealName,
		"industry", w.Industry, "district", p.District, "group", group, "checks", checks, "next_due", ventureNextDue(v.Status, checks), "updated_at", s.clock.Now()))
	if err == nil {
		s.recount(ctx, &v) // the started and cohort counts move with a corrected date
	}
	return err
}

// ventureFailed stops tracking a venture and opens its follow-up case. The
// case is claimed through a key on the venture's registration, so however
// often this runs, one case is opened.
func (s *Service) ventureFailed(ctx context.Context, personID, source string) error {
	p, err := s.people.Get(ctx, system, personID)
	if err != nil {
		return err
	}
	reg := ""
	if w := p.Facts.Venture; w != nil && w.FirstRegistered != nil {
		reg = w.FirstRegistered.String()
	}
	var v Venture
	if err := s.store.Get(ctx, "ventures", personID, &v); err == nil && v.Status == Tracking {
		if err := s.change(ctx, "ventures", VentureIndex.Name, v.ID, v.Version, set("status", VentureClosed, "next_due", core.Date{}, "updated_at", s.clock.Now())); err != nil {
			return err
		}
	}
	key := fmt.Sprintf("failcase:%s:%s", personID, reg)
	caseID := core.NewID()
	if err := s.store.ClaimKey(ctx, key, caseID, "error.stale"); err != nil {
		if !core.IsCode(err, core.Conflict) {
			return err
		}
		// Claimed before. If the case itself was never written (a crash
		// between the two), write it now under the claimed id.
		owner, err := s.store.KeyOwner(ctx, key)
		if err != nil {
			return err
		}
		var c Case
		if err := s.store.Get(ctx, "cases", owner, &c); !core.IsCode(err, core.NotFound) {
			return err // opened before (nil), or a read error
		}
		caseID = owner
	}
	contact, err := s.ContactForAccount(ctx, system, personID, accounts.Meta{})
	if err != nil {
		_ = s.store.ReleaseKey(context.WithoutCancel(ctx), key, caseID)
		return err
	}
	needs := []string{}
	for _, n := range p.Needs {
		if slices.Contains(CaseNeeds, n) {
			needs = append(needs, n)
		}
	}
	c, err := s.openCaseWithID(ctx, caseID, contact, needs, source)
	if err != nil {
		_ = s.store.ReleaseKey(context.WithoutCancel(ctx), key, caseID)
		return err
	}
	if v.ID != "" {
		var cur Venture
		if s.store.Get(ctx, "ventures", personID, &cur) == nil {
			_ = s.change(ctx, "ventures", VentureIndex.Name, cur.ID, cur.Version, set("case_id", c.ID))
		}
	}
	return nil
}

// openCaseWithID opens a case the portal itself starts (no staff member
// yet: it waits in the unassigned queue, and the administrators are told).
func (s *Service) openCaseWithID(ctx context.Context, id string, contact *Contact, needs []string, source string) (*Case, error) {
	now := s.clock.Now()
	c := &Case{ID: id, ContactID: contact.ID, PersonID: contact.AccountID, PersonName: contact.Name, Source: source,
		Reasons: []string{}, LoanStatus: "none", Needs: needs, Plan: []PlanStep{}, Links: []Link{}, Status: CaseOpen,
		CreatedAt: now, UpdatedAt: now, History: []Step{{At: now, ActorID: system.ID, ActorName: system.Name, Action: "open." + source}}}
	today := core.DateOf(now)
	for i, months := range CheckinMonths {
		c.Checkins = append(c.Checkins, Checkin{ID: fmt.Sprintf("k%d", i+1), DueOn: today.AddMonths(months)})
	}
	c.NextDue = nextDue(c.Status, c.Checkins)
	if err := s.insert(ctx, "cases", CaseIndex.Name, c.ID, c); err != nil {
		return nil, err
	}
	if admins, err := s.accounts.Active(ctx, accounts.Admin); err == nil {
		for _, a := range admins {
			s.notify.Send(ctx, a.ID, "notify.case.opened", c.PersonName, "/cases/"+c.ID)
		}
	}
	s.audit.Record(ctx, system.Actor(accounts.Meta{}), "case.open", audit.Success, c.ID, source)
	return c, nil
}

// Venture reads a person's venture follow-up: the person and staff.
func (s *Service) Venture(ctx context.Context, actor accounts.Principal, personID string) (*Venture, error) {
	if actor.Guest() || !core.ValidID(personID) || (actor.ID != personID && !actor.Role.Staff()) {
		return nil, core.Errorf(core.NotFound, "error.not_found")
	}
	var v Venture
	if err := s.store.Get(ctx, "ventures", personID, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// StabilityAnswer is the answer to a check-in.
type StabilityAnswer struct {
	Month     int       `json:"month"`
	On        core.Date `json:"on"`
	Operating *bool     `json:"operating"`
	Employees int       `json:"employees"`
}

// RecordStability records a check-in's answer, by staff or by the person
// themselves. A venture no longer operating stops being tracked and gets a
// follow-up case. The person's own head-count is bounded (MaxSelfEmployees)
// and, far above the venture's earlier figure, waits for staff
// (needsReview) before it counts; staff's answers count as verified.
func (s *Service) RecordStability(ctx context.Context, actor accounts.Principal, personID string, in StabilityAnswer, m accounts.Meta) (*Venture, error) {
	v, err := s.Venture(ctx, actor, personID)
	if err != nil {
		return nil, err
	}
	if !actor.Role.Staff() && actor.ID != personID {
		return nil, core.Errorf(core.NotFound, "error.not_found")
	}
	if v.Status != Tracking {
		return nil, core.Errorf(core.Conflict, "error.venture.not_tracking")
	}
	var val core.Validation
	i := slices.IndexFunc(v.Checks, func(c StabilityCheck) bool { return c.Month == in.Month && !c.Done })
	val.Check(i >= 0, "month", "error.enum")
	today := core.DateOf(s.clock.Now())
	switch {
	case i < 0:
	case in.On.IsZero():
		val.Add("on", "error.date")
	case in.On.Before(v.Checks[i].OpensOn()):
		val.Add("on", "error.venture.checkin_early")
	case in.On.After(today):
		val.Add("on", "error.date.future")
	}
	val.Check(in.Operating != nil, "operating", "error.required")
	by, most, tooMany := "staff", MaxStaffEmployees, "error.venture.employees_staff"
	if actor.ID == personID {
		by, most, tooMany = "self", MaxSelfEmployees, "error.venture.employees"
	}
	val.Check(in.Employees >= 0 && in.Employees <= most, "employees", tooMany)
	if err := val.Err(); err != nil {
		return nil, err
	}
	if !*in.Operating {
		in.Employees = 0 // a closed venture employs nobody, whatever the form held
	}
	review := ""
	if by == "self" && needsReview(in.Employees, v.Checks, in.Month) {
		review = ToVerify
	}
	checks := slices.Clone(v.Checks)
	checks[i] = StabilityCheck{Month: in.Month, DueOn: checks[i].DueOn, Done: true, DoneOn: in.On, Operating: *in.Operating, Employees: in.Employees, By: by, Review: review}
	status := v.Status
	if !slices.ContainsFunc(checks, func(c StabilityCheck) bool { return !c.Done }) {
		status = Completed
	}
	if !*in.Operating {
		status = VentureClosed
	}
	if err := s.change(ctx, "ventures", VentureIndex.Name, v.ID, v.Version, set("checks", checks, "status", status,
		"next_due", ventureNextDue(status, checks), "updated_at", s.clock.Now())); err != nil {
		return nil, err
	}
	detail := fmt.Sprint(in.Month)
	if review != "" {
		detail += " " + review
	}
	s.audit.Record(ctx, actor.Actor(m), "venture.checkin", audit.Success, v.ID, detail)
	s.countVenture(ctx, v.ID)
	if !*in.Operating {
		if err := s.ventureFailed(ctx, personID, "stability_checkin"); err != nil {
			return nil, err
		}
		// The profile learns it too: eligibility no longer offers what
		// needs a running business. The follow-up holds the answer; a
		// profile saved at that instant keeps its stage, and says so.
		if err := s.people.SetVentureStage(ctx, personID, "closed"); err != nil {
			slog.Warn("venture closed: profile", "person", personID, "err", err)
		}
	}
	return s.Venture(ctx, actor, personID)
}

// VentureRow is one venture of the stability queue.
type VentureRow struct {
	ID, Name, District, Industry, Status string
	NextDue                              core.Date
	Overdue                              bool
}

// StabilityDue lists the ventures whose next check-in is due by today
// (staff), earliest first.
func (s *Service) StabilityDue(ctx context.Context, actor accounts.Principal, page core.Page) ([]VentureRow, int, core.Page, error) {
	p := page.Normalize()
	if err := staffOnly(actor); err != nil {
		return nil, 0, p, err
	}
	today := float64(core.DateOf(s.clock.Now()).Day())
	one := 1.0
	r, err := s.outbox.Engine().Search(ctx, VentureIndex.Name, search.Query{Filters: []search.Filter{{Field: "status", Values: []string{Tracking}}},
		Ranges: []search.Range{{Field: "next_due", Min: &one, Max: &today}}, Sort: []search.Sort{{Field: "next_due"}}, Offset: p.Offset(), Limit: p.Size})
	if err != nil {
		return nil, 0, p, unavailable(err)
	}
	rows := make([]VentureRow, 0, len(r.Hits))
	for _, h := range r.Hits {
		due := int(h.Number("next_due"))
		rows = append(rows, VentureRow{ID: h.ID, Name: h.String("name"), District: h.String("district"), Industry: h.String("industry"),
			Status: h.String("status"), NextDue: core.DateOfDay(due), Overdue: float64(due) < today-30})
	}
	return rows, r.Total, p, nil
}

// firstGroup is the first of a person's target groups in sort order: a
// figure falls under one value of a dimension, so a person in several
// groups is counted under one of them.
func firstGroup(groups []string) string {
	if len(groups) == 0 {
		return ""
	}
	return slices.Min(groups)
}
