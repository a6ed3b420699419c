package portal

import (
	accountsweb "onestop/portal/accounts"
	onestopweb "onestop/portal/onestop"
	"strings"
	"testing"
	"time"

	"onestop/services/accounts"
)

func TestServiceRequests(t *testing.T) {
	tp := newTestPortal(t)
	_, ent, _ := tp.account(accounts.Entrepreneur, "ent@test.cn")
	_, other, _ := tp.account(accounts.Entrepreneur, "other@test.cn")
	hotlineID, hotline, _ := tp.account(accounts.Hotline, "hotline@test.cn")
	_, hotline2, _ := tp.account(accounts.Hotline, "hotline2@test.cn")
	_, admin, _ := tp.account(accounts.Admin, "admin@test.cn")
	_, mentor, _ := tp.account(accounts.Mentor, "mentor@test.cn")
	tp.do("PUT", "/api/v1/me/profile", with(goodProfile(), "venture", map[string]any{"stage": "preparing", "form": "individual"}), ent)

	resp, body := tp.do("POST", "/api/v1/services", map[string]string{"type": "financing", "details": "需要 2 萬元啟動資金"}, ent)
	if resp.StatusCode != 201 {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	r := decode[onestopweb.APIRequest](t, body)
	if r.Status != "submitted" || len(r.History) != 1 || len(r.Linked) != 2 || r.DueAt.Sub(r.CreatedAt) != 7*24*time.Hour {
		t.Fatalf("created %+v", r)
	}
	req := "/api/v1/services/" + r.ID
	staffReq := "/api/v1/staff/services/" + r.ID
	tp.run(t, []scenario{
		{name: "bad type", method: "POST", path: "/api/v1/services", token: ent, body: map[string]string{"type": "magic", "details": "x"}, status: 422, contains: []string{`"field":"type"`}},
		{name: "empty details", method: "POST", path: "/api/v1/services", token: ent, body: map[string]string{"type": "financing", "details": "  "}, status: 422},
		{name: "status cannot be chosen", method: "POST", path: "/api/v1/services", token: ent, body: map[string]string{"type": "financing", "details": "x", "status": "completed"}, status: 422},
		{name: "staff cannot file for themselves", method: "POST", path: "/api/v1/services", token: hotline, body: map[string]string{"type": "financing", "details": "x"}, status: 403},
		{name: "owner reads", method: "GET", path: req, token: ent, status: 200, contains: []string{"需要 2 萬元啟動資金", `"policy_id":"guaranteed-loan"`}},
		{name: "other entrepreneur cannot", method: "GET", path: req, token: other, status: 404},
		{name: "mentor cannot", method: "GET", path: req, token: mentor, status: 404},
		{name: "random id", method: "GET", path: "/api/v1/services/0000000000000000000000000a", token: ent, status: 404},
		{name: "staff reads", method: "GET", path: req, token: hotline, status: 200},
		{name: "owner cannot start", method: "POST", path: staffReq + "/start", token: ent, status: 403},
		{name: "other cannot cancel", method: "POST", path: req + "/cancel", token: other, status: 404},
		{name: "start before assignment", method: "POST", path: staffReq + "/start", token: hotline, status: 403},
		{name: "assign to an entrepreneur", method: "POST", path: staffReq + "/assign", token: hotline, body: map[string]string{"assignee_id": "0000000000000000000000000a"}, status: 422},
		{name: "assign to self", method: "POST", path: staffReq + "/assign", token: hotline, status: 200, contains: []string{`"status":"accepted"`, `"assignee_name":"測試hotline"`}},
		{name: "someone else cannot start it", method: "POST", path: staffReq + "/start", token: hotline2, status: 403},
		{name: "assignee starts", method: "POST", path: staffReq + "/start", token: hotline, status: 200, contains: []string{`"status":"in_progress"`}},
		{name: "owner cannot cancel work in progress", method: "POST", path: req + "/cancel", token: ent, status: 409},
		{name: "complete needs a note", method: "POST", path: staffReq + "/complete", token: hotline, status: 422, contains: []string{`"field":"note"`}},
		{name: "complete", method: "POST", path: staffReq + "/complete", token: hotline, body: map[string]string{"note": "已對接銀行，貸款已發放"}, status: 200, contains: []string{`"status":"completed"`}},
		{name: "complete twice", method: "POST", path: staffReq + "/complete", token: hotline, body: map[string]string{"note": "again"}, status: 409},
		{name: "owner sees it done with history", method: "GET", path: req, token: ent, status: 200,
			contains: []string{`"status":"completed"`, "已對接銀行", `"action":"assign"`, `"action":"start"`, `"action":"complete"`}},
		{name: "owner lists own", method: "GET", path: "/api/v1/me/services", token: ent, status: 200, contains: []string{r.ID}},
		{name: "other lists nothing of it", method: "GET", path: "/api/v1/me/services", token: other, status: 200, notContains: []string{r.ID}},
		{name: "queue for staff only", method: "GET", path: "/api/v1/staff/services", token: ent, status: 403},
		{name: "mine", method: "GET", path: "/api/v1/staff/services?mine=1", token: hotline, status: 200, contains: []string{r.ID}},
		{name: "not hotline2's", method: "GET", path: "/api/v1/staff/services?mine=1", token: hotline2, status: 200, notContains: []string{r.ID}},
	})
	_ = hotlineID

	// Overdue: a second request passes its time limit.
	_, body = tp.do("POST", "/api/v1/services", map[string]string{"type": "opening_guidance", "details": "辦照"}, ent)
	late := decode[onestopweb.APIRequest](t, body)
	_, body = tp.do("GET", "/api/v1/staff/services?overdue=1", nil, admin)
	if strings.Contains(string(body), late.ID) {
		t.Fatal("overdue before its time")
	}
	tp.advance(6 * 24 * time.Hour)
	_, admin2, _ := tp.account(accounts.Admin, "admin2@test.cn") // tokens from before the jump expired
	_, body = tp.do("GET", "/api/v1/staff/services?overdue=1", nil, admin2)
	if !strings.Contains(string(body), late.ID) || strings.Contains(string(body), r.ID) || !strings.Contains(string(body), `"overdue":true`) {
		t.Fatalf("overdue list: %s", body)
	}
	// The owner cancels the late one; it leaves the overdue list.
	_, ent2, _ := tp.account(accounts.Entrepreneur, "ent2@test.cn")
	if resp, _ := tp.do("POST", "/api/v1/services/"+late.ID+"/cancel", nil, ent2); resp.StatusCode != 404 {
		t.Fatal("a stranger cancelled")
	}
	_, body = tp.do("POST", "/api/v1/auth/login", map[string]string{"login": "ent@test.cn", "password": testPassword}, "")
	entNow := decode[accountsweb.TokenResponse](t, body).AccessToken
	if resp, body := tp.do("POST", "/api/v1/services/"+late.ID+"/cancel", map[string]string{"note": "自行辦好了"}, entNow); resp.StatusCode != 200 {
		t.Fatalf("cancel: %d %s", resp.StatusCode, body)
	}
	_, body = tp.do("GET", "/api/v1/staff/services?overdue=1", nil, admin2)
	if strings.Contains(string(body), late.ID) {
		t.Fatal("a cancelled request is still overdue")
	}
}

func TestPolicyEditing(t *testing.T) {
	tp := newTestPortal(t)
	_, admin, _ := tp.account(accounts.Admin, "admin@test.cn")
	_, hotline, _ := tp.account(accounts.Hotline, "hotline@test.cn")
	_, body := tp.do("GET", "/api/v1/policies/guaranteed-loan", nil, "")
	p := decode[map[string]any](t, body)
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
	tp.run(t, []scenario{
		{name: "hotline cannot edit", method: "PUT", path: "/api/v1/admin/policies/guaranteed-loan", token: hotline, body: edit(nil), status: 403},
		{name: "unknown fact", method: "PUT", path: "/api/v1/admin/policies/guaranteed-loan", token: admin, status: 422,
			body:     edit(map[string]any{"conditions": map[string]any{"fact": "shoe_size", "op": "gt", "value": 40}}),
			contains: []string{`"field":"conditions"`, "unknown fact", "shoe_size"}},
		{name: "wrong operator", method: "PUT", path: "/api/v1/admin/policies/guaranteed-loan", token: admin, status: 422,
			body: edit(map[string]any{"conditions": map[string]any{"fact": "age", "op": "contains", "value": 40}}), contains: []string{"does not apply"}},
		{name: "missing language", method: "PUT", path: "/api/v1/admin/policies/guaranteed-loan", token: admin, status: 422,
			body: edit(map[string]any{"name": map[string]string{"zh-Hant": "只有繁體"}}), contains: []string{"name.en"}},
		{name: "negative amount", method: "PUT", path: "/api/v1/admin/policies/guaranteed-loan", token: admin, status: 422,
			body: edit(map[string]any{"benefit": map[string]any{"amount_yuan": -5}}), contains: []string{`"field":"benefit"`}},
		{name: "save", method: "PUT", path: "/api/v1/admin/policies/guaranteed-loan", token: admin, status: 200,
			body: edit(map[string]any{"conditions": raise}), contains: []string{`"version":2`}},
		{name: "stale version", method: "PUT", path: "/api/v1/admin/policies/guaranteed-loan", token: admin, status: 409,
			body: edit(map[string]any{"conditions": raise})},
		{name: "id in the body must match", method: "PUT", path: "/api/v1/admin/policies/guaranteed-loan", token: admin, status: 422,
			body: edit(map[string]any{"id": "fee-exemption-3y", "version": 2})},
		{name: "the engine uses the new version", method: "POST", path: "/api/v1/eligibility/check", status: 200,
			body:     map[string]any{"profile": map[string]any{"target_groups": []string{"land_expropriated_farmer"}, "venture": map[string]any{"micro_profit": true}}},
			contains: []string{`"policy_id":"guaranteed-loan","name":"小額擔保貸款（微利項目）","status":"eligible"`}},
	})
	_, body = tp.do("GET", "/api/v1/admin/audit?action=policy.edit", nil, admin)
	if !strings.Contains(string(body), "version 2") {
		t.Errorf("edit not audited: %s", body)
	}
}

func TestEligibilityCheckAPI(t *testing.T) {
	tp := newTestPortal(t)
	tp.run(t, []scenario{
		{name: "public check in English", method: "POST", path: "/api/v1/eligibility/check", status: 200,
			body:     map[string]any{"as_of": "2026-11-25", "profile": map[string]any{"target_groups": []string{"registered_unemployed"}, "venture": map[string]any{"stage": "preparing", "form": "individual"}}},
			contains: []string{`"as_of":"2026-11-25"`, `"policy_id":"fee-exemption-3y"`, `"status":"eligible"`, "Registered unemployed"}, header: []string{"Accept-Language", "en"}},
		{name: "needs info names the facts", method: "POST", path: "/api/v1/eligibility/check", status: 200,
			body: map[string]any{"profile": map[string]any{}}, contains: []string{`"missing":["target_groups"`, `"status":"needs_info"`}},
		{name: "unknown group", method: "POST", path: "/api/v1/eligibility/check", status: 422,
			body: map[string]any{"profile": map[string]any{"target_groups": []string{"martian"}}}},
		{name: "impossible as_of", method: "POST", path: "/api/v1/eligibility/check", status: 422, body: map[string]any{"as_of": "2026-13-01", "profile": map[string]any{}}},
		{name: "future birth", method: "POST", path: "/api/v1/eligibility/check", status: 422, body: map[string]any{"profile": map[string]any{"birth_date": "2999-01-01"}}},
		{name: "unknown field", method: "POST", path: "/api/v1/eligibility/check", status: 422, body: map[string]any{"profile": map[string]any{"shoe_size": 42}}},
		{name: "negative farmland", method: "POST", path: "/api/v1/eligibility/check", status: 422, body: map[string]any{"profile": map[string]any{"farmland_per_capita_mu": -1}}},
		{name: "policy list", method: "GET", path: "/api/v1/policies", status: 200, contains: []string{"farmer-tax-relief", "free-employment-services"}},
		{name: "unknown policy", method: "GET", path: "/api/v1/policies/nope", status: 404},
	})
	_ = tp
}

func TestExportAndDelete(t *testing.T) {
	tp := newTestPortal(t)
	entID, ent, _ := tp.account(accounts.Entrepreneur, "ent@test.cn")
	_, hotline, _ := tp.account(accounts.Hotline, "hotline@test.cn")
	tp.do("PUT", "/api/v1/me/profile", goodProfile(), ent)
	_, body := tp.do("POST", "/api/v1/services", map[string]string{"type": "plan_design", "details": "寫商業計劃書"}, ent)
	req := decode[onestopweb.APIRequest](t, body)
	tp.do("POST", "/api/v1/staff/people/"+entID+"/reveal", nil, hotline)

	tp.run(t, []scenario{
		{name: "export needs the password", method: "POST", path: "/api/v1/me/export", token: ent, body: map[string]string{"password": "wrong-one-123"}, status: 422, notContains: []string{canaryID}},
		{name: "export", method: "POST", path: "/api/v1/me/export", token: ent, body: map[string]string{"password": testPassword}, status: 200,
			contains: []string{canaryID, canaryPhone, "寫商業計劃書", `"email":"ent@test.cn"`, `"version":"2026-11"`, `"action":"pii.reveal"`, `"action":"profile.save"`}},
		{name: "delete needs the password", method: "POST", path: "/api/v1/me/delete", token: ent, body: map[string]string{"password": "wrong-one-123"}, status: 422},
		{name: "delete", method: "POST", path: "/api/v1/me/delete", token: ent, body: map[string]string{"password": testPassword}, status: 204},
		{name: "token dead", method: "GET", path: "/api/v1/me/profile", token: ent, status: 401},
		{name: "login gone", method: "POST", path: "/api/v1/auth/login", body: map[string]string{"login": "ent@test.cn", "password": testPassword}, status: 401},
		{name: "profile gone", method: "GET", path: "/api/v1/staff/people/" + entID, token: hotline, status: 404},
		{name: "nobody found by the old ID number", method: "POST", path: "/api/v1/staff/people/search", body: map[string]string{"q": canaryID}, token: hotline, status: 200, contains: []string{`"total":0`}},
		{name: "the request is kept under a pseudonym", method: "GET", path: "/api/v1/services/" + req.ID, token: hotline, status: 200,
			contains: []string{`"owner_name":"#` + entID[:6] + `"`}, notContains: []string{"測試entrepreneur"}},
	})
	// The e-mail is free again (a code, not "you have an account"), and
	// the ID number can be registered again by its (new) owner.
	again := tp.register(map[string]any{"email": "ent@test.cn", "password": testPassword, "name": "新的人"}).AccessToken
	if resp, body := tp.do("PUT", "/api/v1/me/profile", goodProfile(), again); resp.StatusCode != 200 {
		t.Fatalf("ID number still held after deletion: %d %s", resp.StatusCode, body)
	}
}
