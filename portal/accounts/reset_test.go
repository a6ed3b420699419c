package accounts_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	accountsweb "onestop/portal/accounts"
	"onestop/portal/portaltest"
	"onestop/services/accounts"
)

const resetPassword = "Fresh-start-2026"

// TestResetAnswersAlike is the oracle check of the password reset: a
// login with an account, a disabled one, and nobody's (chosen to mask
// alike) are answered exactly alike, through the API and on the web; only
// the address learns the difference, from the message or its absence.
func TestResetAnswersAlike(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	tp.Account(accounts.Entrepreneur, "have@test.cn")
	offID, _, _ := tp.Account(accounts.Entrepreneur, "hoff@test.cn")
	if err := tp.App.Accounts().SetDisabled(context.Background(), accounts.Principal{ID: "bootstrap", Role: accounts.Admin}, offID, true, accounts.Meta{}); err != nil {
		t.Fatal(err)
	}
	logins := []string{"have@test.cn", "hoff@test.cn", "hnone@test.cn"}
	t.Run("api", func(t *testing.T) {
		var answers []map[string]any
		for _, login := range logins {
			resp, raw := tp.Do("POST", "/api/v1/auth/password/forgot", map[string]string{"login": login}, "")
			var m map[string]any
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatalf("%d %s", resp.StatusCode, raw)
			}
			delete(m, "reset_id") // random
			m["status"], m["type"], m["retry"] = resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Retry-After")
			answers = append(answers, m)
		}
		for i := range answers[1:] {
			if !reflect.DeepEqual(answers[0], answers[i+1]) {
				t.Errorf("answers differ by who holds the login:\n %s %v\n %s %v", logins[0], answers[0], logins[i+1], answers[i+1])
			}
		}
		if answers[0]["status"] != 202 || answers[0]["sent_to"] != "h***@test.cn" {
			t.Errorf("answer %v", answers[0])
		}
	})
	t.Run("web", func(t *testing.T) {
		var answers []string
		for _, login := range logins {
			b := tp.Browser()
			_, doc := b.Get("/password/forgot")
			resp, _ := b.Post("/password/forgot", url.Values{"login": {login}}, portaltest.CSRF(doc))
			_, doc = b.Get("/password/reset")
			answers = append(answers, resp.Status+" "+resp.Header.Get("Location")+" "+doc.Find("main").Text())
		}
		for i := range answers[1:] {
			if answers[0] != answers[i+1] {
				t.Errorf("pages differ by who holds the login:\n %q\n %q", answers[0], answers[i+1])
			}
		}
		if !strings.Contains(answers[0], "303 See Other /password/reset") || !strings.Contains(answers[0], "如有帳號使用 h***@test.cn") {
			t.Errorf("page %q", answers[0])
		}
	})
	for login, want := range map[string][]string{
		"have@test.cn":  {"reset.message.code", "reset.message.code"},
		"hoff@test.cn":  {"reset.message.disabled", "reset.message.disabled"},
		"hnone@test.cn": nil,
	} {
		var got []string
		for _, d := range tp.Messages(login) {
			got = append(got, d.Key)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s was sent %v, want %v", login, got, want)
		}
	}
}

