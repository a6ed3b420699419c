package accounts_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	accountsweb "onestop/portal/accounts"
	"onestop/portal/portaltest"
	"onestop/services/accounts"
)

// TestAdminResetAPI (#20): POST /api/v1/admin/users/:id/password-reset
// answers 202 with where the reset went and nothing secret; the account's
// sessions end and its old password stops working; the link's reset and
// code set a new password through the ordinary reset. Others, the
// administrator's own account and a disabled one are refused.
func TestAdminResetAPI(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	adminID, admin, _ := tp.Account(accounts.Admin, "admin@test.cn")
	staffID, staff, staffRefresh := tp.Account(accounts.Hotline, "staff@test.cn")
	offID, _, _ := tp.Account(accounts.Hotline, "off@test.cn")
	tp.MustDo(t, "PATCH", "/api/v1/admin/users/"+offID, map[string]any{"disabled": true}, admin)
	path := "/api/v1/admin/users/" + staffID + "/password-reset"
	tp.Run(t, []portaltest.Scenario{
		{Name: "guests", Method: "POST", Path: path, Status: 401},
		{Name: "staff for themselves", Method: "POST", Path: path, Token: staff, Status: 403},
		{Name: "the administrator's own", Method: "POST", Path: "/api/v1/admin/users/" + adminID + "/password-reset", Token: admin, Status: 409,
			Contains: []string{"error.user.reset_self", "忘記密碼"}},
		{Name: "a disabled account", Method: "POST", Path: "/api/v1/admin/users/" + offID + "/password-reset", Token: admin, Status: 409,
			Contains: []string{"error.user.reset_disabled", "請先啟用帳號"}},
		{Name: "no such account", Method: "POST", Path: "/api/v1/admin/users/0000000000000000000000000a/password-reset", Token: admin, Status: 404},
		{Name: "the staff member is still signed in", Method: "GET", Path: "/api/v1/me", Token: staff, Status: 200},
	})
	resp, body := tp.Do("POST", path, nil, admin)
	link, code := tp.AdminReset("staff@test.cn")
	reset, _ := strings.CutPrefix(link, "/password/reset?r=")
	got := portaltest.Decode[accountsweb.AdminResetResponse](t, body)
	if resp.StatusCode != 202 || got.SentTo != "s***@test.cn" || got.ExpiresIn != 900 {
		t.Fatalf("reset: %d %s", resp.StatusCode, body)
	}
	for _, secret := range []string{code, reset, "pr_", "password"} {
		if strings.Contains(string(body), secret) {
			t.Errorf("the answer holds %q: %s", secret, body)
		}
	}
	tp.Run(t, []portaltest.Scenario{
		{Name: "the old access token", Method: "GET", Path: "/api/v1/me", Token: staff, Status: 401},
		{Name: "the old refresh token", Method: "POST", Path: "/api/v1/auth/refresh", Body: map[string]string{"refresh_token": staffRefresh}, Status: 401},
		{Name: "the old password", Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"login": "staff@test.cn", "password": portaltest.Password}, Status: 401},
		{Name: "the link's reset and the code", Method: "POST", Path: "/api/v1/auth/password/reset",
			Body: map[string]string{"reset_id": reset, "code": code, "new_password": resetPassword}, Status: 200, Contains: []string{"access_token"}},
		{Name: "the new password", Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"login": "staff@test.cn", "password": resetPassword}, Status: 200},
		{Name: "audited", Method: "GET", Path: "/api/v1/admin/audit?action=user.password_reset_by_admin&result=success", Token: admin, Status: 200,
			Contains: []string{staffID, adminID}},
	})
}

