package projects

import (
	"testing"

	"onestop/services/accounts"
)

// TestRules: who may see the evaluation, revise, submit, review and decide,
// by role, ownership and status.
func TestRules(t *testing.T) {
	owner := accounts.Principal{ID: "owner", Role: accounts.Entrepreneur}
	admin := accounts.Principal{ID: "admin", Role: accounts.Admin}
	ownerAdmin := accounts.Principal{ID: "owner", Role: accounts.Admin}
	reviewer := accounts.Principal{ID: "rev", Role: accounts.Mentor}
	other := accounts.Principal{ID: "x", Role: accounts.Entrepreneur}
	guest := accounts.Principal{}
	project := func(status string, resubmissions int, reviewed bool) *Project {
		p := &Project{OwnerID: "owner", Status: status, Resubmissions: resubmissions, Reviewers: []Person{{ID: "rev"}}}
		if reviewed {
			p.Reviews = []Review{{ReviewerID: "rev"}}
		}
		return p
	}
	for _, tt := range []struct {
		name                               string
		p                                  *Project
		me                                 accounts.Principal
		sees, edit, submit, review, decide bool
	}{
		{"owner's draft", project(Draft, 0, false), owner, true, true, true, false, false},
		{"owner, not recommended once", project(NotRecommended, 0, false), owner, true, true, true, false, false},
		{"owner, not recommended twice", project(NotRecommended, 1, false), owner, true, false, false, false, false},
		{"owner under evaluation", project(UnderEvaluation, 0, false), owner, true, false, false, false, false},
		{"administrator", project(UnderEvaluation, 0, false), admin, true, true, false, false, true},
		{"administrator, archived", project(Archived, 0, false), admin, true, false, false, false, true},
		{"administrator's own project", project(UnderEvaluation, 0, false), ownerAdmin, true, false, false, false, false},
		{"reviewer yet to score", project(UnderEvaluation, 0, false), reviewer, true, false, false, true, false},
		{"reviewer who scored", project(UnderEvaluation, 0, true), reviewer, true, false, false, false, false},
		{"someone else", project(Recommended, 0, false), other, false, false, false, false, false},
		{"guest", project(Recommended, 0, false), guest, false, false, false, false, false},
	} {
		got := [5]bool{tt.p.SeesEvaluation(tt.me), tt.p.CanEdit(tt.me), tt.p.CanSubmit(tt.me), tt.p.CanReview(tt.me), tt.p.CanDecide(tt.me)}
		if want := [5]bool{tt.sees, tt.edit, tt.submit, tt.review, tt.decide}; got != want {
			t.Errorf("%s: sees, edit, submit, review, decide = %v, want %v", tt.name, got, want)
		}
	}
}
