package reference_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/reference"
	"onestop/services/servicetest"
	"onestop/services/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var (
	ctx   = context.Background()
	meta  = servicetest.Meta
	start = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
)

func newLists(t *testing.T) (*servicetest.Env, *reference.Lists) {
	t.Helper()
	e := servicetest.New(t, start)
	return e, e.Reference
}

func TestSeed(t *testing.T) {
	e, l := newLists(t)
	want := []string{"dongcheng", "xicheng", "nancheng", "beicheng", "hightech", "econdev", "lingang", "beishan", "other"}
	if got := l.Codes(reference.District); !slices.Equal(got, want) {
		t.Fatalf("districts %v, want %v", got, want)
	}
	if got := len(l.Codes(reference.Industry)); got != 8 {
		t.Errorf("%d industries in the guidance catalogue, want 8", got)
	}
	for _, k := range reference.Kinds {
		var doc reference.List
		if err := e.Store.Get(ctx, reference.Collection.Name, string(k), &doc); err != nil {
			t.Fatalf("list %s not stored: %v", k, err)
		}
		if doc.Version != 1 || doc.UpdatedBy != "seed" {
			t.Errorf("list %s: version %d by %q", k, doc.Version, doc.UpdatedBy)
		}
	}
	// A list once stored is the bureau's: seeding again leaves it.
	if err := l.Retire(ctx, e.Admin, reference.District, "beishan", meta); err != nil {
		t.Fatal(err)
	}
	if err := l.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	if l.IsActive(reference.District, "beishan") || l.Version(reference.District) != 2 {
		t.Errorf("Ensure undid an administrator's edit (version %d)", l.Version(reference.District))
	}
}

func TestResolve(t *testing.T) {
	_, l := newLists(t)
	for _, tt := range []struct {
		name string
		kind reference.Kind
		in   string
		want string // "" = not resolved
	}{
		{"code", reference.District, "dongcheng", "dongcheng"},
		{"Traditional label", reference.District, "東城區", "dongcheng"},
		{"Simplified label", reference.District, "东城区", "dongcheng"},
		{"English label", reference.District, "Dongcheng", "dongcheng"},
		{"English label, other case", reference.District, "HIGH-TECH ZONE", "hightech"},
		{"surrounding spaces", reference.District, "  西城區\u3000", "xicheng"},
		{"inner spaces collapsed", reference.District, "Economic  development zone", "econdev"},
		{"mixed scripts", reference.District, "東城区", "dongcheng"},
		{"full-width letters", reference.District, "ｄｏｎｇｃｈｅｎｇ", "dongcheng"},
		{"county", reference.District, "北山县", "beishan"},
		{"industry label", reference.Industry, "農副產品加工型", "agri_processing"},
		{"industry Simplified", reference.Industry, "农副产品加工型", "agri_processing"},
		{"unknown district", reference.District, "火星區", ""},
		{"a label of another list", reference.District, "科技型", ""},
		{"empty", reference.District, "  ", ""},
		{"unknown kind", reference.Kind("planet"), "dongcheng", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := l.Resolve(tt.kind, tt.in)
			if ok != (tt.want != "") || got != tt.want {
				t.Errorf("Resolve(%s, %q) = %q, %v; want %q", tt.kind, tt.in, got, ok, tt.want)
			}
		})
	}
	// A venture's industry is an industry or a sector: one rule over both.
	venture := l.Current(reference.Industry, reference.Sector)
	for in, want := range map[string]string{"科技型": "technology", "桑拿": "sauna", "网吧": "internet_cafe", "oxygen_bar": "oxygen_bar"} {
		if got, ok := venture.Resolve(in); !ok || got != want {
			t.Errorf("venture industry %q = %q, %v; want %q", in, got, ok, want)
		}
	}
	if got := l.Label(reference.Industry, "sauna", "zh-Hans"); got != "桑拿" {
		t.Errorf("a sector is labelled where an industry may be: %q", got)
	}
	if got := l.Label(reference.District, "nancheng", "fr"); got != "南城區" {
		t.Errorf("a language without labels falls back to the default: %q", got)
	}
	if got := l.Label(reference.District, "atlantis", "en"); got != "atlantis" {
		t.Errorf("an unknown code is shown as it is: %q", got)
	}
}

func labels(hant, hans, en string) reference.Labels {
	return reference.Labels{"zh-Hant": hant, "zh-Hans": hans, "en": en}
}

