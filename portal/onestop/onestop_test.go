package onestop_test

import (
	accountsweb "onestop/portal/accounts"
	onestopweb "onestop/portal/onestop"
	"strings"
	"testing"
	"time"

	"onestop/portal/portaltest"
	"onestop/services/accounts"
	"onestop/services/core"
)

func TestServiceRequests(t *testing.T) {
	t.Parallel()
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
	// Financing: five working days of the bureau's calendar, to the close
	// of the last; the date and the limit are given, not only an instant.
	due := tp.App.Bureau().Workdays.DueOn(r.CreatedAt, 5)
	if r.Status != "submitted" || len(r.History) != 1 || len(r.Linked) != 2 || !r.DueAt.Equal(due) || r.LimitWorkdays != 5 || r.DueOn != core.DateOf(due) {
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
	tp.Advance(late.DueAt.Sub(tp.Now()) - time.Minute)           // a minute before the close of its last working day
	_, admin1, _ := tp.Account(accounts.Admin, "admin1@test.cn") // tokens from before the jump expired
	if _, body = tp.Do("GET", "/api/v1/staff/services?overdue=1", nil, admin1); strings.Contains(string(body), late.ID) {
		t.Fatal("overdue on its last day")
	}
	tp.Advance(2 * time.Minute)
	_, admin2, _ := tp.Account(accounts.Admin, "admin2@test.cn")
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
