package bases_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/bases"
	"onestop/services/core"
	"onestop/services/figures"
	"onestop/services/matching"
	"onestop/services/notify"
	"onestop/services/outbox"
	"onestop/services/pii"
	"onestop/services/reference"
	"onestop/services/servicetest"
	"onestop/services/store"
	"onestop/services/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var meta = accounts.Meta{IP: "192.0.2.7"}

type env struct {
	svc    *bases.Service
	people map[string]accounts.Principal
	admin  accounts.Principal
	store  *store.Store
	audit  *audit.Log
}

func setup(t *testing.T, entrepreneurs int) *env {
	t.Helper()
	colls := slices.Concat([]store.Collection{outbox.Collection, audit.Collection}, notify.Collections, accounts.Collections, figures.Collections)
	colls = append(colls, bases.Collections...)
	colls = append(colls, reference.Collection)
	s := storetest.New(t, colls...)
	b, err := search.OpenBleve(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	o := outbox.New(s, b, log)
	a := servicetest.Must(audit.New(audit.Deps{Store: s, Outbox: o, Log: log}))
	n := servicetest.Must(notify.New(notify.Deps{Store: s, Outbox: o, Log: log}))
	vault := servicetest.Must(pii.NewVault(bytes.Repeat([]byte{5}, 32)))
	acc := servicetest.Must(accounts.New(accounts.Deps{Store: s, Outbox: o, Audit: a, Vault: vault, Argon2: accounts.Argon2{MemoryKiB: 64, Time: 1, Threads: 1}, Log: log, Notify: n}))
	figs := servicetest.Must(figures.New(figures.Deps{Store: s}))
	ref := servicetest.Must(reference.New(reference.Deps{Store: s, Audit: a, Log: log}))
	if err := ref.Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	svc := servicetest.Must(bases.New(bases.Deps{Store: s, Outbox: o, Audit: a, Notify: n, Accounts: acc, Figures: figs, Reference: ref}))
	if err := o.Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	ev := &env{svc: svc, people: map[string]accounts.Principal{}, admin: accounts.Principal{ID: "admin", Role: accounts.Admin, Name: "admin"},
		store: s, audit: a}
	roles := map[string]accounts.Role{"managerA": accounts.IncubatorManager, "managerB": accounts.IncubatorManager}
	for i := range entrepreneurs {
		roles[fmt.Sprintf("e%02d", i)] = accounts.Entrepreneur
	}
	for name, role := range roles {
		u, err := acc.Create(context.Background(), ev.admin, accounts.NewAccount{Email: name + "@test.cn", Password: "Long-enough-9", Name: name, Role: role}, meta)
		if err != nil {
			t.Fatal(err)
		}
		ev.people[name] = accounts.Principal{ID: u.ID, Role: role, Name: name}
	}
	return ev
}

func (ev *env) base(t *testing.T, name string, seats int, manager string) *bases.Base {
	t.Helper()
	ctx := context.Background()
	b, err := ev.svc.CreateBase(ctx, ev.admin, bases.BaseInput{Name: name, Level: "municipal", District: "hightech", Seats: seats,
		Industries: []string{"technology"}, Services: []string{"mentoring"}, IntakeOpen: true}, meta)
	if err != nil {
		t.Fatal(err)
	}
	if err := ev.svc.SetStatus(ctx, ev.admin, b.ID, bases.Approved, meta); err != nil {
		t.Fatal(err)
	}
	if manager != "" {
		if err := ev.svc.SetManagers(ctx, ev.admin, b.ID, []string{ev.people[manager].ID}, meta); err != nil {
			t.Fatal(err)
		}
	}
	b, _ = ev.svc.Base(ctx, ev.admin, b.ID)
	return b
}

func TestLastSeat(t *testing.T) {
	ev := setup(t, 6)
	ctx := context.Background()
	if _, err := ev.svc.OpenIntake(ctx, ev.admin, "2026 冬季", meta); err != nil {
		t.Fatal(err)
	}
	b := ev.base(t, "高新創業園", 1, "managerA")
	var ids []string
	for i := range 6 {
		apps, err := ev.svc.Apply(ctx, ev.people[fmt.Sprintf("e%02d", i)], []string{b.ID}, "做一個軟件外包工作室", meta)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, apps[0].ID)
	}
	// Six accepts race for the one seat: exactly one offer.
	var wg sync.WaitGroup
	var offers atomic.Int32
	for _, id := range ids {
		wg.Go(func() {
			if _, err := ev.svc.Act(ctx, ev.people["managerA"], id, "accept", "", meta); err == nil {
				offers.Add(1)
			} else if !core.IsCode(err, core.Conflict) {
				t.Errorf("accept: %v", err)
			}
		})
	}
	wg.Wait()
	b, _ = ev.svc.Base(ctx, ev.admin, b.ID)
	if offers.Load() != 1 || b.FreeSeats != 0 {
		t.Fatalf("%d offers, %d free seats", offers.Load(), b.FreeSeats)
	}
}

