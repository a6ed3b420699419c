package bases_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"onestop/services/bases"
	"onestop/services/core"
)

// TestApplyAgain: within one intake a person adds bases to the ones they
// applied to, and after withdrawing may apply again — to the same base
// too — but not twice to a base at once, not again to a base that
// declined them, and never to more than MaxChoices at a time.
func TestApplyAgain(t *testing.T) {
	ev := setup(t, 1)
	ctx := context.Background()
	if _, err := ev.svc.OpenIntake(ctx, ev.admin, "2026 冬季", meta); err != nil {
		t.Fatal(err)
	}
	var list []*bases.Base
	for i := range bases.MaxChoices + 2 {
		manager := ""
		if i == 2 {
			manager = "managerA"
		}
		list = append(list, ev.base(t, fmt.Sprintf("基地%d", i), 10, manager))
	}
	me := ev.people["e00"]
	apply := func(b *bases.Base) (*bases.Application, error) {
		apps, err := ev.svc.Apply(ctx, me, []string{b.ID}, "社區咖啡店與烘焙", meta)
		if err != nil {
			return nil, err
		}
		return apps[0], nil
	}
	refused := func(what string, err error, key string) {
		t.Helper()
		var ce *core.Error
		if !core.IsCode(err, core.Conflict) || !errors.As(err, &ce) || ce.Fields["choices"] != key {
			t.Errorf("%s: %v, want %s", what, err, key)
		}
	}

	first, err := apply(list[0])
	if err != nil || first.Rank != 1 {
		t.Fatalf("first: %+v %v", first, err)
	}
	second, err := apply(list[1])
	if err != nil || second.Rank != 2 {
		t.Fatalf("a second base later: %+v %v", second, err)
	}
	_, err = apply(list[0])
	refused("the same base again", err, "error.apply.pending_here")
	if free, err := ev.svc.FreeRanks(ctx, me); err != nil || !slices.Equal(free, []int{3, 4, 5}) {
		t.Errorf("free places after two: %v (%v)", free, err)
	}

	if _, err := ev.svc.Act(ctx, me, first.ID, "withdraw", "", meta); err != nil {
		t.Fatal(err)
	}
	if free, _ := ev.svc.FreeRanks(ctx, me); !slices.Equal(free, []int{1, 3, 4, 5}) {
		t.Errorf("free places after withdrawing the first: %v", free)
	}
	again, err := apply(list[0])
	if err != nil || again.Rank != 1 {
		t.Fatalf("the withdrawn base again: %+v %v", again, err)
	}

	third, err := apply(list[2])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ev.svc.Act(ctx, ev.people["managerA"], third.ID, "decline", "名額已滿", meta); err != nil {
		t.Fatal(err)
	}
	_, err = apply(list[2])
	refused("a base that declined", err, "error.apply.declined_here")

	// The declined choice gave its place back: three more fill the five
	// places, and one more is refused.
	for _, b := range list[3 : 3+bases.MaxChoices-2] {
		if _, err := apply(b); err != nil {
			t.Fatalf("%s: %v", b.Name, err)
		}
	}
	_, err = apply(list[len(list)-1])
	refused("one more than the most", err, "error.apply.full")
}
