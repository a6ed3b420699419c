package entitlements_test

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/entitlements"
	"onestop/services/notify"
	"onestop/services/people"
	"onestop/services/policy"
	"onestop/services/servicetest"
	"onestop/services/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// world is the service over a fresh store, with two supports of its own:
// one for the registered unemployed, one for graduates within two years of
// graduating (a window that closes).
type world struct {
	*servicetest.Env
	ent *entitlements.Service
}

func newWorld(t *testing.T) *world {
	t.Helper()
	e := servicetest.New(t, time.Date(2026, 12, 7, 9, 0, 0, 0, core.CST), entitlements.Collections...)
	e.Ready(t)
	w := &world{Env: e, ent: servicetest.Must(entitlements.New(entitlements.Deps{Store: e.Store, Engine: e.Engine, People: e.People,
		Policies: e.Policies, Notify: e.Notify, Figures: e.Figures, Clock: e.Clock, Log: e.Log}))}
	// What the portal wires (services/bureau): a save re-checks the person.
	e.People.OnSave(func(ctx context.Context, id string) {
		if _, err := w.ent.Refresh(ctx, id); err != nil {
			t.Errorf("refresh on save: %v", err)
		}
	})
	w.savePolicy(t, "t-unemployed", true, `{"fact": "target_groups", "op": "contains", "value": "registered_unemployed"}`)
	w.savePolicy(t, "t-graduate", true, `{"all": [{"fact": "target_groups", "op": "contains", "value": "college_graduate"},
		{"fact": "graduation_date", "op": "within_years", "value": 2, "until": ["as_of"]}]}`)
	return w
}

func (w *world) savePolicy(t *testing.T, id string, active bool, cond string) {
	t.Helper()
	ctx := context.Background()
	p := &policy.Policy{ID: id, Active: active, Basis: "測試", Conditions: json.RawMessage(cond)}
	if old, err := w.Policies.Get(ctx, id); err == nil {
		p.Version = old.Version
	}
	for _, text := range []*policy.Text{&p.Name, &p.Summary, &p.Grantor, &p.BenefitText} {
		*text = policy.Text{"zh-Hant": "測試扶持 " + id, "zh-Hans": "测试扶持 " + id, "en": "Test support " + id}
	}
	if err := w.Policies.Save(ctx, w.Admin, p, servicetest.Meta); err != nil {
		t.Fatal(err)
	}
}

// person signs up and saves a profile with facts.
func (w *world) person(t *testing.T, name string, f policy.Facts) accounts.Principal {
	t.Helper()
	me := w.Users(t, map[string]accounts.Role{name: accounts.Entrepreneur})[name]
	w.save(t, me, f)
	return me
}

func (w *world) save(t *testing.T, me accounts.Principal, f policy.Facts) {
	t.Helper()
	if _, err := w.People.Save(context.Background(), me, people.Input{RealName: me.Name, ConsentVersion: people.NoticeVersion, Facts: f}, "web", servicetest.Meta); err != nil {
		t.Fatal(err)
	}
}

