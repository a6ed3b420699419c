package bases_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/bases"
	"onestop/services/core"
	"onestop/services/matching"
)

func ptr[T any](v T) *T { return &v }

// listing is what an edit may change, with the version and free seats:
// a refused edit must leave all of it as it was.
func listing(b *bases.Base) string {
	return fmt.Sprint(bases.InputOf(b), b.Version, b.FreeSeats, b.UpdatedAt.UnixMilli())
}

// TestEditBase (#20): an administrator edits a base's details — only the
// fields given, checked as a new listing is — and the directory shows the
// change at once. Anyone else, bad input, a stale version or seats that
// are held are refused with the reason, and nothing is written.
func TestEditBase(t *testing.T) {
	ev := setup(t, 1)
	ctx := context.Background()
	b := ev.base(t, "高新創業園", 3, "managerA")
	if b.Version != 1 {
		t.Fatalf("a new base is at version %d, want 1", b.Version)
	}
	// One seat is held by an offer: the seats cannot go below one.
	if _, err := ev.svc.OpenIntake(ctx, ev.admin, "2026 冬季", meta); err != nil {
		t.Fatal(err)
	}
	apps, err := ev.svc.Apply(ctx, ev.people["e00"], []string{b.ID}, "做一個軟件外包工作室", meta)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ev.svc.Act(ctx, ev.people["managerA"], apps[0].ID, "accept", "", meta); err != nil {
		t.Fatal(err)
	}
	b, _ = ev.svc.Base(ctx, ev.admin, b.ID)
	for _, tc := range []struct {
		name   string
		actor  accounts.Principal
		id     string
		patch  bases.BasePatch
		code   core.Code
		fields []string // the fields at fault, all in one round
		msg    string
	}{
		{"its manager (they replace their own listing elsewhere)", ev.people["managerA"], b.ID, bases.BasePatch{Name: ptr("改名")}, core.Forbidden, nil, "error.forbidden"},
		{"an entrepreneur", ev.people["e00"], b.ID, bases.BasePatch{Name: ptr("改名")}, core.Forbidden, nil, "error.forbidden"},
		{"no such base", ev.admin, "0000000000000000000000000a", bases.BasePatch{Name: ptr("改名")}, core.NotFound, nil, "error.not_found"},
		{"nothing to change", ev.admin, b.ID, bases.BasePatch{Version: b.Version}, core.Invalid, nil, "error.nothing"},
		{"an empty name", ev.admin, b.ID, bases.BasePatch{Name: ptr(" ")}, core.Invalid, []string{"name"}, "error.invalid"},
		{"every fault at once", ev.admin, b.ID, bases.BasePatch{Name: ptr("x"), Level: ptr("galactic"), Seats: ptr(-1),
			Services: &[]string{"spa"}, District: ptr("atlantis")}, core.Invalid, []string{"district", "level", "name", "seats", "services"}, "error.invalid"},
		{"too many rent-free months", ev.admin, b.ID, bases.BasePatch{RentFreeMonths: ptr(121)}, core.Invalid, []string{"rent_free_months"}, "error.invalid"},
		{"fewer seats than are held", ev.admin, b.ID, bases.BasePatch{Seats: ptr(0), Version: b.Version}, core.Conflict, []string{"seats"}, "error.base.seats_taken"},
		{"a stale version", ev.admin, b.ID, bases.BasePatch{Name: ptr("改名"), Version: b.Version + 7}, core.Conflict, nil, "error.stale"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ev.svc.EditBase(ctx, tc.actor, tc.id, tc.patch, meta)
			var ce *core.Error
			if !core.IsCode(err, tc.code) || !errors.As(err, &ce) || ce.Message != tc.msg {
				t.Fatalf("got %v, want %s %s", err, tc.code, tc.msg)
			}
			if got := slices.Sorted(maps.Keys(ce.Fields)); fmt.Sprint(got) != fmt.Sprint(tc.fields) && tc.fields != nil {
				t.Errorf("fields at fault %v, want %v", got, tc.fields)
			}
			if now, _ := ev.svc.Base(ctx, ev.admin, b.ID); listing(now) != listing(b) {
				t.Errorf("a refused edit changed the base:\n%s\n%s", listing(b), listing(now))
			}
		})
	}

	// The directory is read before the edit (and cached); it shows the
	// new details at once after it.
	if list, _ := ev.svc.Directory(ctx, bases.Filter{}); len(list) != 1 || list[0].Name != "高新創業園" {
		t.Fatalf("directory before: %v", list)
	}
	got, err := ev.svc.EditBase(ctx, ev.admin, b.ID, bases.BasePatch{Name: ptr("高新創業園二期"), Seats: ptr(5), Version: b.Version}, meta)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "高新創業園二期" || got.Seats != 5 || got.FreeSeats != b.FreeSeats+2 || got.Version != b.Version+1 {
		t.Errorf("after the edit: %+v", got)
	}
	// The fields not given are as they were.
	if got.Level != b.Level || got.District != b.District || !slices.Equal(got.Industries, b.Industries) || got.IntakeOpen != b.IntakeOpen {
		t.Errorf("an edit of name and seats changed other fields: %+v", got)
	}
	list, _ := ev.svc.Directory(ctx, bases.Filter{})
	if len(list) != 1 || list[0].Name != "高新創業園二期" || list[0].FreeSeats != got.FreeSeats {
		t.Errorf("the directory after the edit: %+v", list[0])
	}
	if ranked, _ := ev.svc.ForPerson(ctx, matching.Person{Industry: "technology"}); len(ranked) != 1 || ranked[0].Base.Name != "高新創業園二期" {
		t.Errorf("the matching after the edit: %+v", ranked)
	}
	r, _, err := ev.audit.Search(ctx, audit.Query{Action: "base.update", Result: audit.Success, Target: b.ID})
	if err != nil || r.Total != 1 {
		t.Fatalf("audit of the edit: %v %v", r, err)
	}
	if e, _ := ev.audit.Get(ctx, r.Hits[0].ID); e.Result != audit.Success || e.Detail != "name,seats" || e.ActorID != ev.admin.ID {
		t.Errorf("audit event: %+v", e)
	}
	if r, _, _ := ev.audit.Search(ctx, audit.Query{Action: "base.update", Result: audit.Denied}); r.Total != 2 {
		t.Errorf("%d refusals audited, want 2 (the manager's and the entrepreneur's)", r.Total)
	}

	// The edit form read the base before its manager saved the listing:
	// the manager's save moves the version on, so the form's save is stale.
	before := got
	in := bases.InputOf(before)
	in.Contact = "0755-1234567"
	if _, err := ev.svc.UpdateBase(ctx, ev.people["managerA"], b.ID, in, meta); err != nil {
		t.Fatal(err)
	}
	if _, err := ev.svc.EditBase(ctx, ev.admin, b.ID, bases.PatchOf(bases.InputOf(before), before.Version), meta); !core.IsCode(err, core.Conflict) {
		t.Errorf("a save over the manager's edit: %v", err)
	}
	if now, _ := ev.svc.Base(ctx, ev.admin, b.ID); now.Contact != "0755-1234567" || now.Version != before.Version+1 {
		t.Errorf("the manager's edit was lost: %+v", now)
	}
}

