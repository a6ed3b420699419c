package bases_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"onestop/services/bases"
	"onestop/services/core"
)

// offers applies person to each base and has each base's manager make an
// offer; it returns the applications in the bases' order.
func (ev *env) offers(t *testing.T, person string, list []*bases.Base, managers []string) []*bases.Application {
	t.Helper()
	ctx := context.Background()
	ids := make([]string, len(list))
	for i, b := range list {
		ids[i] = b.ID
	}
	apps, err := ev.svc.Apply(ctx, ev.people[person], ids, "做一個軟件外包工作室", meta)
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range apps {
		if _, err := ev.svc.Act(ctx, ev.people[managers[i]], a.ID, "accept", "", meta); err != nil {
			t.Fatalf("offer of %s: %v", list[i].Name, err)
		}
	}
	return apps
}

// tenancies counts person's applications that are tenancies.
func (ev *env) tenancies(t *testing.T, person string) int {
	t.Helper()
	mine, err := ev.svc.Mine(context.Background(), ev.people[person], core.Page{Size: 50})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range mine {
		if a.Status == bases.AppTenant {
			n++
		}
	}
	return n
}

// TestTwoOffersAcceptedAtOnce: a person with offers from two bases accepts
// both at the same moment (and each twice, a double click): one accept
// moves them in, the others are refused, the other base's seat comes back.
func TestTwoOffersAcceptedAtOnce(t *testing.T) {
	ev := setup(t, 4)
	ctx := context.Background()
	if _, err := ev.svc.OpenIntake(ctx, ev.admin, "2026 冬季", meta); err != nil {
		t.Fatal(err)
	}
	a := ev.base(t, "A 基地", 10, "managerA")
	b := ev.base(t, "B 基地", 10, "managerB")
	for i := range 4 {
		person := fmt.Sprintf("e%02d", i)
		apps := ev.offers(t, person, []*bases.Base{a, b}, []string{"managerA", "managerB"})
		var wg sync.WaitGroup
		var accepted atomic.Int32
		for _, app := range []*bases.Application{apps[0], apps[1], apps[0], apps[1]} {
			wg.Go(func() {
				_, err := ev.svc.Act(ctx, ev.people[person], app.ID, "accept_offer", "", meta)
				switch {
				case err == nil:
					accepted.Add(1)
				case !core.IsCode(err, core.Conflict):
					t.Errorf("%s accept: %v", person, err)
				}
			})
		}
		wg.Wait()
		if n := ev.tenancies(t, person); accepted.Load() != 1 || n != 1 {
			t.Fatalf("%s: %d accepts succeeded, a tenant at %d bases", person, accepted.Load(), n)
		}
	}
	// Four tenants, and every seat an offer held that was not taken is back.
	a, _ = ev.svc.Base(ctx, ev.admin, a.ID)
	b, _ = ev.svc.Base(ctx, ev.admin, b.ID)
	if a.FreeSeats+b.FreeSeats != 16 {
		t.Fatalf("free seats A %d B %d, want 16 in all", a.FreeSeats, b.FreeSeats)
	}
}

// TestOneTenancyAcrossIntakes: a tenant who gets an offer in a later
// intake is told to move out first; after moving out they can accept.
func TestOneTenancyAcrossIntakes(t *testing.T) {
	ev := setup(t, 1)
	ctx := context.Background()
	a := ev.base(t, "A 基地", 3, "managerA")
	b := ev.base(t, "B 基地", 3, "managerB")
	ev.svc.OpenIntake(ctx, ev.admin, "2026 冬季", meta)
	first := ev.offers(t, "e00", []*bases.Base{a}, []string{"managerA"})[0]
	if _, err := ev.svc.Act(ctx, ev.people["e00"], first.ID, "accept_offer", "", meta); err != nil {
		t.Fatal(err)
	}
	ev.svc.OpenIntake(ctx, ev.admin, "2027 春季", meta)
	second := ev.offers(t, "e00", []*bases.Base{b}, []string{"managerB"})[0]
	_, err := ev.svc.Act(ctx, ev.people["e00"], second.ID, "accept_offer", "", meta)
	var ce *core.Error
	if !core.IsCode(err, core.Conflict) || !errors.As(err, &ce) || ce.Message != "error.apply.tenant" {
		t.Fatalf("accepted a second base while a tenant: %v", err)
	}
	if got, _, _ := ev.svc.Application(ctx, ev.people["e00"], second.ID); got.Status != bases.AppOffered {
		t.Fatalf("the refused offer is %s", got.Status)
	}
	if _, err := ev.svc.Act(ctx, ev.people["managerA"], first.ID, "move_out", "graduated", meta); err != nil {
		t.Fatal(err)
	}
	if _, err := ev.svc.Act(ctx, ev.people["e00"], second.ID, "accept_offer", "", meta); err != nil {
		t.Fatalf("after moving out: %v", err)
	}
	if n := ev.tenancies(t, "e00"); n != 1 {
		t.Fatalf("a tenant at %d bases", n)
	}
}
