package figures

import (
	"context"
	"fmt"
	"time"

	"onestop/services/core"
)

// View computes the bureau's dashboard for a span and filter: the
// sections of figures, the tables, and the venture cohorts.
func (v *Views) View(ctx context.Context, q Query, recs Records) (*View, error) {
	f, err := v.Read(ctx, q)
	if err != nil {
		return nil, err
	}
	n := f.Counts
	out := &View{Query: q, Counts: n, Computed: v.clock.Now()}
	aged, err := v.agedRates(ctx, q)
	if err != nil {
		return nil, err
	}
	late := map[string]int64{}
	for _, k := range OverdueKinds {
		if late[k], err = v.Overdue(ctx, k, q); err != nil {
			return nil, err
		}
	}
	verified := func(k string) int64 { return n[k+"_verified"] }
	self := func(k string) int64 { return n[k+"_self"] }
	out.Sections = []Section{
		// What staff recorded or verified: the figures the policy is
		// judged by.
		{"figsec.ventures", []Figure{
			tally("figures.ventures_started", n["ventures_started"]),
			aged["verified"][12], aged["verified"][24], aged["verified"][36],
			rate("figures.stability", verified("stability_operating"), "figpart.operating", verified("stability_checked"), "figpart.checkins"),
			noted(tally("figures.jobs", verified("stability_employees")), verified("stability_operating")),
			ratioFigure("figures.jobs_per_venture", verified("stability_employees"), verified("stability_operating"), "figures.jobs", "figpart.operating_checkins"),
		}},
		// What people said of themselves, shown apart; outliers waiting
		// for staff are in neither, only counted as waiting.
		{"figsec.self_reported", []Figure{
			aged["self"][12], aged["self"][24], aged["self"][36],
			rate("figures.stability_self", self("stability_operating"), "figpart.operating", self("stability_checked"), "figpart.checkins_self"),
			noted(tally("figures.jobs_self", self("stability_employees")), self("stability_operating")),
			noted(tally("figures.to_verify", n["stability_to_verify"]), n["stability_employees_to_verify"]),
		}},
		{"figsec.supports", []Figure{
			tally("figures.eligibility_checks", n["eligibility_checks"]),
			rate("figures.eligible_any", n["eligible_any"], "figpart.eligible_any", n["eligibility_checks"], "figures.eligibility_checks"),
			tally("figures.service_requests", n["service_requests"]),
			dueRate("figures.service_on_time", n["service_due_on_time"], n["service_due_closed"], late[OverdueServices],
				"figpart.closed_on_time", "figpart.due_or_closed", "figpart.overdue_open"),
		}},
		{"figsec.matching", []Figure{
			tally("figures.match_applications", n["match_applications"]),
			noted(tally("figures.match_offers", n["match_offers"]), n["match_decided"]),
			tally("figures.match_placements", n["match_placements"]),
			quantile("figures.match_days", f, "match_days", 0.5),
		}},
		{"figsec.mentoring", []Figure{
			tally("figures.consult_asked", n["consult_asked"]),
			dueRate("figures.consult_on_time", n["consult_due_on_time"], n["consult_due_answered"], late[OverdueConsultations],
				"figpart.answered_on_time", "figpart.due_or_answered", "figpart.overdue_unanswered"),
			answerTime(f),
			tally("figures.consult_rematches", n["consult_rematches"]),
			rating(n),
		}},
		{"figsec.hotline", []Figure{
			tally("figures.calls", n["calls"]),
			dueRate("figures.complaints_on_time", n["complaints_due_on_time"], n["complaints_due_closed"], late[OverdueComplaints],
				"figpart.closed_on_time", "figpart.due_or_closed", "figpart.overdue_open"),
			rate("figures.started_again", n["case_outcome_started_again"], "figpart.started_again", n["cases_closed"], "figpart.cases_closed"),
		}},
		{"figsec.training_loans", []Figure{
			dueRate("figures.training_completion", n["training_due_passed"], n["training_due_done"], late[OverdueTraining],
				"figpart.passed", "figpart.course_ended", "figpart.course_not_closed"),
			tally("figures.loans_applied", n["loans_applied"]),
			noted(tally("figures.loans_approved", n["loans_approved"]), n["loans_decided"]),
			quantile("figures.decision_days", f, "decision_days", 0.5),
		}},
	}
	if out.Breakdowns, err = v.breakdowns(ctx, q, n, recs); err != nil {
		return nil, err
	}
	if out.Cohorts, err = v.cohorts(ctx, q); err != nil {
		return nil, err
	}
	return out, nil
}