func TestApplicationLifecycleAndPermissions(t *testing.T) {
	ev := setup(t, 2)
	ctx := context.Background()
	a := ev.base(t, "A 基地", 3, "managerA")
	b := ev.base(t, "B 基地", 2, "managerB")
	e0, e1 := ev.people["e00"], ev.people["e01"]
	if _, err := ev.svc.Apply(ctx, e0, []string{a.ID}, "做一個軟件外包工作室", meta); !core.IsCode(err, core.Conflict) {
		t.Fatalf("applied with no open intake: %v", err)
	}
	ev.svc.OpenIntake(ctx, ev.admin, "2026 冬季", meta)
	for _, bad := range [][]string{{}, {a.ID, a.ID}, {a.ID, b.ID, "x", "y", "z", "w"}, {"0000000000000000000000000a"}} {
		if _, err := ev.svc.Apply(ctx, e0, bad, "做一個軟件外包工作室", meta); err == nil {
			t.Errorf("choices %v accepted", bad)
		}
	}
	apps, err := ev.svc.Apply(ctx, e0, []string{a.ID, b.ID}, "做一個軟件外包工作室", meta)
	if err != nil || len(apps) != 2 || apps[1].Rank != 2 {
		t.Fatalf("apply: %v %v", apps, err)
	}
	if _, err := ev.svc.Apply(ctx, e0, []string{b.ID}, "再申請一次同一個基地", meta); !core.IsCode(err, core.Conflict) {
		t.Fatalf("applied twice to one base: %v", err)
	}
	// Managers act on their own base only; applicants see their own only.
	if _, err := ev.svc.Act(ctx, ev.people["managerB"], apps[0].ID, "accept", "", meta); !core.IsCode(err, core.NotFound) {
		t.Fatalf("manager B accepted for base A: %v", err)
	}
	if _, _, err := ev.svc.Application(ctx, e1, apps[0].ID); !core.IsCode(err, core.NotFound) {
		t.Fatal("another entrepreneur read an application")
	}
	if _, err := ev.svc.Act(ctx, e0, apps[0].ID, "accept", "", meta); !core.IsCode(err, core.Forbidden) {
		t.Fatal("an applicant accepted their own application")
	}
	if _, err := ev.svc.Act(ctx, ev.people["managerB"], apps[1].ID, "decline", "", meta); !core.IsCode(err, core.Invalid) {
		t.Fatal("declined without a reason")
	}
	if _, err := ev.svc.Act(ctx, ev.people["managerB"], apps[1].ID, "accept", "", meta); err != nil {
		t.Fatal(err)
	}
	off, err := ev.svc.Act(ctx, ev.people["managerA"], apps[0].ID, "accept", "", meta)
	if err != nil || off.Status != bases.AppOffered {
		t.Fatal(err)
	}
	// Accepting A's offer moves the person in and gives back B's seat.
	if _, err := ev.svc.Act(ctx, e0, apps[0].ID, "accept_offer", "", meta); err != nil {
		t.Fatal(err)
	}
	a, _ = ev.svc.Base(ctx, ev.admin, a.ID)
	b, _ = ev.svc.Base(ctx, ev.admin, b.ID)
	if a.FreeSeats != 2 || b.FreeSeats != 2 {
		t.Fatalf("free seats A %d B %d, want 2 and 2", a.FreeSeats, b.FreeSeats)
	}
	other, _, _ := ev.svc.Application(ctx, e0, apps[1].ID)
	if other.Status != bases.AppWithdrawn {
		t.Fatalf("the other offer is %s", other.Status)
	}
	// Seats held by tenants cannot be removed.
	in := bases.BaseInput{Name: a.Name, Level: a.Level, District: a.District, Seats: 0, IntakeOpen: true}
	if _, err := ev.svc.UpdateBase(ctx, ev.people["managerA"], a.ID, in, meta); !core.IsCode(err, core.Conflict) {
		t.Fatalf("seats below the tenants: %v", err)
	}
	if _, err := ev.svc.UpdateBase(ctx, ev.people["managerB"], a.ID, in, meta); !core.IsCode(err, core.Forbidden) {
		t.Fatalf("manager B edited base A: %v", err)
	}
	if _, err := ev.svc.Act(ctx, ev.people["managerA"], apps[0].ID, "move_out", "bored", meta); !core.IsCode(err, core.Invalid) {
		t.Fatal("moved out with an unknown reason")
	}
	if _, err := ev.svc.Act(ctx, ev.people["managerA"], apps[0].ID, "move_out", "graduated", meta); err != nil {
		t.Fatal(err)
	}
	a, _ = ev.svc.Base(ctx, ev.admin, a.ID)
	if a.FreeSeats != 3 {
		t.Fatalf("after move-out %d free", a.FreeSeats)
	}
}

