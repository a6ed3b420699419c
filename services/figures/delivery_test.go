package figures_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"onestop/services/core"
	"onestop/services/figures"
	"onestop/services/store/storetest"
)

// TestDelivery: the policy-delivery table has a row per support applied
// for — a loan's from the loan files' figures, the others' from the
// applications' — with the people eligible now (whatever the span) beside
// the span's applications, grants, refusals and amount; a support no
// longer offered shows while the span has figures of it; under a filter
// the table is not there (a rollup holds one dimension).
func TestDelivery(t *testing.T) {
	s := newFigures(t, storetest.New(t, figures.Collections...))
	ctx := context.Background()
	nov, oct := core.NewDate(2026, 11, 3), core.NewDate(2026, 10, 28)
	n := 0
	record := func(on core.Date, policy string, stock bool, counts map[string]int64) {
		n++
		if err := s.Record(ctx, figures.Event{ID: fmt.Sprint("e", n), On: on, Stock: stock, Dims: map[string]string{"policy": policy}, Counts: counts}); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		record(oct, "cert", true, map[string]int64{"eligible": 1})
	}
	record(nov, "cert", false, map[string]int64{"applications": 1})
	record(nov, "cert", false, map[string]int64{"applications": 1})
	record(nov, "cert", false, map[string]int64{"granted": 1})
	record(oct, "cert", false, map[string]int64{"granted": 1}) // before the span
	record(nov, "reward", false, map[string]int64{"applications": 1})
	record(nov, "reward", false, map[string]int64{"granted": 1, "granted_fen": 2_400_50})
	record(nov, "reward", false, map[string]int64{"refused": 1})
	record(nov, "loan", false, map[string]int64{"loans_applied": 1})
	record(nov, "loan", false, map[string]int64{"loans_applied": 1})
	record(nov, "loan", false, map[string]int64{"loans_decided": 1, "loans_approved": 1, "loans_granted_yuan": 20000})
	record(nov, "loan", false, map[string]int64{"loans_decided": 1})
	record(nov, "old", false, map[string]int64{"applications": 1})
	none := func(context.Context, string, string, time.Time, time.Time) (int64, error) { return 0, nil }
	counters := map[string]figures.OverdueCounter{}
	for _, k := range figures.OverdueKinds {
		counters[k] = none
	}
	v, err := figures.NewViews(figures.ViewsDeps{Figures: s, Clock: func() time.Time { return time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC) },
		Lists: figures.Enums{}, Overdue: counters})
	if err != nil {
		t.Fatal(err)
	}
	recs := figures.Records{Applied: []figures.Applied{
		{ID: "cert", Name: "免收費證明", Kind: "certificate", Active: true},
		{ID: "reward", Name: "吸納獎勵", Kind: "reward", Active: true},
		{ID: "loan", Name: "擔保貸款", Kind: "loan", Active: true},
		{ID: "old", Name: "已停辦", Kind: "registration"},
		{ID: "gone", Name: "已停辦且無數", Kind: "registration"},
		{ID: "new", Name: "新政策", Kind: "certificate", Active: true},
	}}
	view, err := v.View(ctx, figures.Query{From: "2026-11", To: "2026-11", Dim: "all", Value: "all"}, recs)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(view.Breakdowns, func(b figures.Breakdown) bool { return b.Key == "figures.delivery.title" })
	if i < 0 {
		t.Fatalf("no delivery table: %+v", view.Breakdowns)
	}
	var got [][]string
	for _, r := range view.Breakdowns[i].Rows {
		var row []string
		for _, c := range r {
			row = append(row, c.Text)
		}
		got = append(got, row)
	}
	want := [][]string{ // policy, eligible now, applied, granted, refused, amount
		{"免收費證明", "3", "2", "1", "0", "0.00"},
		{"吸納獎勵", "0", "1", "1", "1", "2,400.50"},
		{"擔保貸款", "0", "2", "1", "1", "20,000.00"},
		{"已停辦", "0", "1", "0", "0", "0.00"},
		{"新政策", "0", "0", "0", "0", "0.00"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("rows:\n got %v\nwant %v", got, want)
	}
	if c := view.Breakdowns[i].Rows[2][5]; c.Number == nil || *c.Number != 20000 {
		t.Errorf("the amount as a number: %+v", c)
	}
	filtered, err := v.View(ctx, figures.Query{From: "2026-11", To: "2026-11", Dim: "district", Value: "dongcheng"}, recs)
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(filtered.Breakdowns, func(b figures.Breakdown) bool { return b.Key == "figures.delivery.title" }) {
		t.Error("the delivery table under a district's filter")
	}
}
