package policy_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"onestop/portal/portaltest"
	"onestop/services/accounts"
)

func TestPolicyEditing(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	_, admin, _ := tp.Account(accounts.Admin, "admin@test.cn")
	_, hotline, _ := tp.Account(accounts.Hotline, "hotline@test.cn")
	_, body := tp.Do("GET", "/api/v1/policies/guaranteed-loan", nil, "")
	p := portaltest.Decode[map[string]any](t, body)
	if p["version"].(float64) != 1 {
		t.Fatalf("seed version %v", p["version"])
	}
	edit := func(changes map[string]any) map[string]any {
		out := map[string]any{}
		for k, v := range p {
			if k != "updated_at" && k != "updated_by" {
				out[k] = v
			}
		}
		for k, v := range changes {
			out[k] = v
		}
		return out
	}
	raise := map[string]any{"all": []any{
		map[string]any{"fact": "target_groups", "op": "contains", "value": "land_expropriated_farmer"},
		map[string]any{"fact": "venture.micro_profit", "op": "is", "value": true},
	}}
	tp.Run(t, []portaltest.Scenario{
		{Name: "hotline cannot edit", Method: "PUT", Path: "/api/v1/admin/policies/guaranteed-loan", Token: hotline, Body: edit(nil), Status: 403},
		{Name: "unknown fact", Method: "PUT", Path: "/api/v1/admin/policies/guaranteed-loan", Token: admin, Status: 422,
			Body:     edit(map[string]any{"conditions": map[string]any{"fact": "shoe_size", "op": "gt", "value": 40}}),
			Contains: []string{`"field":"conditions"`, `"code":"error.cond.fact"`, "$：沒有「shoe_size」這項資料"}, NotContains: []string{"unknown fact"}},
		{Name: "wrong operator", Method: "PUT", Path: "/api/v1/admin/policies/guaranteed-loan", Token: admin, Status: 422,
			Body:     edit(map[string]any{"conditions": map[string]any{"fact": "age", "op": "contains", "value": 40}}),
			Contains: []string{"$：「age」不能用運算「contains」，可用：eq, lt, lte, gt, gte。"}, NotContains: []string{"does not apply"}},
		{Name: "missing language", Method: "PUT", Path: "/api/v1/admin/policies/guaranteed-loan", Token: admin, Status: 422,
			Body: edit(map[string]any{"name": map[string]string{"zh-Hant": "只有繁體"}}), Contains: []string{"name.en"}},
		{Name: "negative amount", Method: "PUT", Path: "/api/v1/admin/policies/guaranteed-loan", Token: admin, Status: 422,
			Body: edit(map[string]any{"benefit": map[string]any{"amount_yuan": -5}}), Contains: []string{`"field":"benefit"`}},
		{Name: "save", Method: "PUT", Path: "/api/v1/admin/policies/guaranteed-loan", Token: admin, Status: 200,
			Body: edit(map[string]any{"conditions": raise}), Contains: []string{`"version":2`}},
		{Name: "stale version", Method: "PUT", Path: "/api/v1/admin/policies/guaranteed-loan", Token: admin, Status: 409,
			Body: edit(map[string]any{"conditions": raise})},
		{Name: "id in the body must match", Method: "PUT", Path: "/api/v1/admin/policies/guaranteed-loan", Token: admin, Status: 422,
			Body: edit(map[string]any{"id": "fee-exemption-3y", "version": 2})},
		{Name: "the engine uses the new version", Method: "POST", Path: "/api/v1/eligibility/check", Status: 200,
			Body:     map[string]any{"profile": map[string]any{"target_groups": []string{"land_expropriated_farmer"}, "venture": map[string]any{"micro_profit": true}}},
			Contains: []string{`"policy_id":"guaranteed-loan","name":"小額擔保貸款（微利項目）","status":"eligible"`}},
	})
	_, body = tp.Do("GET", "/api/v1/admin/audit?action=policy.edit", nil, admin)
	if !strings.Contains(string(body), "version 2") {
		t.Errorf("edit not audited: %s", body)
	}
}

