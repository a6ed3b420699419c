package bases_test

import (
	"fmt"
	"net/http/httptest"
	"net/url"
	basesweb "onestop/portal/bases"
	"onestop/portal/web"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onestop/portal/portaltest"
	"onestop/services/accounts"
)

func TestBasesAPI(t *testing.T) {
	t.Parallel()
	w := portaltest.NewBaseWorld(t)
	tp := w.Portal
	venture := "軟件外包工作室，三人團隊"
	resp, body := tp.Do("POST", "/api/v1/applications", map[string]any{"choices": []string{w.BaseA, w.BaseB}, "venture": venture}, w.E1)
	if resp.StatusCode != 201 {
		t.Fatalf("apply: %d %s", resp.StatusCode, body)
	}
	apps := portaltest.Decode[web.ListResponse[basesweb.APIApplication]](t, body).Items
	appA, appB := apps[0].ID, apps[1].ID
	choices := func(ids ...string) map[string]any { return map[string]any{"choices": ids, "venture": venture} }
	tp.Run(t, []portaltest.Scenario{
		{Name: "the same base twice", Method: "POST", Path: "/api/v1/applications", Token: w.E2, Body: choices(w.BaseA, w.BaseA), Status: 422, Contains: []string{"error.apply.twice"}},
		{Name: "more than five", Method: "POST", Path: "/api/v1/applications", Token: w.E2, Body: choices(w.BaseA, w.BaseB, w.Full, w.Closed, "a", "b"), Status: 422, Contains: []string{"error.apply.count"}},
		{Name: "a full base", Method: "POST", Path: "/api/v1/applications", Token: w.E2, Body: choices(w.Full), Status: 409, Contains: []string{"error.apply.closed"}},
		{Name: "a closed base", Method: "POST", Path: "/api/v1/applications", Token: w.E2, Body: choices(w.Closed), Status: 409},
		{Name: "an unknown base", Method: "POST", Path: "/api/v1/applications", Token: w.E2, Body: choices("0000000000000000000000000a"), Status: 422},
		{Name: "again to the same base", Method: "POST", Path: "/api/v1/applications", Token: w.E1, Body: choices(w.BaseA), Status: 409},
		{Name: "managers cannot apply", Method: "POST", Path: "/api/v1/applications", Token: w.MgrA, Body: choices(w.BaseB), Status: 403},
		{Name: "negative seats", Method: "POST", Path: "/api/v1/admin/bases", Token: w.Admin, Body: map[string]any{"name": "壞基地", "level": "municipal", "district": "hightech", "seats": -1}, Status: 422, Contains: []string{`"field":"seats"`}},
		{Name: "huge seats", Method: "POST", Path: "/api/v1/admin/bases", Token: w.Admin, Body: map[string]any{"name": "壞基地", "level": "municipal", "district": "hightech", "seats": 1000000}, Status: 422},
		{Name: "free seats cannot be typed in", Method: "PUT", Path: "/api/v1/bases/" + w.BaseA, Token: w.MgrA, Body: map[string]any{"name": "高新創業園", "level": "municipal", "district": "hightech", "seats": 3, "free_seats": 99}, Status: 422},
		{Name: "manager B cannot edit base A", Method: "PUT", Path: "/api/v1/bases/" + w.BaseA, Token: w.MgrB, Body: map[string]any{"name": "改名", "level": "municipal", "district": "hightech", "seats": 3}, Status: 403},
		{Name: "manager B cannot list base A's applications", Method: "GET", Path: "/api/v1/manage/bases/" + w.BaseA + "/applications", Token: w.MgrB, Status: 404},
		{Name: "manager B cannot accept for base A", Method: "POST", Path: "/api/v1/manage/applications/" + appA + "/accept", Token: w.MgrB, Status: 404},
		{Name: "entrepreneurs cannot accept", Method: "POST", Path: "/api/v1/manage/applications/" + appA + "/accept", Token: w.E1, Status: 403},
		{Name: "another entrepreneur cannot read it", Method: "GET", Path: "/api/v1/applications/" + appA, Token: w.E2, Status: 404},
		{Name: "nor withdraw it", Method: "POST", Path: "/api/v1/applications/" + appA + "/withdraw", Token: w.E2, Status: 404},
		{Name: "e2 sees none of e1's", Method: "GET", Path: "/api/v1/me/applications", Token: w.E2, Status: 200, NotContains: []string{appA}},
		{Name: "decline needs a reason", Method: "POST", Path: "/api/v1/manage/applications/" + appB + "/decline", Token: w.MgrB, Status: 422},
		{Name: "manager A lists", Method: "GET", Path: "/api/v1/manage/bases/" + w.BaseA + "/applications?status=pending", Token: w.MgrA, Status: 200, Contains: []string{appA}},
		{Name: "accept", Method: "POST", Path: "/api/v1/manage/applications/" + appA + "/accept", Token: w.MgrA, Status: 200, Contains: []string{`"status":"offered"`}},
		{Name: "accept twice", Method: "POST", Path: "/api/v1/manage/applications/" + appA + "/accept", Token: w.MgrA, Status: 409},
		{Name: "a seat is held", Method: "GET", Path: "/api/v1/bases/" + w.BaseA, Status: 200, Contains: []string{`"free_seats":2`}},
		{Name: "the applicant was told", Method: "GET", Path: "/api/v1/me/notifications", Token: w.E1, Status: 200, Contains: []string{"高新創業園"}},
		{Name: "accept the offer", Method: "POST", Path: "/api/v1/applications/" + appA + "/accept-offer", Token: w.E1, Status: 200, Contains: []string{`"status":"tenant"`}},
		{Name: "the other choice is withdrawn", Method: "GET", Path: "/api/v1/applications/" + appB, Token: w.E1, Status: 200, Contains: []string{`"status":"withdrawn"`}},
		{Name: "bases for me explain", Method: "GET", Path: "/api/v1/me/bases", Token: w.E2, Status: 200, Contains: []string{`"why":[`, "暫停招收（排除）"}},
		{Name: "guests cannot rank", Method: "GET", Path: "/api/v1/me/bases", Status: 401},
	})
	// An intake with nothing pending is a clear error.
	_, body = tp.Do("GET", "/api/v1/admin/intakes", nil, w.Admin)
	intake := portaltest.Decode[web.ListResponse[map[string]any]](t, body).Items[0]["id"].(string)
	if resp, _ := tp.Do("POST", "/api/v1/admin/intakes/"+intake+"/assignment/preview", nil, w.Admin); resp.StatusCode != 409 {
		t.Errorf("empty intake preview: %d", resp.StatusCode)
	}
	if resp, _ := tp.Do("POST", "/api/v1/admin/intakes/"+intake+"/assignment/preview", nil, w.MgrA); resp.StatusCode != 403 {
		t.Errorf("manager previewed: %d", resp.StatusCode)
	}
}

