package hotline

import (
	"context"
	"log/slog"
	"time"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/people"
)

// PassReport says what one worker pass did.
type PassReport struct {
	CaseReminders, StabilityReminders, Escalated int
}

// Pass is one run of the hotline worker: a reminder to the staff member
// for each case whose next contact is due (once per due day), a reminder to
// each entrepreneur whose stability check-in is due (once per check-in),
// and the escalation of overdue complaints (once each). It finds the work
// through the index and re-reads every record; each change is guarded on
// the version read, so two workers, or a pass repeated after a crash,
// remind nobody twice.
func (s *Service) Pass(ctx context.Context) (PassReport, error) {
	var rep PassReport
	now := s.clock.Now()
	today := core.DateOf(now)
	todayN, one := float64(today.Day()), 1.0
	admins, err := s.accounts.Active(ctx, accounts.Admin)
	if err != nil {
		return rep, err
	}
	adminIDs := make([]string, len(admins))
	for i, a := range admins {
		adminIDs[i] = a.ID
	}
	// Cases: every due one not yet reminded for this day.
	err = s.sweep(ctx, CaseIndex.Name, search.Query{Filters: []search.Filter{{Field: "status", Values: []string{CaseOpen}}},
		Ranges: []search.Range{{Field: "next_due", Min: &one, Max: &todayN}}}, func(id string) bool {
		var c Case
		if s.store.Get(ctx, "cases", id, &c) != nil || c.Status != CaseOpen || c.NextDue.IsZero() || c.NextDue.After(today) ||
			c.RemindedFor.Equal(c.NextDue) {
			return false
		}
		if s.change(ctx, "cases", CaseIndex.Name, c.ID, c.Version, set("reminded_for", c.NextDue)) != nil {
			return false
		}
		to := []string{c.StaffID}
		if c.StaffID == "" {
			to = adminIDs
		}
		for _, u := range to {
			s.notify.Send(ctx, u, "notify.case.due", c.PersonName, "/cases/"+c.ID)
		}
		rep.CaseReminders++
		return true
	})
	if err != nil {
		return rep, err
	}
	// Stability check-ins: ask the entrepreneur, once per check-in.
	err = s.sweep(ctx, VentureIndex.Name, search.Query{Filters: []search.Filter{{Field: "status", Values: []string{Tracking}}},
		Ranges: []search.Range{{Field: "next_due", Min: &one, Max: &todayN}}}, func(id string) bool {
		var v Venture
		if s.store.Get(ctx, "ventures", id, &v) != nil || v.Status != Tracking || v.NextDue.IsZero() || v.NextDue.After(today) ||
			v.RemindedFor.Equal(v.NextDue) {
			return false
		}
		if s.change(ctx, "ventures", VentureIndex.Name, v.ID, v.Version, set("reminded_for", v.NextDue)) != nil {
			return false
		}
		s.notify.Send(ctx, v.ID, "notify.stability.due", v.NextDue.String(), "/me/venture")
		rep.StabilityReminders++
		return true
	})
	if err != nil {
		return rep, err
	}
	// Complaints past their time limit.
	nowMs := float64(now.UnixMilli())
	err = s.sweep(ctx, ComplaintIndex.Name, search.Query{Filters: []search.Filter{{Field: "open", Values: []string{"yes"}},
		{Field: "escalated", Values: []string{"no"}}}, Ranges: []search.Range{{Field: "due_ms", Max: &nowMs}}}, func(id string) bool {
		var c Complaint
		if s.store.Get(ctx, "complaints", id, &c) != nil || !s.escalate(ctx, &c, adminIDs) {
			return false
		}
		rep.Escalated++
		return true
	})
	return rep, err
}

// sweep drains a work queue of the worker, oldest first.
func (s *Service) sweep(ctx context.Context, index string, q search.Query, handle func(id string) bool) error {
	q.Sort = []search.Sort{{Field: "created_at"}}
	if index == VentureIndex.Name {
		q.Sort = []search.Sort{{Field: "updated_at"}}
	}
	return search.Drain(ctx, s.outbox.Engine(), index, q, handle)
}

// SweepVentures runs SyncVenture over every profile whose venture is
// operating or closed, found through the people index: the daily catch-up
// for a profile save whose hook did not run (a crash between the writes).
// A failure on one profile is logged and the sweep goes on.
func (s *Service) SweepVentures(ctx context.Context) (int, error) {
	n := 0
	for page := 0; ; page++ {
		r, err := s.outbox.Engine().Search(ctx, people.Index.Name, search.Query{Filters: []search.Filter{{Field: "stage", Values: []string{"operating", "closed"}}},
			Sort: []search.Sort{{Field: "updated_at"}}, Offset: page * search.MaxLimit, Limit: search.MaxLimit})
		if err != nil {
			return n, err
		}
		for _, h := range r.Hits {
			if err := s.SyncVenture(ctx, h.ID); err != nil {
				slog.Warn("venture sweep", "person", h.ID, "err", err)
				continue
			}
			n++
		}
		if len(r.Hits) < search.MaxLimit {
			return n, nil
		}
	}
}

// WorkerLease is the lease the hotline worker holds while it runs.
const WorkerLease = "hotline-worker"

// Run does a pass every interval, and the venture sweep once a day, while
// holding the lease, until ctx ends.
func (s *Service) Run(ctx context.Context, holder string, every time.Duration, log *slog.Logger) {
	var swept core.Date
	s.store.RunLeased(ctx, WorkerLease, holder, every, s.clock, func(ctx context.Context) {
		if today := core.DateOf(s.clock.Now()); !today.Equal(swept) {
			if n, err := s.SweepVentures(ctx); err != nil && ctx.Err() == nil {
				log.Warn("venture sweep", "err", err)
			} else {
				swept = today
				log.Debug("venture sweep", "ventures", n)
			}
		}
		if rep, err := s.Pass(ctx); err != nil && ctx.Err() == nil {
			log.Warn("hotline worker", "err", err)
		} else if rep.CaseReminders+rep.StabilityReminders+rep.Escalated > 0 {
			log.Info("hotline worker", "case_reminders", rep.CaseReminders, "stability_reminders", rep.StabilityReminders, "escalated", rep.Escalated)
		}
	})
}
