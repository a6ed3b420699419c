package entitlements_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"onestop/services/core"
	"onestop/services/entitlements"
	"onestop/services/people"
	"onestop/services/policy"
	"onestop/services/servicetest"
)

// benchFacts is a spread of profiles over the groups, stages and dates
// the catalogue reads.
func benchFacts(i int, today core.Date) policy.Facts {
	groups := policy.TargetGroups
	grad := today.AddDays(-(i % 1500))
	yes, no := true, false
	return policy.Facts{TargetGroups: []string{groups[i%len(groups)], groups[(i/7)%len(groups)]}, GraduationDate: &grad,
		Employed: &no, WantsTraining: &yes, Venture: &policy.Venture{Stage: policy.Stages[i%len(policy.Stages)], Form: policy.Forms[i%len(policy.Forms)],
			MicroProfit: &yes, OwnFundsSufficient: &no}}
}

// BenchmarkHolds: what one person qualifies for against the whole seed
// catalogue, with the last day of each support ending within a month —
// the in-memory part of re-checking everyone.
func BenchmarkHolds(b *testing.B) {
	list, err := policy.SeedPolicies()
	if err != nil {
		b.Fatal(err)
	}
	today := core.NewDate(2026, 12, 7)
	facts := make([]policy.Facts, 1000)
	for i := range facts {
		facts[i] = benchFacts(i, today)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		entitlements.Holds(list, &facts[i%len(facts)], today)
	}
}

// BenchmarkSweep: re-checking everyone on the embedded store after a
// catalogue change — BENCH_PEOPLE profiles (2,000 unless set), first
// sweep (every snapshot new) then a second (nothing changed). Reports
// people per second.
func BenchmarkSweep(b *testing.B) {
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("BENCH_PEOPLE")); err == nil && v > 0 {
		n = v
	}
	e := servicetest.New(b, time.Date(2026, 12, 7, 9, 0, 0, 0, core.CST), entitlements.Collections...)
	e.Ready(b)
	ent := servicetest.Must(entitlements.New(entitlements.Deps{Store: e.Store, Engine: e.Engine, People: e.People, Policies: e.Policies, Notify: e.Notify, Figures: e.Figures, Clock: e.Clock, Log: e.Log}))
	ctx := context.Background()
	today := core.DateOf(e.Clock())
	batch := make([]any, 0, 1000)
	for i := range n {
		batch = append(batch, people.Profile{ID: core.IDOf("bench", fmt.Sprint(i)), RealName: "測試", Facts: benchFacts(i, today)})
		if len(batch) == cap(batch) || i == n-1 {
			if _, err := e.Store.C(people.Collection.Name).InsertMany(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, pass := range []string{"first", "again"} {
			start := time.Now()
			w, err := ent.SweepAll(ctx)
			if err != nil || w.Checked != n {
				b.Fatalf("%s: %+v %v", pass, w, err)
			}
			took := time.Since(start)
			b.ReportMetric(float64(n)/took.Seconds(), pass+"-people/s")
			b.Logf("%s sweep of %d people: %s, %d notices", pass, n, took.Round(time.Millisecond), w.Told)
		}
	}
}
