package portal

import (
	"fmt"
	basesweb "onestop/portal/bases"
	"onestop/portal/web"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onestop/services/accounts"
)

// baseWorld: an admin, two managers with a base each, two entrepreneurs and
// an open intake.
type baseWorld struct {
	tp                         *testPortal
	admin, mgrA, mgrB, e1, e2  string
	baseA, baseB, full, closed string
}

func newBaseWorld(t *testing.T) *baseWorld {
	tp := newTestPortal(t)
	w := &baseWorld{tp: tp}
	_, w.admin, _ = tp.account(accounts.Admin, "admin@test.cn")
	mgrAID, mgrA, _ := tp.account(accounts.IncubatorManager, "mgra@test.cn")
	mgrBID, mgrB, _ := tp.account(accounts.IncubatorManager, "mgrb@test.cn")
	w.mgrA, w.mgrB = mgrA, mgrB
	_, w.e1, _ = tp.account(accounts.Entrepreneur, "e1@test.cn")
	_, w.e2, _ = tp.account(accounts.Entrepreneur, "e2@test.cn")
	mk := func(name string, seats int, open bool, manager string) string {
		resp, body := tp.do("POST", "/api/v1/admin/bases", map[string]any{"name": name, "level": "municipal", "district": "hightech",
			"industries": []string{"technology"}, "seats": seats, "intake_open": open, "services": []string{"mentoring"}}, w.admin)
		if resp.StatusCode != 201 {
			t.Fatalf("create base: %d %s", resp.StatusCode, body)
		}
		id := decode[map[string]any](t, body)["id"].(string)
		tp.do("POST", "/api/v1/admin/bases/"+id+"/status", map[string]string{"status": "approved"}, w.admin)
		if manager != "" {
			tp.do("POST", "/api/v1/admin/bases/"+id+"/managers", map[string]any{"manager_ids": []string{manager}}, w.admin)
		}
		return id
	}
	w.baseA, w.baseB = mk("高新創業園", 3, true, mgrAID), mk("東城孵化器", 2, true, mgrBID)
	w.full, w.closed = mk("滿員基地", 0, true, ""), mk("暫停基地", 5, false, "")
	if resp, body := tp.do("POST", "/api/v1/admin/intakes", map[string]string{"name": "2026 冬季"}, w.admin); resp.StatusCode != 201 {
		t.Fatalf("intake: %d %s", resp.StatusCode, body)
	}
	return w
}