func TestAdd(t *testing.T) {
	e, l := newLists(t)
	staff := e.Users(t, map[string]accounts.Role{"staff": accounts.Hotline})["staff"]
	for _, tt := range []struct {
		name  string
		actor accounts.Principal
		kind  reference.Kind
		entry reference.Entry
		code  core.Code // "" = added
		field string
		key   string
	}{
		{"a new district", e.Admin, reference.District, reference.Entry{Code: "xingang", Labels: labels("新港區", "新港区", "Xingang")}, "", "", ""},
		{"labels are trimmed", e.Admin, reference.District, reference.Entry{Code: "  shanbei ", Labels: labels(" 山北鎮 ", "山北镇", "Shanbei  town")}, "", "", ""},
		{"not an administrator", staff, reference.District, reference.Entry{Code: "nanshan", Labels: labels("南山區", "南山区", "Nanshan")}, core.Forbidden, "", "error.forbidden"},
		{"unknown list", e.Admin, reference.Kind("planet"), reference.Entry{Code: "mars", Labels: labels("火星", "火星", "Mars")}, core.NotFound, "", "error.not_found"},
		{"code with capitals", e.Admin, reference.District, reference.Entry{Code: "NanShan", Labels: labels("南山區", "南山区", "Nanshan")}, core.Invalid, "code", "error.reference.code"},
		{"code with a hyphen", e.Admin, reference.District, reference.Entry{Code: "nan-shan", Labels: labels("南山區", "南山区", "Nanshan")}, core.Invalid, "code", "error.reference.code"},
		{"code in Chinese", e.Admin, reference.District, reference.Entry{Code: "南山", Labels: labels("南山區", "南山区", "Nanshan")}, core.Invalid, "code", "error.reference.code"},
		{"a label missing", e.Admin, reference.District, reference.Entry{Code: "nanshan", Labels: reference.Labels{"zh-Hant": "南山區", "en": "Nanshan"}}, core.Invalid, "labels.zh-Hans", "error.reference.label"},
		{"a label too long", e.Admin, reference.District, reference.Entry{Code: "nanshan", Labels: labels("南山區", "南山区", strings.Repeat("x", 51))}, core.Invalid, "labels.en", "error.reference.label"},
		{"a language the portal lacks", e.Admin, reference.District, reference.Entry{Code: "nanshan", Labels: reference.Labels{"zh-Hant": "南山區", "zh-Hans": "南山区", "en": "Nanshan", "fr": "Nanshan"}}, core.Invalid, "labels", "error.reference.language"},
		{"an existing code", e.Admin, reference.District, reference.Entry{Code: "dongcheng", Labels: labels("東城新區", "东城新区", "Dongcheng new")}, core.Conflict, "code", "error.reference.code_taken"},
		{"a sector's code as an industry", e.Admin, reference.Industry, reference.Entry{Code: "sauna", Labels: labels("浴場", "浴场", "Bathhouse")}, core.Conflict, "code", "error.reference.code_taken"},
		{"another entry's label", e.Admin, reference.District, reference.Entry{Code: "dongcheng2", Labels: labels("東城區", "东城二区", "Dongcheng 2")}, core.Invalid, "labels.zh-Hant", "error.reference.label_taken"},
		{"another entry's label in the other script", e.Admin, reference.District, reference.Entry{Code: "dongcheng2", Labels: labels("東城二區", "東城區", "Dongcheng 2")}, core.Invalid, "labels.zh-Hans", "error.reference.label_taken"},
		{"another entry's code as a label", e.Admin, reference.District, reference.Entry{Code: "dongcheng2", Labels: labels("東城二區", "东城二区", "xicheng")}, core.Invalid, "labels.en", "error.reference.label_taken"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := l.Version(tt.kind)
			err := l.Add(ctx, tt.actor, tt.kind, tt.entry, meta)
			if tt.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				code, _ := l.Resolve(tt.kind, tt.entry.Labels["zh-Hans"])
				if codes := l.Codes(tt.kind); codes[len(codes)-1] != code || l.Version(tt.kind) != v+1 {
					t.Errorf("added %q is not last of %v (version %d → %d)", code, codes, v, l.Version(tt.kind))
				}
				return
			}
			var ce *core.Error
			if !errors.As(err, &ce) || ce.Code != tt.code || (tt.field == "" && ce.Message != tt.key) || (tt.field != "" && ce.Fields[tt.field] != tt.key) {
				t.Fatalf("got %v; want %s with %s: %s", err, tt.code, tt.field, tt.key)
			}
			if l.Version(tt.kind) != v {
				t.Errorf("a refused edit changed the list")
			}
		})
	}
	if got := l.Label(reference.District, "shanbei", "en"); got != "Shanbei town" {
		t.Errorf("label %q, want the spaces collapsed", got)
	}
	if got, _ := l.Resolve(reference.District, "新港区"); got != "xingang" {
		t.Errorf("the new district does not resolve: %q", got)
	}
}

