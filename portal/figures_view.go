package portal

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"onestop/services/core"
	"onestop/services/figures"
	"onestop/services/hotline"
	"onestop/services/mentors"
	"onestop/services/onestop"
	"onestop/services/policy"
	"onestop/services/reference"
)

// figureQuery is what a view of the figures shows: a span of months and
// one filter (a dimension and its value; "all" is the whole city).
type figureQuery struct {
	From, To   string
	Dim, Value string
}

// enumDims are the dimensions whose values are a fixed list; refDims those
// whose values are reference data (any code ever listed: the rollups keep
// what records held); the others (bank, provider, base, mentor) take a
// record's id.
var (
	refDims  = map[string][]reference.Kind{"district": {reference.District}, "industry": policy.VentureIndustries}
	enumDims = map[string][]string{
		"group": policy.TargetGroups, "topic": mentors.Topics,
		"call_topic": hotline.CallTopics, "call_type": hotline.CallTypes, "complaint_kind": hotline.ComplaintKinds, "case_outcome": hotline.Outcomes, "service_type": onestop.Types,
	}
)

// dimValues are the values a listed dimension takes, in order.
func dimValues(lists *reference.Lists, dim string) []string {
	var out []string
	for _, k := range refDims[dim] {
		out = append(out, lists.AllCodes(k)...)
	}
	return append(out, enumDims[dim]...)
}

// figureDims are the dimensions a view filters on, in the form's order.
var figureDims = []string{"all", "district", "industry", "group", "topic", "service_type", "call_topic", "call_type", "complaint_kind", "case_outcome", "bank", "provider", "base", "mentor"}

// maxSpanMonths bounds a view: ten years of months, each read by _id.
const maxSpanMonths = 120

// parseFigureQuery checks a view's query: months as YYYY-MM, from before
// to, at most ten years, a known dimension and a value it can take (a
// district or industry by code or label). The web form sends the filter as
// one "dim:value"; the API as dim and value.
func parseFigureQuery(get func(key string, def ...string) string, now core.Date, lists *reference.Lists) (figureQuery, error) {
	q := figureQuery{From: get("from", now.AddMonths(-11).String()[:7]), To: get("to", now.String()[:7]), Dim: get("dim", "all"), Value: get("value", "")}
	if f := get("filter", ""); f != "" {
		q.Dim, q.Value, _ = strings.Cut(f, ":")
	}
	fields := map[string]string{}
	from, err1 := time.Parse("2006-01", q.From)
	to, err2 := time.Parse("2006-01", q.To)
	switch {
	case err1 != nil:
		fields["from"] = "error.figures.month"
	case err2 != nil:
		fields["to"] = "error.figures.month"
	case to.Before(from):
		fields["to"] = "error.figures.reversed"
	case (to.Year()-from.Year())*12+int(to.Month()-from.Month()) > maxSpanMonths:
		fields["to"] = "error.figures.span"
	}
	switch {
	case q.Dim == "all":
		q.Value = "all"
	case !slices.Contains(figureDims, q.Dim):
		fields["dim"] = "error.enum"
	case refDims[q.Dim] != nil:
		if code, ok := lists.Known(refDims[q.Dim]...).Resolve(q.Value); ok {
			q.Value = code
		} else {
			fields["value"] = "error.enum"
		}
	case enumDims[q.Dim] != nil:
		if !slices.Contains(enumDims[q.Dim], q.Value) {
			fields["value"] = "error.enum"
		}
	case !core.ValidID(q.Value):
		fields["value"] = "error.enum"
	}
	if len(fields) > 0 {
		return q, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: fields}
	}
	return q, nil
}

// until is the query's span cut at the month of day; false when nothing
// of the span is that old.
func (q figureQuery) until(day core.Date) (figureQuery, bool) {
	last := day.String()[:7]
	if last < q.From {
		return q, false
	}
	if last < q.To {
		q.To = last
	}
	return q, true
}

// figureCache keeps the sums read for a minute: a dashboard opened again,
// or by another administrator, reads nothing. Per replica; figures a minute
// old are as good as the day's.
type figureCache struct {
	mu      sync.Mutex
	entries map[figureQuery]cachedFigures
}

type cachedFigures struct {
	f  figures.Figures
	at time.Time
}

const figureCacheTTL = time.Minute