func TestEligibilityCheckAPI(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	tp.Run(t, []portaltest.Scenario{
		{Name: "public check in English", Method: "POST", Path: "/api/v1/eligibility/check", Status: 200,
			Body:     map[string]any{"as_of": "2026-11-25", "profile": map[string]any{"target_groups": []string{"registered_unemployed"}, "venture": map[string]any{"stage": "preparing", "form": "individual"}}},
			Contains: []string{`"as_of":"2026-11-25"`, `"policy_id":"fee-exemption-3y"`, `"status":"eligible"`, "Registered unemployed"}, Header: []string{"Accept-Language", "en"}},
		{Name: "needs info names the facts", Method: "POST", Path: "/api/v1/eligibility/check", Status: 200,
			Body: map[string]any{"profile": map[string]any{}}, Contains: []string{`"missing":["target_groups"`, `"status":"needs_info"`}},
		{Name: "unknown group", Method: "POST", Path: "/api/v1/eligibility/check", Status: 422,
			Body: map[string]any{"profile": map[string]any{"target_groups": []string{"martian"}}}},
		{Name: "impossible as_of", Method: "POST", Path: "/api/v1/eligibility/check", Status: 422, Body: map[string]any{"as_of": "2026-13-01", "profile": map[string]any{}}},
		{Name: "future birth", Method: "POST", Path: "/api/v1/eligibility/check", Status: 422, Body: map[string]any{"profile": map[string]any{"birth_date": "2999-01-01"}}},
		{Name: "unknown field", Method: "POST", Path: "/api/v1/eligibility/check", Status: 422, Body: map[string]any{"profile": map[string]any{"shoe_size": 42}}},
		{Name: "negative farmland", Method: "POST", Path: "/api/v1/eligibility/check", Status: 422, Body: map[string]any{"profile": map[string]any{"farmland_per_capita_mu": -1}}},
		{Name: "policy list", Method: "GET", Path: "/api/v1/policies", Status: 200, Contains: []string{"farmer-tax-relief", "free-employment-services"}},
		{Name: "unknown policy", Method: "GET", Path: "/api/v1/policies/nope", Status: 404},
	})
	_ = tp
}

// TestSelfCheckGrows: the public self-check starts short and, after each
// round, asks what the undecided supports still need, keeping the answers.
func TestSelfCheckGrows(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	b := tp.Browser()
	_, doc := b.Get("/check")
	if doc.Find(`input[name="target_groups"]`).Length() != 8 || doc.Find(`[name="venture.first_registered"]`).Length() != 0 {
		t.Fatal("the first round is not the short form")
	}
	if doc.Find(".results").Length() != 0 {
		t.Fatal("results before any answer")
	}
	form := url.Values{"target_groups": {"college_graduate"}, "venture.stage": {"operating"}, "venture.form": {"individual"}}
	resp, doc := b.Post("/check", form, portaltest.CSRF(doc))
	if resp.StatusCode != 200 {
		t.Fatalf("round 1: %d", resp.StatusCode)
	}
	if doc.Find("#policy-fee-exemption-3y .badge").Text() != "需補充資料" {
		t.Errorf("fee exemption: %q", doc.Find("#policy-fee-exemption-3y .badge").Text())
	}
	if doc.Find(`[name="graduation_date"]`).Length() != 1 {
		t.Error("the graduation date is not asked for")
	}
	if v, _ := doc.Find(`input[value="college_graduate"]`).Attr("checked"); v != "checked" && !doc.Find(`input[value="college_graduate"]`).Is("[checked]") {
		t.Error("the answer was lost between rounds")
	}
	form.Set("graduation_date", "2025-07-01")
	form.Set("venture.first_registered", "2025-09-01")
	_, doc = b.Post("/check", form, portaltest.CSRF(doc))
	if got := doc.Find("#policy-fee-exemption-3y .badge").Text(); got != "符合" {
		t.Errorf("after round 2: %q (%s)", got, doc.Find("#policy-fee-exemption-3y").Text())
	}
	if !strings.Contains(doc.Find("#policy-fee-exemption-3y .benefit").Text(), "2028-08-31") {
		t.Errorf("benefit dates: %q", doc.Find("#policy-fee-exemption-3y .benefit").Text())
	}
	// Bad answers come back on the form, in the user's language.
	form.Set("graduation_date", "2025-02-30")
	resp, doc = b.Post("/check", form, portaltest.CSRF(doc))
	if resp.StatusCode != 422 || doc.Find(`[id="e-graduation_date"]`).Text() != "請以「年-月-日」格式填寫有效日期。" {
		t.Errorf("bad date: %d %q", resp.StatusCode, doc.Find(`[id="e-graduation_date"]`).Text())
	}
}

