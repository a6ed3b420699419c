package loans

import (
	"context"

	"onestop/services/core"
	"onestop/services/figures"
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

// count records a file's events (each once).
func (s *Service) count(ctx context.Context, l *Loan) { s.figures.Count(ctx, "loan", l.ID, events(l)) }

// FigureSource derives every file's events, for rebuilds.
func (s *Service) FigureSource() figures.Source { return figures.SourceOf(s.store, "loans", events) }