func TestNeverReuse(t *testing.T) {
	e, l := newLists(t)
	if err := l.Add(ctx, e.Admin, reference.Industry, reference.Entry{Code: "live_commerce", Labels: labels("直播電商型", "直播电商型", "Live commerce")}, meta); err != nil {
		t.Fatal(err)
	}
	if err := l.Retire(ctx, e.Admin, reference.Industry, "live_commerce", meta); err != nil {
		t.Fatal(err)
	}
	// Retired, the code is not free: it still means what records hold.
	err := l.Add(ctx, e.Admin, reference.Industry, reference.Entry{Code: "live_commerce", Labels: labels("直播型", "直播型", "Streaming")}, meta)
	if !core.IsCode(err, core.Conflict) {
		t.Fatalf("a retired code was reused: %v", err)
	}
	if got := l.Label(reference.Industry, "live_commerce", "zh-Hant"); got != "直播電商型" {
		t.Errorf("retired entry relabelled by the refused add: %q", got)
	}
}

func TestRetire(t *testing.T) {
	e, l := newLists(t)
	if err := l.Retire(ctx, e.Admin, reference.District, "beishan", meta); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(l.Codes(reference.District), "beishan") {
		t.Error("a retired district is still offered")
	}
	if !slices.Contains(l.AllCodes(reference.District), "beishan") || !l.Has(reference.District, "beishan") || l.IsActive(reference.District, "beishan") {
		t.Error("a retired district is no longer known")
	}
	if got := l.Label(reference.District, "beishan", "zh-Hans"); got != "北山县" {
		t.Errorf("a retired district lost its label: %q", got)
	}
	for _, tt := range []struct {
		name string
		rule reference.Rule
		ok   bool
	}{
		{"new data", l.Current(reference.District), false},
		{"a record keeping it", l.Current(reference.District).Keeping("beishan"), true},
		{"a record holding another", l.Current(reference.District).Keeping("xicheng"), false},
		{"filters and stored data", l.Known(reference.District), true},
	} {
		for _, in := range []string{"beishan", "北山縣", "北山县"} {
			if _, ok := tt.rule.Resolve(in); ok != tt.ok {
				t.Errorf("%s: %q accepted %v, want %v", tt.name, in, ok, tt.ok)
			}
		}
	}
	if err := l.Reactivate(ctx, e.Admin, reference.District, "beishan", meta); err != nil {
		t.Fatal(err)
	}
	if !l.IsActive(reference.District, "beishan") {
		t.Error("reactivated district not active")
	}
	// A list keeps one entry to offer.
	for _, c := range l.Codes(reference.Sector)[1:] {
		if err := l.Retire(ctx, e.Admin, reference.Sector, c, meta); err != nil {
			t.Fatal(err)
		}
	}
	last := l.Codes(reference.Sector)[0]
	if err := l.Retire(ctx, e.Admin, reference.Sector, last, meta); !core.IsCode(err, core.Conflict) {
		t.Errorf("retired the last active sector: %v", err)
	}
	if err := l.Retire(ctx, e.Admin, reference.District, "atlantis", meta); !core.IsCode(err, core.NotFound) {
		t.Errorf("retired an unknown code: %v", err)
	}
}

func TestRuleCheck(t *testing.T) {
	_, l := newLists(t)
	var v core.Validation
	district, industry, empty, bad := "東城區", " 科技型 ", "  ", "火星區"
	rule := l.Current(reference.District)
	rule.Check(&v, "district", &district)
	l.Current(reference.Industry).Check(&v, "industry", &industry)
	rule.Check(&v, "empty", &empty)
	rule.Check(&v, "bad", &bad)
	if district != "dongcheng" || industry != "technology" || empty != "" || bad != "火星區" {
		t.Errorf("resolved %q %q %q %q", district, industry, empty, bad)
	}
	list := l.Current(reference.Industry).CheckAll(&v, "industries", []string{"科技型", "technology", "社区服务型"})
	if !slices.Equal(list, []string{"technology", "community_service"}) {
		t.Errorf("CheckAll %v", list)
	}
	fields := core.FieldNames(v.Err())
	if !slices.Equal(fields, []string{"bad"}) {
		t.Errorf("fields in error %v, want only bad", fields)
	}
}

