package policy_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onestop/portal/portaltest"
	"onestop/services/accounts"
)

func ruralHukou(version int, kind string) map[string]any {
	return map[string]any{"kind": kind, "set_by": "person", "version": version,
		"label": map[string]string{"zh-Hant": "農村戶籍", "zh-Hans": "农村户籍", "en": "Rural household registration"}}
}

// TestDefinedFactsAPI (#17 §4): an administrator defines a fact through
// the API; every refusal is problem+json at its field in the caller's
// language; profiles then take a value for it, checked by its kind.
func TestDefinedFactsAPI(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	_, admin, _ := tp.Account(accounts.Admin, "admin@test.cn")
	_, hotline, _ := tp.Account(accounts.Hotline, "hotline@test.cn")
	_, owner, _ := tp.Account(accounts.Entrepreneur, "owner@test.cn")
	profile := func(extra map[string]any) map[string]any {
		return portaltest.With(portaltest.GoodProfile(), "extra", extra)
	}
	tp.Run(t, []portaltest.Scenario{
		{Name: "the hotline cannot define", Method: "PUT", Path: "/api/v1/admin/facts/rural_hukou", Token: hotline, Body: ruralHukou(0, "bool"), Status: 403},
		{Name: "a built-in name", Method: "PUT", Path: "/api/v1/admin/facts/employed", Token: admin, Body: ruralHukou(0, "bool"), Status: 422,
			Contains: []string{`"field":"name"`, "不得與既有資料項重名"}},
		{Name: "an unknown kind", Method: "PUT", Path: "/api/v1/admin/facts/rural_hukou", Token: admin, Body: ruralHukou(0, "text"), Status: 422,
			Contains: []string{`"field":"kind"`}},
		{Name: "a missing label", Method: "PUT", Path: "/api/v1/admin/facts/rural_hukou", Token: admin, Status: 422,
			Body: map[string]any{"kind": "bool", "set_by": "person", "label": map[string]string{"zh-Hant": "農村戶籍"}}, Contains: []string{`"field":"label.en"`}},
		{Name: "define", Method: "PUT", Path: "/api/v1/admin/facts/rural_hukou", Token: admin, Body: ruralHukou(0, "bool"), Status: 200,
			Contains: []string{`"name":"rural_hukou"`, `"version":1`}, NotContains: []string{"updated_by"}},
		{Name: "the same name again", Method: "PUT", Path: "/api/v1/admin/facts/rural_hukou", Token: admin, Body: ruralHukou(0, "bool"), Status: 409},
		{Name: "a stale edit", Method: "PUT", Path: "/api/v1/admin/facts/rural_hukou", Token: admin, Body: ruralHukou(3, "bool"), Status: 409},
		{Name: "the kind stays", Method: "PUT", Path: "/api/v1/admin/facts/rural_hukou", Token: admin, Body: ruralHukou(1, "number"), Status: 422,
			Contains: []string{`"field":"kind"`, "類型儲存後不能更改"}},
		{Name: "anyone reads the facts", Method: "GET", Path: "/api/v1/facts", Status: 200, Contains: []string{`"name":"rural_hukou"`, `"set_by":"person"`}},
		{Name: "a profile with a value", Method: "PUT", Path: "/api/v1/me/profile", Token: owner, Body: profile(map[string]any{"rural_hukou": true}), Status: 200},
		{Name: "the value as stored", Method: "GET", Path: "/api/v1/me/profile", Token: owner, Status: 200, Contains: []string{`"extra":{"rural_hukou":"true"}`}},
		{Name: "not a yes or no", Method: "PUT", Path: "/api/v1/me/profile", Token: owner, Body: profile(map[string]any{"rural_hukou": 3}), Status: 422,
			Contains: []string{`"field":"extra.rural_hukou"`, "請選擇是或否"}},
		{Name: "an undefined fact", Method: "PUT", Path: "/api/v1/me/profile", Token: owner, Body: profile(map[string]any{"shoe_size": 40}), Status: 422,
			Contains: []string{`"field":"extra.shoe_size"`, "沒有這個資料項"}},
		{Name: "a rule reading it", Method: "POST", Path: "/api/v1/eligibility/check", Status: 200,
			Body:     map[string]any{"profile": map[string]any{"extra": map[string]any{"rural_hukou": "yes"}}},
			Contains: []string{`"status"`}},
	})
	if got := string(tp.MustDo(t, "GET", "/api/v1/admin/audit?action=fact.define", nil, admin)); !strings.Contains(got, "rural_hukou") {
		t.Errorf("the definition is not audited: %s", got)
	}
}