// TestResetAPI: the reset through the API, with its failures: a wrong
// code counts, the code expires, works once, and after the attempts even
// the right one is refused; the reset ends every session.
func TestResetAPI(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	adminID, admin, _ := tp.Account(accounts.Admin, "admin@test.cn")
	entID, ent, entRefresh := tp.Account(accounts.Entrepreneur, "li.hua@example.cn")
	forgot := func() accountsweb.ResetStartResponse {
		t.Helper()
		raw := tp.MustDo(t, "POST", "/api/v1/auth/password/forgot", map[string]string{"login": "Li.Hua@Example.cn"}, "")
		return portaltest.Decode[accountsweb.ResetStartResponse](t, raw)
	}
	reset := func(id, code, password string) map[string]string {
		return map[string]string{"reset_id": id, "code": code, "new_password": password}
	}
	const path = "/api/v1/auth/password/reset"

	st := forgot()
	if st.SentTo != "l***@example.cn" || st.ExpiresIn != 900 || !strings.HasPrefix(st.ResetID, "pr_") {
		t.Fatalf("forgot: %+v", st)
	}
	code := tp.ResetCode("li.hua@example.cn")
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	tp.Run(t, []portaltest.Scenario{
		{Name: "no login", Method: "POST", Path: "/api/v1/auth/password/forgot", Body: map[string]string{"login": ""}, Status: 422, Contains: []string{`"field":"login"`, "error.login.required"}},
		{Name: "not an e-mail", Method: "POST", Path: "/api/v1/auth/password/forgot", Body: map[string]string{"login": "li.hua@"}, Status: 422, Contains: []string{`"field":"login"`, "error.email"}},
		{Name: "an object for the login", Method: "POST", Path: "/api/v1/auth/password/forgot", Body: `{"login":{"$ne":null}}`, Status: 422, Contains: []string{"error.json.type"}},
		{Name: "an unknown field", Method: "POST", Path: "/api/v1/auth/password/forgot", Body: map[string]string{"login": "li.hua@example.cn", "user_id": entID}, Status: 422, Contains: []string{"error.json.unknown"}},
		{Name: "a wrong code", Method: "POST", Path: path, Body: reset(st.ResetID, wrong, resetPassword), Status: 422, Contains: []string{`"field":"code"`, "error.code.wrong"}},
		{Name: "not a code", Method: "POST", Path: path, Body: reset(st.ResetID, "12ab56", resetPassword), Status: 422, Contains: []string{"error.code.wrong"}},
		{Name: "an unknown reset", Method: "POST", Path: path, Body: reset("pr_"+strings.Repeat("A", 43), code, resetPassword), Status: 422, Contains: []string{"error.reset.expired"}},
		{Name: "a registration's id", Method: "POST", Path: path, Body: reset("rg_"+strings.Repeat("A", 43), code, resetPassword), Status: 422, Contains: []string{"error.reset.expired"}},
		{Name: "a common password with the right code", Method: "POST", Path: path, Body: reset(st.ResetID, code, "password123"), Status: 422,
			Contains: []string{`"field":"password"`, "error.password.common"}},
		{Name: "the right code", Method: "POST", Path: path, Body: reset(st.ResetID, code, resetPassword), Status: 200,
			Contains: []string{`"email":"li.hua@example.cn"`, "access_token", "device_token"}, NotContains: []string{resetPassword, code, "password_hash"}},
		{Name: "the code again", Method: "POST", Path: path, Body: reset(st.ResetID, code, "Another-one-2026"), Status: 422, Contains: []string{"error.reset.expired"}},
		{Name: "the old access token", Method: "GET", Path: "/api/v1/me", Token: ent, Status: 401},
		{Name: "the old refresh token", Method: "POST", Path: "/api/v1/auth/refresh", Body: map[string]string{"refresh_token": entRefresh}, Status: 401},
		{Name: "the old password", Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"login": "li.hua@example.cn", "password": portaltest.Password}, Status: 401},
		{Name: "the new password", Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"login": "li.hua@example.cn", "password": resetPassword}, Status: 200},
		{Name: "the reset is in the audit log", Method: "GET", Path: "/api/v1/admin/audit?action=user.password_reset", Token: admin, Status: 200,
			Contains: []string{entID, `"result":"success"`, `"result":"failure"`}},
	})
	if k := tp.LastMessage("li.hua@example.cn").Key; k != "account.message.password_changed" {
		t.Errorf("after the reset the address was told %s", k)
	}

	st = forgot()
	code = tp.ResetCode("li.hua@example.cn")
	var tries []portaltest.Scenario
	for i := range 5 {
		tries = append(tries, portaltest.Scenario{Name: "wrong code " + strconv.Itoa(i+1), Method: "POST", Path: path, Body: reset(st.ResetID, wrong, resetPassword), Status: 422, Contains: []string{"error.code.wrong"}})
	}
	tries = append(tries, portaltest.Scenario{Name: "the right code after five wrong ones", Method: "POST", Path: path, Body: reset(st.ResetID, code, "Another-one-2026"), Status: 422, Contains: []string{"error.reset.attempts"}})
	tp.Run(t, tries)

	st = forgot()
	code = tp.ResetCode("li.hua@example.cn")
	tp.Advance(16 * time.Minute)
	tp.Run(t, []portaltest.Scenario{
		{Name: "an expired code", Method: "POST", Path: path, Body: reset(st.ResetID, code, "Another-one-2026"), Status: 422, Contains: []string{"error.reset.expired"}},
		{Name: "the password is still the reset one", Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"login": "li.hua@example.cn", "password": resetPassword}, Status: 200},
	})

	// A disabled account is answered alike and never enabled by a reset
	// (an hour on: this address has had its three codes of the login).
	tp.Advance(time.Hour)
	if err := tp.App.Accounts().SetDisabled(context.Background(), accounts.Principal{ID: adminID, Role: accounts.Admin}, entID, true, accounts.Meta{}); err != nil {
		t.Fatal(err)
	}
	st = forgot()
	if k := tp.LastMessage("li.hua@example.cn").Key; k != "reset.message.disabled" {
		t.Fatalf("a disabled account was sent %s", k)
	}
	tp.Run(t, []portaltest.Scenario{
		{Name: "a disabled account's reset", Method: "POST", Path: path, Body: reset(st.ResetID, code, "Another-one-2026"), Status: 422, Contains: []string{"error.code.wrong"}},
		{Name: "the account stays disabled", Method: "GET", Path: "/api/v1/admin/users/" + entID, Token: tp.Login("admin@test.cn"), Status: 200, Contains: []string{`"disabled":true`}},
	})
}