// TestSelfCheckAsksTheRegistrationDate: a graduate of three years ago who
// runs an individual business may still be within the fee rule (the two
// years run to the registration): the self-check asks the date before it
// says anything, and with it says eligible to the end of the three years.
// The answers then carry into registration and the new profile.
func TestSelfCheckAnswersCarryIntoRegistration(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	b := tp.Browser()
	_, doc := b.Get("/check")
	form := url.Values{"target_groups": {"college_graduate"}, "graduation_date": {"2023-07-01"}, "birth_date": {"2001-03-04"},
		"venture.stage": {"operating"}, "venture.form": {"individual"}}
	_, doc = b.Post("/check", form, portaltest.CSRF(doc))
	if got := doc.Find("#policy-fee-exemption-3y .badge").Text(); got != "需補充資料" {
		t.Errorf("without the registration date: %q (%s)", got, doc.Find("#policy-fee-exemption-3y").Text())
	}
	if doc.Find(`[name="venture.first_registered"]`).Length() != 1 {
		t.Fatal("the registration date is not asked for")
	}
	form.Set("venture.first_registered", "2024-07-01")
	_, doc = b.Post("/check", form, portaltest.CSRF(doc))
	if got := doc.Find("#policy-fee-exemption-3y .badge").Text(); got != "符合" {
		t.Errorf("with the registration date: %q (%s)", got, doc.Find("#policy-fee-exemption-3y").Text())
	}
	if !strings.Contains(doc.Find("#policy-fee-exemption-3y .benefit").Text(), "2027-06-30") {
		t.Errorf("benefit end: %q", doc.Find("#policy-fee-exemption-3y .benefit").Text())
	}
	if doc.Find("#check-forget").Length() != 1 {
		t.Error("the page does not say the answers are kept, nor offer to clear them")
	}

	resp := b.Register(url.Values{"name": {"陳畢業"}, "login": {"grad@test.cn"}, "password": {portaltest.Password}, "password2": {portaltest.Password}})
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/profile" {
		t.Fatalf("after registration: %d -> %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, doc = b.Get("/profile")
	if doc.Find("#from-check").Length() != 1 {
		t.Error("the profile does not say where its answers came from")
	}
	for name, want := range map[string]string{"graduation_date": "2023-07-01", "birth_date": "2001-03-04", "venture.first_registered": "2024-07-01"} {
		if got, _ := doc.Find(`input[name="` + name + `"]`).Attr("value"); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if !doc.Find(`input[name="target_groups"][value="college_graduate"]`).Is("[checked]") {
		t.Error("the target group did not carry")
	}
	if got := doc.Find(`select[name="venture.stage"] option[selected]`).AttrOr("value", ""); got != "operating" {
		t.Errorf("stage %q", got)
	}

	// Cleared on request: a shared computer keeps nothing.
	b2 := tp.Browser()
	_, doc = b2.Get("/check")
	_, doc = b2.Post("/check", form, portaltest.CSRF(doc))
	resp, _ = b2.Post("/check/forget", url.Values{}, portaltest.CSRF(doc))
	if resp.StatusCode != 303 {
		t.Fatalf("forget: %d", resp.StatusCode)
	}
	resp = b2.Register(url.Values{"name": {"林新"}, "login": {"new@test.cn"}, "password": {portaltest.Password}, "password2": {portaltest.Password}})
	if resp.Header.Get("Location") != "/" {
		t.Errorf("after forgetting, registration leads to %s", resp.Header.Get("Location"))
	}
	_, doc = b2.Get("/profile")
	if doc.Find("#from-check").Length() != 0 || doc.Find(`input[name="graduation_date"]`).AttrOr("value", "") != "" {
		t.Error("forgotten answers came back")
	}
}

// TestReasonsReadAsTheRuleSays (#17.4): a failed either/or reads as one
// line naming its alternatives ("men under 40 or women under 35"), not as
// a bar on the person's gender; a farmer outside the training age band is
// told she may sign up voluntarily, not that she is not eligible; and a
// yes/no fact reads as its own statement, never as a double negative.
func TestReasonsReadAsTheRuleSays(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	b := tp.Browser()
	_, doc := b.Get("/check")
	form := url.Values{"target_groups": {"land_expropriated_farmer"}, "birth_date": {tp.Now().AddDate(-41, 0, -10).Format("2006-01-02")}, "gender": {"male"},
		"on_farmer_roster": {"yes"}, "has_skill_certificate": {"no"}, "employed": {"no"}, "training_refusals": {"0"},
		"farmland_per_capita_mu": {"0.3"}, "relocated_by_law": {"no"},
		"venture.stage": {"preparing"}, "venture.micro_profit": {"yes"}, "venture.own_funds_sufficient": {"yes"}}
	_, doc = b.Post("/check", form, portaltest.CSRF(doc))
	lines := func(id string) []string {
		var out []string
		doc.Find("#policy-" + id + " .reasons li").Each(func(_ int, li *goquery.Selection) { out = append(out, li.Text()) })
		return out
	}
	training := lines("farmer-free-training")
	if got := doc.Find("#policy-farmer-free-training .badge").Text(); got != "可自願報名參加" {
		t.Errorf("a 41-year-old farmer and the training: %q", got)
	}
	band := slices.IndexFunc(training, func(s string) bool { return strings.Contains(s, "性別") })
	if band < 0 || training[band] != "✗ 性別為「男」，且年齡小於 40；或性別為「女」，且年齡小於 35（您的資料：性別：男、年齡：41）" ||
		slices.ContainsFunc(training[band+1:], func(s string) bool { return strings.Contains(s, "性別") }) {
		t.Errorf("the age band is not one line naming both alternatives: %q", training)
	}
	if note := doc.Find("#policy-farmer-free-training .reasons li.note").Text(); note != "在此條件以外的人，本著自願原則根據個人申請也可報名參加。" {
		t.Errorf("the voluntary note: %q", note)
	}
	if got := doc.Find("#policy-farmer-free-training .benefit").Text(); !strings.Contains(got, "經主管部門審核同意後可享受：減免培訓費") {
		t.Errorf("the benefit on approval: %q", got)
	}
	if got := doc.Find("#tally").Text(); !strings.Contains(got, "可自願報名參加 1 項") {
		t.Errorf("tally: %q", got)
	}
	if got := lines("farmer-unemployment-registration"); !slices.Contains(got,
		"✗ 徵地後人均耕地（畝）小於 0.1；或屬依法拆村建居人員（您的資料：徵地後人均耕地（畝）：0.3、不屬依法拆村建居人員）") {
		t.Errorf("the registration's either/or: %q", got)
	}
	loan := doc.Find("#policy-guaranteed-loan .reasons").Text()
	if !strings.Contains(loan, "✗ 自籌資金不足（您的資料：自籌資金充足）") || strings.Contains(loan, "並非") {
		t.Errorf("the loan's reasons: %q", loan)
	}
	// The API says the same, marks the structure and the waived part.
	_, body := tp.Do("POST", "/api/v1/eligibility/check", map[string]any{"profile": map[string]any{"gender": "male", "birth_date": form.Get("birth_date"),
		"target_groups": []string{"land_expropriated_farmer"}, "on_farmer_roster": true, "has_skill_certificate": false, "employed": false, "training_refusals": 0}}, "")
	for _, want := range []string{`"either":1,"branch":2,"voluntary":true`, `"status":"voluntary"`, "；或性別為「女」", "本著自願原則"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("API lacks %s: %s", want, body)
		}
	}
	// Undecided between alternatives: one line, asking for either.
	_, body = tp.Do("POST", "/api/v1/eligibility/check", map[string]any{"profile": map[string]any{"target_groups": []string{"land_expropriated_farmer"},
		"on_farmer_roster": true, "employed": false}}, "")
	if want := "？ 徵地後人均耕地（畝）小於 0.1；或屬依法拆村建居人員（請提供：徵地後人均耕地（畝）、屬依法拆村建居人員）"; !strings.Contains(string(body), want) {
		t.Errorf("undecided either/or, want %s: %s", want, body)
	}
}

// TestSelfCheckAsksInOneRound: after the first answers, every question the
// undecided supports may still need comes at once (a rule's later
// conditions with its gate), not one rule's next question per press.
func TestSelfCheckAsksInOneRound(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	b := tp.Browser()
	_, doc := b.Get("/check")
	form := url.Values{"target_groups": {"land_expropriated_farmer"}, "venture.stage": {"preparing"}}
	_, doc = b.Post("/check", form, portaltest.CSRF(doc))
	for _, name := range []string{"on_farmer_roster", "has_skill_certificate", "employed", "training_refusals", "venture.micro_profit", "venture.own_funds_sufficient"} {
		if doc.Find(`[name="`+name+`"]`).Length() != 1 {
			t.Errorf("%s is not asked in the second round", name)
		}
	}
}

// TestPolicyEditorSaysWhatIsWrong (#20.9): the policy editor labels the
// name as a policy's (not 「真實姓名」), says under the conditions what is
// wrong with them in the administrator's language — not "unexpected EOF"
// or `unknown fact …` — keeping what was typed, and its history names who
// saved each version instead of showing an account id.
func TestPolicyEditorSaysWhatIsWrong(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	adminID, _, _ := tp.Account(accounts.Admin, "admin@test.cn")
	b, _ := tp.SignedIn(t, "admin@test.cn")
	const page = "/admin/policies/guaranteed-loan"
	_, doc := b.Get(page)
	if got := doc.Find(`label[for="name-zh-Hant"]`).Text(); got != "政策名稱" {
		t.Errorf("the name is labelled %q", got)
	}
	if got := doc.Find("ol.history li").Last().Text(); !strings.HasSuffix(got, "· 系統預設") {
		t.Errorf("the seed version reads %q", got)
	}
	form := url.Values{}
	doc.Find("#policy-form input, #policy-form textarea").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		if v, ok := s.Attr("value"); ok {
			form.Set(name, v)
		} else {
			form.Set(name, s.Text())
		}
	})
	csrf := portaltest.CSRF(doc)
	for _, tt := range []struct{ lang, conditions, want string }{
		{"zh-Hant", `{"all": [{"fact": "age", "op": "lt", "value": 40}`, "JSON 不完整：結尾少了括號或引號。"},
		{"zh-Hant", `{"fact": "shoe_size", "op": "gt", "value": 40}`, "$：沒有「shoe_size」這項資料；可用的資料項列在下方。"},
		{"zh-Hans", `{"fact": "age", "op": "lt", "value": "forty"}`, "$：lt 的值须为数字。"},
		{"en", "{\n\"fact\" \"age\"}", "The JSON is not well formed near line 2, column 8."},
	} {
		b.Cookies["lang"] = tt.lang
		form.Set("conditions", tt.conditions)
		resp, doc := b.Post(page, form, csrf)
		if got := doc.Find("#e-conditions").Text(); resp.StatusCode != 422 || got != tt.want {
			t.Errorf("%s %s: %d, says %q; want %q", tt.lang, tt.conditions, resp.StatusCode, got, tt.want)
		}
		if kept := doc.Find("#conditions").Text(); kept != tt.conditions {
			t.Errorf("what was typed became %q", kept)
		}
	}
	b.Cookies["lang"] = "zh-Hant"
	form.Set("conditions", `{"fact": "age", "op": "lt", "value": 40}`)
	if resp, _ := b.Post(page, form, csrf); resp.StatusCode != 303 {
		t.Fatalf("a good edit: %d", resp.StatusCode)
	}
	_, doc = b.Get(page)
	history := doc.Find("ol.history").Text()
	if !strings.Contains(history, "v2 · ") || !strings.Contains(history, "· 測試admin") || strings.Contains(history, adminID) {
		t.Errorf("the history reads %q", history)
	}
}

