package bases_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"onestop/services/accounts"
	"onestop/services/bases"
	"onestop/services/core"
	"onestop/services/privacy"
)

// TestErasureWithdrawsApplications: once the applicant's account is
// deleted, an application still open is withdrawn — its manager can no
// longer accept it, and an offer gives its seat back — while a tenancy
// stays; every application keeps its place under the pseudonym, with no
// trace of the name. The export lists them first.
func TestErasureWithdrawsApplications(t *testing.T) {
	for _, tc := range []struct {
		name       string
		steps      []string // the manager's actions before the erasure
		wantStatus string
		wantSeats  int // free seats after the erasure (of 2)
	}{
		{"pending", nil, bases.AppWithdrawn, 2},
		{"wait-listed", []string{"waitlist"}, bases.AppWithdrawn, 2},
		{"offered", []string{"accept"}, bases.AppWithdrawn, 2},
		{"declined", []string{"decline"}, bases.AppDeclined, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := setup(t, 1)
			ctx := context.Background()
			ev.svc.OpenIntake(ctx, ev.admin, "2026 冬季", meta)
			b := ev.base(t, "高新創業園", 2, "managerA")
			person, manager := ev.people["e00"], ev.people["managerA"]
			person.Name = "金絲雀甲"
			apps, err := ev.svc.Apply(ctx, person, []string{b.ID}, "金絲雀甲的軟件外包工作室，電話13800138000", meta)
			if err != nil {
				t.Fatal(err)
			}
			id := apps[0].ID
			for _, step := range tc.steps {
				if _, err := ev.svc.Act(ctx, manager, id, step, "名額已滿", meta); err != nil {
					t.Fatal(err)
				}
			}
			pd := ev.svc.PersonalData()
			part, err := pd.Export(ctx, person.ID)
			if err != nil || len(part.Records) != 1 || part.Records[0].ID != id {
				t.Fatalf("export %+v (%v)", part, err)
			}
			subj := privacy.Subject{ID: person.ID, Pseudonym: accounts.Pseudonym(person.ID), Names: []string{"金絲雀甲"}, Numbers: []string{"13800138000"}}
			for range 2 { // an erasure run again changes nothing more
				if err := pd.Erase(ctx, subj); err != nil {
					t.Fatal(err)
				}
			}
			a, got, err := ev.svc.Application(ctx, ev.admin, id)
			if err != nil {
				t.Fatal(err)
			}
			if a.Status != tc.wantStatus || got.FreeSeats != tc.wantSeats {
				t.Errorf("status %s with %d free seats, want %s with %d", a.Status, got.FreeSeats, tc.wantStatus, tc.wantSeats)
			}
			if _, err := ev.svc.Act(ctx, manager, id, "accept", "", meta); !core.IsCode(err, core.Conflict) {
				t.Errorf("the manager accepted the deleted person's application: %v", err)
			}
			raw, _ := json.Marshal(a)
			if s := string(raw); strings.Contains(s, "金絲雀甲") || strings.Contains(s, "13800138000") || !strings.Contains(s, subj.Pseudonym) {
				t.Errorf("kept application: %s", s)
			}
			list, err := ev.svc.ForBase(ctx, manager, b.ID, "", core.Page{})
			if err != nil || len(list) != 1 || list[0].ApplicantName != subj.Pseudonym {
				t.Errorf("the base's list: %+v (%v)", list, err)
			}
		})
	}
}

// TestErasureKeepsTenancy: a tenant who deletes their account keeps the
// seat until the base records the move-out.
func TestErasureKeepsTenancy(t *testing.T) {
	ev := setup(t, 1)
	ctx := context.Background()
	ev.svc.OpenIntake(ctx, ev.admin, "2026 冬季", meta)
	b := ev.base(t, "高新創業園", 2, "managerA")
	person := ev.people["e00"]
	apps, err := ev.svc.Apply(ctx, person, []string{b.ID}, "做一個軟件外包工作室", meta)
	if err != nil {
		t.Fatal(err)
	}
	id := apps[0].ID
	if _, err := ev.svc.Act(ctx, ev.people["managerA"], id, "accept", "", meta); err != nil {
		t.Fatal(err)
	}
	if _, err := ev.svc.Act(ctx, person, id, "accept_offer", "", meta); err != nil {
		t.Fatal(err)
	}
	subj := privacy.Subject{ID: person.ID, Pseudonym: accounts.Pseudonym(person.ID), Names: []string{person.Name}}
	if err := ev.svc.PersonalData().Erase(ctx, subj); err != nil {
		t.Fatal(err)
	}
	a, got, err := ev.svc.Application(ctx, ev.admin, id)
	if err != nil || a.Status != bases.AppTenant || got.FreeSeats != 1 || a.ApplicantName != subj.Pseudonym {
		t.Fatalf("tenancy %+v, %d free seats (%v)", a, got.FreeSeats, err)
	}
	if _, err := ev.svc.Act(ctx, ev.people["managerA"], id, "move_out", "other", meta); err != nil {
		t.Fatalf("move-out: %v", err)
	}
}

// TestErasureKeepsManagersName: a base manager who bears the applicant's
// name keeps it on the steps they took; the applicant's steps take the
// pseudonym, and the erasure reports the application as one it took the
// name from.
func TestErasureKeepsManagersName(t *testing.T) {
	ev := setup(t, 1)
	ctx := context.Background()
	ev.svc.OpenIntake(ctx, ev.admin, "2026 冬季", meta)
	b := ev.base(t, "高新創業園", 2, "managerA")
	person, manager := ev.people["e00"], ev.people["managerA"]
	person.Name, manager.Name = "王小明", "王小明"
	apps, err := ev.svc.Apply(ctx, person, []string{b.ID}, "軟件外包工作室", meta)
	if err != nil {
		t.Fatal(err)
	}
	id := apps[0].ID
	if _, err := ev.svc.Act(ctx, manager, id, "waitlist", "名額已滿", meta); err != nil {
		t.Fatal(err)
	}
	subj := privacy.Subject{ID: person.ID, Pseudonym: accounts.Pseudonym(person.ID), Names: []string{"王小明"}, Records: privacy.NewRecords()}
	if err := ev.svc.PersonalData().Erase(ctx, subj); err != nil {
		t.Fatal(err)
	}
	a, _, err := ev.svc.Application(ctx, ev.admin, id)
	if err != nil {
		t.Fatal(err)
	}
	signed := map[string]string{}
	for _, st := range a.History {
		signed[st.Action] = st.ActorName
	}
	if signed["apply"] != subj.Pseudonym || signed["waitlist"] != "王小明" {
		t.Errorf("steps signed %v: want the applicant's under the pseudonym and the manager's under their name", signed)
	}
	if !subj.WasErased(id) {
		t.Error("the application is not reported as erased")
	}
}