// TestResetThrottled: an address asks for thirty resets an hour; past that
// the API says 429 with Retry-After and the page how many minutes to wait.
func TestResetThrottled(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	for i := range 30 {
		if resp, raw := tp.Do("POST", "/api/v1/auth/password/forgot", map[string]string{"login": "p" + strconv.Itoa(i) + "@centre.test.cn"}, ""); resp.StatusCode != 202 {
			t.Fatalf("reset %d: %d %s", i+1, resp.StatusCode, raw)
		}
	}
	tp.Run(t, []portaltest.Scenario{{Name: "the 31st", Method: "POST", Path: "/api/v1/auth/password/forgot", Body: map[string]string{"login": "x@centre.test.cn"},
		Status: 429, Contains: []string{"error.too_many"}}})
	b := tp.Browser()
	_, doc := b.Get("/password/forgot")
	resp, doc := b.Post("/password/forgot", url.Values{"login": {"y@centre.test.cn"}}, portaltest.CSRF(doc))
	if resp.StatusCode != 429 || !strings.Contains(doc.Find("#retry-in").Text(), "分鐘後再試") || resp.Header.Get("Retry-After") == "" {
		t.Errorf("the page past the limit: %d %q", resp.StatusCode, doc.Find("#retry-in").Text())
	}
}