// TestBrowserDefinedFactRule (#17 §4): a new rule without a release, on a
// phone. The administrator defines 農村戶籍, writes it into the returning
// workers' support, and a returning worker finds the question on her
// profile; answering it makes her eligible, pending the check of her word.
func TestBrowserDefinedFactRule(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	tp.Account(accounts.Admin, "admin@test.cn")
	_, worker, _ := tp.Account(accounts.Entrepreneur, "worker@test.cn")
	tp.MustDo(t, "PUT", "/api/v1/me/profile", map[string]any{"real_name": "趙麗華", "consent_version": "2026-11",
		"target_groups": []string{"returning_migrant_worker"}, "venture": map[string]any{"stage": "idea"}}, worker)

	s := portaltest.NewSession(t, tp, 3*time.Minute)
	s.Step("phone screen", chromedp.EmulateViewport(375, 812))
	s.ZhHant()
	s.Login("admin@test.cn")
	s.Step("the facts", chromedp.Navigate(s.Base+"/admin/facts"), chromedp.WaitVisible(chromedp.ID("facts-empty")))
	s.Step("a name already built in", chromedp.SendKeys(chromedp.ID("fact-name"), "employed"),
		chromedp.SendKeys(chromedp.ID("fact-label-zh-Hant"), "農村戶籍"), chromedp.SendKeys(chromedp.ID("fact-label-zh-Hans"), "农村户籍"),
		chromedp.SendKeys(chromedp.ID("fact-label-en"), "Rural household registration"),
		chromedp.Click(chromedp.ID("fact-save")), chromedp.WaitVisible(chromedp.ID("e-name")))
	if got := s.Text("#e-name"); !strings.Contains(got, "不得與既有資料項重名") {
		t.Errorf("a built-in name: %q", got)
	}
	if got, _ := chromedp.Run(s.Ctx, chromedp.Evaluate[string](`document.getElementById("fact-label-en").value`)); got != "Rural household registration" {
		t.Errorf("what was typed became %q", got)
	}
	s.Step("define it", chromedp.SetValue(chromedp.ID("fact-name"), "rural_hukou"), chromedp.Click(chromedp.ID("fact-save")),
		chromedp.WaitVisible(chromedp.ID("fact-rural_hukou")))
	s.Fits("the facts page")
	s.Legible("the facts page")
	portaltest.Screenshot(t, s.Ctx, "admin-facts-phone")

	s.Step("the rule", chromedp.Navigate(s.Base+"/admin/policies/returning-migrant-startup-support"), chromedp.WaitVisible(chromedp.ID("conditions")))
	if help := s.Text("#conditions-help"); !strings.Contains(help, "rural_hukou") {
		t.Errorf("the editor's list of facts: %q", help)
	}
	s.Step("read the new fact", chromedp.SetValue(chromedp.ID("conditions"), `{"all": [
  {"fact": "target_groups", "op": "contains", "value": "returning_migrant_worker"},
  {"fact": "venture.stage", "op": "in", "value": ["idea", "preparing", "operating"]},
  {"fact": "rural_hukou", "op": "is", "value": true}]}`), chromedp.Click(chromedp.ID("policy-submit")),
		chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="admin.policies.saved"]`)))
	s.Logout()

	s.Login("worker@test.cn")
	s.Step("her supports", chromedp.Navigate(s.Base+"/supports"), chromedp.WaitVisible(chromedp.ID("policy-returning-migrant-startup-support")))
	if got := s.Text("#policy-returning-migrant-startup-support .missing"); !strings.Contains(got, "農村戶籍") {
		t.Errorf("what the support still needs: %q", got)
	}
	s.Step("her profile", chromedp.Navigate(s.Base+"/profile"), chromedp.WaitVisible(chromedp.ID("defined-facts")))
	if got := s.Text(`#defined-facts label[for="f-extra.rural_hukou"]`); got != "農村戶籍" {
		t.Errorf("the question reads %q", got)
	}
	s.Step("answer it", chromedp.SetValue(chromedp.CSS(`[id="f-extra.rural_hukou"]`), "yes"), chromedp.Click(chromedp.ID("profile-submit")),
		chromedp.WaitVisible(chromedp.ID("policy-returning-migrant-startup-support")))
	if got := s.Text("#policy-returning-migrant-startup-support .badge"); got != "符合（待核實：農村戶籍）" {
		t.Errorf("answered, the support reads %q", got)
	}
	if got := s.Text("#pending-returning-migrant-startup-support"); !strings.Contains(got, "「農村戶籍」的證明材料") {
		t.Errorf("what to bring: %q", got)
	}
	s.Fits("her supports")
	portaltest.Screenshot(t, s.Ctx, "defined-fact-supports-phone")
}
