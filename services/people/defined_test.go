package people_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"onestop/services/core"
	"onestop/services/people"
	"onestop/services/policy"
	"onestop/services/servicetest"
)

func definedFact(name, kind, setBy string) *policy.DefinedFact {
	return &policy.DefinedFact{Name: name, Kind: kind, SetBy: setBy,
		Label: policy.Text{"zh-Hant": "農村戶籍 " + name, "zh-Hans": "农村户籍 " + name, "en": "Rural hukou " + name}}
}

// TestDefineFacts: only an administrator defines a fact; a name, a kind, a
// label in each language and who sets it are checked; a name is defined
// once, an edit names the version it read, and the kind stays.
func TestDefineFacts(t *testing.T) {
	e, u := caseWorld(t)
	ctx := context.Background()
	if err := e.Policies.SaveFact(ctx, u["officer"], definedFact("rural_hukou", "bool", "person"), servicetest.Meta); !core.IsCode(err, core.Forbidden) {
		t.Fatalf("a case officer defined a fact: %v", err)
	}
	for _, tt := range []struct {
		name   string
		change func(*policy.DefinedFact)
		field  string
	}{
		{"a built-in fact's name", func(d *policy.DefinedFact) { d.Name = "employed" }, "name"},
		{"a reserved prefix", func(d *policy.DefinedFact) { d.Name = "venture_size" }, "name"},
		{"capitals", func(d *policy.DefinedFact) { d.Name = "RuralHukou" }, "name"},
		{"too short", func(d *policy.DefinedFact) { d.Name = "rh" }, "name"},
		{"an unknown kind", func(d *policy.DefinedFact) { d.Kind = "text" }, "kind"},
		{"nobody sets it", func(d *policy.DefinedFact) { d.SetBy = "" }, "set_by"},
		{"no English label", func(d *policy.DefinedFact) { delete(d.Label, "en") }, "label.en"},
		{"a placeholder in a label", func(d *policy.DefinedFact) { d.Label["zh-Hant"] = "戶籍 {0}" }, "label.zh-Hant"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := definedFact("rural_hukou", "bool", "person")
			tt.change(d)
			if err := e.Policies.SaveFact(ctx, e.Admin, d, servicetest.Meta); field(err, tt.field) == "" {
				t.Errorf("got %v, want a message at %s", err, tt.field)
			}
		})
	}
	if defs, err := e.Policies.Defined(ctx); err != nil || len(defs) != 0 {
		t.Fatalf("refused definitions were written: %v %v", defs, err)
	}

	d := definedFact("rural_hukou", "bool", "person")
	if err := e.Policies.SaveFact(ctx, e.Admin, d, servicetest.Meta); err != nil || d.Version != 1 {
		t.Fatalf("defining: %v (version %d)", err, d.Version)
	}
	if err := e.Policies.SaveFact(ctx, e.Admin, definedFact("rural_hukou", "number", "person"), servicetest.Meta); !core.IsCode(err, core.Conflict) {
		t.Errorf("the same name again: %v", err)
	}
	edit := definedFact("rural_hukou", "number", "check")
	edit.Version = 1
	if err := e.Policies.SaveFact(ctx, e.Admin, edit, servicetest.Meta); field(err, "kind") != "error.fact.kind_fixed" {
		t.Errorf("changing the kind: %v", err)
	}
	edit.Kind, edit.Label["en"] = "bool", "Rural household registration"
	if err := e.Policies.SaveFact(ctx, e.Admin, edit, servicetest.Meta); err != nil || edit.Version != 2 {
		t.Fatalf("relabelling: %v", err)
	}
	stale := definedFact("rural_hukou", "bool", "person")
	stale.Version = 1
	if err := e.Policies.SaveFact(ctx, e.Admin, stale, servicetest.Meta); !core.IsCode(err, core.Conflict) {
		t.Errorf("an edit of version 1 after version 2: %v", err)
	}
	if label, ok := e.Policies.DefinedLabel("rural_hukou", "en"); !ok || label != "Rural household registration" {
		t.Errorf("label: %q %v", label, ok)
	}
	if n := audited(t, e, "fact.define", "success"); n != 2 {
		t.Errorf("%d definitions audited, want 2", n)
	}
}

