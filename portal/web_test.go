package portal_test

import (
	"context"
	"net/url"
	"onestop/portal/web"
	"strings"
	"testing"
	"time"

	"onestop/portal/portaltest"
	"onestop/services/accounts"
)

func TestWebRegisterLoginLogout(t *testing.T) {
	tp := portaltest.New(t)
	b := tp.Browser()
	_, doc := b.Get("/register")
	csrf := portaltest.CSRF(doc)
	if csrf == "" {
		t.Fatal("register form has no CSRF token")
	}

	// Bad input re-shows the form with messages in the user's language,
	// keeps what was typed (but never the password) and stores nothing.
	resp, doc := b.Post("/register", url.Values{"name": {"陳大文"}, "login": {"13912345678"}, "password": {"12345678"}, "password2": {"12345678"}}, csrf)
	if resp.StatusCode != 422 {
		t.Fatalf("weak password: %d", resp.StatusCode)
	}
	if got := doc.Find("#password-err").Text(); got != "這個密碼太常見，容易被猜到，請換一個。" {
		t.Errorf("password error = %q", got)
	}
	if v, _ := doc.Find("#login").Attr("value"); v != "13912345678" {
		t.Errorf("typed login lost: %q", v)
	}
	if v, _ := doc.Find("#password").Attr("value"); v != "" {
		t.Error("password echoed back")
	}
	if _, ok := doc.Find("#password").Attr("aria-invalid"); !ok {
		t.Error("invalid field not marked")
	}
	resp, doc = b.Post("/register", url.Values{"name": {"陳大文"}, "login": {"13912345678"}, "password": {portaltest.Password}, "password2": {"different-1234"}}, csrf)
	if resp.StatusCode != 422 || doc.Find("#password2-err").Length() != 1 {
		t.Fatalf("mismatch: %d", resp.StatusCode)
	}

	resp, _ = b.Post("/register", url.Values{"name": {"陳大文"}, "login": {"13912345678"}, "password": {portaltest.Password}, "password2": {portaltest.Password}}, csrf)
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/register/confirm" {
		t.Fatalf("register: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// The code sent to the phone confirms it; a wrong one re-shows the form.
	_, doc = b.Get("/register/confirm")
	if got := doc.Find("#confirm-sent").Text(); !strings.Contains(got, "139****5678") || strings.Contains(got, "13912345678") {
		t.Errorf("confirm page: %q", got)
	}
	code, wrong := tp.Code("13912345678"), "000000"
	if code == wrong {
		wrong = "111111"
	}
	resp, doc = b.Post("/register/confirm", url.Values{"code": {wrong}}, portaltest.CSRF(doc))
	if got := doc.Find("#code-err").Text(); resp.StatusCode != 422 || got != "驗證碼不正確。" {
		t.Fatalf("wrong code: %d %q", resp.StatusCode, got)
	}
	resp, _ = b.Post("/register/confirm", url.Values{"code": {code}}, portaltest.CSRF(doc))
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/" {
		t.Fatalf("confirm: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, doc = b.Get("/")
	if got := doc.Find("#welcome").Text(); got != "歡迎，陳大文！" {
		t.Fatalf("home after register: %q", got)
	}
	if doc.Find(".flash").Length() != 1 {
		t.Error("no confirmation after registering")
	}
	_, doc = b.Get("/account")
	if got := doc.Find("dd").Eq(1).Text(); got != "139****5678" {
		t.Errorf("phone on the account page = %q, want it masked", got)
	}

	// Logout without the token is refused; with it, the session ends.
	resp, _ = b.Post("/logout", url.Values{"_csrf": {"forged"}}, "")
	if resp.StatusCode != 403 {
		t.Fatalf("logout with a forged token: %d", resp.StatusCode)
	}
	resp, _ = b.Post("/logout", url.Values{}, portaltest.CSRF(doc))
	if resp.StatusCode != 303 {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	resp, _ = b.Get("/account")
	if resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
		t.Fatalf("account after logout: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}

	// Sign in again, landing where we were going.
	_, doc = b.Get("/login?next=/account")
	resp, doc = b.Post("/login", url.Values{"login": {"13912345678"}, "password": {"wrong-password"}, "next": {"/account"}}, portaltest.CSRF(doc))
	if resp.StatusCode != 401 || doc.Find("#login-error").Text() != "帳號或密碼不正確。" {
		t.Fatalf("wrong password: %d %q", resp.StatusCode, doc.Find("#login-error").Text())
	}
	resp, _ = b.Post("/login", url.Values{"login": {"139 1234 5678"}, "password": {portaltest.Password}, "next": {"/account"}}, portaltest.CSRF(doc))
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/account" {
		t.Fatalf("login: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestWebCSRFAndOrigin(t *testing.T) {
	tp := portaltest.New(t)
	b := tp.Browser()
	_, doc := b.Get("/login")
	csrf := portaltest.CSRF(doc)
	form := url.Values{"login": {"a@b.cn"}, "password": {"whatever-123"}}
	// No token, a token from another session, and a foreign Origin.
	if resp, _ := b.Post("/login", url.Values{"login": {"a@b.cn"}, "password": {"x"}, "_csrf": {""}}, ""); resp.StatusCode != 403 {
		t.Errorf("no token: %d", resp.StatusCode)
	}
	other := tp.Browser()
	_, odoc := other.Get("/login")
	if resp, _ := b.Post("/login", form, portaltest.CSRF(odoc)); resp.StatusCode != 403 {
		t.Errorf("another session's token: %d", resp.StatusCode)
	}
	b.Header.Set("Origin", "https://evil.example")
	if resp, _ := b.Post("/login", url.Values{"login": {"a@b.cn"}, "password": {"x"}}, csrf); resp.StatusCode != 403 {
		t.Errorf("foreign origin: %d", resp.StatusCode)
	}
	b.Header.Del("Origin")
	if resp, _ := b.Post("/login", url.Values{"login": {"a@b.cn"}, "password": {"x"}}, csrf); resp.StatusCode != 401 {
		t.Errorf("valid token: %d", resp.StatusCode)
	}
}

func TestWebOpenRedirectRefused(t *testing.T) {
	for _, next := range []string{"//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)"} {
		if got := web.SafeNext(next); got != "/" {
			t.Errorf("web.SafeNext(%q) = %q", next, got)
		}
	}
	if web.SafeNext("/account?x=1") != "/account?x=1" {
		t.Error("local path refused")
	}
}

func TestWebAdminPages(t *testing.T) {
	tp := portaltest.New(t)
	tp.Account(accounts.Admin, "boss@test.cn")
	tp.Account(accounts.Entrepreneur, "ent@test.cn")
	b := tp.Browser()
	_, doc := b.Get("/login")
	b.Post("/login", url.Values{"login": {"boss@test.cn"}, "password": {portaltest.Password}}, portaltest.CSRF(doc))
	resp, doc := b.Get("/admin/users")
	if resp.StatusCode != 200 || doc.Find("#users tbody tr").Length() != 2 {
		t.Fatalf("user list: %d, %d rows", resp.StatusCode, doc.Find("#users tbody tr").Length())
	}
	// Create a hotline account through the form; a bad one is re-shown.
	resp, doc = b.Post("/admin/users", url.Values{"name": {"林坐席"}, "login": {"not-an-email@"}, "role": {"hotline"}, "password": {portaltest.Password}}, portaltest.CSRF(doc))
	if resp.StatusCode != 422 || doc.Find("#c-login-err").Length() != 1 {
		t.Fatalf("bad create: %d", resp.StatusCode)
	}
	resp, _ = b.Post("/admin/users", url.Values{"name": {"林坐席"}, "login": {"lin@test.cn"}, "role": {"hotline"}, "password": {portaltest.Password}}, portaltest.CSRF(doc))
	if resp.StatusCode != 303 {
		t.Fatalf("create: %d", resp.StatusCode)
	}
	loc := resp.Header.Get("Location")
	_, doc = b.Get(loc)
	if doc.Find("#user-role").Text() != "熱線坐席" {
		t.Errorf("role shown = %q", doc.Find("#user-role").Text())
	}
	resp, _ = b.Post(loc+"/status", url.Values{"disabled": {"true"}}, portaltest.CSRF(doc))
	if resp.StatusCode != 303 {
		t.Fatalf("disable: %d", resp.StatusCode)
	}
	_, doc = b.Get("/admin/users?status=disabled&q=林")
	if n := doc.Find("#users tbody tr").Length(); n != 1 || !strings.Contains(doc.Find("#users tbody").Text(), "林坐席") {
		t.Errorf("filtered list: %d rows: %s", n, doc.Find("#users tbody").Text())
	}
	_, doc = b.Get("/admin/audit?action=user.disable")
	if doc.Find("#audit tbody tr").Length() != 1 {
		t.Errorf("audit rows for user.disable: %d", doc.Find("#audit tbody tr").Length())
	}

	// A non-admin sees 403, a guest is sent to sign in.
	e := tp.Browser()
	_, doc = e.Get("/login")
	e.Post("/login", url.Values{"login": {"ent@test.cn"}, "password": {portaltest.Password}}, portaltest.CSRF(doc))
	if resp, doc := e.Get("/admin/users"); resp.StatusCode != 403 || doc.Find("#error-message").Length() != 1 {
		t.Errorf("entrepreneur on admin page: %d", resp.StatusCode)
	}
	if resp, _ := tp.Browser().Get("/admin/users"); resp.StatusCode != 303 {
		t.Errorf("guest on admin page: %d", resp.StatusCode)
	}
}

func TestSecurityHeaders(t *testing.T) {
	tp := portaltest.New(t)
	for _, path := range []string{"/", "/login", "/nope", "/api/v1/me", "/healthz"} {
		resp, _ := tp.Do("GET", path, nil, "")
		for h, want := range map[string]string{
			"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Cache-Control": "no-store",
		} {
			if resp.Header.Get(h) != want {
				t.Errorf("%s: %s = %q", path, h, resp.Header.Get(h))
			}
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		if resp.Header.Get("Server") != "" {
			t.Errorf("%s: Server header %q", path, resp.Header.Get("Server"))
		}
	}
	// Static files: hashed URL cached for a year, wrong hash 404.
	_, doc := tp.Browser().Get("/")
	href, _ := doc.Find(`link[rel="stylesheet"]`).Attr("href")
	resp, _ := tp.Do("GET", href, nil, "")
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") {
		t.Errorf("stylesheet %s: %d %v", href, resp.StatusCode, resp.Header)
	}
	for _, p := range []string{"/static/000000000000/css/app.css", strings.Replace(href, "css/app.css", "../../go.mod", 1), "/static/x/%2e%2e/%2e%2e/etc/passwd"} {
		if resp, _ := tp.Do("GET", p, nil, ""); resp.StatusCode != 404 {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
	}
}

// TestSelfCheckGrows: the public self-check starts short and, after each
// round, asks what the undecided supports still need, keeping the answers.
func TestSelfCheckGrows(t *testing.T) {
	tp := portaltest.New(t)
	b := tp.Browser()
	_, doc := b.Get("/check")
	if doc.Find(`input[name="target_groups"]`).Length() != 8 || doc.Find(`[name="venture.first_registered"]`).Length() != 0 {
		t.Fatal("the first round is not the short form")
	}
	if doc.Find(".results").Length() != 0 {
		t.Fatal("results before any answer")
	}
	form := url.Values{"groups_known": {"1"}, "target_groups": {"college_graduate"}, "venture.stage": {"operating"}, "venture.form": {"individual"}}
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
	if resp.StatusCode != 422 || doc.Find(`[id="e-graduation_date"]`).Text() != "請以 年-月-日 填寫有效日期。" {
		t.Errorf("bad date: %d %q", resp.StatusCode, doc.Find(`[id="e-graduation_date"]`).Text())
	}
}

func TestWebProfileForm(t *testing.T) {
	tp := portaltest.New(t)
	tp.Account(accounts.Entrepreneur, "ent@test.cn")
	b := tp.Browser()
	_, doc := b.Get("/login")
	b.Post("/login", url.Values{"login": {"ent@test.cn"}, "password": {portaltest.Password}}, portaltest.CSRF(doc))
	_, doc = b.Get("/profile")
	form := url.Values{"real_name": {"何志明"}, "id_number": {"440301199001011235"}, "consent": {"yes"}, "groups_known": {"1"},
		"target_groups": {"retired_soldier"}, "venture.stage": {"idea"}, "venture.form": {"individual"}, "venture.employees": {"-2"}}
	resp, doc := b.Post("/profile", form, portaltest.CSRF(doc))
	if resp.StatusCode != 422 {
		t.Fatalf("bad profile: %d", resp.StatusCode)
	}
	if got := doc.Find("#e-id_number").Text(); got != "身分證號碼校驗碼不正確，請核對。" {
		t.Errorf("id error: %q", got)
	}
	if v, _ := doc.Find(`[name="id_number"]`).Attr("value"); v != "" {
		t.Error("the ID number was echoed back into the page")
	}
	if v, _ := doc.Find(`[name="real_name"]`).Attr("value"); v != "何志明" {
		t.Errorf("typed name lost: %q", v)
	}
	form.Set("id_number", "440301199001011234")
	form.Set("venture.employees", "2")
	resp, _ = b.Post("/profile", form, portaltest.CSRF(doc))
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/supports" {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	_, doc = b.Get("/supports")
	if doc.Find("#policy-fee-exemption-3y .badge").Text() != "符合" {
		t.Errorf("supports: %s", doc.Find("#policy-fee-exemption-3y").Text())
	}
	_, doc = b.Get("/profile")
	if !strings.Contains(doc.Find("#h-id").Text(), "4403**********1234") || strings.Contains(doc.Text(), "440301199001011234") {
		t.Error("the profile page shows the ID number in clear or not at all")
	}
}

// TestNotificationsPageMarksReadByPost: showing the notifications changes
// nothing; the page's form marks read up to the newest it showed, so one
// that came after stays unread.
func TestNotificationsPageMarksReadByPost(t *testing.T) {
	tp := portaltest.New(t)
	id, _, _ := tp.Account(accounts.Entrepreneur, "reader@test.cn")
	ctx := context.Background()
	unread := func() int {
		t.Helper()
		n, err := tp.App.Bureau().Notify.Unread(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	tp.App.Bureau().Notify.Send(ctx, id, "notify.consult.new", "x", "/consultations/1")
	b := tp.Browser()
	_, doc := b.Get("/login")
	b.Post("/login", url.Values{"login": {"reader@test.cn"}, "password": {portaltest.Password}}, portaltest.CSRF(doc))
	_, doc = b.Get("/notifications")
	if n := unread(); n != 1 {
		t.Fatalf("after the GET, %d unread; a GET must not mark", n)
	}
	form := doc.Find("form#mark-read")
	upto, _ := form.Find(`input[name="upto"]`).Attr("value")
	if form.Length() != 1 || upto == "" || doc.Find(`#unread`).Text() != "1" {
		t.Fatalf("the page has no mark-read form (upto %q) or no bell", upto)
	}
	tp.Advance(time.Second)
	tp.App.Bureau().Notify.Send(ctx, id, "notify.consult.new", "y", "/consultations/2") // after the page was shown
	if resp, _ := b.Post("/notifications/read", url.Values{"upto": {upto}}, portaltest.CSRF(doc)); resp.StatusCode != 303 || resp.Header.Get("Location") != "/notifications" {
		t.Fatalf("mark read: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if n := unread(); n != 1 {
		t.Errorf("%d unread after marking what the page showed; want the later one", n)
	}
	for _, bad := range []string{"", "soon", "-5"} {
		if resp, _ := b.Post("/notifications/read", url.Values{"upto": {bad}}, portaltest.CSRF(doc)); resp.StatusCode != 422 {
			t.Errorf("upto %q: %d, want 422", bad, resp.StatusCode)
		}
	}
}
