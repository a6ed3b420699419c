package mentors

import (
	"context"
	"log/slog"
	"onestop/services/notify"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/search"
)

// PassReport says what one worker pass did.
type PassReport struct {
	Reminded, Rematched, Routed int
}

// Pass is one run of the deadline worker: a reminder to the mentor at half
// the time limit, a move to the next mentor past it, another try for
// consultations nobody could take. It finds its work through the index
// (only consultations whose time has come) and re-reads each from the
// database; every change is guarded on the version read, so a pass that
// races another — or repeats after a crash — changes nothing twice.
func (s *Service) Pass(ctx context.Context) (PassReport, error) {
	var rep PassReport
	now := s.clock.Now()
	nowMs := float64(now.UnixMilli())
	halfMs := float64(now.Add(s.AnswerWithin / 2).UnixMilli())
	due := func(max float64, page int) (*search.Result, error) {
		min := 1.0
		return s.outbox.Engine().Search(ctx, ConsultationIndex.Name, search.Query{
			Filters: []search.Filter{{Field: "status", Values: []string{Waiting}}},
			Ranges:  []search.Range{{Field: "due_ms", Min: &min, Max: &max}}, Sort: []search.Sort{{Field: "due_ms"}},
			Offset: (page - 1) * search.MaxLimit, Limit: search.MaxLimit})
	}
	// Past the limit: move on. (Page 1 again each time: handled ones leave.)
	for range 1000 {
		r, err := due(nowMs, 1)
		if err != nil {
			return rep, err
		}
		moved := 0
		for _, h := range r.Hits {
			c, err := s.read(ctx, h.ID)
			if err != nil || !c.Overdue(now) {
				continue
			}
			if err := s.moveOn(ctx, c, "overdue", c.MentorName); err == nil {
				rep.Rematched++
				moved++
				s.log().Warn("consultation re-matched: no answer in time", "consultation", c.ID, "mentor", c.MentorID)
			}
		}
		if moved == 0 || len(r.Hits) < search.MaxLimit {
			break
		}
	}
	// Half the limit: remind, once.
	for page := 1; page <= 100; page++ {
		r, err := due(halfMs, page)
		if err != nil {
			return rep, err
		}
		for _, h := range r.Hits {
			c, err := s.read(ctx, h.ID)
			if err != nil || c.Status != Waiting || !c.RemindedAt.IsZero() || now.Before(s.halfTime(c)) {
				continue
			}
			if err := s.change(ctx, c, bson.D{{Key: "$set", Value: bson.D{{Key: "reminded_at", Value: now}, {Key: "updated_at", Value: now}}}}); err == nil {
				rep.Reminded++
				s.notify.Send(ctx, c.MentorID, "notify.consult.reminder", notify.Label("topic."+c.Topic), "/consultations/"+c.ID)
			}
		}
		if len(r.Hits) < search.MaxLimit {
			break
		}
	}
	// Nobody could take these yet: try again.
	r, err := s.outbox.Engine().Search(ctx, ConsultationIndex.Name, search.Query{
		Filters: []search.Filter{{Field: "status", Values: []string{Unassigned}}}, Limit: search.MaxLimit, Sort: []search.Sort{{Field: "created_at"}}})
	if err != nil {
		return rep, err
	}
	for _, h := range r.Hits {
		c, err := s.read(ctx, h.ID)
		if err != nil || c.Status != Unassigned {
			continue
		}
		if ok, err := s.route(ctx, c, nil); err == nil && ok {
			rep.Routed++
		}
	}
	return rep, nil
}

// WorkerLease is the lease the deadline worker holds while it runs, so one
// replica at a time does the passes.
const WorkerLease = "consultations-deadlines"

// Run does a pass every interval while holding the lease, until ctx ends.
func (s *Service) Run(ctx context.Context, holder string, every time.Duration, log *slog.Logger) {
	s.store.RunLeased(ctx, WorkerLease, holder, every, s.clock, func(ctx context.Context) {
		if rep, err := s.Pass(ctx); err != nil && ctx.Err() == nil {
			log.Warn("consultation worker", "err", err)
		} else if rep.Rematched+rep.Reminded+rep.Routed > 0 {
			log.Info("consultation worker", "reminded", rep.Reminded, "rematched", rep.Rematched, "routed", rep.Routed)
		}
	})
}

func (s *Service) log() *slog.Logger { return slog.Default() }