// agedRates are the initial success rate and the stability at 2 and 3
// years, verified and self-reported ("verified", "self" → month → figure):
// each over the ventures whose check-in month fell in the span (those
// started m months before it, up to the ones that have reached it), so a
// year's view reads that year's figure rather than waiting for the
// ventures started in it to grow old. Both share the base, so they add up
// to all the answers.
func (v *Views) agedRates(ctx context.Context, q Query) (map[string]map[int]Figure, error) {
	out := map[string]map[int]Figure{"verified": {}, "self": {}}
	keys := map[int]string{12: "figures.initial_success", 24: "figures.stability_2y", 36: "figures.stability_3y"}
	for m, key := range keys {
		sub, ok := q.reached(m, core.DateOf(v.clock.Now()))
		var g Figures
		if ok {
			var err error
			if g, err = v.Read(ctx, sub); err != nil {
				return nil, err
			}
		}
		for basis, suffix := range map[string]string{"verified": "", "self": "_self"} {
			if !ok {
				out[basis][m] = Figure{Key: key + suffix, Kind: KindRate, Value: "—", NoteKey: "figures.too_recent", NoteArgs: []any{m}}
				continue
			}
			op, started := g.Counts[fmt.Sprintf("cohort_operating_%d_%s", m, basis)], g.Counts["ventures_started"]
			fg := rate(key+suffix, op, "figures.operating_at"+suffix, started, "figpart.started_between", sub.From, sub.To)
			fg.NumArgs = []any{m}
			out[basis][m] = fg
		}
	}
	return out, nil
}

// breakdowns: people eligible per policy (any filter), and, for the whole
// city, the policy delivery, service requests by type, calls by topic and
// the bases' seats (a rollup holds one dimension, so these split the
// city's figures only).
func (v *Views) breakdowns(ctx context.Context, q Query, n map[string]int64, recs Records) ([]Breakdown, error) {
	eligible := Breakdown{Key: "figures.by_policy", Header: []string{"figures.policy", "figures.eligible_people"}, Kinds: []string{KindLabel, KindCount}}
	for _, p := range recs.Policies {
		if c := n["eligible_"+p.ID]; c > 0 {
			eligible.Rows = append(eligible.Rows, []Cell{labelCell(p.Name), countCell(c)})
		}
	}
	out := []Breakdown{eligible}
	if q.Dim != "all" {
		return out, nil
	}
	delivered, err := v.delivery(ctx, q, recs)
	if err != nil {
		return nil, err
	}
	out = append(out, delivered)
	// The on-time rate by type as on the dashboard: its parts in columns
	// of their own, the open overdue requests of the type among them.
	types := Breakdown{Key: "figures.by_service_type", LabelKeys: true,
		Header: []string{"services.type", "figures.service_requests", "figpart.closed_on_time", "figpart.due_or_closed", "figpart.overdue_open", "figures.service_on_time"},
		Kinds:  []string{KindLabel, KindCount, KindCount, KindCount, KindCount, KindRate}}
	for _, t := range v.lists.Values("service_type") {
		sub := Query{q.From, q.To, "service_type", t}
		f, err := v.Read(ctx, sub)
		if err != nil {
			return nil, err
		}
		late, err := v.Overdue(ctx, OverdueServices, sub)
		if err != nil {
			return nil, err
		}
		c := f.Counts
		if due := c["service_due_closed"] + late; c["service_requests"] > 0 || due > 0 {
			types.Rows = append(types.Rows, []Cell{labelCell("service." + t), countCell(c["service_requests"]), countCell(c["service_due_on_time"]),
				countCell(due), countCell(late), rateCell(c["service_due_on_time"], due)})
		}
	}
	topics := Breakdown{Key: "figures.by_call_topic", Header: []string{"hotline.call.topic", "figures.calls"}, Kinds: []string{KindLabel, KindCount}, LabelKeys: true}
	for _, t := range v.lists.Values("call_topic") {
		f, err := v.Read(ctx, Query{q.From, q.To, "call_topic", t})
		if err != nil {
			return nil, err
		}
		if f.Counts["calls"] > 0 {
			topics.Rows = append(topics.Rows, []Cell{labelCell("calltopic." + t), countCell(f.Counts["calls"])})
		}
	}
	seats := Breakdown{Key: "figures.by_base", Header: []string{"bases.base", "bases.seats", "figures.free_seats", "figures.match_applications", "figures.match_placements"},
		Kinds: []string{KindLabel, KindCount, KindCount, KindCount, KindCount}}
	for _, b := range recs.Bases {
		f, err := v.Read(ctx, Query{q.From, q.To, "base", b.ID})
		if err != nil {
			return nil, err
		}
		seats.Rows = append(seats.Rows, []Cell{labelCell(b.Name), countCell(int64(b.Seats)), countCell(int64(b.FreeSeats)),
			countCell(f.Counts["match_applications"]), countCell(f.Counts["match_placements"])})
	}
	return append(out, types, topics, seats), nil
}

