package policy_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"onestop/portal/portaltest"
	"onestop/services/accounts"
)

// TestOrganisationSupportsApart (#17.4): the rewards employers, labour
// agencies and farmers' entities claim are not a person's "needs
// information": they stand apart under their own heading, ask nothing and
// count in no tally — and a person whose own firm qualifies sees it so.
func TestOrganisationSupportsApart(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	b := tp.Browser()
	_, doc := b.Get("/check")
	form := url.Values{"target_groups": {"land_expropriated_farmer"}, "venture.stage": {"idea"}}
	_, doc = b.Post("/check", form, portaltest.CSRF(doc))
	for _, id := range []string{"farmer-hiring-reward", "farmer-placement-reward", "farmer-entity-reward"} {
		r := doc.Find("#org-supports #policy-" + id)
		if r.Length() != 1 || r.Find(".badge").Text() != "由用人單位或機構申領" || r.Find(".missing").Length() != 0 {
			t.Errorf("%s for a farmer with an idea: %q", id, r.Text())
		}
	}
	if doc.Find("#results > .results .needs_info, #results > .results .not_eligible").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return strings.Contains(s.AttrOr("id", ""), "-reward")
	}).Length() != 0 {
		t.Error("an organisation's reward is among the person's own results")
	}
	if got := doc.Find("#org-supports-h").Text(); got != "給用人單位和機構的扶持" {
		t.Errorf("section heading %q", got)
	}
	for _, name := range []string{"venture.placement_agency", "venture.land_farmers_placed", "venture.land_farmer_employees", "venture.land_farmer_contract_years"} {
		if doc.Find(`[name="`+name+`"]`).Length() != 0 {
			t.Errorf("the self-check asks a farmer with an idea %s", name)
		}
	}
	own := doc.Find("#results > .results > li").Length()
	tally := doc.Find("#tally").Text()
	var e, ni, ne int
	for _, s := range doc.Find("#results > .results > li .badge").Map(func(_ int, s *goquery.Selection) string { return s.Text() }) {
		switch s {
		case "符合":
			e++
		case "需補充資料":
			ni++
		case "不符合":
			ne++
		}
	}
	if own == 0 || !strings.HasPrefix(tally, "符合 "+strconv.Itoa(e)+" 項 · 需補充資料 "+strconv.Itoa(ni)+" 項 · 不符合 "+strconv.Itoa(ne)+" 項") {
		t.Errorf("tally %q for %d own results (%d/%d/%d)", tally, own, e, ni, ne)
	}

	// A farmer whose company employs eleven farmers for three years: the
	// entity reward is hers to claim through the firm.
	_, doc = b.Get("/check")
	form = url.Values{"target_groups": {"land_expropriated_farmer"}, "venture.stage": {"operating"}, "venture.form": {"company"},
		"venture.employees": {"15"}, "venture.land_farmer_employees": {"11"}, "venture.land_farmer_contract_years": {"3"}, "venture.land_farmer_employed_years": {"3"}}
	_, doc = b.Post("/check", form, portaltest.CSRF(doc))
	if r := doc.Find("#org-supports #policy-farmer-entity-reward"); r.Find(".badge").Text() != "符合" || !strings.Contains(r.Find(".benefit").Text(), "合計 3300 元") {
		t.Errorf("the farmers' firm: %q", r.Text())
	}

	// The API says who claims each support, and asks nothing for them.
	tp.Run(t, []portaltest.Scenario{
		{Name: "a person and the hiring reward", Method: "POST", Path: "/api/v1/eligibility/check", Status: 200,
			Body: map[string]any{"profile": map[string]any{"target_groups": []string{"land_expropriated_farmer"}}},
			Contains: []string{`"policy_id":"farmer-hiring-reward","name":"吸納被徵地農民就業獎勵","status":"for_organisations","applicant":"organisation","reasons":["由用人單位`,
				`"policy_id":"farmer-free-training","name":"被徵地農民減免費職業技能培訓","status":"needs_info","applicant":"person"`},
			NotContains: []string{`"missing":["venture.placement_agency"]`}},
	})
}

// TestSupportsPageKeepsOrganisationsApart: the signed-in person's supports
// page shows the organisations' rewards in their own section too.
func TestSupportsPageKeepsOrganisationsApart(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	_, token, _ := tp.Account(accounts.Entrepreneur, "ent@test.cn")
	tp.MustDo(t, "PUT", "/api/v1/me/profile", portaltest.GoodProfile(), token)
	b, _ := tp.SignedIn(t, "ent@test.cn")
	_, doc := b.Get("/supports")
	if doc.Find("#org-supports #policy-farmer-placement-reward").Length() != 1 || doc.Find("main > .results #policy-farmer-placement-reward").Length() != 0 {
		t.Errorf("the placement reward on the supports page: %q", doc.Find("#policy-farmer-placement-reward").Parent().Parent().AttrOr("id", ""))
	}
	if doc.Find("main > .results #policy-fee-exemption-3y").Length() != 1 {
		t.Error("the person's own supports are not in the first list")
	}
}