func TestIntakeAssignmentAPI(t *testing.T) {
	t.Parallel()
	w := portaltest.NewBaseWorld(t)
	tp := w.Portal
	var tokens []string
	for i := range 6 {
		_, tok, _ := tp.Account(accounts.Entrepreneur, fmt.Sprintf("x%d@test.cn", i))
		tokens = append(tokens, tok)
		order := []string{w.BaseA, w.BaseB}
		if i%2 == 1 {
			order = []string{w.BaseB, w.BaseA}
		}
		if resp, body := tp.Do("POST", "/api/v1/applications", map[string]any{"choices": order, "venture": "社區服務創業項目"}, tok); resp.StatusCode != 201 {
			t.Fatalf("apply: %d %s", resp.StatusCode, body)
		}
	}
	_, body := tp.Do("GET", "/api/v1/admin/intakes", nil, w.Admin)
	intake := portaltest.Decode[web.ListResponse[map[string]any]](t, body).Items[0]["id"].(string)
	resp, body := tp.Do("POST", "/api/v1/admin/intakes/"+intake+"/assignment/preview", nil, w.Admin)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"placed":5`) || !strings.Contains(string(body), `"capacity":3`) {
		t.Fatalf("preview: %d %s", resp.StatusCode, body)
	}
	resp, _ = tp.Do("POST", "/api/v1/admin/intakes/"+intake+"/assignment/commit", nil, w.Admin)
	if resp.StatusCode != 200 {
		t.Fatalf("commit: %d", resp.StatusCode)
	}
	for _, b := range []string{w.BaseA, w.BaseB} {
		_, body := tp.Do("GET", "/api/v1/bases/"+b, nil, "")
		if !strings.Contains(string(body), `"free_seats":0`) {
			t.Errorf("after commit %s: %s", b, body)
		}
	}
	offered := 0
	for _, tok := range tokens {
		_, body := tp.Do("GET", "/api/v1/me/applications", nil, tok)
		offered += strings.Count(string(body), `"status":"offered"`)
	}
	if offered != 5 {
		t.Errorf("%d offers after commit, want 5", offered)
	}
}

// TestBrowserBaseJourney: apply to two bases → the manager accepts → the
// offer is accepted → the base's free seats drop by one.
func TestBrowserBaseJourney(t *testing.T) {
	t.Parallel()
	w := portaltest.NewBaseWorld(t)
	s := portaltest.NewSession(t, w.Portal, 90*time.Second)
	s.ZhHant()
	s.Login("e1@test.cn")
	s.Step("apply", chromedp.Navigate(s.Base+"/bases/for-me"), chromedp.WaitVisible(chromedp.ID("apply-form")),
		chromedp.SetValue(chromedp.ID("choice1"), w.BaseA), chromedp.SetValue(chromedp.ID("choice2"), w.BaseB),
		chromedp.SendKeys(chromedp.ID("venture"), "做一個軟件外包工作室"),
		chromedp.Click(chromedp.ID("apply-submit")), chromedp.WaitVisible(chromedp.ID("applications")))
	if got := s.Text("#applications tbody"); !strings.Contains(got, "高新創業園") || !strings.Contains(got, "東城孵化器") {
		t.Fatalf("applications: %q", got)
	}
	s.Logout()
	s.Login("mgra@test.cn")
	s.Step("manager accepts", chromedp.Navigate(s.Base+"/manage"), chromedp.WaitVisible(chromedp.CSS(".manage-apps")),
		chromedp.Click(chromedp.CSS("button.accept")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	s.Logout()
	s.Login("e1@test.cn")
	s.Step("accept the offer", chromedp.Navigate(s.Base+"/applications"), chromedp.WaitVisible(chromedp.CSS("button.accept-offer")),
		chromedp.Click(chromedp.CSS("button.accept-offer")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := s.Text("#applications tbody"); !strings.Contains(got, "已入駐") {
		t.Errorf("after accepting: %q", got)
	}
	s.Step("base page", chromedp.Navigate(s.Base+"/bases/"+w.BaseA), chromedp.WaitVisible(chromedp.ID("base-seats")))
	if got := s.Text("#base-seats"); got != "空餘 2 / 共 3 個工位" {
		t.Errorf("free seats: %q", got)
	}
	portaltest.Screenshot(t, s.Ctx, "base")
	// The manager moves the tenant out: the step opens, asks for a reason
	// and a tick (#20.16); then the tenants filter says there are none
	// (#20.11), not 「還沒有申請。」.
	s.Logout()
	s.Login("mgra@test.cn")
	s.Step("tenants", chromedp.Navigate(s.Base+"/manage?status=tenant"), chromedp.WaitVisible(chromedp.CSS("details.confirm > summary")),
		chromedp.Click(chromedp.CSS("details.confirm > summary")), chromedp.WaitVisible(chromedp.CSS(`details.confirm select[name="reason"]`)),
		chromedp.SetValue(chromedp.CSS(`details.confirm select[name="reason"]`), "graduated"))
	portaltest.Screenshot(t, s.Ctx, "base-move-out")
	s.Step("move out", chromedp.Click(chromedp.CSS(`details.confirm input[name="confirm"]`)), chromedp.Click(chromedp.CSS("details.confirm button.danger")),
		chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="applications.step.move_out"]`)))
	s.Step("no tenants", chromedp.Navigate(s.Base+"/manage?status=tenant"), chromedp.WaitVisible(chromedp.ID("none-"+w.BaseA)))
	if got := s.Text("#none-" + w.BaseA); got != "目前沒有入駐的企業。" {
		t.Errorf("the tenants filter of an empty base says %q", got)
	}
}