func TestOrder(t *testing.T) {
	e, l := newLists(t)
	codes := l.AllCodes(reference.District)
	reversed := slices.Clone(codes)
	slices.Reverse(reversed)
	if err := l.Reorder(ctx, e.Admin, reference.District, reversed, meta); err != nil {
		t.Fatal(err)
	}
	if got := l.Codes(reference.District); !slices.Equal(got, reversed) {
		t.Errorf("order %v, want %v", got, reversed)
	}
	if got := l.Entries(reference.District)[0]; got.Order != 1 || got.Code != "other" {
		t.Errorf("first entry %+v", got)
	}
	for name, bad := range map[string][]string{"missing one": reversed[1:], "one twice": append(slices.Clone(reversed[1:]), reversed[1]),
		"unknown one": append(slices.Clone(reversed[1:]), "atlantis")} {
		if err := l.Reorder(ctx, e.Admin, reference.District, bad, meta); !core.IsCode(err, core.Invalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := l.Move(ctx, e.Admin, reference.District, "other", 1, meta); err != nil {
		t.Fatal(err)
	}
	if err := l.Move(ctx, e.Admin, reference.District, "dongcheng", -100, meta); err != nil {
		t.Fatal(err)
	}
	got := l.Codes(reference.District)
	if got[0] != "dongcheng" || got[1] != reversed[1] || got[2] != "other" {
		t.Errorf("after moves %v", got)
	}
}

func TestRelabel(t *testing.T) {
	e, l := newLists(t)
	if err := l.Relabel(ctx, e.Admin, reference.District, "hightech", labels("高新技術產業開發區", "高新技术产业开发区", "High-tech zone"), meta); err != nil {
		t.Fatal(err)
	}
	if got, _ := l.Resolve(reference.District, "高新技术产业开发区"); got != "hightech" {
		t.Errorf("new label resolves to %q", got)
	}
	if _, ok := l.Resolve(reference.District, "高新區"); ok {
		t.Error("the old label still resolves")
	}
	err := l.Relabel(ctx, e.Admin, reference.District, "hightech", labels("東城區", "东城区", "Dongcheng"), meta)
	if !core.IsCode(err, core.Invalid) {
		t.Errorf("took another district's labels: %v", err)
	}
}

// TestReplicas: two processes on one database. An edit on one is seen on
// the other once its snapshot is older than RefreshEvery, without a read
// on the request's path; concurrent edits both land.
func TestReplicas(t *testing.T) {
	e, a := newLists(t)
	b := servicetest.Must(reference.New(reference.Deps{Store: e.Store, Audit: e.Audit, Clock: e.Clock, Log: e.Log, RefreshEvery: time.Minute}))
	if err := b.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.Add(ctx, e.Admin, reference.District, reference.Entry{Code: "xingang", Labels: labels("新港區", "新港区", "Xingang")}, meta); err != nil {
		t.Fatal(err)
	}
	if b.Has(reference.District, "xingang") {
		t.Fatal("the other replica saw the edit before its snapshot aged")
	}
	e.Advance(2 * time.Minute)
	deadline := time.Now().Add(5 * time.Second)
	for !b.Has(reference.District, "xingang") {
		if time.Now().After(deadline) {
			t.Fatal("the other replica never reloaded")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if a.Version(reference.District) != b.Version(reference.District) {
		t.Errorf("versions %d and %d", a.Version(reference.District), b.Version(reference.District))
	}

	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, l := range []*reference.Lists{a, b} {
		wg.Go(func() {
			code := []string{"north_port", "south_port"}[i]
			errs[i] = l.Add(ctx, e.Admin, reference.District, reference.Entry{Code: code, Labels: labels(code+"繁", code+"简", code)}, meta)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if !a.Has(reference.District, "north_port") || !a.Has(reference.District, "south_port") {
		t.Errorf("a concurrent edit was lost: %v", a.AllCodes(reference.District))
	}
}
