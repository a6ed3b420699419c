package hotline

// Self-reported check-ins (自報) and their verification (核實). An
// entrepreneur answers their own stability check-ins and nobody checks the
// answer as it comes in, so the figures it feeds could be anything one
// account types. Three rules hold them: a self-report is bounded; one far
// above the venture's earlier figure waits for staff (to_verify) and counts
// in no figure until they verify or reject it; and the figures keep what
// staff recorded or verified apart from what people said of themselves
// (ventureEvents). The registration date the cohorts hang on is the
// person's to correct only until the first check-in is answered; after
// that, staff correct it.

import (
	"context"
	"fmt"
	"log/slog"
	"slices"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/policy"
)

const (
	// MaxSelfEmployees bounds the head-count people report of their own
	// venture. The ventures followed are new small and micro firms
	// (小微企業): under the SME classification (《中小企業劃型標準規定》,
	// 工信部聯企業〔2011〕300號) no small firm of any sector employs 300
	// people or more, so a larger self-report is a slip or an attempt on the
	// city's jobs figure. Staff record larger ones after a check.
	MaxSelfEmployees = 299
	// MaxStaffEmployees bounds what staff record: the same classification
	// ends small and medium firms below 1,000 people, and a venture of the
	// programme does not outgrow that in the three years it is followed.
	MaxStaffEmployees = 999
	// ReviewFrom is the self-reported head-count from which staff look
	// before it counts, unless a verified earlier figure makes it no jump:
	// 20 is where an industrial firm stops being micro (微型), and few new
	// ventures reach it.
	ReviewFrom = 20
)

// Review states of a self-reported check-in.
const (
	ToVerify = "to_verify" // an outlier waiting for staff: counted in no figure but the queue
	Verified = "verified"  // staff confirmed it, or corrected the figure
)

// SelfReported is the basis of an answer the person gave and nobody
// checked (StabilityCheck.Basis).
const SelfReported = "self"

// ReviewDecisions are what staff may decide on a self-report.
var ReviewDecisions = []string{"verify", "reject"}

// registrationFloor is the earliest registration date a profile may give
// (policy.Facts.Validate uses the same): staff corrections keep to it, so
// the profile they update stays valid.
var registrationFloor = core.NewDate(1949, 10, 1)

// Basis says which figures a check-in counts in: Verified (staff recorded
// it, or verified the person's answer), "self" (the person's answer, taken
// as said), or ToVerify. A self-report above the bound kept from before
// the bound existed waits for staff like an outlier: the rebuild an
// upgrade runs takes it out of the figures and the index puts it in the
// queue.
func (k StabilityCheck) Basis() string {
	switch {
	case k.By == "staff" || k.Review == Verified:
		return Verified
	case k.Review == ToVerify || k.Employees > MaxSelfEmployees:
		return ToVerify
	}
	return SelfReported
}

// jumpLimit is the most a head-count may grow from prev between two
// check-ins without a look: double, or ten more people for a small one.
func jumpLimit(prev int) int { return max(2*prev, prev+10) }

// previousFigure is the head-count of the venture's last answered,
// operating check-in before month (an outlier still waiting is no figure
// yet), and of the last verified one; -1 when there is none.
func previousFigure(checks []StabilityCheck, month int) (last, verified int) {
	last, verified = -1, -1
	for _, k := range checks { // in month order
		if k.Month >= month || !k.Done || !k.Operating || k.Basis() == ToVerify {
			continue
		}
		last = k.Employees
		if k.Basis() == Verified {
			verified = k.Employees
		}
	}
	return last, verified
}

// needsReview reports whether a self-reported head-count waits for staff:
// a jump from the venture's last figure, or ReviewFrom people or more
// unless a verified earlier figure already makes it no jump (so a venture
// staff found with 40 people is not queued again for reporting 45).
func needsReview(n int, checks []StabilityCheck, month int) bool {
	last, verified := previousFigure(checks, month)
	if last >= 0 && n > jumpLimit(last) {
		return true
	}
	return n >= ReviewFrom && (verified < 0 || n > jumpLimit(verified))
}

// reviewState is the venture's keyword in the index: ToVerify while any
// of its check-ins waits for staff.
func reviewState(v *Venture) string {
	if slices.ContainsFunc(v.Checks, func(k StabilityCheck) bool { return k.Done && k.Basis() == ToVerify }) {
		return ToVerify
	}
	return ""
}

// followFloor is the earliest registration the follow-up takes on: a
// venture registered before it has passed every check-in, and one first
// declared so long after its start is known to have survived — counting it
// in its old cohort would lift the stability rates, and its check-ins
// would all be answered at once, from memory.
func followFloor(today core.Date) core.Date {
	return today.AddMonths(-StabilityMonths[len(StabilityMonths)-1])
}

