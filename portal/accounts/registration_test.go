package accounts_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	accountsweb "onestop/portal/accounts"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"onestop/portal"
	"onestop/portal/portaltest"
	"onestop/services/accounts"

	"github.com/PuerkitoBio/goquery"
)

// TestRegistrationAnswersAlike is the oracle check of registration: an
// e-mail or phone that already has an account is answered exactly like a
// free one (the logins are chosen to mask alike), through the API and on
// the web; only the message to the address differs.
func TestRegistrationAnswersAlike(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	tp.Account(accounts.Entrepreneur, "taken@test.cn")
	if _, err := tp.App.Accounts().Create(context.Background(), accounts.Principal{ID: "bootstrap", Role: accounts.Admin},
		accounts.NewAccount{Phone: "13800138000", Password: portaltest.Password, Name: "王芳", Role: accounts.Entrepreneur}, accounts.Meta{}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name        string
		field       string
		taken, free string
	}{
		{"e-mail", "email", "taken@test.cn", "tfree@test.cn"},
		{"phone", "phone", "+86 138-0013-8000", "13811118000"},
	} {
		t.Run("api "+tt.name, func(t *testing.T) {
			var answers []map[string]any
			for _, login := range []string{tt.taken, tt.free} {
				resp, raw := tp.Do("POST", "/api/v1/auth/register", map[string]any{tt.field: login, "password": portaltest.Password, "name": "新人"}, "")
				var m map[string]any
				if err := json.Unmarshal(raw, &m); err != nil {
					t.Fatalf("%d %s", resp.StatusCode, raw)
				}
				delete(m, "registration_id") // random
				m["status"], m["type"], m["retry"] = resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Retry-After")
				answers = append(answers, m)
			}
			if !reflect.DeepEqual(answers[0], answers[1]) || answers[0]["status"] != 202 {
				t.Errorf("answers differ by whether someone holds the login:\n taken %v\n free  %v", answers[0], answers[1])
			}
			if k := tp.LastMessage(tt.taken).Key; k != "register.message.taken" {
				t.Errorf("the holder was told %s", k)
			}
			if k := tp.LastMessage(tt.free).Key; k != "register.message.code" {
				t.Errorf("the free address was told %s", k)
			}
		})
		t.Run("web "+tt.name, func(t *testing.T) {
			var answers []string
			for _, login := range []string{tt.taken, tt.free} {
				b := tp.Browser()
				_, doc := b.Get("/register")
				resp, _ := b.Post("/register", url.Values{"name": {"新人"}, "login": {login}, "password": {portaltest.Password}, "password2": {portaltest.Password}}, portaltest.CSRF(doc))
				_, doc = b.Get("/register/confirm")
				answers = append(answers, resp.Status+" "+resp.Header.Get("Location")+" "+doc.Find("main").Text())
			}
			if answers[0] != answers[1] || !strings.Contains(answers[0], "303 See Other /register/confirm") {
				t.Errorf("pages differ by whether someone holds the login:\n taken %q\n free  %q", answers[0], answers[1])
			}
		})
	}
}

