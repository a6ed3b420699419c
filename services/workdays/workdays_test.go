package workdays_test

import (
	"context"
	"testing"
	"time"

	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/servicetest"
	"onestop/services/store/storetest"
	"onestop/services/workdays"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var (
	ctx  = context.Background()
	meta = servicetest.Meta
)

func span(from, to, name string) workdays.Span {
	sp := workdays.Span{From: day(from), Name: name}
	if to != "" {
		sp.To = day(to)
	}
	return sp
}

// TestStoredSeed: the seed is written once, as version 1; a year once
// stored is the bureau's, and seeding again leaves an edit alone.
func TestStoredSeed(t *testing.T) {
	e := servicetest.New(t, cst(2026, 11, 2, 9, 0))
	var doc workdays.Year
	if err := e.Store.Get(ctx, workdays.Collection.Name, "2026", &doc); err != nil {
		t.Fatalf("2026 not stored: %v", err)
	}
	if doc.Version != 1 || doc.UpdatedBy != "seed" || workdays.Days(doc.Holidays) != 33 {
		t.Fatalf("stored seed: version %d by %q, %d days off", doc.Version, doc.UpdatedBy, workdays.Days(doc.Holidays))
	}
	in := workdays.Input{Holidays: []workdays.Span{span("2026-10-01", "2026-10-08", "國慶節")}, Source: "局方核對後"}
	if _, err := e.Workdays.Set(ctx, e.Admin, 2026, in, meta); err != nil {
		t.Fatal(err)
	}
	if err := e.Workdays.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	y, err := e.Workdays.Year(ctx, 2026)
	if err != nil || y.Version != 2 || len(y.Holidays) != 1 || y.Source != "局方核對後" {
		t.Fatalf("Ensure undid an administrator's edit: %+v, %v", y, err)
	}
	if e.Workdays.IsWorkday(day("2026-10-08")) || !e.Workdays.IsWorkday(day("2026-02-16")) {
		t.Error("the snapshot is not the edited year")
	}
}

// TestSet: administrators only; a calendar is checked whole (days in the
// year, spans in order, no day both off and working, working days only on
// weekends) and nothing is written when it fails; a save is audited, counts
// at once, and one made over a newer version is refused.
func TestSet(t *testing.T) {
	e := servicetest.New(t, cst(2026, 12, 7, 9, 0))
	e.Ready(t)
	staff := e.Users(t, map[string]accounts.Role{"desk": accounts.Hotline})["desk"]
	good := workdays.Input{Holidays: []workdays.Span{span("2027-01-01", "2027-01-03", "元旦"), span("2027-02-06", "2027-02-12", "春節")},
		WorkingDays: []workdays.Span{span("2027-02-14", "", "春節")}, Source: "試填"}
	for _, tt := range []struct {
		name  string
		actor accounts.Principal
		year  int
		in    workdays.Input
		code  core.Code
		field string // the field at fault, for Invalid
		key   string
	}{
		{"hotline staff", staff, 2027, good, core.Forbidden, "", ""},
		{"a guest", accounts.Principal{}, 2027, good, core.Forbidden, "", ""},
		{"a year out of range", e.Admin, 1999, good, core.NotFound, "", ""},
		{"a day of another year", e.Admin, 2027, workdays.Input{Holidays: []workdays.Span{span("2026-12-31", "2027-01-02", "元旦")}}, core.Invalid, "holidays", "error.workdays.outside_year"},
		{"a span backwards", e.Admin, 2027, workdays.Input{Holidays: []workdays.Span{span("2027-10-07", "2027-10-01", "")}}, core.Invalid, "holidays", "error.workdays.range"},
		{"a span over a month", e.Admin, 2027, workdays.Input{Holidays: []workdays.Span{span("2027-07-01", "2027-08-15", "暑假")}}, core.Invalid, "holidays", "error.workdays.range"},
		{"a day without a date", e.Admin, 2027, workdays.Input{Holidays: []workdays.Span{{Name: "元旦"}}}, core.Invalid, "holidays", "error.workdays.line"},
		{"a name with an invisible character", e.Admin, 2027, workdays.Input{Holidays: []workdays.Span{{From: day("2027-01-01"), Name: "元\u200b旦"}}}, core.Invalid, "holidays", "error.workdays.name"},
		{"both off and working", e.Admin, 2027, workdays.Input{Holidays: []workdays.Span{span("2027-02-06", "2027-02-14", "春節")}, WorkingDays: []workdays.Span{span("2027-02-14", "", "")}},
			core.Invalid, "working_days", "error.workdays.both"},
		{"a weekday declared working", e.Admin, 2027, workdays.Input{WorkingDays: []workdays.Span{span("2027-02-15", "", "")}}, core.Invalid, "working_days", "error.workdays.weekday"},
		{"too many spans", e.Admin, 2027, workdays.Input{Holidays: make41()}, core.Invalid, "holidays", "error.workdays.too_many"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Workdays.Set(ctx, tt.actor, tt.year, tt.in, meta)
			if !core.IsCode(err, tt.code) {
				t.Fatalf("err %v, want %s", err, tt.code)
			}
			if tt.field != "" {
				if f := err.(*core.Error).Fields; f[tt.field] != tt.key {
					t.Errorf("fields %v, want %s: %s", f, tt.field, tt.key)
				}
			}
			if y, _ := e.Workdays.Year(ctx, 2027); y.Set() {
				t.Error("a refused edit was written")
			}
		})
	}
	if n := audited(t, e, "workdays.set", audit.Denied); n != 2 {
		t.Errorf("%d refusals audited, want 2", n)
	}

	// Before 2027 is set, a limit crossing into it counts Monday to Friday.
	if due := e.Workdays.DueOn(cst(2026, 12, 31, 9, 0), 1); !core.DateOf(due).Equal(day("2027-01-01")) {
		t.Fatalf("unset 2027: due %s", due)
	}
	if got := e.Workdays.Unset(e.Clock.Now()); len(got) != 1 || got[0] != 2027 {
		t.Fatalf("unset years %v", got)
	}
	y, err := e.Workdays.Set(ctx, e.Admin, 2027, good, meta)
	if err != nil || y.Version != 1 || y.Year != 2027 {
		t.Fatalf("set 2027: %+v, %v", y, err)
	}
	if due := e.Workdays.DueOn(cst(2026, 12, 31, 9, 0), 1); !core.DateOf(due).Equal(day("2027-01-04")) {
		t.Errorf("set 2027 does not count at once: due %s", due)
	}
	if got := e.Workdays.Unset(e.Clock.Now()); len(got) != 0 {
		t.Errorf("still unset: %v", got)
	}
	if n := audited(t, e, "workdays.set", audit.Success); n != 1 {
		t.Errorf("%d saves audited, want 1", n)
	}
	// Saved from version 1 twice: the second is over a newer version.
	in := good
	in.Version = 1
	if y, err := e.Workdays.Set(ctx, e.Admin, 2027, in, meta); err != nil || y.Version != 2 {
		t.Fatalf("edit from v1: %+v, %v", y, err)
	}
	if _, err := e.Workdays.Set(ctx, e.Admin, 2027, in, meta); !core.IsCode(err, core.Conflict) {
		t.Errorf("a save over a newer version: %v", err)
	}
	// A year never set reads as version 0.
	if y, err := e.Workdays.Year(ctx, 2031); err != nil || y.Set() || len(y.Holidays) != 0 {
		t.Errorf("unset year: %+v, %v", y, err)
	}
}