// readFigures sums the rollups of one span and filter, through the cache.
func (a *App) readFigures(ctx context.Context, q figureQuery) (figures.Figures, error) {
	now := time.Now()
	a.figCache.mu.Lock()
	if e, ok := a.figCache.entries[q]; ok && now.Sub(e.at) < figureCacheTTL {
		a.figCache.mu.Unlock()
		return e.f, nil
	}
	a.figCache.mu.Unlock()
	f, err := a.figures.Read(ctx, q.From, q.To, q.Dim, q.Value)
	if err != nil {
		return f, err
	}
	a.figCache.mu.Lock()
	if a.figCache.entries == nil || len(a.figCache.entries) > 10_000 {
		a.figCache.entries = map[figureQuery]cachedFigures{}
	}
	a.figCache.entries[q] = cachedFigures{f: f, at: now}
	a.figCache.mu.Unlock()
	return f, nil
}

// figure is one figure of a view: its catalog key, the value as shown,
// and the numbers it is made of (N of Of) for exports.
type figure struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	N     int64  `json:"n"`
	Of    int64  `json:"of,omitempty"`
	Note  string `json:"note,omitempty"`
}

// figureSection is a group of figures under a heading.
type figureSection struct {
	Key     string   `json:"key"`
	Figures []figure `json:"figures"`
}

// breakdown is a small table: one row per value of a dimension.
type breakdown struct {
	Key    string     `json:"key"`
	Header []string   `json:"header"` // catalog keys
	Rows   [][]string `json:"rows"`   // first cell already in the reader's language
}

// cohortRow follows the ventures started in one quarter: how many
// operated at each check-in as staff recorded or verified it, and, apart,
// as the people said themselves.
type cohortRow struct {
	Quarter   string    `json:"quarter"`
	Started   int64     `json:"started"`
	Operating [4]int64  `json:"operating"` // verified, at 6, 12, 24, 36 months
	Shares    [4]string `json:"shares"`    // of those started; "…" before the quarter's ventures all reach it
	// SelfOperating and SelfShares are the self-reported answers nobody
	// has verified yet (waiting outliers count in neither).
	SelfOperating [4]int64  `json:"self_operating"`
	SelfShares    [4]string `json:"self_shares"`
}

// cohortMonths are the check-ins a cohort is followed at.
var cohortMonths = [4]int{6, 12, 24, 36}

// figureView is everything a dashboard shows, exports and serves as JSON.
type figureView struct {
	Query      figureQuery      `json:"query"`
	Sections   []figureSection  `json:"sections"`
	Breakdowns []breakdown      `json:"breakdowns,omitempty"`
	Cohorts    []cohortRow      `json:"cohorts"`
	Charts     []chart          `json:"-"`
	Counts     map[string]int64 `json:"-"`
	Computed   time.Time        `json:"computed_at"`
}

func tally(key string, n int64) figure { return figure{Key: key, Value: fmt.Sprint(n), N: n} }

func share(key string, n, of int64) figure {
	return figure{Key: key, Value: percent(n, of), N: n, Of: of}
}

func quantile(key string, f figures.Figures, hist string, q float64) figure {
	return figure{Key: key, Value: quant(f, hist, q)}
}

// noted adds the "of …" note in the reader's language.
func (a *App) noted(l string, fg figure, n int64) figure {
	fg.Note = a.i18n.T(l, fg.Key+".of", n)
	return fg
}