// TestRegisterConfirmAPI: the confirmation step, through the API.
func TestRegisterConfirmAPI(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	resp, raw := tp.Do("POST", "/api/v1/auth/register", map[string]any{"email": "Li.Hua@Example.cn", "password": portaltest.Password, "name": "李華"}, "")
	st := portaltest.Decode[accountsweb.RegisterResponse](t, raw)
	if resp.StatusCode != 202 || st.SentTo != "l***@example.cn" || st.ExpiresIn != 900 {
		t.Fatalf("register: %d %s", resp.StatusCode, raw)
	}
	code := tp.Code("li.hua@example.cn")
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	confirm := func(id, code string) map[string]string { return map[string]string{"registration_id": id, "code": code} }
	tp.Run(t, []portaltest.Scenario{
		{Name: "a wrong code", Method: "POST", Path: "/api/v1/auth/register/confirm", Body: confirm(st.RegistrationID, wrong), Status: 422, Contains: []string{`"field":"code"`, "error.code.wrong"}},
		{Name: "not a code", Method: "POST", Path: "/api/v1/auth/register/confirm", Body: confirm(st.RegistrationID, "12ab56"), Status: 422, Contains: []string{"error.code.wrong"}},
		{Name: "an unknown registration", Method: "POST", Path: "/api/v1/auth/register/confirm", Body: confirm("rg_"+strings.Repeat("A", 43), code), Status: 422, Contains: []string{"error.code.expired"}},
		{Name: "a made-up id", Method: "POST", Path: "/api/v1/auth/register/confirm", Body: confirm("../../etc", code), Status: 422, Contains: []string{"error.code.expired"}},
		{Name: "an unknown field", Method: "POST", Path: "/api/v1/auth/register/confirm", Body: map[string]string{"registration_id": st.RegistrationID, "code": code, "role": "admin"}, Status: 422, Contains: []string{"error.json.unknown"}},
		{Name: "the right code", Method: "POST", Path: "/api/v1/auth/register/confirm", Body: confirm(st.RegistrationID, code), Status: 200,
			Contains: []string{`"email":"li.hua@example.cn"`, `"role":"entrepreneur"`, "access_token", "device_token"}, NotContains: []string{"password", code}},
		{Name: "the code again", Method: "POST", Path: "/api/v1/auth/register/confirm", Body: confirm(st.RegistrationID, code), Status: 422, Contains: []string{"error.code.expired"}},
		{Name: "sign-in afterwards", Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"login": "li.hua@example.cn", "password": portaltest.Password}, Status: 200, Contains: []string{"device_token"}},
	})
}

// TestSignInFromAKnownDevice: a stranger's failures from another address
// hold up neither the owner's browser (device cookie) nor the owner's API
// client (device_token), nor the owner at their own address.
func TestSignInFromAKnownDevice(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t, portaltest.Configure(func(c *portal.Config) {
		_, n, _ := net.ParseCIDR("0.0.0.0/32") // the in-process client's peer address
		c.TrustedProxies = append(c.TrustedProxies, n)
	}))
	tp.Account(accounts.Admin, "owner@test.cn")
	const home, stranger, travel = "198.51.100.7", "203.0.113.66", "192.0.2.200"
	from := func(ip string) []string { return []string{"X-Forwarded-For", ip} }
	right := map[string]string{"login": "owner@test.cn", "password": portaltest.Password}

	b := tp.Browser()
	b.Header.Set("X-Forwarded-For", home)
	_, doc := b.Get("/login")
	resp, _ := b.Post("/login", url.Values{"login": {"owner@test.cn"}, "password": {portaltest.Password}}, portaltest.CSRF(doc))
	var device *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "device" {
			device = c
		}
	}
	if resp.StatusCode != 303 || device == nil || !device.HttpOnly || device.MaxAge < 24*3600 {
		t.Fatalf("web sign-in: %d, device cookie %+v", resp.StatusCode, device)
	}
	_, raw := tp.Do("POST", "/api/v1/auth/login", right, "", from(home)...)
	apiDevice := portaltest.Decode[accountsweb.TokenResponse](t, raw).DeviceToken

	for i := range 8 {
		tp.Do("POST", "/api/v1/auth/login", map[string]string{"login": "owner@test.cn", "password": "wrong-password-" + strconv.Itoa(i)}, "", from(stranger)...)
	}
	// The same browser (its device cookie only), travelling.
	b = tp.Browser()
	b.Cookies["device"] = device.Value
	b.Header.Set("X-Forwarded-For", travel)
	_, doc = b.Get("/login")
	if resp, _ := b.Post("/login", url.Values{"login": {"owner@test.cn"}, "password": {portaltest.Password}}, portaltest.CSRF(doc)); resp.StatusCode != 303 {
		t.Errorf("the owner's browser elsewhere: %d", resp.StatusCode)
	}
	b = tp.Browser()
	b.Header.Set("X-Forwarded-For", "192.0.2.201")
	_, doc = b.Get("/login")
	if resp, _ := b.Post("/login", url.Values{"login": {"owner@test.cn"}, "password": {portaltest.Password}}, portaltest.CSRF(doc)); resp.StatusCode != 429 {
		t.Errorf("a new browser at a new address: %d, want 429 (the stranger filled the account's limit for new devices at new addresses)", resp.StatusCode)
	}
	withDevice := map[string]string{"login": "owner@test.cn", "password": portaltest.Password, "device_token": apiDevice}
	tp.Run(t, []portaltest.Scenario{
		{Name: "the owner's API client elsewhere", Method: "POST", Path: "/api/v1/auth/login", Body: withDevice, Header: from(travel), Status: 200},
		{Name: "the owner at home", Method: "POST", Path: "/api/v1/auth/login", Body: right, Header: from(home), Status: 200},
		{Name: "the stranger with the right password", Method: "POST", Path: "/api/v1/auth/login", Body: right, Header: from(stranger), Status: 429},
	})
}

