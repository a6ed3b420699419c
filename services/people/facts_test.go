package people_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/people"
	"onestop/services/policy"
	"onestop/services/privacy"
	"onestop/services/servicetest"
)

// caseWorld is a world with a case officer, and an owner who is a
// land-expropriated farmer (ID A: a man born 1990, in the training age
// band) with a saved profile.
func caseWorld(t *testing.T) (*servicetest.Env, map[string]accounts.Principal) {
	t.Helper()
	e := servicetest.New(t, start)
	e.Ready(t)
	u := e.Users(t, map[string]accounts.Role{
		"owner": accounts.Entrepreneur, "other": accounts.Entrepreneur, "promoted": accounts.Entrepreneur,
		"hotline": accounts.Hotline, "officer": accounts.CaseOfficer, "mentor": accounts.Mentor,
	})
	if _, err := e.People.Save(context.Background(), u["owner"], farmer(), "api", servicetest.Meta); err != nil {
		t.Fatal(err)
	}
	return e, u
}

func farmer() people.Input {
	in := input(idA, phoneA)
	f, t := false, true
	in.Facts = policy.Facts{TargetGroups: []string{"land_expropriated_farmer"}, Employed: &f, HasSkillCertificate: &f, WantsTraining: &t}
	return in
}

// stored reads a profile as the store holds it.
func stored(t *testing.T, e *servicetest.Env, id string) people.Profile {
	t.Helper()
	var p people.Profile
	if err := e.Store.Get(context.Background(), people.Collection.Name, id, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// field is the message of field in an Invalid error ("" when none).
func field(err error, name string) string {
	var ce *core.Error
	if !core.IsCode(err, core.Invalid) || !errors.As(err, &ce) {
		return ""
	}
	return ce.Fields[name]
}

// told lists the keys of a person's notifications, oldest first.
func told(t *testing.T, e *servicetest.Env, id string) []string {
	t.Helper()
	ns, _, err := e.Notify.List(context.Background(), id, core.Page{Size: 100})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, n := range ns {
		keys = append([]string{n.Key}, keys...)
	}
	return keys
}

// audited counts the audit events of an action with a result.
func audited(t *testing.T, e *servicetest.Env, action, result string) int {
	t.Helper()
	r, _, err := e.Audit.Search(context.Background(), audit.Query{Action: action, Result: result})
	if err != nil {
		t.Fatal(err)
	}
	return r.Total
}

func roster() people.VerifyInput {
	return people.VerifyInput{Fact: "on_farmer_roster", Value: "true", Note: "已核對北山村被徵地農民花名冊第 12 頁"}
}

// TestWhoMayVerify: only case officers and administrators check facts,
// and never their own — the owner, another entrepreneur, the hotline and a
// mentor are refused, as is a case officer on the profile they kept from
// before their promotion; a refusal writes nothing and is audited.
func TestWhoMayVerify(t *testing.T) {
	e, u := caseWorld(t)
	ctx := context.Background()
	// An entrepreneur with a profile, whom an administrator made a case
	// officer.
	if _, err := e.People.Save(ctx, u["promoted"], input(idB, phoneB), "api", servicetest.Meta); err != nil {
		t.Fatal(err)
	}
	if err := e.Accounts.SetRole(ctx, e.Admin, u["promoted"].ID, accounts.CaseOfficer, servicetest.Meta); err != nil {
		t.Fatal(err)
	}
	promoted := accounts.Principal{ID: u["promoted"].ID, Role: accounts.CaseOfficer, Name: "promoted"}
	owner := u["owner"].ID
	for _, tt := range []struct {
		name   string
		actor  accounts.Principal
		person string
		code   core.Code
		msg    string
	}{
		{"the person themself", u["owner"], owner, core.Forbidden, "error.verify.own"},
		{"another entrepreneur", u["other"], owner, core.Forbidden, "error.forbidden"},
		{"the hotline", u["hotline"], owner, core.Forbidden, "error.forbidden"},
		{"a mentor", u["mentor"], owner, core.Forbidden, "error.forbidden"},
		{"a guest", accounts.Principal{}, owner, core.Unauthenticated, "error.unauthenticated"},
		{"a case officer on their own profile", promoted, promoted.ID, core.Forbidden, "error.verify.own"},
		{"a case officer on someone without a profile", u["officer"], u["other"].ID, core.NotFound, "error.not_found"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := stored(t, e, owner)
			_, err := e.People.Verify(ctx, tt.actor, tt.person, roster(), servicetest.Meta)
			var ce *core.Error
			if !errors.As(err, &ce) || ce.Code != tt.code || ce.Message != tt.msg {
				t.Fatalf("got %v, want %s %s", err, tt.code, tt.msg)
			}
			if after := stored(t, e, owner); !reflect.DeepEqual(before, after) {
				t.Errorf("a refused check wrote:\n%+v\n%+v", before, after)
			}
		})
	}
	if n := audited(t, e, "profile.fact.verify", audit.Denied); n != 5 {
		t.Errorf("%d refusals audited, want 5 (the guest's and the missing profile's are not refusals of the right)", n)
	}
	for _, who := range []accounts.Principal{u["officer"], e.Admin} {
		if _, err := e.People.Verify(ctx, who, owner, roster(), servicetest.Meta); err != nil {
			t.Errorf("%s: %v", who.Role, err)
		}
	}
}

// TestVerify: a check records who, when, how and on what document,
// confirms or corrects the value, is audited, and tells the person; the
// eligibility answer stops naming the fact as waiting for a check.
func TestVerify(t *testing.T) {
	e, u := caseWorld(t)
	ctx := context.Background()
	owner := u["owner"].ID
	pendingOf := func(policyID string) []string {
		t.Helper()
		rs, _, err := e.People.MyEligibility(ctx, u["owner"])
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			if r.Policy.ID == policyID {
				if r.Status != policy.Eligible {
					t.Fatalf("%s: %s %v", policyID, r.Status, r.Missing)
				}
				return r.Unverified
			}
		}
		t.Fatalf("no result for %s", policyID)
		return nil
	}
	// Nobody has checked the roster: the farmer is eligible once it is
	// (the group it confirms is not named twice).
	if got := pendingOf("farmer-free-training"); !slices.Equal(got, []string{"on_farmer_roster"}) {
		t.Errorf("pending before the check: %v", got)
	}
	doc, err := e.People.AddEvidence(ctx, u["officer"], owner, "花名冊第12頁.pdf", []byte("%PDF-1.4 roster page"), servicetest.Meta)
	if err != nil {
		t.Fatal(err)
	}
	in := roster()
	in.DocumentID = doc.ID
	src, err := e.People.Verify(ctx, u["officer"], owner, in, servicetest.Meta)
	if err != nil {
		t.Fatal(err)
	}
	p := stored(t, e, owner)
	got := p.SourceOf("on_farmer_roster")
	if got.Source != people.SourceVerified || got.ByID != u["officer"].ID || got.Note != in.Note || got.Document == nil ||
		got.Document.ID != doc.ID || got.Value != "true" || !got.At.Equal(start) || !reflect.DeepEqual(*src, got) {
		t.Errorf("source %+v (answered %+v)", got, src)
	}
	if p.Facts.OnFarmerRoster == nil || !*p.Facts.OnFarmerRoster || !p.Verified("target_groups.land_expropriated_farmer") {
		t.Errorf("facts %+v; the group confirmed: %v", p.Facts, p.Verified("target_groups.land_expropriated_farmer"))
	}
	if got := pendingOf("farmer-free-training"); len(got) != 0 {
		t.Errorf("pending after the check: %v", got)
	}
	if n := audited(t, e, "profile.fact.verify", audit.Success); n != 1 {
		t.Errorf("%d checks audited", n)
	}
	if keys := told(t, e, owner); !slices.Equal(keys, []string{"notify.fact.verified"}) {
		t.Errorf("the person was told %v", keys)
	}

	// A correction: the person said 0.3 mu, the land bureau's list says
	// 0.05; the fact takes the value found.
	in2 := input("", "")
	in2.Facts = stored(t, e, owner).Facts
	mu := 0.3
	in2.Facts.FarmlandPerCapitaMu = &mu
	if _, err := e.People.Save(ctx, u["owner"], in2, "api", servicetest.Meta); err != nil {
		t.Fatal(err)
	}
	if _, err := e.People.Verify(ctx, e.Admin, owner, people.VerifyInput{Fact: "farmland_per_capita_mu", Value: "0.05", Note: "國土局清單第 3 頁"}, servicetest.Meta); err != nil {
		t.Fatal(err)
	}
	p = stored(t, e, owner)
	if p.Facts.FarmlandPerCapitaMu == nil || *p.Facts.FarmlandPerCapitaMu != 0.05 || !p.Verified("farmland_per_capita_mu") {
		t.Errorf("after the correction: %v %+v", p.Facts.FarmlandPerCapitaMu, p.SourceOf("farmland_per_capita_mu"))
	}
	// A group checked as not held leaves it.
	if _, err := e.People.Verify(ctx, u["officer"], owner, people.VerifyInput{Fact: "target_groups.disabled", Value: "false", Note: "查無殘疾人證"}, servicetest.Meta); err != nil {
		t.Fatal(err)
	}
	if p = stored(t, e, owner); p.Facts.HasGroup("disabled") || !p.Facts.HasGroup("land_expropriated_farmer") || !p.Verified("target_groups.disabled") {
		t.Errorf("groups %v", p.Facts.TargetGroups)
	}
}