// TestRelocatedByLawAsked (#17.4): where the farmland per head is asked,
// so is relocation by law (拆村建居), and either one makes a jobless farmer
// on the roster eligible for the unemployment registration.
func TestRelocatedByLawAsked(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	b := tp.Browser()
	_, doc := b.Get("/check")
	form := url.Values{"target_groups": {"land_expropriated_farmer"}, "venture.stage": {"idea"}}
	_, doc = b.Post("/check", form, portaltest.CSRF(doc))
	farmland := doc.Find(`[id="f-farmland_per_capita_mu"]`).Closest(".field")
	if farmland.Length() != 1 || farmland.Next().Find(`[name="relocated_by_law"]`).Length() != 1 {
		t.Fatalf("relocation by law is not asked beside the farmland: %q", farmland.Next().Text())
	}
	if got := farmland.Next().Find("label").First().Text(); !strings.HasPrefix(got, "屬依法拆村建居人員") {
		t.Errorf("label %q", got)
	}
	form.Set("on_farmer_roster", "yes")
	form.Set("employed", "no")
	form.Set("farmland_per_capita_mu", "0.6")
	form.Set("relocated_by_law", "yes")
	_, doc = b.Post("/check", form, portaltest.CSRF(doc))
	if got := doc.Find("#policy-farmer-unemployment-registration .badge").Text(); got != "符合" {
		t.Errorf("a relocated farmer with 0.6 mu: %q (%s)", got, doc.Find("#policy-farmer-unemployment-registration").Text())
	}
	if !strings.Contains(doc.Find("#policy-farmer-unemployment-registration .reasons").Text(), "✓ 屬依法拆村建居人員") {
		t.Errorf("reasons: %q", doc.Find("#policy-farmer-unemployment-registration .reasons").Text())
	}

	// The profile keeps it: form and API.
	_, token, _ := tp.Account(accounts.Entrepreneur, "ent@test.cn")
	tp.MustDo(t, "PUT", "/api/v1/me/profile", portaltest.With(portaltest.GoodProfile(), "relocated_by_law", true), token)
	if _, body := tp.Do("GET", "/api/v1/me/profile", nil, token); !strings.Contains(string(body), `"relocated_by_law":true`) {
		t.Errorf("profile API: %s", body)
	}
	pb, _ := tp.SignedIn(t, "ent@test.cn")
	_, doc = pb.Get("/profile")
	if got := doc.Find(`select[name="relocated_by_law"] option[selected]`).AttrOr("value", ""); got != "yes" {
		t.Errorf("the profile form shows relocation by law as %q", got)
	}
}

// TestPolicyEditorKnowsApplicantsAndVoluntaryParts: the editor shows and
// keeps who claims a policy, refuses an unknown applicant and a voluntary
// mark out of place in the administrator's language; the public page says
// who claims it and which part may be waived.
func TestPolicyEditorKnowsApplicantsAndVoluntaryParts(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	_, admin, _ := tp.Account(accounts.Admin, "admin@test.cn")
	b, _ := tp.SignedIn(t, "admin@test.cn")
	const page = "/admin/policies/farmer-hiring-reward"
	_, doc := b.Get(page)
	if got := doc.Find(`select#applicant option[selected]`).AttrOr("value", ""); got != "organisation" {
		t.Fatalf("the editor shows the applicant as %q", got)
	}
	form := url.Values{}
	doc.Find("#policy-form input, #policy-form textarea, #policy-form select").Each(func(_ int, s *goquery.Selection) {
		name := s.AttrOr("name", "")
		switch {
		case s.Is("select"):
			form.Set(name, s.Find("option[selected]").AttrOr("value", ""))
		case s.Is("textarea"):
			form.Set(name, s.Text())
		case s.AttrOr("type", "") == "checkbox":
			if s.Is("[checked]") {
				form.Set(name, s.AttrOr("value", ""))
			}
		default:
			form.Set(name, s.AttrOr("value", ""))
		}
	})
	csrf := portaltest.CSRF(doc)
	bad := map[string]string{"applicant": "company"}
	for k, v := range bad {
		f := url.Values{}
		for kk, vv := range form {
			f[kk] = vv
		}
		f.Set(k, v)
		resp, doc := b.Post(page, f, csrf)
		if resp.StatusCode != 422 || doc.Find("#e-applicant").Length() != 1 {
			t.Errorf("applicant %q: %d %q", v, resp.StatusCode, doc.Find("#e-applicant").Text())
		}
	}
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	f.Set("conditions", `{"any": [{"fact": "venture.land_farmer_employees", "op": "gte", "value": 1, "voluntary": true}]}`)
	if resp, doc := b.Post(page, f, csrf); resp.StatusCode != 422 || doc.Find("#e-conditions").Text() != "$.any[0]：「voluntary」只能標在最外層 all 所列的條件上。" {
		t.Errorf("a misplaced voluntary mark: %d %q", resp.StatusCode, doc.Find("#e-conditions").Text())
	}
	// A good edit keeps the applicant the form shows.
	if resp, _ := b.Post(page, form, csrf); resp.StatusCode != 303 {
		t.Fatalf("a good edit: %d", resp.StatusCode)
	}
	_, body := tp.Do("GET", "/api/v1/policies/farmer-hiring-reward", nil, admin)
	if !strings.Contains(string(body), `"applicant":"organisation"`) || !strings.Contains(string(body), `"version":2`) {
		t.Errorf("after the edit: %s", body)
	}
	tp.Run(t, []portaltest.Scenario{
		{Name: "unknown applicant by the API", Method: "PUT", Path: "/api/v1/admin/policies/farmer-hiring-reward", Token: admin, Status: 422,
			Body:     map[string]any{"version": 2, "applicant": "company", "name": map[string]string{"zh-Hant": "x", "zh-Hans": "x", "en": "x"}},
			Contains: []string{`"field":"applicant"`}},
	})

	_, doc = b.Get("/policies/farmer-hiring-reward")
	if got := doc.Find("#policy-applicant").Text(); !strings.HasPrefix(got, "用人單位或機構") {
		t.Errorf("the public page says it is claimed by %q", got)
	}
	_, doc = b.Get("/policies/farmer-free-training")
	if got := doc.Find(".conditions").Text(); !strings.Contains(got, "（下列一項不符合的，本著自願原則根據個人申請也可報名參加）") {
		t.Errorf("the training's conditions do not say what is waived: %q", got)
	}
}