func TestBasesAPI(t *testing.T) {
	w := newBaseWorld(t)
	tp := w.tp
	venture := "軟件外包工作室，三人團隊"
	resp, body := tp.do("POST", "/api/v1/applications", map[string]any{"choices": []string{w.baseA, w.baseB}, "venture": venture}, w.e1)
	if resp.StatusCode != 201 {
		t.Fatalf("apply: %d %s", resp.StatusCode, body)
	}
	apps := decode[web.ListResponse[basesweb.APIApplication]](t, body).Items
	appA, appB := apps[0].ID, apps[1].ID
	choices := func(ids ...string) map[string]any { return map[string]any{"choices": ids, "venture": venture} }
	tp.run(t, []scenario{
		{name: "the same base twice", method: "POST", path: "/api/v1/applications", token: w.e2, body: choices(w.baseA, w.baseA), status: 422, contains: []string{"error.apply.twice"}},
		{name: "more than five", method: "POST", path: "/api/v1/applications", token: w.e2, body: choices(w.baseA, w.baseB, w.full, w.closed, "a", "b"), status: 422, contains: []string{"error.apply.count"}},
		{name: "a full base", method: "POST", path: "/api/v1/applications", token: w.e2, body: choices(w.full), status: 409, contains: []string{"error.apply.closed"}},
		{name: "a closed base", method: "POST", path: "/api/v1/applications", token: w.e2, body: choices(w.closed), status: 409},
		{name: "an unknown base", method: "POST", path: "/api/v1/applications", token: w.e2, body: choices("0000000000000000000000000a"), status: 422},
		{name: "again to the same base", method: "POST", path: "/api/v1/applications", token: w.e1, body: choices(w.baseA), status: 409},
		{name: "managers cannot apply", method: "POST", path: "/api/v1/applications", token: w.mgrA, body: choices(w.baseB), status: 403},
		{name: "negative seats", method: "POST", path: "/api/v1/admin/bases", token: w.admin, body: map[string]any{"name": "壞基地", "level": "municipal", "district": "hightech", "seats": -1}, status: 422, contains: []string{`"field":"seats"`}},
		{name: "huge seats", method: "POST", path: "/api/v1/admin/bases", token: w.admin, body: map[string]any{"name": "壞基地", "level": "municipal", "district": "hightech", "seats": 1000000}, status: 422},
		{name: "free seats cannot be typed in", method: "PUT", path: "/api/v1/bases/" + w.baseA, token: w.mgrA, body: map[string]any{"name": "高新創業園", "level": "municipal", "district": "hightech", "seats": 3, "free_seats": 99}, status: 422},
		{name: "manager B cannot edit base A", method: "PUT", path: "/api/v1/bases/" + w.baseA, token: w.mgrB, body: map[string]any{"name": "改名", "level": "municipal", "district": "hightech", "seats": 3}, status: 403},
		{name: "manager B cannot list base A's applications", method: "GET", path: "/api/v1/manage/bases/" + w.baseA + "/applications", token: w.mgrB, status: 404},
		{name: "manager B cannot accept for base A", method: "POST", path: "/api/v1/manage/applications/" + appA + "/accept", token: w.mgrB, status: 404},
		{name: "entrepreneurs cannot accept", method: "POST", path: "/api/v1/manage/applications/" + appA + "/accept", token: w.e1, status: 403},
		{name: "another entrepreneur cannot read it", method: "GET", path: "/api/v1/applications/" + appA, token: w.e2, status: 404},
		{name: "nor withdraw it", method: "POST", path: "/api/v1/applications/" + appA + "/withdraw", token: w.e2, status: 404},
		{name: "e2 sees none of e1's", method: "GET", path: "/api/v1/me/applications", token: w.e2, status: 200, notContains: []string{appA}},
		{name: "decline needs a reason", method: "POST", path: "/api/v1/manage/applications/" + appB + "/decline", token: w.mgrB, status: 422},
		{name: "manager A lists", method: "GET", path: "/api/v1/manage/bases/" + w.baseA + "/applications?status=pending", token: w.mgrA, status: 200, contains: []string{appA}},
		{name: "accept", method: "POST", path: "/api/v1/manage/applications/" + appA + "/accept", token: w.mgrA, status: 200, contains: []string{`"status":"offered"`}},
		{name: "accept twice", method: "POST", path: "/api/v1/manage/applications/" + appA + "/accept", token: w.mgrA, status: 409},
		{name: "a seat is held", method: "GET", path: "/api/v1/bases/" + w.baseA, status: 200, contains: []string{`"free_seats":2`}},
		{name: "the applicant was told", method: "GET", path: "/api/v1/me/notifications", token: w.e1, status: 200, contains: []string{"高新創業園"}},
		{name: "accept the offer", method: "POST", path: "/api/v1/applications/" + appA + "/accept-offer", token: w.e1, status: 200, contains: []string{`"status":"tenant"`}},
		{name: "the other choice is withdrawn", method: "GET", path: "/api/v1/applications/" + appB, token: w.e1, status: 200, contains: []string{`"status":"withdrawn"`}},
		{name: "bases for me explain", method: "GET", path: "/api/v1/me/bases", token: w.e2, status: 200, contains: []string{`"why":[`, "暫停招收（排除）"}},
		{name: "guests cannot rank", method: "GET", path: "/api/v1/me/bases", status: 401},
	})
	// An intake with nothing pending is a clear error.
	_, body = tp.do("GET", "/api/v1/admin/intakes", nil, w.admin)
	intake := decode[web.ListResponse[map[string]any]](t, body).Items[0]["id"].(string)
	if resp, _ := tp.do("POST", "/api/v1/admin/intakes/"+intake+"/assignment/preview", nil, w.admin); resp.StatusCode != 409 {
		t.Errorf("empty intake preview: %d", resp.StatusCode)
	}
	if resp, _ := tp.do("POST", "/api/v1/admin/intakes/"+intake+"/assignment/preview", nil, w.mgrA); resp.StatusCode != 403 {
		t.Errorf("manager previewed: %d", resp.StatusCode)
	}
}