// figureView computes a view from the rollups alone.
func (a *App) figureView(ctx context.Context, l string, q figureQuery) (*figureView, error) {
	f, err := a.readFigures(ctx, q)
	if err != nil {
		return nil, err
	}
	n := f.Counts
	v := &figureView{Query: q, Counts: n, Computed: a.clock.Now()}
	answer := quantile("figures.answer_minutes", f, "answer_minutes", 0.5)
	if p90 := quant(f, "answer_minutes", 0.9); p90 != "—" {
		answer.Note = a.i18n.T(l, "figures.answer_minutes.of", p90)
	}
	aged, err := a.agedRates(ctx, l, q)
	if err != nil {
		return nil, err
	}
	verified := func(k string) int64 { return n[k+"_verified"] }
	self := func(k string) int64 { return n[k+"_self"] }
	v.Sections = []figureSection{
		// What staff recorded or verified: the figures the policy is
		// judged by.
		{"figsec.ventures", []figure{
			tally("figures.ventures_started", n["ventures_started"]),
			aged["verified"][12], aged["verified"][24], aged["verified"][36],
			a.noted(l, share("figures.stability", verified("stability_operating"), verified("stability_checked")), verified("stability_checked")),
			a.noted(l, tally("figures.jobs", verified("stability_employees")), verified("stability_operating")),
			{Key: "figures.jobs_per_venture", Value: ratio(verified("stability_employees"), verified("stability_operating")),
				N: verified("stability_employees"), Of: verified("stability_operating")},
		}},
		// What people said of themselves, shown apart; outliers waiting
		// for staff are in neither, only counted as waiting.
		{"figsec.self_reported", []figure{
			aged["self"][12], aged["self"][24], aged["self"][36],
			a.noted(l, share("figures.stability_self", self("stability_operating"), self("stability_checked")), self("stability_checked")),
			a.noted(l, tally("figures.jobs_self", self("stability_employees")), self("stability_operating")),
			a.noted(l, tally("figures.to_verify", n["stability_to_verify"]), n["stability_employees_to_verify"]),
		}},
		{"figsec.supports", []figure{
			tally("figures.eligibility_checks", n["eligibility_checks"]),
			a.noted(l, share("figures.eligible_any", n["eligible_any"], n["eligibility_checks"]), n["eligibility_checks"]),
			tally("figures.service_requests", n["service_requests"]),
			a.noted(l, share("figures.service_on_time", n["service_on_time"], n["service_completed"]), n["service_completed"]),
		}},
		{"figsec.matching", []figure{
			tally("figures.match_applications", n["match_applications"]),
			a.noted(l, tally("figures.match_offers", n["match_offers"]), n["match_decided"]),
			tally("figures.match_placements", n["match_placements"]),
			quantile("figures.match_days", f, "match_days", 0.5),
		}},
		{"figsec.mentoring", []figure{
			tally("figures.consult_asked", n["consult_asked"]),
			a.noted(l, share("figures.consult_on_time", n["consult_on_time"], n["consult_answered"]), n["consult_asked"]),
			answer,
			tally("figures.consult_rematches", n["consult_rematches"]),
			a.noted(l, figure{Key: "figures.rating", Value: ratio(n["consult_rating_sum"], n["consult_rated"]), N: n["consult_rating_sum"], Of: n["consult_rated"]}, n["consult_rated"]),
		}},
		{"figsec.hotline", []figure{
			tally("figures.calls", n["calls"]),
			a.noted(l, share("figures.complaints_on_time", n["complaints_on_time"], n["complaints_answered"]), n["complaints_received"]),
			a.noted(l, share("figures.started_again", n["case_outcome_started_again"], n["cases_closed"]), n["cases_closed"]),
		}},
		{"figsec.training_loans", []figure{
			a.noted(l, share("figures.training_completion", n["training_passed"], n["training_passed"]+n["training_not_passed"]), n["training_enrolled"]),
			tally("figures.loans_applied", n["loans_applied"]),
			a.noted(l, tally("figures.loans_approved", n["loans_approved"]), n["loans_decided"]),
			quantile("figures.decision_days", f, "decision_days", 0.5),
		}},
	}
	if v.Breakdowns, err = a.breakdowns(ctx, l, q, n); err != nil {
		return nil, err
	}
	if v.Cohorts, err = a.cohorts(ctx, q); err != nil {
		return nil, err
	}
	return v, nil
}

// agedRates are the initial success rate and the stability at 2 and 3
// years, verified and self-reported ("verified", "self" → month → figure):
// each over the ventures of the span old enough to have reached the
// check-in, as a venture started last month is not yet a failure at 12
// months. Both share the base, so they add up to all the answers.
func (a *App) agedRates(ctx context.Context, l string, q figureQuery) (map[string]map[int]figure, error) {
	out := map[string]map[int]figure{"verified": {}, "self": {}}
	keys := map[int]string{12: "figures.initial_success", 24: "figures.stability_2y", 36: "figures.stability_3y"}
	for m, key := range keys {
		sub, ok := q.until(core.DateOf(a.clock.Now()).AddMonths(-m))
		var g figures.Figures
		if ok {
			var err error
			if g, err = a.readFigures(ctx, sub); err != nil {
				return nil, err
			}
		}
		for basis, suffix := range map[string]string{"verified": "", "self": "_self"} {
			if !ok {
				out[basis][m] = figure{Key: key + suffix, Value: "—", Note: a.i18n.T(l, "figures.too_recent", m)}
				continue
			}
			op, started := g.Counts[fmt.Sprintf("cohort_operating_%d_%s", m, basis)], g.Counts["ventures_started"]
			out[basis][m] = figure{Key: key + suffix, Value: percent(op, started), N: op, Of: started,
				Note: a.i18n.T(l, "figures.aged.of", started, sub.To)}
		}
	}
	return out, nil
}