// formOf reads a form as a browser would send it: text fields, text areas,
// the checked boxes and the selected options.
func formOf(doc *goquery.Document, sel string) url.Values {
	form := url.Values{}
	doc.Find(sel + " input").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		typ, _ := s.Attr("type")
		v, _ := s.Attr("value")
		if (typ == "checkbox" || typ == "radio") && s.AttrOr("checked", "-") == "-" {
			return
		}
		form.Add(name, v)
	})
	doc.Find(sel + " textarea").Each(func(_ int, s *goquery.Selection) { form.Set(s.AttrOr("name", ""), s.Text()) })
	doc.Find(sel + " select").Each(func(_ int, s *goquery.Selection) {
		form.Set(s.AttrOr("name", ""), s.Find("option[selected]").AttrOr("value", ""))
	})
	return form
}

// TestPolicyEditorKeepsHowItIsApplied (#17): the editor shows every part
// of how a support is applied for — evidence, time limit, decider, the
// reward's terms — and saving a change of one keeps the others; a bad
// value is said at its field.
func TestPolicyEditorKeepsHowItIsApplied(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	_, admin, _ := tp.Account(accounts.Admin, "admin@test.cn")
	b, _ := tp.SignedIn(t, "admin@test.cn")
	for _, tt := range []struct {
		id, field, value, check string
	}{
		{"fee-exemption-3y", "apply_days", "7", `"apply":{"kind":"certificate","documents":["id_card","business_licence"],"days":7}`},
		{"farmer-entity-reward", "apply_lines_min_lines", "15", `"lines":{"contract_years":3,"served_years":3,"on_roster":true,"min_lines":15}`},
		{"farmer-free-training", "apply_months", "6", `"apply":{"kind":"voucher","course":"skills","months":6,"auto":true}`},
	} {
		page := "/admin/policies/" + tt.id
		_, doc := b.Get(page)
		form := formOf(doc, "#policy-form")
		form.Set(tt.field, tt.value)
		if resp, _ := b.Post(page, form, portaltest.CSRF(doc)); resp.StatusCode != 303 {
			t.Fatalf("%s: save %d", tt.id, resp.StatusCode)
		}
		if got := string(tp.MustDo(t, "GET", "/api/v1/policies/"+tt.id, nil, admin)); !strings.Contains(got, tt.check) || !strings.Contains(got, `"version":2`) {
			t.Errorf("%s after the edit: %s", tt.id, got)
		}
	}
	page := "/admin/policies/farmer-unemployment-registration"
	_, doc := b.Get(page)
	form := formOf(doc, "#policy-form")
	form.Set("apply_prefix", "J1")
	resp, doc := b.Post(page, form, portaltest.CSRF(doc))
	if got := doc.Find(`[id="e-apply.prefix"]`).Text(); resp.StatusCode != 422 || !strings.Contains(got, "大寫英文字母") {
		t.Errorf("a bad prefix: %d %q", resp.StatusCode, got)
	}
	if v, _ := doc.Find("#apply-prefix").Attr("value"); v != "J1" {
		t.Errorf("what was typed became %q", v)
	}
}