// TestDefinedFactsInRules: a rule the bureau adds without a release. A
// condition naming an undefined fact is refused; once defined, the policy
// saves, the person answers the fact they may set (made canonical), cannot
// set the one only a check sets, and is eligible once a case officer
// checks it — with their own word named as what still waits for a check.
func TestDefinedFactsInRules(t *testing.T) {
	e, u := caseWorld(t)
	ctx := context.Background()
	owner := u["owner"].ID
	rule := &policy.Policy{ID: "rural-return-start", Active: true, Basis: "市人社局 2026 年第 3 號通知",
		Name:        policy.Text{"zh-Hant": "返鄉創業啟動補貼", "zh-Hans": "返乡创业启动补贴", "en": "Start-up grant for returning workers"},
		Summary:     policy.Text{"zh-Hant": "農村戶籍的返鄉農民工，持脫貧證明者。", "zh-Hans": "农村户籍的返乡农民工，持脱贫证明者。", "en": "Returning migrant workers with a rural hukou and a poverty-relief card."},
		Grantor:     policy.Text{"zh-Hant": "市人社局", "zh-Hans": "市人社局", "en": "City bureau"},
		BenefitText: policy.Text{"zh-Hant": "一次性 3000 元", "zh-Hans": "一次性 3000 元", "en": "3,000 yuan once"},
		Conditions: json.RawMessage(`{"all":[{"fact":"target_groups","op":"contains","value":"returning_migrant_worker"},
			{"fact":"rural_hukou","op":"is","value":true},{"fact":"poverty_card","op":"is","value":true}]}`)}
	if err := e.Policies.Save(ctx, e.Admin, rule, servicetest.Meta); field(err, "conditions") == "" {
		t.Fatalf("a condition on an undefined fact: %v", err)
	}
	for _, d := range []*policy.DefinedFact{definedFact("rural_hukou", "bool", "person"), definedFact("poverty_card", "bool", "check")} {
		if err := e.Policies.SaveFact(ctx, e.Admin, d, servicetest.Meta); err != nil {
			t.Fatal(err)
		}
	}
	rule.Version = 0
	if err := e.Policies.Save(ctx, e.Admin, rule, servicetest.Meta); err != nil {
		t.Fatalf("the rule once its facts are defined: %v", err)
	}

	returning := func(extra policy.Extra) people.Input {
		in := input(idA, phoneA)
		in.Facts = policy.Facts{TargetGroups: []string{"returning_migrant_worker"}, Extra: extra}
		return in
	}
	for _, tt := range []struct {
		name  string
		extra policy.Extra
		field string
	}{
		{"an unknown fact", policy.Extra{"rural_hukou": "yes", "pet_owner": "true"}, "extra.pet_owner"},
		{"not a yes or no", policy.Extra{"rural_hukou": "maybe"}, "extra.rural_hukou"},
		{"a fact only a check sets", policy.Extra{"rural_hukou": "yes", "poverty_card": "true"}, "extra.poverty_card"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := stored(t, e, owner)
			_, err := e.People.Save(ctx, u["owner"], returning(tt.extra), "api", servicetest.Meta)
			if field(err, tt.field) == "" {
				t.Errorf("got %v, want a message at %s", err, tt.field)
			}
			if after := stored(t, e, owner); !after.UpdatedAt.Equal(before.UpdatedAt) {
				t.Error("a refused save wrote the profile")
			}
		})
	}
	if _, err := e.People.Save(ctx, u["owner"], returning(policy.Extra{"rural_hukou": "yes"}), "api", servicetest.Meta); err != nil {
		t.Fatal(err)
	}
	if got := stored(t, e, owner).Facts.Extra; got["rural_hukou"] != "true" || len(got) != 1 {
		t.Errorf("stored extra facts %v, want rural_hukou=true alone", got)
	}
	result := func() policy.Result {
		t.Helper()
		a, err := e.People.Eligibility(ctx, u["owner"], owner)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(a.Results, func(r policy.Result) bool { return r.Policy.ID == rule.ID })
		if i < 0 {
			t.Fatal("the new rule is not answered")
		}
		return a.Results[i]
	}
	if r := result(); r.Status != policy.NeedsInfo || !slices.Contains(r.Missing, "poverty_card") {
		t.Errorf("before the check: %s, missing %v", r.Status, r.Missing)
	}

	// The person cannot give it; a case officer checks it.
	if _, err := e.People.Verify(ctx, u["owner"], owner, people.VerifyInput{Fact: "poverty_card", Value: "true", Note: "脫貧證明書第 0012 號"}, servicetest.Meta); err == nil {
		t.Error("the owner checked their own fact")
	}
	if _, err := e.People.Verify(ctx, u["officer"], owner, people.VerifyInput{Fact: "poverty_card", Value: "maybe", Note: "脫貧證明書第 0012 號"}, servicetest.Meta); field(err, "value") != "error.fact.value.bool" {
		t.Errorf("checking a yes-or-no fact as maybe: %v", err)
	}
	if _, err := e.People.Verify(ctx, u["officer"], owner, people.VerifyInput{Fact: "poverty_card", Value: "yes", Note: "脫貧證明書第 0012 號"}, servicetest.Meta); err != nil {
		t.Fatal(err)
	}
	r := result()
	if r.Status != policy.Eligible || !slices.Equal(r.Unverified, []string{"rural_hukou"}) {
		t.Errorf("after the check: %s, unverified %v (want the person's own word on rural_hukou)", r.Status, r.Unverified)
	}
	// A later save of the person's keeps the checked fact they do not send.
	if _, err := e.People.Save(ctx, u["owner"], returning(policy.Extra{"rural_hukou": "true"}), "api", servicetest.Meta); err != nil {
		t.Fatal(err)
	}
	if p := stored(t, e, owner); p.Facts.Extra["poverty_card"] != "true" || !p.Verified("poverty_card") {
		t.Errorf("after the person's save: %v, verified %v", p.Facts.Extra, p.Verified("poverty_card"))
	}
	checked, err := e.People.AllCheckedFacts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := people.Checked("poverty_card"); c.Key != "" {
		t.Error("a defined fact is among the built-in checked facts")
	}
	if i := slices.IndexFunc(checked, func(c people.CheckedFact) bool { return c.Key == "poverty_card" }); i < 0 || !checked[i].Protected {
		t.Errorf("poverty_card among the checked facts: %v", checked)
	}
}

