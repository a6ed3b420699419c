package loans

import (
	"context"
	"log/slog"

	"onestop/services/core"
	"onestop/services/figures"
	"onestop/services/store"
)

// events are the figures a file contributes, derived from the file alone,
// so the write path and a rebuild count the same: applied on the day of
// the application; decided (approved or declined) on the day of the bank's
// decision, with the days it took from application to decision.
func events(l *Loan) []figures.Event {
	dims := map[string]string{"bank": l.BankID, "district": l.Applicant.District, "policy": l.PolicyID}
	out := []figures.Event{{ID: "loan.applied:" + l.ID, On: core.DateOf(l.CreatedAt), Dims: dims,
		Counts: map[string]int64{"loans_applied": 1, "loans_amount_yuan": l.AmountYuan}}}
	for _, st := range l.Timeline {
		if st.Action != "approve" && st.Action != "decline" {
			continue
		}
		e := figures.Event{ID: "loan.decided:" + l.ID, On: core.DateOf(st.At), Dims: dims,
			Counts: map[string]int64{"loans_decided": 1}, Values: map[string]float64{"decision_days": st.At.Sub(l.CreatedAt).Hours() / 24}}
		if st.Action == "approve" {
			e.Counts["loans_approved"] = 1
			e.Counts["loans_granted_yuan"] = l.GrantedYuan
		}
		out = append(out, e)
	}
	return out
}

// count records a file's events (each once); a failure is logged, not
// returned: the act happened, and a rebuild recovers the count.
func (s *Service) count(ctx context.Context, l *Loan) {
	if s.figures == nil {
		return
	}
	for _, e := range events(l) {
		if err := s.figures.Record(context.WithoutCancel(ctx), e); err != nil {
			slog.Warn("loan figures", "loan", l.ID, "err", err)
		}
	}
}

// FigureSource derives every file's events, for rebuilds.
func (s *Service) FigureSource() figures.Source {
	return figures.Source{Name: "loans", Each: func(ctx context.Context, emit func(figures.Event) error) error {
		return store.Each(ctx, s.store, "loans", func(l *Loan) error {
			for _, e := range events(l) {
				if err := emit(e); err != nil {
					return err
				}
			}
			return nil
		})
	}}
}