// TestWebPasswordChangeRenewsTheDevice: a password change forgets the
// account's device tokens (accounts/device.go), so the browser it is made
// in gets a new device cookie and stays one the owner uses.
func TestWebPasswordChangeRenewsTheDevice(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	tp.Account(accounts.Entrepreneur, "ent@test.cn")
	device := func(resp *http.Response) *http.Cookie {
		for _, c := range resp.Cookies() {
			if c.Name == "device" {
				return c
			}
		}
		return nil
	}
	b := tp.Browser()
	_, doc := b.Get("/login")
	resp, _ := b.Post("/login", url.Values{"login": {"ent@test.cn"}, "password": {portaltest.Password}}, portaltest.CSRF(doc))
	before := device(resp)
	if resp.StatusCode != 303 || before == nil {
		t.Fatalf("sign-in: %d, device cookie %+v", resp.StatusCode, before)
	}
	_, doc = b.Get("/account")
	resp, _ = b.Post("/account/password", url.Values{"current": {portaltest.Password}, "password": {"An0ther-secret-1"}, "password2": {"An0ther-secret-1"}}, portaltest.CSRF(doc))
	after := device(resp)
	if resp.StatusCode != 303 || after == nil || !after.HttpOnly || after.Value == before.Value {
		t.Fatalf("password change: %d, device cookie %+v (before %q)", resp.StatusCode, after, before.Value)
	}
}

// TestWebPasswordChangeThrottled: with a stolen session, the current
// password cannot be guessed on the account page without limit; past it
// the form says so at the field, in the user's language.
func TestWebPasswordChangeThrottled(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	tp.Account(accounts.Entrepreneur, "ent@test.cn")
	b := tp.Browser()
	_, doc := b.Get("/login")
	if resp, _ := b.Post("/login", url.Values{"login": {"ent@test.cn"}, "password": {portaltest.Password}}, portaltest.CSRF(doc)); resp.StatusCode != 303 {
		t.Fatalf("sign-in: %d", resp.StatusCode)
	}
	change := func(current string) (*http.Response, string) {
		_, doc := b.Get("/account")
		resp, doc := b.Post("/account/password", url.Values{"current": {current}, "password": {"An0ther-secret-1"}, "password2": {"An0ther-secret-1"}}, portaltest.CSRF(doc))
		return resp, doc.Find("#current-err").Text()
	}
	for i := range 5 {
		if resp, msg := change("wrong-password-" + strconv.Itoa(i)); resp.StatusCode != 422 || msg != "目前密碼不正確。" {
			t.Fatalf("guess %d: %d %q", i, resp.StatusCode, msg)
		}
	}
	if resp, msg := change(portaltest.Password); resp.StatusCode != 429 || msg != "嘗試次數過多，請稍後再試。" || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("the right password after five guesses: %d %q", resp.StatusCode, msg)
	}
}

// TestRegistrationsFromOneAddress (#23): a community service centre
// registers many people from one connection — sixty an hour — and past
// that the page says how long to wait.
func TestRegistrationsFromOneAddress(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	b := tp.Browser()
	register := func(i int) (*http.Response, *goquery.Document) {
		_, doc := b.Get("/register")
		return b.Post("/register", url.Values{"login": {fmt.Sprintf("p%02d@centre.test.cn", i)}, "name": {"居民"},
			"password": {portaltest.Password}, "password2": {portaltest.Password}}, portaltest.CSRF(doc))
	}
	for i := range 60 {
		if resp, _ := register(i); resp.StatusCode != 303 {
			t.Fatalf("registration %d from the centre: %d", i+1, resp.StatusCode)
		}
	}
	resp, doc := register(60)
	if resp.StatusCode != 429 || !strings.Contains(doc.Find("#retry-in").Text(), "分鐘後再試") || resp.Header.Get("Retry-After") == "" {
		t.Errorf("the 61st: %d, %q", resp.StatusCode, doc.Find("#retry-in").Text())
	}
}
