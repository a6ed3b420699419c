package loans

import (
	"context"
	"log/slog"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/store"
)

// WorkerLease is the lease the loan worker holds while it runs.
const WorkerLease = "loans-worker"

// Escalate is one pass of the loan worker: each file past the time limit
// of the side it waits on is raised once per limit — to the bank's
// officers and the bureau's administrators when the bank is late, to the
// administrators when the bureau is, to the applicant when a returned file
// waits on them. The file records the limit it was raised for, guarded on
// its version, so two workers or a repeated pass raise nothing twice.
func (s *Service) Escalate(ctx context.Context) (int, error) {
	admins, err := s.accounts.Active(ctx, accounts.Admin)
	if err != nil {
		return 0, err
	}
	now := s.clock.Now()
	n := 0
	err = search.Drain(ctx, s.outbox.Engine(), LoanIndex.Name, search.Overdue([]string{"bureau", "bank", "applicant"}, now),
		func(id string) bool {
			var l Loan
			if s.store.Get(ctx, "loans", id, &l) != nil || !l.Overdue(now) || l.EscalatedFor.Equal(l.DueAt) {
				return false
			}
			if err := s.update(ctx, &l, bson.D{{Key: "$set", Value: bson.D{{Key: "escalated_for", Value: l.DueAt}}}}); err != nil {
				return false
			}
			to := []string{}
			switch l.Waiting() {
			case "applicant":
				s.notify.Send(ctx, l.PersonID, "notify.loan.overdue.applicant", l.BankName, "/loans/"+l.ID)
			case "bank":
				if b, err := s.Bank(ctx, l.BankID); err == nil {
					to = append(to, b.Officers...)
				}
				fallthrough
			case "bureau":
				for _, a := range admins {
					to = append(to, a.ID)
				}
			}
			for _, u := range to {
				s.notify.Send(ctx, u, "notify.loan.overdue", l.PersonName, "/loans/"+l.ID)
			}
			n++
			return true
		})
	return n, err
}

// update changes a file guarded on the version read, keeping the index in
// step.
func (s *Service) update(ctx context.Context, l *Loan, update bson.D) error {
	update = append(update, bson.E{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}})
	if err := s.outbox.Begin(ctx, LoanIndex.Name, l.ID); err != nil {
		return err
	}
	err := s.store.UpdateIf(ctx, "loans", l.ID, []store.Cond{store.Eq("version", l.Version)}, update)
	s.outbox.Apply(ctx, LoanIndex.Name, l.ID)
	return err
}

// Run escalates every interval while holding the lease, until ctx ends.
func (s *Service) Run(ctx context.Context, holder string, every time.Duration, log *slog.Logger) {
	s.store.RunLeased(ctx, WorkerLease, holder, every, s.clock, func(ctx context.Context) {
		if n, err := s.Escalate(ctx); err != nil && ctx.Err() == nil {
			log.Warn("loan worker", "err", err)
		} else if n > 0 {
			log.Info("loan worker", "escalated", n)
		}
	})
}