// TestBrowserApplyAgain (#23's blocker): a person who applied to one base
// adds another later, withdraws the first and applies to it again — in the
// same intake, from the pages.
func TestBrowserApplyAgain(t *testing.T) {
	t.Parallel()
	w := portaltest.NewBaseWorld(t)
	s := portaltest.NewSession(t, w.Portal, 90*time.Second)
	s.ZhHant()
	s.Login("e1@test.cn")
	apply := func(what, base string) {
		s.Step(what, chromedp.Navigate(s.Base+"/bases/for-me"), chromedp.WaitVisible(chromedp.ID("apply-form")),
			// The form offers the places still free: its first is the next choice.
			chromedp.SetValue(chromedp.CSS("#apply-form select"), base), chromedp.SendKeys(chromedp.ID("venture"), "做一個軟件外包工作室"),
			chromedp.Click(chromedp.ID("apply-submit")), chromedp.WaitVisible(chromedp.ID("applications")))
	}
	apply("apply to one base", w.BaseA)
	s.Step("the form offers the next choice", chromedp.Navigate(s.Base+"/bases/for-me"), chromedp.WaitVisible(chromedp.ID("apply-form")))
	if got := s.Text("#apply-form label"); got != "第 2 志願" {
		t.Errorf("first place offered: %q", got)
	}
	apply("apply to another base later", w.BaseB)
	if got := s.Text("#applications tbody"); strings.Count(got, "待審") != 2 {
		t.Fatalf("two applications under way: %q", got)
	}
	s.Step("withdraw the first", chromedp.Click(chromedp.Search(`//tr[td/a[contains(., "高新創業園")]]//button[contains(@class, "danger")]`)),
		chromedp.WaitVisible(chromedp.Search(`//td[contains(., "已撤回")]`)))
	apply("apply to it again", w.BaseA)
	got := s.Text("#applications tbody")
	if strings.Count(got, "待審") != 2 || !strings.Contains(got, "已撤回") {
		t.Errorf("after applying again: %q", got)
	}
	portaltest.Screenshot(t, s.Ctx, "apply-again")
}