// breakdowns: people eligible per policy (any filter), and, for the whole
// city, service requests by type and calls by topic (a rollup holds one
// dimension, so these split the city's figures only).
func (a *App) breakdowns(ctx context.Context, l string, q figureQuery, n map[string]int64) ([]breakdown, error) {
	pols, err := a.policies.All(ctx)
	if err != nil {
		return nil, err
	}
	eligible := breakdown{Key: "figures.by_policy", Header: []string{"figures.policy", "figures.eligible_people"}}
	for _, p := range pols {
		if c := n["eligible_"+p.ID]; c > 0 {
			eligible.Rows = append(eligible.Rows, []string{p.Name.In(l), fmt.Sprint(c)})
		}
	}
	out := []breakdown{eligible}
	if q.Dim != "all" {
		return out, nil
	}
	types := breakdown{Key: "figures.by_service_type", Header: []string{"services.type", "figures.service_requests", "figures.service_on_time"}}
	for _, t := range onestop.Types {
		f, err := a.readFigures(ctx, figureQuery{q.From, q.To, "service_type", t})
		if err != nil {
			return nil, err
		}
		if f.Counts["service_requests"] > 0 {
			types.Rows = append(types.Rows, []string{a.i18n.T(l, "service."+t), fmt.Sprint(f.Counts["service_requests"]), percent(f.Counts["service_on_time"], f.Counts["service_completed"])})
		}
	}
	topics := breakdown{Key: "figures.by_call_topic", Header: []string{"hotline.call.topic", "figures.calls"}}
	for _, t := range hotline.CallTopics {
		f, err := a.readFigures(ctx, figureQuery{q.From, q.To, "call_topic", t})
		if err != nil {
			return nil, err
		}
		if f.Counts["calls"] > 0 {
			topics.Rows = append(topics.Rows, []string{a.i18n.T(l, "calltopic."+t), fmt.Sprint(f.Counts["calls"])})
		}
	}
	seats := breakdown{Key: "figures.by_base", Header: []string{"bases.base", "bases.seats", "figures.free_seats", "figures.match_applications", "figures.match_placements"}}
	bases, err := a.bases.Bases(ctx)
	if err != nil {
		return nil, err
	}
	for _, b := range bases {
		f, err := a.readFigures(ctx, figureQuery{q.From, q.To, "base", b.ID})
		if err != nil {
			return nil, err
		}
		seats.Rows = append(seats.Rows, []string{b.Name, fmt.Sprint(b.Seats), fmt.Sprint(b.FreeSeats), fmt.Sprint(f.Counts["match_applications"]), fmt.Sprint(f.Counts["match_placements"])})
	}
	return append(out, types, topics, seats), nil
}

// cohorts follows the ventures started in each of the twelve quarters up
// to the view's end: how many still operated at each check-in.
func (a *App) cohorts(ctx context.Context, q figureQuery) ([]cohortRow, error) {
	end, _ := time.Parse("2006-01", q.To)
	qs := time.Date(end.Year(), time.Month((int(end.Month())-1)/3*3+1), 1, 0, 0, 0, 0, time.UTC)
	var out []cohortRow
	for i := 11; i >= 0; i-- {
		start := qs.AddDate(0, -3*i, 0)
		f, err := a.readFigures(ctx, figureQuery{start.Format("2006-01"), start.AddDate(0, 2, 0).Format("2006-01"), q.Dim, q.Value})
		if err != nil {
			return nil, err
		}
		r := cohortRow{Quarter: fmt.Sprintf("%d Q%d", start.Year(), (int(start.Month())+2)/3), Started: f.Counts["ventures_started"]}
		for j, m := range cohortMonths {
			r.Operating[j] = f.Counts[fmt.Sprintf("cohort_operating_%d_verified", m)]
			r.SelfOperating[j] = f.Counts[fmt.Sprintf("cohort_operating_%d_self", m)]
			r.Shares[j], r.SelfShares[j] = percent(r.Operating[j], r.Started), percent(r.SelfOperating[j], r.Started)
			if start.AddDate(0, 3+m, 0).After(a.clock.Now()) {
				r.Shares[j], r.SelfShares[j] = "…", "…" // the quarter's ventures have not all reached it yet
			}
		}
		out = append(out, r)
	}
	return out, nil
}