func TestIntakeAssignmentAPI(t *testing.T) {
	w := newBaseWorld(t)
	tp := w.tp
	var tokens []string
	for i := range 6 {
		_, tok, _ := tp.account(accounts.Entrepreneur, fmt.Sprintf("x%d@test.cn", i))
		tokens = append(tokens, tok)
		order := []string{w.baseA, w.baseB}
		if i%2 == 1 {
			order = []string{w.baseB, w.baseA}
		}
		if resp, body := tp.do("POST", "/api/v1/applications", map[string]any{"choices": order, "venture": "社區服務創業項目"}, tok); resp.StatusCode != 201 {
			t.Fatalf("apply: %d %s", resp.StatusCode, body)
		}
	}
	_, body := tp.do("GET", "/api/v1/admin/intakes", nil, w.admin)
	intake := decode[web.ListResponse[map[string]any]](t, body).Items[0]["id"].(string)
	resp, body := tp.do("POST", "/api/v1/admin/intakes/"+intake+"/assignment/preview", nil, w.admin)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"placed":5`) || !strings.Contains(string(body), `"capacity":3`) {
		t.Fatalf("preview: %d %s", resp.StatusCode, body)
	}
	resp, _ = tp.do("POST", "/api/v1/admin/intakes/"+intake+"/assignment/commit", nil, w.admin)
	if resp.StatusCode != 200 {
		t.Fatalf("commit: %d", resp.StatusCode)
	}
	for _, b := range []string{w.baseA, w.baseB} {
		_, body := tp.do("GET", "/api/v1/bases/"+b, nil, "")
		if !strings.Contains(string(body), `"free_seats":0`) {
			t.Errorf("after commit %s: %s", b, body)
		}
	}
	offered := 0
	for _, tok := range tokens {
		_, body := tp.do("GET", "/api/v1/me/applications", nil, tok)
		offered += strings.Count(string(body), `"status":"offered"`)
	}
	if offered != 5 {
		t.Errorf("%d offers after commit, want 5", offered)
	}
}

// TestBrowserBaseJourney: apply to two bases → the manager accepts → the
// offer is accepted → the base's free seats drop by one.
func TestBrowserBaseJourney(t *testing.T) {
	w := newBaseWorld(t)
	s := newSession(t, w.tp, 90*time.Second)
	s.zhHant()
	s.login("e1@test.cn")
	s.step("apply", chromedp.Navigate(s.base+"/bases/for-me"), chromedp.WaitVisible(chromedp.ID("apply-form")),
		chromedp.SetValue(chromedp.ID("choice1"), w.baseA), chromedp.SetValue(chromedp.ID("choice2"), w.baseB),
		chromedp.SendKeys(chromedp.ID("venture"), "做一個軟件外包工作室"),
		chromedp.Click(chromedp.ID("apply-submit")), chromedp.WaitVisible(chromedp.ID("applications")))
	if got := s.text("#applications tbody"); !strings.Contains(got, "高新創業園") || !strings.Contains(got, "東城孵化器") {
		t.Fatalf("applications: %q", got)
	}
	s.logout()
	s.login("mgra@test.cn")
	s.step("manager accepts", chromedp.Navigate(s.base+"/manage"), chromedp.WaitVisible(chromedp.CSS(".manage-apps")),
		chromedp.Click(chromedp.CSS("button.accept")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	s.logout()
	s.login("e1@test.cn")
	s.step("accept the offer", chromedp.Navigate(s.base+"/applications"), chromedp.WaitVisible(chromedp.CSS("button.accept-offer")),
		chromedp.Click(chromedp.CSS("button.accept-offer")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := s.text("#applications tbody"); !strings.Contains(got, "已入駐") {
		t.Errorf("after accepting: %q", got)
	}
	s.step("base page", chromedp.Navigate(s.base+"/bases/"+w.baseA), chromedp.WaitVisible(chromedp.ID("base-seats")))
	if got := s.text("#base-seats"); got != "空餘 2 / 共 3 個工位" {
		t.Errorf("free seats: %q", got)
	}
	screenshot(t, s.ctx, "base")
}