// cohorts follows the ventures started in each of the twelve quarters up
// to the view's end: how many still operated at each check-in.
func (v *Views) cohorts(ctx context.Context, q Query) ([]CohortRow, error) {
	end, _ := time.Parse("2006-01", q.To)
	qs := time.Date(end.Year(), time.Month((int(end.Month())-1)/3*3+1), 1, 0, 0, 0, 0, time.UTC)
	var out []CohortRow
	for i := 11; i >= 0; i-- {
		start := qs.AddDate(0, -3*i, 0)
		f, err := v.Read(ctx, Query{start.Format("2006-01"), start.AddDate(0, 2, 0).Format("2006-01"), q.Dim, q.Value})
		if err != nil {
			return nil, err
		}
		r := CohortRow{Quarter: fmt.Sprintf("%d Q%d", start.Year(), (int(start.Month())+2)/3), Started: f.Counts["ventures_started"]}
		for j, m := range CohortMonths {
			r.Operating[j] = f.Counts[fmt.Sprintf("cohort_operating_%d_verified", m)]
			r.SelfOperating[j] = f.Counts[fmt.Sprintf("cohort_operating_%d_self", m)]
			r.Shares[j], r.SelfShares[j] = percent(r.Operating[j], r.Started), percent(r.SelfOperating[j], r.Started)
			if start.AddDate(0, 3+m, 0).After(v.clock.Now()) {
				r.Shares[j], r.SelfShares[j] = "…", "…" // the quarter's ventures have not all reached it yet
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// Trend is one counter over twelve months, up to the month of a day.
type Trend struct {
	Series string
	Months []string // "2026-11"
	Values []int64
}

// Trends reads twelve months of each counter of series under the query's
// filter, up to the month of now.
func (v *Views) Trends(ctx context.Context, q Query, series []string, now core.Date) ([]Trend, error) {
	out := make([]Trend, len(series))
	for i, s := range series {
		out[i].Series = s
	}
	for i := 11; i >= 0; i-- {
		m := now.AddMonths(-i).String()[:7]
		f, err := v.Read(ctx, Query{m, m, q.Dim, q.Value})
		if err != nil {
			return nil, err
		}
		for j := range out {
			out[j].Months, out[j].Values = append(out[j].Months, m), append(out[j].Values, f.Counts[out[j].Series])
		}
	}
	return out, nil
}

// BaseFigures are the matching figures filed under one base, for its
// manager's own dashboard.
func (v *Views) BaseFigures(ctx context.Context, q Query, baseID string) ([]Figure, error) {
	f, err := v.Read(ctx, Query{q.From, q.To, "base", baseID})
	if err != nil {
		return nil, err
	}
	n := f.Counts
	return []Figure{
		tally("figures.match_applications", n["match_applications"]),
		noted(tally("figures.match_offers", n["match_offers"]), n["match_decided"]),
		tally("figures.match_placements", n["match_placements"]),
		quantile("figures.match_days", f, "match_days", 0.5),
	}, nil
}

// MentorFigures are a mentor's consultation figures, for their own
// dashboard.
func (v *Views) MentorFigures(ctx context.Context, q Query, mentorID string) ([]Figure, error) {
	f, err := v.Read(ctx, Query{q.From, q.To, "mentor", mentorID})
	if err != nil {
		return nil, err
	}
	n := f.Counts
	return []Figure{
		tally("figures.consult_answered", n["consult_answered"]),
		// The mentor's own: answered before the question had to move on to
		// another mentor, of those they answered.
		rate("figures.consult_on_time", n["consult_on_time"], "figpart.answered_no_rematch", n["consult_answered"], "figures.consult_answered"),
		answerTime(f),
		rating(n),
	}, nil
}
