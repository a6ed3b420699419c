package projects_test

import (
	"context"
	"strings"
	"testing"

	"onestop/services/accounts"
	"onestop/services/privacy"
)

// TestErasureOfReviewerKeepsNamesakes: erasing a reviewer takes their name
// off their review and the reviewers' list, and nothing else: the owner,
// who bears the same name, keeps it on the project and on their steps, and
// the project is not reported as the reviewer's (no notification about it
// is renamed).
func TestErasureOfReviewerKeepsNamesakes(t *testing.T) {
	ev := setup(t)
	ctx := context.Background()
	p := ev.people
	owner, rev1 := p["owner"], p["rev1"]
	owner.Name, rev1.Name = "王小明", "王小明"
	pr, err := ev.svc.Create(ctx, owner, input("社區家政服務站"), true, meta)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ev.svc.AssignReviewers(ctx, p["admin"], pr.ID, []string{rev1.ID, p["rev2"].ID}, meta); err != nil {
		t.Fatal(err)
	}
	if _, err := ev.svc.Review(ctx, rev1, pr.ID, score(4), meta); err != nil {
		t.Fatal(err)
	}
	subj := privacy.Subject{ID: rev1.ID, Pseudonym: accounts.Pseudonym(rev1.ID), Names: []string{"王小明", "rev1"}, Records: privacy.NewRecords()}
	if err := ev.svc.PersonalData().Erase(ctx, subj); err != nil {
		t.Fatal(err)
	}
	got, err := ev.svc.Get(ctx, p["admin"], pr.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.OwnerName != "王小明" {
		t.Errorf("the owner is now %q", got.OwnerName)
	}
	for _, st := range got.History {
		switch {
		case st.ActorID == owner.ID && st.ActorName != "王小明":
			t.Errorf("the owner's step %s is signed %q", st.Action, st.ActorName)
		case st.Action == "assign" && st.Note != subj.Pseudonym+"、rev2":
			t.Errorf("the reviewers are listed as %q", st.Note)
		}
	}
	for _, r := range got.Reviews {
		if r.ReviewerID == rev1.ID && r.ReviewerName != subj.Pseudonym {
			t.Errorf("the review is signed %q", r.ReviewerName)
		}
	}
	for _, r := range got.Reviewers {
		if r.ID == rev1.ID && strings.Contains(r.Name, "rev1") {
			t.Errorf("the reviewer is listed as %q", r.Name)
		}
	}
	if subj.WasErased(pr.ID) {
		t.Error("the project is reported as the reviewer's")
	}
}