// TestVerifyRefusesBadInput: a clear field message, and nothing written.
func TestVerifyRefusesBadInput(t *testing.T) {
	e, u := caseWorld(t)
	ctx := context.Background()
	owner := u["owner"].ID
	for _, tt := range []struct {
		name, field, msg string
		in               people.VerifyInput
	}{
		{"unknown fact", "fact", "error.enum", people.VerifyInput{Fact: "favourite_colour", Value: "true", Note: "看過了"}},
		{"a fact nobody checks", "fact", "error.enum", people.VerifyInput{Fact: "wants_training", Value: "true", Note: "看過了"}},
		{"not a yes or no", "value", "error.fact.value.bool", people.VerifyInput{Fact: "on_farmer_roster", Value: "maybe", Note: "看過了"}},
		{"not a number", "value", "error.fact.value.number", people.VerifyInput{Fact: "farmland_per_capita_mu", Value: "0.1畝", Note: "看過了"}},
		{"a negative number", "value", "error.fact.value.number", people.VerifyInput{Fact: "farmland_per_capita_mu", Value: "-1", Note: "看過了"}},
		{"out of the fact's range", "value", "error.number.range", people.VerifyInput{Fact: "farmland_per_capita_mu", Value: "5000", Note: "看過了"}},
		{"not a date", "value", "error.fact.value.date", people.VerifyInput{Fact: "graduation_date", Value: "2025-02-30", Note: "看過了"}},
		{"no note", "note", "error.required", people.VerifyInput{Fact: "on_farmer_roster", Value: "true"}},
		{"an ID number in the note", "note", "error.note.number", people.VerifyInput{Fact: "on_farmer_roster", Value: "true", Note: "身份證 " + idA + " 已核對"}},
		{"a phone in the note, spaced", "note", "error.note.number", people.VerifyInput{Fact: "on_farmer_roster", Value: "true", Note: "致電 139 1234 5670 確認"}},
		{"a document not on the record", "document_id", "error.not_found", people.VerifyInput{Fact: "on_farmer_roster", Value: "true", Note: "看過了", DocumentID: core.NewID()}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := stored(t, e, owner)
			_, err := e.People.Verify(ctx, u["officer"], owner, tt.in, servicetest.Meta)
			if got := field(err, tt.field); core.MsgKey(got) != tt.msg {
				t.Errorf("%s: got %v (%q), want %s", tt.field, err, got, tt.msg)
			}
			if after := stored(t, e, owner); !reflect.DeepEqual(before, after) {
				t.Error("a refused check wrote")
			}
		})
	}
	if keys := told(t, e, owner); len(keys) != 0 {
		t.Errorf("the person was told %v", keys)
	}
}