func TestIntakeAssignment(t *testing.T) {
	ev := setup(t, 8)
	ctx := context.Background()
	intake, _ := ev.svc.OpenIntake(ctx, ev.admin, "2026 冬季", meta)
	if _, _, _, err := ev.svc.PreviewAssignment(ctx, ev.admin, intake.ID, nil); !core.IsCode(err, core.Conflict) {
		t.Fatalf("empty intake: %v", err)
	}
	x := ev.base(t, "X 基地", 2, "managerA")
	y := ev.base(t, "Y 基地", 1, "managerB")
	for i := range 8 {
		choices := []string{x.ID, y.ID}
		if i%2 == 1 {
			choices = []string{y.ID, x.ID}
		}
		if _, err := ev.svc.Apply(ctx, ev.people[fmt.Sprintf("e%02d", i)], choices, "社區服務創業計劃", meta); err != nil {
			t.Fatal(err)
		}
	}
	person := func(_ context.Context, id string) matching.Person {
		// Odd names live in the base's district and score higher.
		for name, p := range ev.people {
			if p.ID == id && name[len(name)-1]%2 == 1 {
				return matching.Person{Industry: "technology", District: "hightech"}
			}
		}
		return matching.Person{Industry: "technology"}
	}
	if _, _, _, err := ev.svc.PreviewAssignment(ctx, ev.people["managerA"], intake.ID, person); !core.IsCode(err, core.Forbidden) {
		t.Fatal("a manager previewed")
	}
	pv, _, _, err := ev.svc.PreviewAssignment(ctx, ev.admin, intake.ID, person)
	if err != nil || pv.Placed != 3 || len(pv.Applicants) != 8 || len(pv.Bases) != 2 {
		t.Fatalf("preview: %+v %v", pv, err)
	}
	again, _, _, _ := ev.svc.PreviewAssignment(ctx, ev.admin, intake.ID, person)
	if fmt.Sprint(again.Applicants) != fmt.Sprint(pv.Applicants) {
		t.Fatal("the preview is not deterministic")
	}
	if _, err := ev.svc.CommitAssignment(ctx, ev.admin, intake.ID, person, meta); err != nil {
		t.Fatal(err)
	}
	x, _ = ev.svc.Base(ctx, ev.admin, x.ID)
	y, _ = ev.svc.Base(ctx, ev.admin, y.ID)
	if x.FreeSeats != 0 || y.FreeSeats != 0 {
		t.Fatalf("free seats after commit: %d %d", x.FreeSeats, y.FreeSeats)
	}
	offered := 0
	for i := range 8 {
		mine, _ := ev.svc.Mine(ctx, ev.people[fmt.Sprintf("e%02d", i)], core.Page{})
		for _, a := range mine {
			if a.Status == bases.AppOffered {
				offered++
			}
		}
	}
	if offered != 3 {
		t.Fatalf("%d offers after commit", offered)
	}
}
