package grants

import (
	"context"
	"log/slog"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/notify"
)

// WorkerLease is the lease the applications' worker holds while it runs.
const WorkerLease = "grants-worker"

// Escalate is one pass of the applications' worker: each application past
// the time limit of the side it waits on is raised once per limit — to the
// administrators when the bureau is late deciding, to the applicant when
// an application sent back waits on them. The application records the limit it was raised for,
// guarded on its version, so two workers or a repeated pass raise nothing
// twice.
func (s *Service) Escalate(ctx context.Context) (int, error) {
	admins, err := s.accounts.Active(ctx, accounts.Admin)
	if err != nil {
		return 0, err
	}
	now := s.clock.Now()
	n := 0
	err = search.Drain(ctx, s.outbox.Engine(), Index.Name, search.Overdue([]string{"bureau", "applicant"}, now),
		func(id string) bool {
			var a Application
			if s.store.Get(ctx, collection, id, &a) != nil || !a.Overdue(now) || a.EscalatedFor.Equal(a.DueAt) {
				return false
			}
			if err := s.update(ctx, &a, bson.D{{Key: "$set", Value: bson.D{{Key: "escalated_for", Value: a.DueAt}}}}); err != nil {
				return false
			}
			link := "/grants/" + a.ID
			switch a.Waiting() {
			case "applicant":
				for _, to := range s.recipients(ctx, &a) {
					s.notify.Send(ctx, to, "notify.grant.overdue.applicant", notify.Policy(a.PolicyID), link)
				}
			case "bureau":
				for _, u := range admins {
					s.notify.Send(ctx, u.ID, "notify.grant.overdue", notify.Policy(a.PolicyID), link)
				}
			}
			n++
			return true
		})
	return n, err
}

// Run escalates every interval while holding the lease, until ctx ends.
func (s *Service) Run(ctx context.Context, holder string, every time.Duration, log *slog.Logger) {
	s.store.RunLeased(ctx, WorkerLease, holder, every, s.clock, func(ctx context.Context) {
		if n, err := s.Escalate(ctx); err != nil && ctx.Err() == nil {
			log.Warn("applications worker", "err", err)
		} else if n > 0 {
			log.Info("applications worker", "escalated", n)
		}
	})
}