// TestCheckLapsesWhenThePersonChangesTheValue: the person may change a
// verified fact (their farmland shrank), and its check lapses back to
// their word, keeping the check for staff to see; a save that keeps the
// value keeps the check.
func TestCheckLapsesWhenThePersonChangesTheValue(t *testing.T) {
	for _, tt := range []struct {
		name   string
		change func(f *policy.Facts)
		lapses bool
	}{
		{"the value kept", func(f *policy.Facts) {}, false},
		{"another fact changed", func(f *policy.Facts) { no := false; f.WantsTraining = &no }, false},
		{"the value changed", func(f *policy.Facts) { mu := 0.2; f.FarmlandPerCapitaMu = &mu }, true},
		{"the value dropped", func(f *policy.Facts) { f.FarmlandPerCapitaMu = nil }, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e, u := caseWorld(t)
			ctx := context.Background()
			owner := u["owner"].ID
			if _, err := e.People.Verify(ctx, u["officer"], owner, people.VerifyInput{Fact: "farmland_per_capita_mu", Value: "0.05", Note: "國土局清單第 3 頁"}, servicetest.Meta); err != nil {
				t.Fatal(err)
			}
			e.Advance(time.Hour)
			in := input("", "")
			in.Facts = stored(t, e, owner).Facts
			tt.change(&in.Facts)
			if _, err := e.People.Save(ctx, u["owner"], in, "web", servicetest.Meta); err != nil {
				t.Fatal(err)
			}
			p := stored(t, e, owner)
			src := p.SourceOf("farmland_per_capita_mu")
			if p.Verified("farmland_per_capita_mu") == tt.lapses {
				t.Fatalf("verified: %v, source %+v", !tt.lapses, src)
			}
			if tt.lapses && (src.Source != people.SourceSelf || src.Lapsed == nil || src.Lapsed.ByID != u["officer"].ID ||
				src.Lapsed.Value != "0.05" || src.At.Equal(src.Lapsed.At)) {
				t.Errorf("lapsed source %+v", src)
			}
		})
	}
}