// TestPolicyEditorMakesASubsidy (#17 §1): an administrator turns the
// returning workers' support into a one-off subsidy on the editor — said
// at its field when the amount is missing — and a returning worker applies
// for it at once, without a release.
func TestPolicyEditorMakesASubsidy(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	tp.Account(accounts.Admin, "admin@test.cn")
	_, worker, _ := tp.Account(accounts.Entrepreneur, "worker@test.cn")
	tp.MustDo(t, "PUT", "/api/v1/me/profile", map[string]any{"real_name": "趙麗華", "consent_version": "2026-11",
		"target_groups": []string{"returning_migrant_worker"}, "venture": map[string]any{"stage": "idea"}}, worker)
	b, _ := tp.SignedIn(t, "admin@test.cn")
	const page = "/admin/policies/returning-migrant-startup-support"
	_, doc := b.Get(page)
	form := formOf(doc, "#policy-form")
	form.Set("apply_kind", "subsidy")
	form.Add("apply_documents", "id_card")
	resp, doc := b.Post(page, form, portaltest.CSRF(doc))
	if got := doc.Find("#e-benefit").Text(); resp.StatusCode != 422 || got != "補貼申領須填寫扶持金額。" {
		t.Fatalf("a subsidy without its amount: %d %q", resp.StatusCode, got)
	}
	form.Set("benefit_amount_yuan", "3000")
	if resp, _ := b.Post(page, form, portaltest.CSRF(doc)); resp.StatusCode != 303 {
		t.Fatalf("the subsidy: %d", resp.StatusCode)
	}
	if got := string(tp.MustDo(t, "GET", "/api/v1/policies/returning-migrant-startup-support", nil, "")); !strings.Contains(got, `"amount_yuan":3000`) ||
		!strings.Contains(got, `"apply":{"kind":"subsidy","documents":["id_card"]}`) {
		t.Errorf("after the edit: %s", got)
	}
	wb, _ := tp.SignedIn(t, "worker@test.cn")
	if resp, doc := wb.Get("/grants/new?policy=returning-migrant-startup-support"); resp.StatusCode != 200 || !strings.Contains(doc.Text(), "補貼按政策標準一次性發放") {
		t.Errorf("the application page: %d", resp.StatusCode)
	}
	if got := string(tp.MustDo(t, "POST", "/api/v1/grants", map[string]any{"policy_id": "returning-migrant-startup-support"}, worker)); !strings.Contains(got, `"kind":"subsidy"`) {
		t.Errorf("applied: %s", got)
	}
}