// TestWebReset: the pages of the reset, with their errors in the user's
// language: a form re-shown keeps the code unless the code was at fault,
// never a password; a page without a reset leads back to ask for one.
func TestWebReset(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	if _, err := tp.App.Accounts().Create(context.Background(), accounts.Principal{ID: "bootstrap", Role: accounts.Admin},
		accounts.NewAccount{Phone: "13912345678", Password: portaltest.Password, Name: "陳大文", Role: accounts.Entrepreneur}, accounts.Meta{}); err != nil {
		t.Fatal(err)
	}
	old, _ := tp.SignedIn(t, "13912345678")
	b := tp.Browser()
	_, doc := b.Get("/login")
	if href, _ := doc.Find("#forgot-link").Attr("href"); href != "/password/forgot" || doc.Find("#forgot-link").Text() != "忘記密碼？" {
		t.Fatalf("the sign-in page's link: %q %q", href, doc.Find("#forgot-link").Text())
	}
	if resp, doc := b.Get("/password/reset"); resp.StatusCode != 200 || doc.Find("#reset-missing").Length() != 1 || doc.Find("#reset-form").Length() != 0 {
		t.Errorf("the reset page without a reset: %d", resp.StatusCode)
	}
	_, doc = b.Get("/password/forgot")
	resp, doc := b.Post("/password/forgot", url.Values{"login": {"1391234"}}, portaltest.CSRF(doc))
	if got := doc.Find("#login-err").Text(); resp.StatusCode != 422 || got == "" {
		t.Fatalf("a bad login: %d %q", resp.StatusCode, got)
	}
	if v, _ := doc.Find("#login").Attr("value"); v != "1391234" {
		t.Errorf("the typed login was lost: %q", v)
	}
	resp, _ = b.Post("/password/forgot", url.Values{"login": {"139 1234 5678"}}, portaltest.CSRF(doc))
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/password/reset" {
		t.Fatalf("forgot: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, doc = b.Get("/password/reset")
	if got := doc.Find("#reset-sent").Text(); !strings.Contains(got, "139****5678") || strings.Contains(got, "13912345678") {
		t.Errorf("reset page: %q", got)
	}
	code, wrong := tp.ResetCode("13912345678"), "000000"
	if code == wrong {
		wrong = "111111"
	}
	post := func(code, pw, pw2 string) (*http.Response, string) {
		resp, d := b.Post("/password/reset", url.Values{"code": {code}, "password": {pw}, "password2": {pw2}}, portaltest.CSRF(doc))
		doc = d
		return resp, doc.Find("main").Text()
	}
	if resp, _ := post(code, resetPassword, "something-else-1"); resp.StatusCode != 422 || doc.Find("#password2-err").Length() != 1 {
		t.Fatalf("mismatch: %d", resp.StatusCode)
	}
	if v, _ := doc.Find("#code").Attr("value"); v != code {
		t.Errorf("the code was lost on a password error: %q", v)
	}
	if v, _ := doc.Find("#password").Attr("value"); v != "" {
		t.Error("the password was echoed back")
	}
	if resp, main := post(code, "12345678", "12345678"); resp.StatusCode != 422 || strings.Count(main, "這個密碼太常見") != 1 || doc.Find("#password-err").Length() != 1 {
		t.Fatalf("a common password: %d %q", resp.StatusCode, doc.Find("#password-err").Text())
	}
	if resp, _ := post(wrong, resetPassword, resetPassword); resp.StatusCode != 422 || doc.Find("#code-err").Text() != "驗證碼不正確。" {
		t.Fatalf("a wrong code: %d %q", resp.StatusCode, doc.Find("#code-err").Text())
	}
	if v, _ := doc.Find("#code").Attr("value"); v != "" {
		t.Errorf("a wrong code was kept: %q", v)
	}
	if resp, _ := post(code, resetPassword, resetPassword); resp.StatusCode != 303 || resp.Header.Get("Location") != "/" {
		t.Fatalf("reset: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, doc = b.Get("/")
	if got := doc.Find("#welcome").Text(); got != "歡迎，陳大文！" || !strings.Contains(doc.Find(".flash").Text(), "密碼已重設") {
		t.Errorf("home after the reset: %q %q", got, doc.Find(".flash").Text())
	}
	if resp, _ := old.Get("/account"); resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("the session from before the reset: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, doc := b.Get("/password/reset"); doc.Find("#reset-missing").Length() != 1 {
		t.Errorf("the reset page after the reset: %d", resp.StatusCode)
	}
}

// TestBrowserPasswordReset: the journey of someone who forgot their
// password, in Chromium: the sign-in page → 忘記密碼 → the code from their
// inbox → a new password → signed in; the old password is refused, and the
// session signed in before is gone.
func TestBrowserPasswordReset(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	_, before, _ := tp.Account(accounts.Entrepreneur, "forgetful@example.cn")
	s := portaltest.NewSession(t, tp, 90*time.Second)
	s.ZhHant()
	s.Step("the sign-in page leads to 忘記密碼", chromedp.Navigate(s.Base+"/login"), chromedp.WaitVisible(chromedp.ID("forgot-link")),
		chromedp.Click(chromedp.ID("forgot-link")), chromedp.WaitVisible(chromedp.ID("forgot-form")))
	s.Step("ask for a code", chromedp.SendKeys(chromedp.ID("login"), "Forgetful@Example.cn"),
		chromedp.Click(chromedp.ID("forgot-submit")), chromedp.WaitVisible(chromedp.ID("reset-form")))
	if got := s.Text("#reset-sent"); !strings.Contains(got, "f***@example.cn") {
		t.Errorf("the reset page: %q", got)
	}
	portaltest.Screenshot(t, s.Ctx, "password-reset")
	s.Step("the code and a new password", chromedp.SendKeys(chromedp.ID("code"), tp.ResetCode("forgetful@example.cn")),
		chromedp.SendKeys(chromedp.ID("password"), resetPassword), chromedp.SendKeys(chromedp.ID("password2"), resetPassword),
		chromedp.Click(chromedp.ID("reset-submit")), chromedp.WaitVisible(chromedp.ID("welcome")))
	if got := s.Text(".flash"); !strings.Contains(got, "密碼已重設") {
		t.Errorf("flash: %q", got)
	}
	s.Logout()
	s.Step("the old password is refused", chromedp.Navigate(s.Base+"/login"), chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login"), "forgetful@example.cn"), chromedp.SendKeys(chromedp.ID("password"), portaltest.Password),
		chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitVisible(chromedp.ID("login-error")))
	if got := s.Text("#login-error"); got != "帳號或密碼不正確。" {
		t.Errorf("the old password: %q", got)
	}
	s.Step("the new password signs in", chromedp.SendKeys(chromedp.ID("password"), resetPassword),
		chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitVisible(chromedp.ID("welcome")))
	if resp, _ := tp.Do("GET", "/api/v1/me", nil, before); resp.StatusCode != 401 {
		t.Errorf("the session from before the reset: %d", resp.StatusCode)
	}
}