// TestProtectedFacts: roster membership and the count of refusals are
// never the person's to set, raise or lower, and the sources never theirs
// to write; the refusal is a field message and nothing is written. Giving
// the value the profile holds, or leaving it out, is no change.
func TestProtectedFacts(t *testing.T) {
	e, u := caseWorld(t)
	ctx := context.Background()
	owner := u["owner"].ID
	if _, err := e.People.Recommend(ctx, u["officer"], owner, people.RecommendationInput{Kind: "training", What: "烹飪培訓", On: core.DateOf(start), Answer: "refused"}, servicetest.Meta); err != nil {
		t.Fatal(err)
	}
	yes, no, zero, one, five := true, false, 0, 1, 5
	with := func(change func(in *people.Input)) people.Input {
		in := farmer()
		change(&in)
		return in
	}
	for _, tt := range []struct {
		name  string
		in    people.Input
		field string // "" when accepted
	}{
		{"claims the roster", with(func(in *people.Input) { in.OnFarmerRoster = &yes }), "on_farmer_roster"},
		{"denies the roster", with(func(in *people.Input) { in.OnFarmerRoster = &no }), "on_farmer_roster"},
		{"lowers the refusals", with(func(in *people.Input) { in.TrainingRefusals = &zero }), "training_refusals"},
		{"raises the refusals", with(func(in *people.Input) { in.TrainingRefusals = &five }), "training_refusals"},
		{"writes a source", with(func(in *people.Input) { in.FactSources = []byte(`[{"fact":"on_farmer_roster","source":"verified"}]`) }), "fact_sources"},
		{"gives the count held", with(func(in *people.Input) { in.TrainingRefusals = &one }), ""},
		{"leaves them out", farmer(), ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := stored(t, e, owner)
			_, err := e.People.Save(ctx, u["owner"], tt.in, "api", servicetest.Meta)
			after := stored(t, e, owner)
			if tt.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				if after.Facts.OnFarmerRoster != nil || after.Facts.TrainingRefusals == nil || *after.Facts.TrainingRefusals != 1 {
					t.Errorf("facts after the save: %+v", after.Facts)
				}
				return
			}
			if msg := field(err, tt.field); msg == "" || !reflect.DeepEqual(before, after) {
				t.Errorf("got %v; written: %v", err, !reflect.DeepEqual(before, after))
			}
		})
	}
	// Once the roster is checked, the person cannot undo it either.
	if _, err := e.People.Verify(ctx, u["officer"], owner, roster(), servicetest.Meta); err != nil {
		t.Fatal(err)
	}
	in := farmer()
	in.OnFarmerRoster = &no
	if _, err := e.People.Save(ctx, u["owner"], in, "api", servicetest.Meta); field(err, "on_farmer_roster") != "error.fact.protected" {
		t.Errorf("lowering a checked roster entry: %v", err)
	}
	in.OnFarmerRoster = &yes
	if _, err := e.People.Save(ctx, u["owner"], in, "api", servicetest.Meta); err != nil {
		t.Errorf("giving back the checked value: %v", err)
	}
	if p := stored(t, e, owner); !p.Verified("on_farmer_roster") {
		t.Errorf("the check did not survive the person's save: %+v", p.SourceOf("on_farmer_roster"))
	}
}

