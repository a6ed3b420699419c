package projects_test

import (
	"context"
	"testing"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/projects"
)

// TestEvaluationRulesBindAdministrators: an administrator's own project is
// evaluated like anyone's (another administrator chooses the reviewers and
// decides; its owner cannot), and no administrator can recommend a project
// its reviewers scored below adequate.
func TestEvaluationRulesBindAdministrators(t *testing.T) {
	ev := setup(t)
	ctx := context.Background()
	p := ev.people
	u, err := ev.acc.Create(ctx, accounts.Principal{ID: "bootstrap", Role: accounts.Admin}, accounts.NewAccount{Email: "boss@test.cn", Password: "Long-enough-9", Name: "boss", Role: accounts.Admin}, meta)
	if err != nil {
		t.Fatal(err)
	}
	boss := accounts.Principal{ID: u.ID, Role: accounts.Admin, Name: "boss"}

	// evaluated makes a project of owner, reviewed by rev1 and rev2 with
	// the given scores, awaiting the outcome.
	evaluated := func(t *testing.T, owner accounts.Principal, s1, s2 int) *projects.Project {
		t.Helper()
		pr, err := ev.svc.Create(ctx, owner, input("社區家政服務站"), true, meta)
		if err != nil {
			t.Fatal(err)
		}
		chooser := p["admin"]
		if owner.ID == p["admin"].ID {
			// The owner cannot choose their own reviewers; another can.
			if _, err := ev.svc.AssignReviewers(ctx, owner, pr.ID, []string{p["rev1"].ID, p["rev2"].ID}, meta); !core.IsCode(err, core.Forbidden) {
				t.Fatalf("an administrator chose their own project's reviewers: %v", err)
			}
			chooser = boss
		}
		if _, err := ev.svc.AssignReviewers(ctx, chooser, pr.ID, []string{p["rev1"].ID, p["rev2"].ID}, meta); err != nil {
			t.Fatal(err)
		}
		for r, n := range map[string]int{"rev1": s1, "rev2": s2} {
			if _, err := ev.svc.Review(ctx, p[r], pr.ID, score(n), meta); err != nil {
				t.Fatal(err)
			}
		}
		pr, _ = ev.svc.Get(ctx, p["admin"], pr.ID)
		return pr
	}
	tests := []struct {
		name     string
		owner    string // "admin": the deciding administrator's own project
		s1, s2   int
		decider  accounts.Principal
		outcome  string
		wantCode core.Code // "" for success
		wantKey  string
	}{
		{"own project, lowest scores, recommended", "admin", 1, 1, p["admin"], projects.Recommended, core.Forbidden, "error.project.own"},
		{"own project, top scores, recommended", "admin", 5, 5, p["admin"], projects.Recommended, core.Forbidden, "error.project.own"},
		{"own project, not recommended", "admin", 1, 1, p["admin"], projects.NotRecommended, core.Forbidden, "error.project.own"},
		{"another administrator, lowest scores, recommended", "admin", 1, 1, boss, projects.Recommended, core.Conflict, "error.project.unsupported"},
		{"lowest scores, recommended", "owner", 1, 1, p["admin"], projects.Recommended, core.Conflict, "error.project.unsupported"},
		{"one reviewer below adequate", "owner", 5, 2, p["admin"], projects.Recommended, core.Conflict, "error.project.unsupported"},
		{"both adequate", "owner", 3, 3, p["admin"], projects.Recommended, "", ""},
		{"another administrator's project, supported", "admin", 4, 4, boss, projects.Recommended, "", ""},
		{"lowest scores, not recommended", "owner", 1, 1, p["admin"], projects.NotRecommended, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pr := evaluated(t, p[tt.owner], tt.s1, tt.s2)
			got, err := ev.svc.Decide(ctx, tt.decider, pr.ID, tt.outcome, "feasible", "", meta)
			if tt.wantCode == "" {
				if err != nil || got.Status != tt.outcome {
					t.Fatalf("decide: %v", err)
				}
				return
			}
			if core.ErrorCode(err) != tt.wantCode || err.(*core.Error).Message != tt.wantKey {
				t.Fatalf("decide: %v, want %s %s", err, tt.wantCode, tt.wantKey)
			}
			if pr, _ = ev.svc.Get(ctx, p["admin"], pr.ID); pr.Status != projects.UnderEvaluation {
				t.Fatalf("refused, yet the project is %s", pr.Status)
			}
		})
	}

	// An administrator revises their own project as any submitter does:
	// not while it is evaluated.
	pr := evaluated(t, p["admin"], 1, 1)
	if _, err := ev.svc.Update(ctx, p["admin"], pr.ID, input("改過的標題"), meta); !core.IsCode(err, core.Conflict) {
		t.Fatalf("an administrator edited their own project under evaluation: %v", err)
	}
	if _, err := ev.svc.Update(ctx, boss, pr.ID, input("改過的標題"), meta); err != nil {
		t.Fatalf("another administrator's correction: %v", err)
	}
	pr, _ = ev.svc.Decide(ctx, boss, pr.ID, projects.NotRecommended, "weak_market", "", meta)
	if _, err := ev.svc.Archive(ctx, p["admin"], pr.ID, meta); !core.IsCode(err, core.Forbidden) {
		t.Fatalf("an administrator archived their own project: %v", err)
	}
}
