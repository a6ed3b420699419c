package hotline

import (
	"context"
	"fmt"
	"time"

	"onestop/services/core"
	"onestop/services/figures"
)

// The figures of the hotline, each derived from its record alone, so the
// write path and a rebuild count the same.

func callEvents(c *Call) []figures.Event {
	return []figures.Event{{ID: "call:" + c.ID, On: core.DateOf(c.CreatedAt), Dims: map[string]string{"call_topic": c.Topic, "call_type": c.Type},
		Counts: map[string]int64{"calls": 1}}}
}

// complaintEvents: received; first answered, on time when before the
// time limit it had when it came in — counted on the day of the answer,
// and again on the day of the limit for the on-time rate, which counts
// the complaints still unanswered past it at the moment it is read
// (OpenOverdue; see figures.CountOverdue).
func complaintEvents(c *Complaint) []figures.Event {
	dims := map[string]string{"complaint_kind": c.Kind, "against": c.Against, "provider": c.AgainstID}
	out := []figures.Event{{ID: "complaint.received:" + c.ID, On: core.DateOf(c.CreatedAt), Dims: dims, Counts: map[string]int64{"complaints_received": 1}}}
	due := c.limit()
	for _, st := range c.History {
		if st.Action != "answer" {
			continue
		}
		onTime := int64(0)
		if !st.At.After(due) {
			onTime = 1
		}
		out = append(out, figures.Event{ID: "complaint.answered:" + c.ID, On: core.DateOf(st.At), Dims: dims,
			Counts: map[string]int64{"complaints_answered": 1, "complaints_on_time": onTime}},
			figures.Event{ID: "complaint.due:" + c.ID, On: core.DateOf(due), Dims: dims,
				Counts: map[string]int64{"complaints_due_closed": 1, "complaints_due_on_time": onTime}})
		break
	}
	return out
}

// OpenOverdue counts the complaints never answered whose time limit fell
// in [from, until), by kind or provider (figures.OverdueCounter).
func (s *Service) OpenOverdue(ctx context.Context, dim, value string, from, until time.Time) (int64, error) {
	return figures.CountOverdue(ctx, s.outbox.Engine(), ComplaintIndex.Name, "unanswered_due_ms", nil,
		map[string]string{"complaint_kind": "kind", "provider": "against_id"}, dim, value, from, until)
}

// caseEvents: opened (by source); closed with its outcome and the days it
// took — the share "started again" is the figure the source cares for.
func caseEvents(c *Case) []figures.Event {
	out := []figures.Event{{ID: "case.opened:" + c.ID, On: core.DateOf(c.CreatedAt), Dims: map[string]string{"case_source": c.Source},
		Counts: map[string]int64{"cases_opened": 1}}}
	if c.Status == CaseClosed && !c.OutcomeOn.IsZero() {
		out = append(out, figures.Event{ID: "case.closed:" + c.ID, On: c.OutcomeOn, Dims: map[string]string{"case_outcome": c.Outcome},
			Counts: map[string]int64{"cases_closed": 1, "case_outcome_" + c.Outcome: 1},
			Values: map[string]float64{"case_days": float64(c.OutcomeOn.Day() - core.DateOf(c.CreatedAt).Day())}})
	}
	return out
}

// ventureEvents: each stability check-in answered — still operating, and
// the people employed — by district, industry and the month of the check-in
// (6, 12, 24, 36): the stability rate and jobs created come from these.
//
// The venture is also counted as started, on its registration day, and
// each check-in is counted again on that day as its cohort's
// (`cohort_operating_12_verified`: of the ventures registered that month,
// how many still operated at the 12-month check-in): the initial success
// rate and the stability at 1, 2 and 3 years are these over the ventures
// started. Those events carry the registration date in their ids, so a
// corrected date moves them (figures.Replace).
//
// A check-in's counters end in its basis: `_verified` (staff recorded or
// verified it) or `_self` (the person's answer, unchecked), so neither
// figure hides in the other. A self-report waiting for staff (ToVerify)
// counts only as waiting (`stability_to_verify` and the head-count in
// question), and in no cohort, until staff decide; a review replaces the
// events (figures.Replace). A closed venture employs nobody.
func ventureEvents(v *Venture) []figures.Event {
	dims := map[string]string{"district": v.District, "industry": v.Industry, "group": v.Group}
	reg := v.FirstRegistered.String()
	out := []figures.Event{{ID: "venture.started:" + v.ID + ":" + reg, On: v.FirstRegistered, Dims: dims, Counts: map[string]int64{"ventures_started": 1}}}
	for _, k := range v.Checks {
		if !k.Done {
			continue
		}
		month := map[string]string{"district": v.District, "industry": v.Industry, "group": v.Group, "checkin_month": fmt.Sprint(k.Month)}
		id := fmt.Sprintf("stability:%s:%d", v.ID, k.Month)
		b := k.Basis()
		if b == ToVerify {
			out = append(out, figures.Event{ID: id, On: k.DoneOn, Dims: month,
				Counts: map[string]int64{"stability_to_verify": 1, "stability_employees_to_verify": int64(k.Employees)}})
			continue
		}
		operating, employed := int64(0), int64(0)
		if k.Operating {
			operating, employed = 1, int64(k.Employees)
		}
		out = append(out, figures.Event{ID: id, On: k.DoneOn, Dims: month,
			Counts: map[string]int64{"stability_checked_" + b: 1, "stability_operating_" + b: operating, "stability_employees_" + b: employed}},
			figures.Event{ID: fmt.Sprintf("cohort:%s:%s:%d", v.ID, reg, k.Month), On: v.FirstRegistered, Dims: dims,
				Counts: map[string]int64{fmt.Sprintf("cohort_checked_%d_%s", k.Month, b): 1, fmt.Sprintf("cohort_operating_%d_%s", k.Month, b): operating,
					fmt.Sprintf("cohort_employees_%d_%s", k.Month, b): employed}})
	}
	return out
}

// countVenture records a venture's events (each once), on the write's
// path: a review or a corrected date replaces the events it counted
// (figures.Replace), which must find them counted as they were, not as a
// follow-up run later would read them.
func (s *Service) countVenture(ctx context.Context, id string) {
	var v Venture
	if s.store.Get(ctx, "ventures", id, &v) == nil {
		s.figures.Count(ctx, "ventures", id, ventureEvents(&v))
	}
}

// FigureSources derive hotline records' events, for rebuilds and for the
// follow-ups of their writes (see New).
func (s *Service) FigureSources() []figures.Source {
	return []figures.Source{figures.SourceOf(s.store, "calls", callEvents), figures.SourceOf(s.store, "complaints", complaintEvents),
		figures.SourceOf(s.store, "cases", caseEvents), figures.SourceOf(s.store, "ventures", ventureEvents)}
}
