package portal_test

import (
	"context"
	figuresweb "onestop/portal/figures"
	trainingweb "onestop/portal/training"
	"reflect"
	"testing"

	"onestop/portal/portaltest"
	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/hotline"
	"onestop/services/loans"
	"onestop/services/training"
)

// TestDemoData: the demo loads every area with records in every state, and
// loading it again adds nothing. The world is the test binary's one demo
// load (portaltest.DemoWorld), copied.
func TestDemoData(t *testing.T) {
	t.Parallel()
	tp := portaltest.DemoWorld(t)
	ctx := context.Background()
	staff := accounts.Principal{ID: "demo-check", Role: accounts.Admin, Name: "check"}
	h := tp.App.Bureau().Hotline
	count := func(what string, n int, err error) int {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return n
	}
	one := core.Page{Size: 1}
	_, calls, _, err := h.Calls(ctx, staff, hotline.CallQuery{Page: one})
	if count("calls", calls, err) < 250 {
		t.Errorf("%d calls", calls)
	}
	for _, q := range append([]string{"overdue", "escalated"}, hotline.ComplaintStatuses...) {
		_, n, _, err := h.Complaints(ctx, staff, hotline.ComplaintQuery{Queue: q, Page: one})
		if count("complaints "+q, n, err) == 0 {
			t.Errorf("no %s complaints", q)
		}
	}
	for _, q := range []string{"due_today", "overdue", "open", "closed"} {
		_, n, _, err := h.Cases(ctx, staff, hotline.CaseQuery{Queue: q, Page: one})
		if count("cases "+q, n, err) == 0 {
			t.Errorf("no %s cases", q)
		}
	}
	rows, _, _, err := h.Cases(ctx, staff, hotline.CaseQuery{Queue: "closed", Page: core.Page{Size: 100}})
	outcomes := map[string]bool{}
	for _, r := range rows {
		outcomes[r.Outcome] = true
	}
	if err != nil || len(outcomes) != len(hotline.Outcomes) {
		t.Errorf("outcomes %v (%v)", outcomes, err)
	}
	weeks, err := h.TopicsByWeek(ctx, staff, 8)
	if err != nil || weeks[0].Total == 0 || weeks[7].Total == 0 {
		t.Errorf("weekly topics %+v (%v)", weeks, err)
	}
	if _, n, _, err := h.StabilityDue(ctx, staff, one); count("stability", n, err) == 0 {
		t.Error("no stability check-ins due")
	}
	states := map[string]int{}
	r, _, err := tp.App.Bureau().Training.Catalogue(ctx, training.CatalogueQuery{All: true, Page: core.Page{Size: 100}})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range r.Hits {
		states[h.String("status")]++
	}
	claims, err := tp.App.Bureau().Training.Claims(ctx, staff)
	if err != nil || len(states) != 3 || len(claims) != 2 {
		t.Errorf("courses by state %v, %d claims (%v)", states, len(claims), err)
	}
	stats, err := trainingweb.New(tp.App.Kit, tp.App.Bureau()).ProviderStats(ctx, staff)
	if err != nil || len(stats) != 2 || stats[0].Complaints+stats[1].Complaints != 3 {
		t.Errorf("provider stats %+v (%v)", stats, err)
	}
	for _, st := range loans.Statuses {
		rows, n, _, err := tp.App.Bureau().Loans.List(ctx, staff, loans.Query{Status: st, Page: one})
		if count("loans "+st, n, err) == 0 {
			t.Errorf("no %s loan", st)
			continue
		}
		if l, err := tp.App.Bureau().Loans.Loan(ctx, staff, rows[0].ID); err != nil || len(l.Attachments) != 1 {
			t.Errorf("a %s demo loan without its plan attached (%v)", st, err)
		}
	}
	// The figures the demo gave, as the KPI code reads them; a rebuild
	// from the records agrees with what the writes kept.
	from := core.DateOf(tp.Now().AddDate(-1, 0, 0)).String()[:7]
	_, admin, _ := tp.Account(accounts.Admin, "figures@test.cn")
	resp, body := tp.Do("GET", "/api/v1/admin/figures?from="+from, nil, admin)
	figs := portaltest.Decode[figuresweb.APIFigures](t, body)
	if resp.StatusCode != 200 || figs.Counts["loans_decided"] < 5 || figs.Counts["loans_applied"] < 10 || figs.Medians["decision_days"] == 0 || figs.Counts["training_passed"] == 0 {
		t.Errorf("figures: %d %s", resp.StatusCode, body)
	}
	for _, k := range []string{"eligibility_checks", "eligible_any", "service_requests", "match_applications", "calls", "complaints_received", "complaints_answered", "cases_opened", "cases_closed", "case_outcome_started_again", "consult_asked", "consult_answered", "consult_rated"} {
		if figs.Counts[k] == 0 {
			t.Errorf("no %s in the figures: %s", k, body)
		}
	}
	if f, err := tp.App.Bureau().Figures.Read(ctx, "2023-01", core.DateOf(tp.Now()).String()[:7], "all", "all"); err != nil || f.Counts["ventures_started"] < 2 {
		t.Errorf("ventures started since 2023: %v (%v)", f.Counts, err)
	}
	if figs.Counts["calls"] != int64(calls) {
		t.Errorf("%d calls counted, %d logged", figs.Counts["calls"], calls)
	}
	t.Logf("demo: %d loan decisions, median %.0f days from application to decision (bucket bound); training %d passed of %d enrolled",
		figs.Counts["loans_decided"], figs.Medians["decision_days"], figs.Counts["training_passed"], figs.Counts["training_enrolled"])
	before, _ := tp.App.Bureau().Figures.Snapshot(ctx)
	if _, err := tp.App.Bureau().Figures.Rebuild(ctx, tp.App.FigureSources(), nil); err != nil {
		t.Fatal(err)
	}
	if after, _ := tp.App.Bureau().Figures.Snapshot(ctx); !reflect.DeepEqual(before, after) {
		t.Error("a rebuild of the figures differs from what the writes kept")
		for k, b := range before {
			if a := after[k]; !reflect.DeepEqual(a, b) {
				t.Logf("DIFF %s\n kept %v %v\n rebuilt %v %v", k, b.Counts, b.Hist, a.Counts, a.Hist)
			}
		}
		for k, a := range after {
			if _, ok := before[k]; !ok {
				t.Logf("DIFF only rebuilt %s %v", k, a.Counts)
			}
		}
	}
	if err := tp.App.LoadDemo(ctx); err != nil {
		t.Fatal(err)
	}
	if _, again, _, _ := h.Calls(ctx, staff, hotline.CallQuery{Page: one}); again != calls {
		t.Errorf("a second load made %d calls, the first %d", again, calls)
	}
}
