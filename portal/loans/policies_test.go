package loans_test

import (
	"net/url"
	"strings"
	"testing"

	"onestop/portal/portaltest"
	"onestop/services/accounts"
)

// TestLoanPolicyAddedAsData (#17): a loan policy an administrator adds for
// returning migrant workers, marked as applied for by a loan, can be
// applied for at once — named in the form, the file and its page — where
// the form refused it with 422 when the loan policies were code. A policy
// that is not applied for as a loan is refused at the form's field.
func TestLoanPolicyAddedAsData(t *testing.T) {
	t.Parallel()
	w := portaltest.NewLoanWorld(t)
	tp := w.Portal
	migrantID, migrant, _ := tp.Account(accounts.Entrepreneur, "migrant@test.cn")
	if resp, body := tp.Do("PUT", "/api/v1/me/profile", map[string]any{"real_name": "何返鄉", "consent_version": "2026-11",
		"target_groups": []string{"returning_migrant_worker"}, "venture": map[string]any{"stage": "preparing", "form": "individual", "own_funds_sufficient": false}}, migrant); resp.StatusCode != 200 {
		t.Fatalf("profile: %d %s", resp.StatusCode, body)
	}
	policy := func(kind string) map[string]any {
		p := map[string]any{
			"name":         map[string]string{"zh-Hant": "返鄉創業擔保貸款", "zh-Hans": "返乡创业担保贷款", "en": "Guaranteed loan for returning migrant workers"},
			"summary":      map[string]string{"zh-Hant": "返鄉農民工創業可申請擔保貸款。", "zh-Hans": "返乡农民工创业可申请担保贷款。", "en": "Returning migrant workers may apply for a guaranteed loan."},
			"grantor":      map[string]string{"zh-Hant": "人力資源社會保障部門", "zh-Hans": "人力资源社会保障部门", "en": "Human resources bureau"},
			"benefit_text": map[string]string{"zh-Hant": "貸款最高 30,000 元", "zh-Hans": "贷款最高 30,000 元", "en": "A loan of up to 30,000 yuan"},
			"basis":        "促進以創業帶動就業 (七)", "active": true, "version": 0,
			"benefit": map[string]any{"amount_yuan": 30000, "term_months_max": 24, "rate_pct": 50},
			"conditions": map[string]any{"all": []any{
				map[string]any{"fact": "target_groups", "op": "contains", "value": "returning_migrant_worker"},
				map[string]any{"fact": "venture.stage", "op": "in", "value": []string{"preparing", "operating"}},
			}},
		}
		if kind != "" {
			p["apply"] = map[string]string{"kind": kind}
		}
		return p
	}
	tp.Run(t, []portaltest.Scenario{
		{Name: "an unknown kind of application", Method: "PUT", Path: "/api/v1/admin/policies/migrant-loan", Token: w.Admin, Body: policy("grant"), Status: 422,
			Contains: []string{`"field":"apply.kind"`}},
		{Name: "explained only", Method: "PUT", Path: "/api/v1/admin/policies/migrant-explained", Token: w.Admin, Body: policy(""), Status: 200},
		{Name: "applied for as a loan", Method: "PUT", Path: "/api/v1/admin/policies/migrant-loan", Token: w.Admin, Body: policy("loan"), Status: 200,
			Contains: []string{`"apply":{"kind":"loan"}`}},
	})
	app := map[string]any{"policy_id": "migrant-explained", "amount_yuan": 30000, "term_months": 24, "purpose": "開辦汽車維修店", "guarantee": "guarantee_fund",
		"plan": "在鎮上開一家汽車維修店，僱兩名同鄉學徒，預計一年半收回投資。", "documents": []string{"id_card", "business_plan"}, "bank_id": w.BankID}
	if resp, body := tp.Do("POST", "/api/v1/loans", app, migrant); resp.StatusCode != 422 || !strings.Contains(string(body), `"field":"policy_id"`) {
		t.Errorf("a policy not applied for as a loan: %d %s", resp.StatusCode, body)
	}

	b, csrf := tp.SignedIn(t, "migrant@test.cn")
	_, doc := b.Get("/supports")
	if href := doc.Find(`a[href="/loans/new?policy=migrant-loan"]`); href.Length() != 1 {
		t.Fatalf("the supports page offers no application for the new loan: %q", doc.Find("main").Text())
	}
	// The seed's own loan for returning migrant workers is applied for too.
	if doc.Find(`a[href="/loans/new?policy=guaranteed-loan-returning-migrant"]`).Length() != 1 {
		t.Error("the seed's loan for returning migrant workers offers no application")
	}
	if doc.Find(`a[href="/loans/new?policy=migrant-explained"]`).Length() != 0 {
		t.Error("a policy explained only offers an application")
	}
	_, doc = b.Get("/loans/new?policy=migrant-loan")
	opt := doc.Find(`select[name="policy_id"] option[value="migrant-loan"]`)
	if opt.Text() != "返鄉創業擔保貸款" || opt.AttrOr("selected", "no") == "no" {
		t.Errorf("the form's option: %q selected=%v", opt.Text(), opt.AttrOr("selected", "no"))
	}
	form := url.Values{"policy_id": {"migrant-loan"}, "amount_yuan": {"30000"}, "term_months": {"24"}, "purpose": {"開辦汽車維修店"},
		"plan": {"在鎮上開一家汽車維修店，僱兩名同鄉學徒，預計一年半收回投資。"}, "guarantee": {"guarantee_fund"}, "documents": {"id_card", "business_plan"}, "bank_id": {w.BankID}}
	resp, _ := b.Post("/loans", form, csrf)
	if resp.StatusCode != 303 {
		t.Fatalf("apply: %d", resp.StatusCode)
	}
	file := resp.Header.Get("Location")
	if _, doc = b.Get(file); doc.Find("#loan-policy").Text() != "返鄉創業擔保貸款" {
		t.Errorf("the file names its policy %q", doc.Find("#loan-policy").Text())
	}
	staff, _ := tp.SignedIn(t, "hotline@test.cn")
	if _, doc = staff.Get("/staff/people/" + migrantID); !strings.Contains(doc.Find("#person-timeline").Text(), "返鄉創業擔保貸款") {
		t.Errorf("the person's timeline: %q", doc.Find("#person-timeline").Text())
	}
}
