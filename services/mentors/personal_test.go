package mentors_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/matching"
	"onestop/services/mentors"
	"onestop/services/privacy"
)

// inDirectory reports whether the public directory lists the mentor.
func (e *env) inDirectory(t *testing.T, id string) bool {
	t.Helper()
	r, _, err := e.svc.Directory(context.Background(), mentors.DirectoryQuery{})
	if err != nil {
		t.Fatal(err)
	}
	return slices.ContainsFunc(r.Hits, func(h search.Hit) bool { return h.ID == id })
}

// routable reports whether the routing would give the mentor a
// consultation of theirs.
func (e *env) routable(t *testing.T, id string) bool {
	t.Helper()
	ranked, err := e.svc.Rank(context.Background(), matching.Ask{Topic: "financing", Industry: "community_service", Language: "zh"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return slices.ContainsFunc(ranked, func(r matching.RankedMentor) bool { return r.Mentor.ID == id && !r.Score.Excluded })
}

// TestMentorAccountOff: a mentor whose account is disabled, or no longer a
// mentor's, or deleted, leaves the public directory and the routing at
// once: the consultation they held moves to the next mentor, no new one
// reaches them, no administrator can hand them one or make them active.
// Enabling the account puts them back as they were; deleting it retires
// them and takes their name out of the pool and every thread.
func TestMentorAccountOff(t *testing.T) {
	for _, tc := range []struct {
		name string
		off  func(e *env, id string) error
		on   func(e *env, id string) // nil: for good
	}{
		{"disabled", func(e *env, id string) error {
			e.svc.AccountChanged(context.Background(), &accounts.User{ID: id, Role: accounts.Mentor, Disabled: true})
			return nil
		}, func(e *env, id string) {
			e.svc.AccountChanged(context.Background(), &accounts.User{ID: id, Role: accounts.Mentor})
		}},
		{"no longer a mentor", func(e *env, id string) error {
			e.svc.AccountChanged(context.Background(), &accounts.User{ID: id, Role: accounts.Entrepreneur})
			return nil
		}, nil},
		{"deleted", func(e *env, id string) error {
			subj := privacy.Subject{ID: id, Pseudonym: accounts.Pseudonym(id), Names: []string{"finance"}}
			return e.svc.PersonalData().Erase(context.Background(), subj)
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := setup(t)
			ctx := context.Background()
			id := e.people["finance"].ID
			held := e.ask(t, "asker", "financing", "community_service")
			if held.MentorID != id || !e.inDirectory(t, id) || !e.routable(t, id) {
				t.Fatalf("finance does not hold the consultation to begin with: %+v", held)
			}
			if err := tc.off(e, id); err != nil {
				t.Fatal(err)
			}
			if e.inDirectory(t, id) || e.routable(t, id) {
				t.Error("still in the directory or routable")
			}
			moved, _ := e.svc.Get(ctx, e.admin, held.ID)
			if moved.MentorID == id || !slices.Contains(moved.SeenBy, id) {
				t.Errorf("the consultation stayed with the mentor: %+v", moved)
			}
			if c := e.ask(t, "other", "financing", "community_service"); c.MentorID == id {
				t.Error("a new consultation reached the mentor")
			}
			if _, err := e.svc.Reassign(ctx, e.admin, moved.ID, id, meta); err == nil {
				t.Error("an administrator handed the mentor a consultation")
			}
			if err := e.svc.SetStatus(ctx, e.admin, id, mentors.Active, meta); !core.IsCode(err, core.Conflict) {
				t.Errorf("an administrator made the mentor active while the account is off: %v", err)
			}
			if tc.on != nil {
				tc.on(e, id)
				if !e.inDirectory(t, id) || !e.routable(t, id) {
					t.Error("not back after the account was enabled")
				}
			}
			if tc.name != "deleted" {
				return
			}
			m, _ := e.svc.Mentor(ctx, id)
			c, _ := e.svc.Get(ctx, e.admin, held.ID)
			for what, v := range map[string]any{"mentor": m, "consultation": c} {
				raw, _ := json.Marshal(v)
				if strings.Contains(string(raw), `"finance"`) || strings.Contains(string(raw), ": finance") {
					t.Errorf("the %s keeps the name: %s", what, raw)
				}
			}
			if m.Status != mentors.Retired || m.Bio != "" {
				t.Errorf("mentor after deletion: %+v", m)
			}
		})
	}
}

// TestErasureTellsPeopleByID: in a consultation the asker and the mentor
// bear the same name. Erasing the asker pseudonymises the asker's name and
// messages (the text of their own consultation loses the name wherever it
// stands), and leaves the mentor's name on the thread and on the mentor's
// messages; erasing the mentor takes their name off their own messages and
// out of their text only (the asker's text keeps every name, losing only
// the mentor's number), and reports the consultation, whose notifications
// quote the mentor.
func TestErasureTellsPeopleByID(t *testing.T) {
	for _, erased := range []string{"asker", "finance"} {
		t.Run(erased, func(t *testing.T) {
			e := setup(t)
			ctx := context.Background()
			asker, mentor := e.people["asker"], e.people["finance"]
			asker.Name = "finance" // the mentor's name too
			c, err := e.svc.Ask(ctx, asker, mentors.Question{Topic: "financing", Industry: "community_service", Question: "想開社區超市，怎麼申請小額擔保貸款？"}, meta)
			if err != nil || c.MentorID != mentor.ID {
				t.Fatalf("ask: %+v (%v)", c, err)
			}
			if _, err := e.svc.Reply(ctx, mentor, c.ID, "我是 finance，可致電 13900000000 詳談。", meta); err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.Reply(ctx, asker, c.ID, "謝謝 finance 老師，我會打 13900000000。", meta); err != nil {
				t.Fatal(err)
			}
			who := e.people[erased]
			subj := privacy.Subject{ID: who.ID, Pseudonym: accounts.Pseudonym(who.ID), Names: []string{"finance"}, Numbers: []string{"13900000000"},
				Records: privacy.NewRecords()}
			if erased == "asker" {
				subj.Numbers = nil
			}
			if err := e.svc.PersonalData().Erase(ctx, subj); err != nil {
				t.Fatal(err)
			}
			got, err := e.svc.Get(ctx, e.admin, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			mentorText, askerText := "我是 finance，可致電 13900000000 詳談。", "謝謝 finance 老師，我會打 13900000000。"
			want := map[string][2]string{} // role → author, text
			if erased == "asker" {
				if got.AskerName != subj.Pseudonym || got.MentorName != "finance" {
					t.Errorf("asker %q, mentor %q", got.AskerName, got.MentorName)
				}
				want["mentor"] = [2]string{"finance", strings.ReplaceAll(mentorText, "finance", subj.Pseudonym)}
				want["asker"] = [2]string{subj.Pseudonym, strings.ReplaceAll(askerText, "finance", subj.Pseudonym)}
			} else {
				if got.AskerName != "finance" || got.MentorName == "finance" {
					t.Errorf("asker %q, mentor %q", got.AskerName, got.MentorName)
				}
				want["system"] = [2]string{subj.Pseudonym, ""} // moved on from the mentor (Event says so)
				want["mentor"] = [2]string{subj.Pseudonym, "我是 " + subj.Pseudonym + "，可致電 " + subj.Pseudonym + " 詳談。"}
				want["asker"] = [2]string{"finance", "謝謝 finance 老師，我會打 " + subj.Pseudonym + "。"}
				if !subj.WasErased(c.ID) {
					t.Error("the consultation is not reported")
				}
			}
			for _, m := range got.Messages {
				if w, ok := want[m.Role]; ok && (m.AuthorName != w[0] || m.Text != w[1]) {
					t.Errorf("%s's message by %q: %q, want by %q: %q", m.Role, m.AuthorName, m.Text, w[0], w[1])
				}
			}
		})
	}
}