// TestBasesForMeExplains: with an empty profile the page says the order
// means little and what to fill in; the reasons come before the choices,
// the bases that do not fit are folded away, a base for certain groups
// says which, and the choices offer the best fits first.
func TestBasesForMeExplains(t *testing.T) {
	t.Parallel()
	w := portaltest.NewBaseWorld(t)
	tp := w.Portal
	resp, body := tp.Do("POST", "/api/v1/admin/bases", map[string]any{"name": "退役軍人創業園", "level": "municipal", "district": "hightech",
		"seats": 4, "intake_open": true, "target_groups": []string{"retired_soldier"}}, w.Admin)
	if resp.StatusCode != 201 {
		t.Fatalf("create base: %d %s", resp.StatusCode, body)
	}
	id := portaltest.Decode[map[string]any](t, body)["id"].(string)
	tp.Do("POST", "/api/v1/admin/bases/"+id+"/status", map[string]string{"status": "approved"}, w.Admin)

	b, _ := tp.SignedIn(t, "e2@test.cn")
	_, doc := b.Get("/bases/for-me")
	if got := doc.Find("#for-me-unknown").Text(); !strings.Contains(got, "行業") || !strings.Contains(got, "身分") || doc.Find(`#for-me-unknown a[href="/profile"]`).Length() != 1 {
		t.Errorf("no prompt to fill the profile: %q", got)
	}
	html, _ := doc.Find("main").Html()
	if strings.Index(html, `id="ranked"`) > strings.Index(html, `id="apply-form"`) {
		t.Error("the explanations come after the form")
	}
	excluded := doc.Find("#ranked-excluded").Text()
	if !strings.Contains(excluded, "退役軍人創業園") || !strings.Contains(excluded, "只接收：退役士兵；您的資料未填寫身分") {
		t.Errorf("the excluded bases: %q", excluded)
	}
	if strings.Contains(doc.Find("#ranked").Text(), "滿員基地") {
		t.Error("a full base is among the fitting ones")
	}
	opt := doc.Find(`#choice1 optgroup option`).First().Text()
	if !strings.Contains(opt, " · ") || !strings.Contains(opt, "分") {
		t.Errorf("choice label %q", opt)
	}
}