// TestRecommendations: staff record what was recommended, by whom, when,
// and the answer; the count of refusals the engine reads follows from the
// history; the person is told each time; the third refusal of a
// land-expropriated farmer is giving up placement, and the free training
// says so.
func TestRecommendations(t *testing.T) {
	e, u := caseWorld(t)
	ctx := context.Background()
	owner := u["owner"].ID
	today := core.DateOf(start)
	rec := func(answer, what string) *people.Recommendation {
		t.Helper()
		r, err := e.People.Recommend(ctx, u["officer"], owner, people.RecommendationInput{Kind: "training", What: what, On: today.AddDays(-1), Answer: answer}, servicetest.Meta)
		if err != nil {
			t.Fatal(err)
		}
		e.Advance(time.Minute) // the notifications in the order told
		return r
	}
	freeTraining := func() policy.Result {
		t.Helper()
		a, err := e.People.Eligibility(ctx, u["officer"], owner)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range a.Results {
			if r.Policy.ID == "farmer-free-training" {
				return r
			}
		}
		t.Fatal("no free training")
		return policy.Result{}
	}
	r := rec("refused", "中式烹調師培訓")
	if r.ByID != u["officer"].ID || r.What != "中式烹調師培訓" || !r.On.Equal(today.AddDays(-1)) || !r.At.Equal(start) {
		t.Errorf("recorded %+v", r)
	}
	rec("accepted", "電商客服培訓")
	rec("refused", "保安崗位")
	p := stored(t, e, owner)
	if *p.Facts.TrainingRefusals != 2 || p.GaveUpPlacement() || freeTraining().Status != policy.Eligible {
		t.Fatalf("after two refusals: %d, gave up %v", *p.Facts.TrainingRefusals, p.GaveUpPlacement())
	}
	rec("refused", "家政服務培訓")
	p = stored(t, e, owner)
	if len(p.Recommendations) != 4 || *p.Facts.TrainingRefusals != 3 || !p.GaveUpPlacement() {
		t.Fatalf("after three refusals: %d recorded, %d refusals, gave up %v", len(p.Recommendations), *p.Facts.TrainingRefusals, p.GaveUpPlacement())
	}
	if got := freeTraining(); got.Status != policy.NotEligible || !slices.ContainsFunc(got.Reasons, func(r policy.Reason) bool {
		return r.Fact == "training_refusals" && r.Met == policy.No
	}) {
		t.Errorf("the free training after three refusals: %s %+v", got.Status, got.Reasons)
	}
	if a, _ := e.People.Eligibility(ctx, u["owner"], owner); !a.GaveUpPlacement {
		t.Error("the answer does not say placement was given up")
	}
	want := []string{"notify.recommendation.refused", "notify.recommendation.accepted", "notify.recommendation.refused", "notify.recommendation.gave_up"}
	if keys := told(t, e, owner); !slices.Equal(keys, want) {
		t.Errorf("told %v, want %v", keys, want)
	}

	// Who may record, and what a record must say; a refusal writes nothing.
	before := stored(t, e, owner)
	good := people.RecommendationInput{Kind: "job", What: "物業保潔崗位", On: today, Answer: "refused"}
	for _, tt := range []struct {
		name  string
		actor accounts.Principal
		in    func(in *people.RecommendationInput)
		field string
		code  core.Code
	}{
		{"the person", u["owner"], func(*people.RecommendationInput) {}, "", core.Forbidden},
		{"the hotline", u["hotline"], func(*people.RecommendationInput) {}, "", core.Forbidden},
		{"an unknown kind", u["officer"], func(in *people.RecommendationInput) { in.Kind = "loan" }, "kind", core.Invalid},
		{"nothing recommended", u["officer"], func(in *people.RecommendationInput) { in.What = " " }, "what", core.Invalid},
		{"no day", u["officer"], func(in *people.RecommendationInput) { in.On = core.Date{} }, "on", core.Invalid},
		{"a day to come", u["officer"], func(in *people.RecommendationInput) { in.On = today.AddDays(1) }, "on", core.Invalid},
		{"no answer", u["officer"], func(in *people.RecommendationInput) { in.Answer = "" }, "answer", core.Invalid},
		{"a phone in the note", u["officer"], func(in *people.RecommendationInput) { in.Note = "聯絡 13912345670" }, "note", core.Invalid},
		{"a course id that is none", u["officer"], func(in *people.RecommendationInput) { in.CourseID = "../x" }, "course_id", core.Invalid},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := good
			tt.in(&in)
			_, err := e.People.Recommend(ctx, tt.actor, owner, in, servicetest.Meta)
			if !core.IsCode(err, tt.code) || (tt.field != "" && field(err, tt.field) == "") {
				t.Errorf("got %v, want %s on %q", err, tt.code, tt.field)
			}
		})
	}
	if after := stored(t, e, owner); !reflect.DeepEqual(before, after) {
		t.Error("a refused record wrote")
	}
}