// told lists what a person was told about the test's supports, as
// "kind policy" (with "@last" for a notice with a last day).
func (w *world) told(t *testing.T, me accounts.Principal) []string {
	t.Helper()
	list, _, err := w.Notify.List(context.Background(), me.ID, core.Page{Size: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range list {
		kind, ok := strings.CutPrefix(n.Key, "notify.entitlement.")
		_, _, code, word := notify.Word(n.Arg)
		if !ok || !word || !strings.HasPrefix(code, "t-") {
			continue
		}
		out = append(out, strings.TrimSuffix(kind, "_until")+" "+code)
	}
	return out
}

func equal(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }

// TestToldOnce (#17 §3): what a profile change does to what someone
// qualifies for is told once — a second run tells nothing — and a first
// check does not announce what the supports page already says.
func TestToldOnce(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	// 畢業於兩年前差 10 天: the window closes in 10 days.
	grad := core.DateOf(w.Clock()).AddYears(-2).AddDays(10)
	steps := []struct {
		name  string
		facts policy.Facts
		want  []string // everything told so far, newest first
	}{
		{"a first profile already eligible: nothing announced", policy.Facts{TargetGroups: []string{"registered_unemployed"}}, nil},
		{"becoming a graduate: newly eligible, with the last day", policy.Facts{TargetGroups: []string{"registered_unemployed", "college_graduate"}, GraduationDate: &grad},
			[]string{"gained t-graduate@" + grad.AddYears(2).AddDays(-1).String()}},
		{"finding work: no longer registered unemployed", policy.Facts{TargetGroups: []string{"college_graduate"}, GraduationDate: &grad},
			[]string{"lost t-unemployed", "gained t-graduate@" + grad.AddYears(2).AddDays(-1).String()}},
	}
	me := w.person(t, "陳畢業", steps[0].facts)
	for i, st := range steps {
		if i > 0 {
			w.Advance(time.Minute)
			w.save(t, me, st.facts)
		}
		if got := w.told(t, me); !equal(got, st.want) {
			t.Fatalf("%s: told %q, want %q", st.name, got, st.want)
		}
		// Again, as a sweep or a retry would: nothing more.
		if changes, err := w.ent.Refresh(ctx, me.ID); err != nil || len(changes) != 0 {
			t.Fatalf("%s: a second run: %v %v", st.name, changes, err)
		}
		if got := w.told(t, me); !equal(got, st.want) {
			t.Fatalf("%s: after a second run told %q", st.name, got)
		}
	}
}

// TestEndingToldAhead: a support that ends within Ahead days is told with
// its last day, once, even at someone's first check; the days passing do
// not tell it again, and its end tells that it is lost.
func TestEndingToldAhead(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	grad := core.DateOf(w.Clock()).AddYears(-2).AddDays(20)
	last := grad.AddYears(2).AddDays(-1)
	me := w.person(t, "林畢業", policy.Facts{TargetGroups: []string{"college_graduate"}, GraduationDate: &grad})
	// Their first check: what they qualify for is on their supports page,
	// but the end in sight is told.
	want := []string{"ending t-graduate@" + last.String()}
	if got := w.told(t, me); !equal(got, want) {
		t.Fatalf("told %q, want %q", got, want)
	}
	// Checked afresh (the snapshot lost): told nothing twice.
	if _, err := w.Store.C(entitlements.Collection.Name).DeleteOne(ctx, bson.D{{Key: "_id", Value: me.ID}}); err != nil {
		t.Fatal(err)
	}
	w.Advance(time.Minute)
	if _, err := w.ent.Refresh(ctx, me.ID); err != nil {
		t.Fatal(err)
	}
	if got := w.told(t, me); !equal(got, want) {
		t.Fatalf("checked afresh: told %q, want %q", got, want)
	}
	for day := 1; day <= 25; day++ {
		w.Advance(24 * time.Hour)
		if _, err := w.ent.Refresh(ctx, me.ID); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := w.told(t, me), append([]string{"lost t-graduate"}, want...); !equal(got, want) {
		t.Errorf("after the window closed: told %q, want %q", got, want)
	}
}

// TestRetryAfterCrashTellsOnce: a refresh that sent its notices and died
// before keeping the snapshot runs again and sends none of them twice.
func TestRetryAfterCrashTellsOnce(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	me := w.person(t, "周失業", policy.Facts{TargetGroups: []string{"college_graduate"}})
	var before bson.Raw
	before, err := w.Store.C(entitlements.Collection.Name).FindOne(ctx, bson.D{{Key: "_id", Value: me.ID}}).Raw()
	if err != nil {
		t.Fatal(err)
	}
	w.Advance(time.Minute)
	w.save(t, me, policy.Facts{TargetGroups: []string{"college_graduate", "registered_unemployed"}})
	// The crash: the snapshot the notices moved from is back.
	if _, err := w.Store.C(entitlements.Collection.Name).ReplaceOne(ctx, bson.D{{Key: "_id", Value: me.ID}}, before); err != nil {
		t.Fatal(err)
	}
	changes, err := w.ent.Refresh(ctx, me.ID)
	if err != nil || !slices.ContainsFunc(changes, func(c entitlements.Change) bool { return c.Policy == "t-unemployed" && c.Kind == entitlements.Gained }) {
		t.Fatalf("the retry: %v %v", changes, err)
	}
	if got, want := w.told(t, me), []string{"gained t-unemployed"}; !equal(got, want) {
		t.Errorf("told %q, want %q", got, want)
	}
}

// TestSweepAfterCatalogueChange: an administrator's new support is told to
// everyone it makes eligible by the sweep the change makes due; the
// sweep's record says how far it got; once done, nothing is due until the
// catalogue changes again or a day passes.
func TestSweepAfterCatalogueChange(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	vets := []accounts.Principal{
		w.person(t, "退伍甲", policy.Facts{TargetGroups: []string{"retired_soldier"}}),
		w.person(t, "退伍乙", policy.Facts{TargetGroups: []string{"retired_soldier", "disabled"}}),
	}
	other := w.person(t, "其他人", policy.Facts{TargetGroups: []string{}})
	if _, err := w.ent.SweepAll(ctx); err != nil {
		t.Fatal(err)
	}
	if due, err := w.ent.Due(ctx); err != nil || due {
		t.Fatalf("due right after a sweep: %v %v", due, err)
	}
	w.savePolicy(t, "t-veterans", true, `{"fact": "target_groups", "op": "contains", "value": "retired_soldier"}`)
	if due, err := w.ent.Due(ctx); err != nil || !due {
		t.Fatalf("not due after the catalogue changed: %v %v", due, err)
	}
	sw, err := w.ent.SweepAll(ctx)
	// (Told counts the seed catalogue's supports too, whatever they are.)
	if err != nil || sw.Checked != 3 || sw.Told < 2 || sw.FinishedAt.IsZero() || sw.Running() {
		t.Fatalf("the sweep: %+v %v", sw, err)
	}
	if p, err := w.ent.Progress(ctx); err != nil || p.Checked != 3 || p.Told != sw.Told {
		t.Errorf("its record: %+v %v", p, err)
	}
	for _, v := range vets {
		if got := w.told(t, v); !equal(got, []string{"gained t-veterans"}) {
			t.Errorf("%s told %q", v.Name, got)
		}
	}
	if got := w.told(t, other); len(got) != 0 {
		t.Errorf("someone the support is not for was told %q", got)
	}
	w.Advance(24 * time.Hour)
	if due, err := w.ent.Due(ctx); err != nil || !due {
		t.Errorf("a day later, not due: %v %v", due, err)
	}
}

// TestAnsweredAsTheSupportsPage: a farmer who declares the group and is on
// no roster yet is answered "eligible once checked" on the supports page;
// what they are told follows that answer, not the bare facts.
func TestAnsweredAsTheSupportsPage(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.savePolicy(t, "t-roster", true, `{"fact": "on_farmer_roster", "op": "is", "value": true}`)
	me := w.person(t, "林農民", policy.Facts{TargetGroups: []string{}})
	w.Advance(time.Minute)
	w.save(t, me, policy.Facts{TargetGroups: []string{"land_expropriated_farmer"}})
	if got := w.told(t, me); !equal(got, []string{"gained t-roster"}) {
		t.Errorf("told %q", got)
	}
	var snap entitlements.Snapshot
	if err := w.Store.Get(ctx, entitlements.Collection.Name, me.ID, &snap); err != nil || !slices.Contains(slices.Collect(maps.Keys(snap.Holds)), "t-roster") {
		t.Errorf("the snapshot: %+v %v", snap, err)
	}
}