// answered reports whether any check-in of the venture has been answered.
func answered(v *Venture) bool {
	return slices.ContainsFunc(v.Checks, func(k StabilityCheck) bool { return k.Done })
}

// CheckFacts vets a profile's venture before it is saved (people.OnCheck).
// Once a check-in has been answered, the registration date the schedule
// and the cohorts hang on is the follow-up's, and only staff move it
// (CorrectRegistration); before that the person may correct it, but not to
// before the follow-up window. A date left as it was always passes, so a
// profile still holding the date staff replaced can be saved.
func (s *Service) CheckFacts(ctx context.Context, personID string, old, now *policy.Facts, v *core.Validation) {
	w := now.Venture
	if w == nil || w.FirstRegistered == nil || v.Has("venture.first_registered") {
		return
	}
	if old.Venture != nil && old.Venture.FirstRegistered != nil && old.Venture.FirstRegistered.Equal(*w.FirstRegistered) {
		return
	}
	var vent Venture
	if s.store.Get(ctx, "ventures", personID, &vent) != nil || vent.FirstRegistered.Equal(*w.FirstRegistered) {
		return // nothing followed yet (SyncVenture guards the rest)
	}
	switch {
	case answered(&vent):
		v.Add("venture.first_registered", "error.venture.registered_locked")
	case w.FirstRegistered.Before(followFloor(core.DateOf(s.clock.Now()))):
		v.Add("venture.first_registered", "error.venture.registered_window")
	}
}

// StabilityReview is staff's decision on a self-reported check-in.
type StabilityReview struct {
	Month    int    `json:"month"`
	Decision string `json:"decision"` // verify or reject
	// Employees corrects the head-count as it is verified (staff heard
	// another figure); nil keeps the reported one.
	Employees *int `json:"employees,omitempty"`
}

// ReviewStability verifies or rejects a self-reported check-in (hotline
// staff and administrators). Verified, it counts among the verified
// figures, with the corrected head-count if one is given (the reported one
// is kept beside it); rejected, the answer is dropped and the check-in
// asked again. Either way it is audited and the figures move at once.
func (s *Service) ReviewStability(ctx context.Context, actor accounts.Principal, personID string, in StabilityReview, m accounts.Meta) (*Venture, error) {
	if err := staffOnly(actor); err != nil {
		return nil, err
	}
	v, err := s.Venture(ctx, actor, personID)
	if err != nil {
		return nil, err
	}
	var val core.Validation
	enum(&val, "decision", in.Decision, ReviewDecisions)
	val.Check(slices.Contains(StabilityMonths, in.Month), "month", "error.enum")
	if in.Employees != nil {
		val.Check(in.Decision == "verify" && *in.Employees >= 0 && *in.Employees <= MaxStaffEmployees, "employees", "error.venture.employees_staff")
	}
	if err := val.Err(); err != nil {
		return nil, err
	}
	// A self-reported closure may be verified, not rejected: the case it
	// opened is staff's to close.
	i := slices.IndexFunc(v.Checks, func(k StabilityCheck) bool {
		return k.Month == in.Month && k.Done && k.Basis() != Verified && (k.Operating || in.Decision == "verify")
	})
	if i < 0 {
		return nil, core.Errorf(core.Conflict, "error.venture.nothing_to_verify")
	}
	checks, status, detail := slices.Clone(v.Checks), v.Status, fmt.Sprint(in.Month)
	k := checks[i]
	if in.Decision == "verify" && in.Employees == nil && k.Employees > MaxStaffEmployees {
		// A figure kept from before the bounds is verified only at one
		// staff give.
		return nil, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"employees": "error.venture.employees_staff"}}
	}
	if in.Decision == "verify" {
		if in.Employees != nil && k.Operating && *in.Employees != k.Employees {
			k.Reported, k.Employees = k.Employees, *in.Employees
			detail += fmt.Sprintf(" %d→%d", k.Reported, k.Employees)
		}
		k.Review = Verified
		checks[i] = k
	} else {
		checks[i] = StabilityCheck{Month: k.Month, DueOn: k.DueOn}
		if status == Completed {
			status = Tracking
		}
	}
	if err := s.change(ctx, "ventures", VentureIndex.Name, v.ID, v.Version, set("checks", checks, "status", status,
		"next_due", ventureNextDue(status, checks), "updated_at", s.clock.Now())); err != nil {
		return nil, err
	}
	s.audit.Record(ctx, actor.Actor(m), "venture.checkin."+in.Decision, audit.Success, v.ID, detail)
	s.recount(ctx, v)
	if in.Decision == "reject" && status == Tracking {
		s.notify.Send(ctx, v.ID, "notify.stability.rejected", fmt.Sprint(in.Month), "/me/venture")
	}
	return s.Venture(ctx, actor, personID)
}