// TestRosterOfDefinedFact: a roster may list the people for whom a
// yes-or-no fact an administrator defined holds (kind fact:<name>); it
// checks the fact of each person it names, once, and a kind naming no such
// fact is refused.
func TestRosterOfDefinedFact(t *testing.T) {
	e, u := caseWorld(t)
	ctx := context.Background()
	owner := u["owner"].ID
	for _, d := range []*policy.DefinedFact{definedFact("poverty_card", "bool", "check"), definedFact("plot_mu", "number", "person")} {
		if err := e.Policies.SaveFact(ctx, e.Admin, d, servicetest.Meta); err != nil {
			t.Fatal(err)
		}
	}
	for _, kind := range []string{"fact:pet_owner", "fact:plot_mu", "fact:"} {
		if _, err := e.People.ImportRoster(ctx, kind, "脫貧戶名單", strings.NewReader(`{"id_number":"`+idA+`"}`+"\n"), "jsonl", nil); field(err, "kind") == "" {
			t.Errorf("a roster of kind %q: %v", kind, err)
		}
	}
	for range 2 {
		rep, err := e.People.ImportRoster(ctx, "fact:poverty_card", "脫貧戶名單", strings.NewReader(`{"id_number":"`+idA+`"}`+"\n"), "jsonl", nil)
		if err != nil || rep.Matched != 1 {
			t.Fatalf("import: %+v %v", rep, err)
		}
	}
	p := stored(t, e, owner)
	if src := p.SourceOf("poverty_card"); p.Facts.Extra["poverty_card"] != "true" || src.Source != people.SourceRoster || src.Roster != "脫貧戶名單" {
		t.Errorf("after the roster: %v from %+v", p.Facts.Extra, src)
	}
	n := 0
	for _, key := range told(t, e, owner) {
		if key == "notify.fact.roster" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("told %d times of the roster, want once: %v", n, told(t, e, owner))
	}
}