// TestEditBaseListedBeforeVersions: a base stored before bases had a
// version is at version 0, and the first edit gives it one.
func TestEditBaseListedBeforeVersions(t *testing.T) {
	ev := setup(t, 0)
	ctx := context.Background()
	b := ev.base(t, "老基地", 2, "")
	if _, err := ev.store.C("bases").UpdateOne(ctx, bson.D{{Key: "_id", Value: b.ID}}, bson.D{{Key: "$unset", Value: bson.D{{Key: "version", Value: ""}}}}); err != nil {
		t.Fatal(err)
	}
	b, _ = ev.svc.Base(ctx, ev.admin, b.ID)
	if b.Version != 0 {
		t.Fatalf("version %d", b.Version)
	}
	got, err := ev.svc.EditBase(ctx, ev.admin, b.ID, bases.BasePatch{Address: ptr("南山區科技園 1 號"), Version: b.Version}, meta)
	if err != nil || got.Version != 1 || got.Address != "南山區科技園 1 號" {
		t.Fatalf("first edit: %+v %v", got, err)
	}
	if _, err := ev.svc.EditBase(ctx, ev.admin, b.ID, bases.BasePatch{Address: ptr("舊址"), Version: 0}, meta); err != nil {
		t.Errorf("version 0 skips the check: %v", err)
	}
}