// recount moves the venture's figures from what it was to what it is now
// (a review, a corrected date); a failure is logged and a rebuild
// recovers it.
func (s *Service) recount(ctx context.Context, was *Venture) {
	var now Venture
	if err := s.store.Get(ctx, "ventures", was.ID, &now); err != nil {
		slog.Warn("venture figures", "venture", was.ID, "err", err)
		return
	}
	if err := s.figures.Replace(context.WithoutCancel(ctx), ventureEvents(was), ventureEvents(&now)); err != nil {
		slog.Warn("venture figures", "venture", was.ID, "err", err)
	}
}

// CorrectRegistration sets a followed venture's first registration date
// (hotline staff and administrators, on the person's papers): the
// check-ins not yet answered move with it, the figures too, and the
// person's profile is brought in step.
func (s *Service) CorrectRegistration(ctx context.Context, actor accounts.Principal, personID string, on core.Date, m accounts.Meta) (*Venture, error) {
	if err := staffOnly(actor); err != nil {
		return nil, err
	}
	v, err := s.Venture(ctx, actor, personID)
	if err != nil {
		return nil, err
	}
	var val core.Validation
	switch {
	case on.IsZero():
		val.Add("first_registered", "error.date")
	case on.After(core.DateOf(s.clock.Now())):
		val.Add("first_registered", "error.date.future")
	case on.Before(registrationFloor):
		val.Add("first_registered", "error.venture.registered_floor")
	}
	if err := val.Err(); err != nil {
		return nil, err
	}
	if on.Equal(v.FirstRegistered) {
		return v, nil
	}
	checks := rescheduled(v.Checks, on)
	if err := s.change(ctx, "ventures", VentureIndex.Name, v.ID, v.Version, set("first_registered", on, "checks", checks,
		"next_due", ventureNextDue(v.Status, checks), "updated_at", s.clock.Now())); err != nil {
		return nil, err
	}
	s.audit.Record(ctx, actor.Actor(m), "venture.registration.correct", audit.Success, v.ID, v.FirstRegistered.String()+"→"+on.String())
	s.recount(ctx, v)
	if err := s.people.SetVentureRegistered(ctx, personID, on); err != nil {
		// The follow-up holds the date; a profile left behind still saves
		// (CheckFacts lets an unchanged date pass).
		slog.Warn("venture registration: profile", "person", personID, "err", err)
	}
	return s.Venture(ctx, actor, personID)
}

// rescheduled moves the check-ins not yet answered to a new registration
// date; answered ones keep the day they were due.
func rescheduled(cs []StabilityCheck, reg core.Date) []StabilityCheck {
	out := slices.Clone(cs)
	for i := range out {
		if !out[i].Done {
			out[i].DueOn = reg.AddMonths(out[i].Month)
		}
	}
	return out
}

// PendingCheck is a self-reported check-in waiting for staff, with the
// venture's figure before it for comparison.
type PendingCheck struct {
	VentureID string    `json:"venture_id"`
	Name      string    `json:"name"`
	District  string    `json:"district,omitempty"`
	Month     int       `json:"month"`
	On        core.Date `json:"on"`
	Employees int       `json:"employees"`
	// Previous is the venture's last figure before it; -1 without one.
	Previous int `json:"previous"`
}

// StabilityToVerify lists the self-reported check-ins waiting for staff
// (hotline staff and administrators), from the ventures waiting longest;
// total counts ventures.
func (s *Service) StabilityToVerify(ctx context.Context, actor accounts.Principal, page core.Page) ([]PendingCheck, int, core.Page, error) {
	p := page.Normalize()
	if err := staffOnly(actor); err != nil {
		return nil, 0, p, err
	}
	r, err := s.outbox.Engine().Search(ctx, VentureIndex.Name, search.Query{Filters: []search.Filter{{Field: "review", Values: []string{ToVerify}}},
		Sort: []search.Sort{{Field: "updated_at"}}, Offset: p.Offset(), Limit: p.Size})
	if err != nil {
		return nil, 0, p, unavailable(err)
	}
	rows := []PendingCheck{}
	for _, h := range r.Hits {
		var v Venture
		if s.store.Get(ctx, "ventures", h.ID, &v) != nil {
			continue // gone since it was indexed
		}
		for _, k := range v.Checks {
			if k.Done && k.Basis() == ToVerify {
				last, _ := previousFigure(v.Checks, k.Month)
				rows = append(rows, PendingCheck{VentureID: v.ID, Name: v.Name, District: v.District, Month: k.Month, On: k.DoneOn, Employees: k.Employees, Previous: last})
			}
		}
	}
	return rows, r.Total, p, nil
}
