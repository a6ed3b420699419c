package figures_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"onestop/services/core"
	"onestop/services/figures"
	"onestop/services/store/storetest"
)

// TestOpenDataByDistrict: calls, consultations and trainees passed are
// recorded without a district, so open data publishes them for the city
// only — before, every district read 0 beside a city total of 263 — while
// the figures with a district (ventures, loans) are by district, and a
// small city-only count is withheld all the same.
func TestOpenDataByDistrict(t *testing.T) {
	s := newFigures(t, storetest.New(t, figures.Collections...))
	ctx := context.Background()
	on := core.NewDate(2026, 10, 12)
	record := func(kind string, n int, dims map[string]string, counts map[string]int64) {
		for i := range n {
			if err := s.Record(ctx, figures.Event{ID: fmt.Sprintf("%s:%d", kind, i), On: on, Dims: dims, Counts: counts}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// As the areas count them: calls by topic, consultations by topic,
	// trainees by provider, ventures and loans by district.
	record("call", 263, map[string]string{"call_topic": "financing"}, map[string]int64{"calls": 1})
	record("consult", 3, map[string]string{"topic": "tax"}, map[string]int64{"consult_asked": 1})
	record("training", 8, map[string]string{"provider": "p1"}, map[string]int64{"training_passed": 1})
	record("venture", 6, map[string]string{"district": "xicheng"}, map[string]int64{"ventures_started": 1})
	record("loan", 7, map[string]string{"district": "dongcheng"}, map[string]int64{"loans_approved": 1})
	none := func(context.Context, string, string, time.Time, time.Time) (int64, error) { return 0, nil }
	counters := map[string]figures.OverdueCounter{}
	for _, k := range figures.OverdueKinds {
		counters[k] = none
	}
	v, err := figures.NewViews(figures.ViewsDeps{Figures: s, Clock: func() time.Time { return time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC) },
		Lists: figures.Enums{"district": {"dongcheng", "xicheng"}}, Overdue: counters})
	if err != nil {
		t.Fatal(err)
	}
	d, err := v.Open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	val := func(c figures.OpenCell) string {
		if c == nil {
			return "withheld"
		}
		return fmt.Sprint(*c)
	}
	for _, tt := range []struct {
		name string
		cell figures.OpenCell
		want string
	}{
		{"the city's calls", d.CityOnly.Calls, "263"},
		{"the city's three consultations", d.CityOnly.Consultations, "withheld"},
		{"the city's trainees passed", d.CityOnly.TrainingPassed, "8"},
		{"the city's ventures", d.Rows[0].VenturesStarted, "6"},
		{"Xicheng's ventures", d.Rows[2].VenturesStarted, "6"},
		{"Dongcheng's ventures", d.Rows[1].VenturesStarted, "0"},
		{"Dongcheng's loans", d.Rows[1].LoansApproved, "7"},
	} {
		if got := val(tt.cell); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
	raw, _ := json.Marshal(d.Rows)
	for _, city := range []string{"calls", "consultations", "training_passed"} {
		if strings.Contains(string(raw), `"`+city+`"`) {
			t.Errorf("the rows by district hold %s: %s", city, raw)
		}
	}
}

// TestViewsOnTheRealClock: a portal started without a test clock (Clock
// nil: the real one, as CheckDeps allows) serves the dashboard, the open
// data and the overdue counts. The load program found /admin/figures
// answering 500 to every view: the views called the nil clock.
func TestViewsOnTheRealClock(t *testing.T) {
	s := newFigures(t, storetest.New(t, figures.Collections...))
	ctx := context.Background()
	counters := map[string]figures.OverdueCounter{}
	for _, k := range figures.OverdueKinds {
		counters[k] = func(context.Context, string, string, time.Time, time.Time) (int64, error) { return 0, nil }
	}
	v, err := figures.NewViews(figures.ViewsDeps{Figures: s, Lists: figures.Enums{"district": {"dongcheng"}}, Overdue: counters})
	if err != nil {
		t.Fatal(err)
	}
	now := core.DateOf(time.Now())
	q, err := v.Parse(func(_ string, def ...string) string { // no query: the defaults
		if len(def) > 0 {
			return def[0]
		}
		return ""
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	view, err := v.View(ctx, q, figures.Records{})
	if err != nil || view.Computed.IsZero() {
		t.Fatalf("view: %v %v", view, err)
	}
	if d, err := v.Open(ctx); err != nil || d.Computed.IsZero() {
		t.Fatalf("open data: %v %v", d, err)
	}
	if _, err := v.Overdue(ctx, figures.OverdueComplaints, q); err != nil {
		t.Fatal(err)
	}
}