// TestContentInTheReadersScript: a base named in Traditional characters
// reads in Simplified to a zh-Hans reader, and a Simplified name in
// Traditional to a zh-Hant one; the data keeps what was typed.
func TestContentInTheReadersScript(t *testing.T) {
	t.Parallel()
	w := portaltest.NewBaseWorld(t)
	tp := w.Portal
	resp, body := tp.Do("POST", "/api/v1/admin/bases", map[string]any{"name": "农业科技孵化园", "level": "municipal", "district": "hightech",
		"seats": 4, "intake_open": true}, w.Admin)
	if resp.StatusCode != 201 {
		t.Fatalf("create base: %d %s", resp.StatusCode, body)
	}
	id := portaltest.Decode[map[string]any](t, body)["id"].(string)
	tp.Do("POST", "/api/v1/admin/bases/"+id+"/status", map[string]string{"status": "approved"}, w.Admin)
	page := func(path, lang string) string {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Accept-Language", lang)
		_, doc := tp.Browser().Send(req)
		return doc.Find("main").Text()
	}
	if got := page("/bases/"+w.BaseA, "zh-CN"); !strings.Contains(got, "高新创业园") {
		t.Errorf("zh-Hans reader: %q", got)
	}
	if got := page("/bases/"+id, "zh-TW"); !strings.Contains(got, "農業科技孵化園") {
		t.Errorf("zh-Hant reader: %q", got)
	}
	if _, body := tp.Do("GET", "/api/v1/bases/"+id, nil, ""); !strings.Contains(string(body), "农业科技孵化园") {
		t.Errorf("the API changed what was typed: %s", body)
	}
}

// TestMoveOutAsksFirst (#20.16): 遷出 ends a tenancy, so the console asks
// for a tick first; a move-out sent without it is refused with a red note
// and changes nothing. The API takes the step as meant.
func TestMoveOutAsksFirst(t *testing.T) {
	t.Parallel()
	w := portaltest.NewBaseWorld(t)
	tp := w.Portal
	_, body := tp.Do("POST", "/api/v1/applications", map[string]any{"choices": []string{w.BaseA}, "venture": "軟件外包工作室，三人團隊"}, w.E1)
	app := portaltest.Decode[web.ListResponse[basesweb.APIApplication]](t, body).Items[0].ID
	tp.MustDo(t, "POST", "/api/v1/manage/applications/"+app+"/accept", nil, w.MgrA)
	tp.MustDo(t, "POST", "/api/v1/applications/"+app+"/accept-offer", nil, w.E1)
	status := func() string {
		return portaltest.Decode[basesweb.APIApplication](t, tp.MustDo(t, "GET", "/api/v1/applications/"+app, nil, w.E1)).Status
	}

	manager, _ := tp.SignedIn(t, "mgra@test.cn")
	_, doc := manager.Get("/manage")
	form := doc.Find("details#move-out-" + app + " form")
	if form.Length() != 1 || form.Find(`input[type="checkbox"][name="confirm"][value="yes"][required]`).Length() != 1 || !strings.Contains(form.Text(), "我了解") {
		t.Fatalf("the move-out asks for no confirmation: %q", doc.Find(".manage-apps").Text())
	}
	path := "/manage/applications/" + app + "/move-out"
	resp, _ := manager.Post(path, url.Values{"reason": {"graduated"}}, portaltest.CSRF(doc))
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/manage" {
		t.Fatalf("unconfirmed move-out: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, doc = manager.Get("/manage")
	if doc.Find(`.flash.refused[data-flash="error.move_out.unconfirmed"]`).Length() != 1 || status() != "tenant" {
		t.Fatalf("unconfirmed move-out: status %s, flash %q", status(), doc.Find(".flash").Text())
	}
	// Another base's manager learns nothing from an unconfirmed post.
	other, csrf := tp.SignedIn(t, "mgrb@test.cn")
	if resp, _ := other.Post(path, url.Values{"reason": {"graduated"}}, csrf); resp.StatusCode != 404 {
		t.Errorf("another manager's unconfirmed move-out: %d", resp.StatusCode)
	}
	resp, _ = manager.Post(path, url.Values{"reason": {"graduated"}, "confirm": {"yes"}}, portaltest.CSRF(doc))
	if resp.StatusCode != 303 || status() != "moved_out" {
		t.Errorf("confirmed move-out: %d, status %s", resp.StatusCode, status())
	}
}