// TestFromRoster: a roster line establishes the fact as the roster's, once
// (an import run again changes nothing and tells nobody twice), and the
// person cannot change it.
func TestFromRoster(t *testing.T) {
	e, u := caseWorld(t)
	ctx := context.Background()
	owner := u["owner"].ID
	entry := people.RosterEntry{Roster: "北山村被徵地農民花名冊（2026）", Fact: "on_farmer_roster", Value: "true"}
	for i, want := range []bool{true, false} {
		changed, err := e.People.FromRoster(ctx, owner, entry)
		if err != nil || changed != want {
			t.Fatalf("run %d: changed %v, %v", i+1, changed, err)
		}
	}
	p := stored(t, e, owner)
	if src := p.SourceOf("on_farmer_roster"); src.Source != people.SourceRoster || src.Roster != entry.Roster || !p.Verified("target_groups.land_expropriated_farmer") {
		t.Errorf("source %+v", src)
	}
	if keys := told(t, e, owner); !slices.Equal(keys, []string{"notify.fact.roster"}) {
		t.Errorf("told %v", keys)
	}
	for _, bad := range []people.RosterEntry{{Roster: "x", Fact: "nope", Value: "true"}, {Roster: "", Fact: "on_farmer_roster", Value: "true"},
		{Roster: "x", Fact: "farmland_per_capita_mu", Value: "many"}} {
		if _, err := e.People.FromRoster(ctx, owner, bad); !core.IsCode(err, core.Invalid) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}

// TestEvidence: documents are filed by case officers and administrators
// (a PDF, JPEG or PNG by its bytes, within the size), read by them with an
// audit record, and erased with the profile; a name holding a number is
// not kept.
func TestEvidence(t *testing.T) {
	e, u := caseWorld(t)
	ctx := context.Background()
	owner := u["owner"].ID
	pdf := []byte("%PDF-1.4 scan")
	for _, tt := range []struct {
		name  string
		actor accounts.Principal
		data  []byte
		code  core.Code
	}{
		{"the person", u["owner"], pdf, core.Forbidden},
		{"the hotline", u["hotline"], pdf, core.Forbidden},
		{"an empty file", u["officer"], nil, core.Invalid},
		{"not a document", u["officer"], []byte("<script>alert(1)</script>"), core.Invalid},
		{"too large", u["officer"], append([]byte("%PDF-"), make([]byte, people.MaxEvidenceBytes)...), core.Invalid},
	} {
		if _, err := e.People.AddEvidence(ctx, tt.actor, owner, "x.pdf", tt.data, servicetest.Meta); !core.IsCode(err, tt.code) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	if p := stored(t, e, owner); len(p.Evidence) != 0 {
		t.Fatalf("refused documents filed: %+v", p.Evidence)
	}
	doc, err := e.People.AddEvidence(ctx, u["officer"], owner, idA+".pdf", pdf, servicetest.Meta)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Name != "evidence.pdf" {
		t.Errorf("a name with an ID number kept as %q", doc.Name)
	}
	if _, data, err := e.People.EvidenceFile(ctx, e.Admin, owner, doc.ID, servicetest.Meta); err != nil || string(data) != string(pdf) {
		t.Errorf("read: %v", err)
	}
	if _, _, err := e.People.EvidenceFile(ctx, u["hotline"], owner, doc.ID, servicetest.Meta); !core.IsCode(err, core.NotFound) {
		t.Errorf("the hotline read a document: %v", err)
	}
	if n := audited(t, e, "profile.evidence.read", audit.Success); n != 1 {
		t.Errorf("%d reads audited", n)
	}
	if err := e.People.Erase(ctx, u["owner"]); err != nil {
		t.Fatal(err)
	}
	var blob struct{}
	if err := e.Store.Get(ctx, people.EvidenceCollection.Name, doc.ID, &blob); !core.IsCode(err, core.NotFound) {
		t.Errorf("the document outlived the profile: %v", err)
	}
}

// TestPersonalDataOfChecks: the person's export holds where their facts
// came from, the recommendations and the documents' bytes, never the staff
// member who checked; erasing the person deletes the documents.
func TestPersonalDataOfChecks(t *testing.T) {
	e, u := caseWorld(t)
	ctx := context.Background()
	owner := u["owner"].ID
	doc, err := e.People.AddEvidence(ctx, u["officer"], owner, "roster.pdf", []byte("%PDF-1.4 page"), servicetest.Meta)
	if err != nil {
		t.Fatal(err)
	}
	in := roster()
	in.DocumentID = doc.ID
	if _, err := e.People.Verify(ctx, u["officer"], owner, in, servicetest.Meta); err != nil {
		t.Fatal(err)
	}
	if _, err := e.People.Recommend(ctx, u["officer"], owner, people.RecommendationInput{Kind: "job", What: "保安崗位", On: core.DateOf(start), Answer: "refused"}, servicetest.Meta); err != nil {
		t.Fatal(err)
	}
	part, err := e.People.PersonalData().Export(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(part)
	for _, want := range []string{`"fact":"on_farmer_roster","source":"verified"`, `"document":"` + doc.ID + `"`, `"what":"保安崗位"`, `"answer":"refused"`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("the export lacks %s: %s", want, raw)
		}
	}
	if strings.Contains(string(raw), u["officer"].ID) || strings.Contains(string(raw), `"by_name"`) {
		t.Errorf("the export names the case officer: %s", raw)
	}
	if len(part.Files) != 1 || string(part.Files[0].Data) != "%PDF-1.4 page" {
		t.Errorf("the export's files: %+v", part.Files)
	}
	if err := e.People.PersonalData().Erase(ctx, privacy.Subject{ID: owner, Pseudonym: "已註銷"}); err != nil {
		t.Fatal(err)
	}
	var blob struct{}
	if err := e.Store.Get(ctx, people.EvidenceCollection.Name, doc.ID, &blob); !core.IsCode(err, core.NotFound) {
		t.Errorf("the document outlived the erasure: %v", err)
	}
}