// TestOtherReplica: a second process on the same database counts with an
// edit once it reloads, with no restart.
func TestOtherReplica(t *testing.T) {
	e := servicetest.New(t, cst(2026, 9, 1, 9, 0))
	other := servicetest.Must(workdays.New(workdays.Deps{Store: e.Store, Audit: e.Audit, Clock: e.Clock, Log: e.Log}))
	if err := other.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	// The bureau adds a local holiday on Monday 14 September.
	y, _ := e.Workdays.Year(ctx, 2026)
	in := workdays.Input{Holidays: append(y.Holidays, span("2026-09-14", "", "本市紀念日")), WorkingDays: y.WorkingDays, Source: y.Source, Version: y.Version}
	if _, err := e.Workdays.Set(ctx, e.Admin, 2026, in, meta); err != nil {
		t.Fatal(err)
	}
	start := cst(2026, 9, 11, 9, 0) // Friday
	if due := other.DueOn(start, 1); !core.DateOf(due).Equal(day("2026-09-14")) {
		t.Fatalf("before reloading, the other replica had %s", due)
	}
	if err := other.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if due := other.DueOn(start, 1); !core.DateOf(due).Equal(day("2026-09-15")) {
		t.Errorf("after reloading, the other replica has %s", due)
	}
}

func make41() []workdays.Span {
	out := make([]workdays.Span, 41)
	for i := range out {
		out[i] = workdays.Span{From: core.NewDate(2027, time.March, 1).AddDays(i)}
	}
	return out
}

func audited(t *testing.T, e *servicetest.Env, action, result string) int {
	t.Helper()
	r, _, err := e.Audit.Search(ctx, audit.Query{Action: action, Result: result})
	if err != nil {
		t.Fatal(err)
	}
	return r.Total
}