// TestAdminResetPages: the account page offers 重設密碼 behind a tick,
// says what it does and where it goes; unticked nothing happens; ticked
// the page says the reset went to the address on file, masked. A disabled
// account and the administrator's own offer none. The link opens the
// ordinary reset page, once.
func TestAdminResetPages(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	adminID, admin, _ := tp.Account(accounts.Admin, "admin@test.cn")
	staffID, staff, _ := tp.Account(accounts.Hotline, "staff@test.cn")
	offID, _, _ := tp.Account(accounts.Hotline, "off@test.cn")
	tp.MustDo(t, "PATCH", "/api/v1/admin/users/"+offID, map[string]any{"disabled": true}, admin)
	b, _ := tp.SignedIn(t, "admin@test.cn")
	page := "/admin/users/" + staffID
	_, doc := b.Get(page)
	form := doc.Find("form#reset-form")
	if form.AttrOr("action", "") != page+"/password-reset" || form.Find(`details#reset input[name="confirm"][value="yes"][required]`).Length() != 1 ||
		!strings.Contains(form.Text(), "s***@test.cn") || !strings.Contains(form.Text(), "您不會看到新密碼") {
		t.Fatalf("the reset form: %q", form.Text())
	}
	resp, _ := b.Post(page+"/password-reset", url.Values{}, portaltest.CSRF(doc))
	_, doc = b.Get(page)
	if resp.StatusCode != 303 || doc.Find(`.flash.refused[data-flash="error.user.reset_unconfirmed"]`).Length() != 1 {
		t.Fatalf("unconfirmed: %d %q", resp.StatusCode, doc.Find(".flash").Text())
	}
	if resp, _ := tp.Do("GET", "/api/v1/me", nil, staff); resp.StatusCode != 200 {
		t.Fatalf("an unconfirmed reset signed the staff member out: %d", resp.StatusCode)
	}
	resp, _ = b.Post(page+"/password-reset", url.Values{"confirm": {"yes"}}, portaltest.CSRF(doc))
	_, doc = b.Get(page)
	if got := doc.Find(".flash").Text(); resp.StatusCode != 303 || !strings.Contains(got, "已重設密碼") || !strings.Contains(got, "s***@test.cn") {
		t.Fatalf("confirmed: %d %q", resp.StatusCode, got)
	}
	if resp, _ := tp.Do("GET", "/api/v1/me", nil, staff); resp.StatusCode != 401 {
		t.Errorf("the staff member's session: %d", resp.StatusCode)
	}
	// A disabled account: no form, and a post is refused with the reason.
	_, doc = b.Get("/admin/users/" + offID)
	if doc.Find("#reset-form").Length() != 0 || doc.Find("#reset-disabled").Text() != "此帳號已停用，不能重設密碼；請先啟用帳號。" {
		t.Errorf("a disabled account's page: %q", doc.Find("main").Text())
	}
	b.Post("/admin/users/"+offID+"/password-reset", url.Values{"confirm": {"yes"}}, portaltest.CSRF(doc))
	if _, doc = b.Get("/admin/users/" + offID); doc.Find(`.flash.refused[data-flash="error.user.reset_disabled"]`).Length() != 1 {
		t.Errorf("resetting a disabled account: %q", doc.Find(".flash").Text())
	}
	if _, doc = b.Get("/admin/users/" + adminID); doc.Find("#reset-form").Length() != 0 {
		t.Error("the administrator's own page offers a reset")
	}

	// The staff member opens the link: the ordinary reset page, which
	// says where the code went; the link works until the reset is used.
	link, code := tp.AdminReset("staff@test.cn")
	s := tp.Browser()
	resp, _ = s.Get(link)
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/password/reset" {
		t.Fatalf("the link: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, doc = s.Get("/password/reset")
	if doc.Find("#reset-form").Length() != 1 || !strings.Contains(doc.Find("#reset-sent").Text(), "s***@test.cn") {
		t.Fatalf("the reset page from the link: %q", doc.Find("main").Text())
	}
	resp, _ = s.Post("/password/reset", url.Values{"code": {code}, "password": {resetPassword}, "password2": {resetPassword}}, portaltest.CSRF(doc))
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/" {
		t.Fatalf("reset: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	again := tp.Browser()
	again.Get(link)
	if _, doc := again.Get("/password/reset"); doc.Find("#reset-missing").Length() != 1 {
		t.Errorf("a used link opens a reset: %q", doc.Find("main").Text())
	}
}

// TestBrowserAdminResetsStaffPassword: the administrator presses 重設密碼
// on a hotline member's account and confirms; the member's session ends;
// they open the link from their inbox, type the code and a new password,
// and are signed in.
func TestBrowserAdminResetsStaffPassword(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	tp.Account(accounts.Admin, "admin@test.cn")
	staffID, _, _ := tp.Account(accounts.Hotline, "staff@test.cn")
	member, _ := tp.SignedIn(t, "staff@test.cn") // the member, signed in at their desk
	s := portaltest.NewSession(t, tp, 90*time.Second)
	s.ZhHant()
	s.Login("admin@test.cn")
	s.Step("the account's page", chromedp.Navigate(s.Base+"/admin/users/"+staffID), chromedp.WaitVisible(chromedp.CSS("details#reset > summary")),
		chromedp.Click(chromedp.CSS("details#reset > summary")), chromedp.WaitVisible(chromedp.ID("reset-confirm")),
		chromedp.Click(chromedp.ID("reset-confirm")))
	portaltest.Screenshot(t, s.Ctx, "admin-reset-password")
	s.Step("reset", chromedp.Click(chromedp.ID("reset-submit")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := s.Text(".flash"); !strings.Contains(got, "s***@test.cn") {
		t.Errorf("the page says: %q", got)
	}
	if resp, _ := member.Get("/account"); resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("the member's session: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	s.Logout()
	link, code := tp.AdminReset("staff@test.cn")
	s.Step("the link from the inbox", chromedp.Navigate(s.Base+link), chromedp.WaitVisible(chromedp.ID("reset-form")),
		chromedp.SendKeys(chromedp.ID("code"), code), chromedp.SendKeys(chromedp.ID("password"), resetPassword),
		chromedp.SendKeys(chromedp.ID("password2"), resetPassword), chromedp.Click(chromedp.ID("reset-submit")), chromedp.WaitVisible(chromedp.ID("welcome")))
	if got := s.Text(".flash"); !strings.Contains(got, "密碼已重設") {
		t.Errorf("flash: %q", got)
	}
	s.Logout()
	s.Step("the new password signs in", chromedp.Navigate(s.Base+"/login"), chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login"), "staff@test.cn"), chromedp.SendKeys(chromedp.ID("password"), resetPassword),
		chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitVisible(chromedp.ID("welcome")))
}
