package portal_test

import (
	accountsweb "onestop/portal/accounts"
	onestopweb "onestop/portal/onestop"
	"strings"
	"testing"
	"time"

	"onestop/portal/portaltest"
	"onestop/services/accounts"
)

func TestServiceRequests(t *testing.T) {
	tp := portaltest.New(t)
	_, ent, _ := tp.Account(accounts.Entrepreneur, "ent@test.cn")
	_, other, _ := tp.Account(accounts.Entrepreneur, "other@test.cn")
	hotlineID, hotline, _ := tp.Account(accounts.Hotline, "hotline@test.cn")
	_, hotline2, _ := tp.Account(accounts.Hotline, "hotline2@test.cn")
	_, admin, _ := tp.Account(accounts.Admin, "admin@test.cn")
	_, mentor, _ := tp.Account(accounts.Mentor, "mentor@test.cn")
	tp.Do("PUT", "/api/v1/me/profile", portaltest.With(portaltest.GoodProfile(), "venture", map[string]any{"stage": "preparing", "form": "individual"}), ent)

	resp, body := tp.Do("POST", "/api/v1/services", map[string]string{"type": "financing", "details": "需要 2 萬元啟動資金"}, ent)
	if resp.StatusCode != 201 {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	r := portaltest.Decode[onestopweb.APIRequest](t, body)
	if r.Status != "submitted" || len(r.History) != 1 || len(r.Linked) != 2 || r.DueAt.Sub(r.CreatedAt) != 7*24*time.Hour {
		t.Fatalf("created %+v", r)
	}
	req := "/api/v1/services/" + r.ID
	staffReq := "/api/v1/staff/services/" + r.ID
	tp.Run(t, []portaltest.Scenario{
		{Name: "bad type", Method: "POST", Path: "/api/v1/services", Token: ent, Body: map[string]string{"type": "magic", "details": "x"}, Status: 422, Contains: []string{`"field":"type"`}},
		{Name: "empty details", Method: "POST", Path: "/api/v1/services", Token: ent, Body: map[string]string{"type": "financing", "details": "  "}, Status: 422},
		{Name: "status cannot be chosen", Method: "POST", Path: "/api/v1/services", Token: ent, Body: map[string]string{"type": "financing", "details": "x", "status": "completed"}, Status: 422},
		{Name: "staff cannot file for themselves", Method: "POST", Path: "/api/v1/services", Token: hotline, Body: map[string]string{"type": "financing", "details": "x"}, Status: 403},
		{Name: "owner reads", Method: "GET", Path: req, Token: ent, Status: 200, Contains: []string{"需要 2 萬元啟動資金", `"policy_id":"guaranteed-loan"`}},
		{Name: "other entrepreneur cannot", Method: "GET", Path: req, Token: other, Status: 404},
		{Name: "mentor cannot", Method: "GET", Path: req, Token: mentor, Status: 404},
		{Name: "random id", Method: "GET", Path: "/api/v1/services/0000000000000000000000000a", Token: ent, Status: 404},
		{Name: "staff reads", Method: "GET", Path: req, Token: hotline, Status: 200},
		{Name: "owner cannot start", Method: "POST", Path: staffReq + "/start", Token: ent, Status: 403},
		{Name: "other cannot cancel", Method: "POST", Path: req + "/cancel", Token: other, Status: 404},
		{Name: "start before assignment", Method: "POST", Path: staffReq + "/start", Token: hotline, Status: 403},
		{Name: "assign to an entrepreneur", Method: "POST", Path: staffReq + "/assign", Token: hotline, Body: map[string]string{"assignee_id": "0000000000000000000000000a"}, Status: 422},
		{Name: "assign to self", Method: "POST", Path: staffReq + "/assign", Token: hotline, Status: 200, Contains: []string{`"status":"accepted"`, `"assignee_name":"測試hotline"`}},
		{Name: "someone else cannot start it", Method: "POST", Path: staffReq + "/start", Token: hotline2, Status: 403},
		{Name: "assignee starts", Method: "POST", Path: staffReq + "/start", Token: hotline, Status: 200, Contains: []string{`"status":"in_progress"`}},
		{Name: "owner cannot cancel work in progress", Method: "POST", Path: req + "/cancel", Token: ent, Status: 409},
		{Name: "complete needs a note", Method: "POST", Path: staffReq + "/complete", Token: hotline, Status: 422, Contains: []string{`"field":"note"`}},
		{Name: "complete", Method: "POST", Path: staffReq + "/complete", Token: hotline, Body: map[string]string{"note": "已對接銀行，貸款已發放"}, Status: 200, Contains: []string{`"status":"completed"`}},
		{Name: "complete twice", Method: "POST", Path: staffReq + "/complete", Token: hotline, Body: map[string]string{"note": "again"}, Status: 409},
		{Name: "owner sees it done with history", Method: "GET", Path: req, Token: ent, Status: 200,
			Contains: []string{`"status":"completed"`, "已對接銀行", `"action":"assign"`, `"action":"start"`, `"action":"complete"`}},
		{Name: "owner lists own", Method: "GET", Path: "/api/v1/me/services", Token: ent, Status: 200, Contains: []string{r.ID}},
		{Name: "other lists nothing of it", Method: "GET", Path: "/api/v1/me/services", Token: other, Status: 200, NotContains: []string{r.ID}},
		{Name: "queue for staff only", Method: "GET", Path: "/api/v1/staff/services", Token: ent, Status: 403},
		{Name: "mine", Method: "GET", Path: "/api/v1/staff/services?mine=1", Token: hotline, Status: 200, Contains: []string{r.ID}},
		{Name: "not hotline2's", Method: "GET", Path: "/api/v1/staff/services?mine=1", Token: hotline2, Status: 200, NotContains: []string{r.ID}},
	})
	_ = hotlineID

	// Overdue: a second request passes its time limit.
	_, body = tp.Do("POST", "/api/v1/services", map[string]string{"type": "opening_guidance", "details": "辦照"}, ent)
	late := portaltest.Decode[onestopweb.APIRequest](t, body)
	_, body = tp.Do("GET", "/api/v1/staff/services?overdue=1", nil, admin)
	if strings.Contains(string(body), late.ID) {
		t.Fatal("overdue before its time")
	}
	tp.Advance(6 * 24 * time.Hour)
	_, admin2, _ := tp.Account(accounts.Admin, "admin2@test.cn") // tokens from before the jump expired
	_, body = tp.Do("GET", "/api/v1/staff/services?overdue=1", nil, admin2)
	if !strings.Contains(string(body), late.ID) || strings.Contains(string(body), r.ID) || !strings.Contains(string(body), `"overdue":true`) {
		t.Fatalf("overdue list: %s", body)
	}
	// The owner cancels the late one; it leaves the overdue list.
	_, ent2, _ := tp.Account(accounts.Entrepreneur, "ent2@test.cn")
	if resp, _ := tp.Do("POST", "/api/v1/services/"+late.ID+"/cancel", nil, ent2); resp.StatusCode != 404 {
		t.Fatal("a stranger cancelled")
	}
	_, body = tp.Do("POST", "/api/v1/auth/login", map[string]string{"login": "ent@test.cn", "password": portaltest.Password}, "")
	entNow := portaltest.Decode[accountsweb.TokenResponse](t, body).AccessToken
	if resp, body := tp.Do("POST", "/api/v1/services/"+late.ID+"/cancel", map[string]string{"note": "自行辦好了"}, entNow); resp.StatusCode != 200 {
		t.Fatalf("cancel: %d %s", resp.StatusCode, body)
	}
	_, body = tp.Do("GET", "/api/v1/staff/services?overdue=1", nil, admin2)
	if strings.Contains(string(body), late.ID) {
		t.Fatal("a cancelled request is still overdue")
	}
}

func TestPolicyEditing(t *testing.T) {
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
			Contains: []string{`"field":"conditions"`, "unknown fact", "shoe_size"}},
		{Name: "wrong operator", Method: "PUT", Path: "/api/v1/admin/policies/guaranteed-loan", Token: admin, Status: 422,
			Body: edit(map[string]any{"conditions": map[string]any{"fact": "age", "op": "contains", "value": 40}}), Contains: []string{"does not apply"}},
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

func TestExportAndDelete(t *testing.T) {
	tp := portaltest.New(t)
	entID, ent, _ := tp.Account(accounts.Entrepreneur, "ent@test.cn")
	_, hotline, _ := tp.Account(accounts.Hotline, "hotline@test.cn")
	tp.Do("PUT", "/api/v1/me/profile", portaltest.GoodProfile(), ent)
	_, body := tp.Do("POST", "/api/v1/services", map[string]string{"type": "plan_design", "details": "寫商業計劃書"}, ent)
	req := portaltest.Decode[onestopweb.APIRequest](t, body)
	tp.Do("POST", "/api/v1/staff/people/"+entID+"/reveal", nil, hotline)

	tp.Run(t, []portaltest.Scenario{
		{Name: "export needs the password", Method: "POST", Path: "/api/v1/me/export", Token: ent, Body: map[string]string{"password": "wrong-one-123"}, Status: 422, NotContains: []string{portaltest.CanaryID}},
		{Name: "export", Method: "POST", Path: "/api/v1/me/export", Token: ent, Body: map[string]string{"password": portaltest.Password}, Status: 200,
			Contains: []string{portaltest.CanaryID, portaltest.CanaryPhone, "寫商業計劃書", `"email":"ent@test.cn"`, `"version":"2026-11"`, `"action":"pii.reveal"`, `"action":"profile.save"`}},
		{Name: "delete needs the password", Method: "POST", Path: "/api/v1/me/delete", Token: ent, Body: map[string]string{"password": "wrong-one-123"}, Status: 422},
		{Name: "delete", Method: "POST", Path: "/api/v1/me/delete", Token: ent, Body: map[string]string{"password": portaltest.Password}, Status: 204},
		{Name: "token dead", Method: "GET", Path: "/api/v1/me/profile", Token: ent, Status: 401},
		{Name: "login gone", Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"login": "ent@test.cn", "password": portaltest.Password}, Status: 401},
		{Name: "profile gone", Method: "GET", Path: "/api/v1/staff/people/" + entID, Token: hotline, Status: 404},
		{Name: "nobody found by the old ID number", Method: "POST", Path: "/api/v1/staff/people/search", Body: map[string]string{"q": portaltest.CanaryID}, Token: hotline, Status: 200, Contains: []string{`"total":0`}},
		{Name: "the request is kept under a pseudonym", Method: "GET", Path: "/api/v1/services/" + req.ID, Token: hotline, Status: 200,
			Contains: []string{`"owner_name":"#` + entID[:6] + `"`}, NotContains: []string{"測試entrepreneur"}},
	})
	// The e-mail is free again (a code, not "you have an account"), and
	// the ID number can be registered again by its (new) owner.
	again := tp.Register(map[string]any{"email": "ent@test.cn", "password": portaltest.Password, "name": "新的人"}).AccessToken
	if resp, body := tp.Do("PUT", "/api/v1/me/profile", portaltest.GoodProfile(), again); resp.StatusCode != 200 {
		t.Fatalf("ID number still held after deletion: %d %s", resp.StatusCode, body)
	}
}
