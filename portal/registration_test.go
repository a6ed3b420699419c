package portal

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	accountsweb "onestop/portal/accounts"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"onestop/services/accounts"
	"onestop/services/notify"
	"onestop/services/pii"
)

// mailbox is the test portal's SMS and e-mail gateway: it keeps what the
// portal hands over, so a test reads a registration code as a person
// reads their phone. Production has no such door: the code leaves only
// through the sender.
type mailbox struct {
	mu   sync.Mutex
	list []notify.Delivery
}

func (m *mailbox) Deliver(_ context.Context, d notify.Delivery) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.list = append(m.list, d)
	return nil
}

// newMailbox makes the mailbox app's sender; call it before the app serves.
func newMailbox(app *App) *mailbox {
	m := &mailbox{}
	app.notify.SetSender(m)
	return m
}

// lastMessage runs the sender worker once and returns the latest message
// sent to login (an e-mail address or phone number in any form).
func (tp *testPortal) lastMessage(login string) notify.Delivery {
	tp.t.Helper()
	want := pii.NormalizeEmail(login)
	if p := pii.NormalizePhone(login); p != "" {
		want = p
	}
	if _, err := tp.app.notify.Deliver(context.Background()); err != nil {
		tp.t.Fatal(err)
	}
	vault, err := OpenVault(tp.app.cfg)
	if err != nil {
		tp.t.Fatal(err)
	}
	tp.sent.mu.Lock()
	defer tp.sent.mu.Unlock()
	for i := len(tp.sent.list) - 1; i >= 0; i-- {
		d := tp.sent.list[i]
		if to, err := vault.Open(notify.ContactField, d.ContactSealed); err == nil && to == want {
			return d
		}
	}
	tp.t.Fatalf("no message to %s", login)
	return notify.Delivery{}
}

// code is the registration code last sent to login.
func (tp *testPortal) code(login string) string {
	tp.t.Helper()
	d := tp.lastMessage(login)
	if d.Key != "register.message.code" {
		tp.t.Fatalf("the last message to %s is %s, not a code", login, d.Key)
	}
	return d.Arg
}

// register signs up through the API as a person does: the form, the code
// from the message, the confirmation; it returns the signed-in tokens.
func (tp *testPortal) register(body map[string]any, hdr ...string) accountsweb.TokenResponse {
	tp.t.Helper()
	resp, raw := tp.do("POST", "/api/v1/auth/register", body, "", hdr...)
	if resp.StatusCode != 202 {
		tp.t.Fatalf("register %v: %d %s", body, resp.StatusCode, raw)
	}
	var st accountsweb.RegisterResponse
	if err := json.Unmarshal(raw, &st); err != nil {
		tp.t.Fatal(err)
	}
	login, _ := body["email"].(string)
	if login == "" {
		login, _ = body["phone"].(string)
	}
	confirm := map[string]string{"registration_id": st.RegistrationID, "code": tp.code(login)}
	resp, raw = tp.do("POST", "/api/v1/auth/register/confirm", confirm, "", hdr...)
	if resp.StatusCode != 200 {
		tp.t.Fatalf("confirm %v: %d %s", body, resp.StatusCode, raw)
	}
	var tok accountsweb.TokenResponse
	if err := json.Unmarshal(raw, &tok); err != nil {
		tp.t.Fatal(err)
	}
	return tok
}

// register signs up on the web form and confirms with the code; it returns
// the answer to the confirmation.
func (b *browser) register(form url.Values) *http.Response {
	b.tp.t.Helper()
	_, doc := b.get("/register")
	resp, _ := b.post("/register", form, csrfOf(doc))
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/register/confirm" {
		b.tp.t.Fatalf("register %v: %d -> %s", form, resp.StatusCode, resp.Header.Get("Location"))
	}
	_, doc = b.get("/register/confirm")
	resp, _ = b.post("/register/confirm", url.Values{"code": {b.tp.code(form.Get("login"))}}, csrfOf(doc))
	return resp
}

// TestRegistrationAnswersAlike is the oracle check of registration: an
// e-mail or phone that already has an account is answered exactly like a
// free one (the logins are chosen to mask alike), through the API and on
// the web; only the message to the address differs.
func TestRegistrationAnswersAlike(t *testing.T) {
	tp := newTestPortal(t)
	tp.account(accounts.Entrepreneur, "taken@test.cn")
	if _, err := tp.app.accounts.Create(context.Background(), accounts.Principal{ID: "bootstrap", Role: accounts.Admin},
		accounts.NewAccount{Phone: "13800138000", Password: testPassword, Name: "王芳", Role: accounts.Entrepreneur}, accounts.Meta{}); err != nil {
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
				resp, raw := tp.do("POST", "/api/v1/auth/register", map[string]any{tt.field: login, "password": testPassword, "name": "新人"}, "")
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
			if k := tp.lastMessage(tt.taken).Key; k != "register.message.taken" {
				t.Errorf("the holder was told %s", k)
			}
			if k := tp.lastMessage(tt.free).Key; k != "register.message.code" {
				t.Errorf("the free address was told %s", k)
			}
		})
		t.Run("web "+tt.name, func(t *testing.T) {
			var answers []string
			for _, login := range []string{tt.taken, tt.free} {
				b := tp.browser()
				_, doc := b.get("/register")
				resp, _ := b.post("/register", url.Values{"name": {"新人"}, "login": {login}, "password": {testPassword}, "password2": {testPassword}}, csrfOf(doc))
				_, doc = b.get("/register/confirm")
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
	tp := newTestPortal(t)
	resp, raw := tp.do("POST", "/api/v1/auth/register", map[string]any{"email": "Li.Hua@Example.cn", "password": testPassword, "name": "李華"}, "")
	st := decode[accountsweb.RegisterResponse](t, raw)
	if resp.StatusCode != 202 || st.SentTo != "l***@example.cn" || st.ExpiresIn != 900 {
		t.Fatalf("register: %d %s", resp.StatusCode, raw)
	}
	code := tp.code("li.hua@example.cn")
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	confirm := func(id, code string) map[string]string { return map[string]string{"registration_id": id, "code": code} }
	tp.run(t, []scenario{
		{name: "a wrong code", method: "POST", path: "/api/v1/auth/register/confirm", body: confirm(st.RegistrationID, wrong), status: 422, contains: []string{`"field":"code"`, "error.code.wrong"}},
		{name: "not a code", method: "POST", path: "/api/v1/auth/register/confirm", body: confirm(st.RegistrationID, "12ab56"), status: 422, contains: []string{"error.code.wrong"}},
		{name: "an unknown registration", method: "POST", path: "/api/v1/auth/register/confirm", body: confirm("rg_"+strings.Repeat("A", 43), code), status: 422, contains: []string{"error.code.expired"}},
		{name: "a made-up id", method: "POST", path: "/api/v1/auth/register/confirm", body: confirm("../../etc", code), status: 422, contains: []string{"error.code.expired"}},
		{name: "an unknown field", method: "POST", path: "/api/v1/auth/register/confirm", body: map[string]string{"registration_id": st.RegistrationID, "code": code, "role": "admin"}, status: 422, contains: []string{"error.json.unknown"}},
		{name: "the right code", method: "POST", path: "/api/v1/auth/register/confirm", body: confirm(st.RegistrationID, code), status: 200,
			contains: []string{`"email":"li.hua@example.cn"`, `"role":"entrepreneur"`, "access_token", "device_token"}, notContains: []string{"password", code}},
		{name: "the code again", method: "POST", path: "/api/v1/auth/register/confirm", body: confirm(st.RegistrationID, code), status: 422, contains: []string{"error.code.expired"}},
		{name: "sign-in afterwards", method: "POST", path: "/api/v1/auth/login", body: map[string]string{"login": "li.hua@example.cn", "password": testPassword}, status: 200, contains: []string{"device_token"}},
	})
}

// TestSignInFromAKnownDevice: a stranger's failures from another address
// hold up neither the owner's browser (device cookie) nor the owner's API
// client (device_token), nor the owner at their own address.
func TestSignInFromAKnownDevice(t *testing.T) {
	tp := newTestPortalTB(t, func(c *Config) {
		_, n, _ := net.ParseCIDR("0.0.0.0/32") // the in-process client's peer address
		c.TrustedProxies = append(c.TrustedProxies, n)
	})
	tp.account(accounts.Admin, "owner@test.cn")
	const home, stranger, travel = "198.51.100.7", "203.0.113.66", "192.0.2.200"
	from := func(ip string) []string { return []string{"X-Forwarded-For", ip} }
	right := map[string]string{"login": "owner@test.cn", "password": testPassword}

	b := tp.browser()
	b.header.Set("X-Forwarded-For", home)
	_, doc := b.get("/login")
	resp, _ := b.post("/login", url.Values{"login": {"owner@test.cn"}, "password": {testPassword}}, csrfOf(doc))
	var device *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "device" {
			device = c
		}
	}
	if resp.StatusCode != 303 || device == nil || !device.HttpOnly || device.MaxAge < 24*3600 {
		t.Fatalf("web sign-in: %d, device cookie %+v", resp.StatusCode, device)
	}
	_, raw := tp.do("POST", "/api/v1/auth/login", right, "", from(home)...)
	apiDevice := decode[accountsweb.TokenResponse](t, raw).DeviceToken

	for i := range 8 {
		tp.do("POST", "/api/v1/auth/login", map[string]string{"login": "owner@test.cn", "password": "wrong-password-" + strconv.Itoa(i)}, "", from(stranger)...)
	}
	// The same browser (its device cookie only), travelling.
	b = &browser{tp: tp, cookies: map[string]string{"device": device.Value}, header: http.Header{}}
	b.header.Set("X-Forwarded-For", travel)
	_, doc = b.get("/login")
	if resp, _ := b.post("/login", url.Values{"login": {"owner@test.cn"}, "password": {testPassword}}, csrfOf(doc)); resp.StatusCode != 303 {
		t.Errorf("the owner's browser elsewhere: %d", resp.StatusCode)
	}
	b = tp.browser()
	b.header.Set("X-Forwarded-For", "192.0.2.201")
	_, doc = b.get("/login")
	if resp, _ := b.post("/login", url.Values{"login": {"owner@test.cn"}, "password": {testPassword}}, csrfOf(doc)); resp.StatusCode != 429 {
		t.Errorf("a new browser at a new address: %d, want 429 (the stranger filled the account's limit for new devices at new addresses)", resp.StatusCode)
	}
	withDevice := map[string]string{"login": "owner@test.cn", "password": testPassword, "device_token": apiDevice}
	tp.run(t, []scenario{
		{name: "the owner's API client elsewhere", method: "POST", path: "/api/v1/auth/login", body: withDevice, header: from(travel), status: 200},
		{name: "the owner at home", method: "POST", path: "/api/v1/auth/login", body: right, header: from(home), status: 200},
		{name: "the stranger with the right password", method: "POST", path: "/api/v1/auth/login", body: right, header: from(stranger), status: 429},
	})
}

// TestWebPasswordChangeRenewsTheDevice: a password change forgets the
// account's device tokens (accounts/device.go), so the browser it is made
// in gets a new device cookie and stays one the owner uses.
func TestWebPasswordChangeRenewsTheDevice(t *testing.T) {
	tp := newTestPortal(t)
	tp.account(accounts.Entrepreneur, "ent@test.cn")
	device := func(resp *http.Response) *http.Cookie {
		for _, c := range resp.Cookies() {
			if c.Name == "device" {
				return c
			}
		}
		return nil
	}
	b := tp.browser()
	_, doc := b.get("/login")
	resp, _ := b.post("/login", url.Values{"login": {"ent@test.cn"}, "password": {testPassword}}, csrfOf(doc))
	before := device(resp)
	if resp.StatusCode != 303 || before == nil {
		t.Fatalf("sign-in: %d, device cookie %+v", resp.StatusCode, before)
	}
	_, doc = b.get("/account")
	resp, _ = b.post("/account/password", url.Values{"current": {testPassword}, "password": {"An0ther-secret-1"}, "password2": {"An0ther-secret-1"}}, csrfOf(doc))
	after := device(resp)
	if resp.StatusCode != 303 || after == nil || !after.HttpOnly || after.Value == before.Value {
		t.Fatalf("password change: %d, device cookie %+v (before %q)", resp.StatusCode, after, before.Value)
	}
}

// TestWebPasswordChangeThrottled: with a stolen session, the current
// password cannot be guessed on the account page without limit; past it
// the form says so at the field, in the user's language.
func TestWebPasswordChangeThrottled(t *testing.T) {
	tp := newTestPortal(t)
	tp.account(accounts.Entrepreneur, "ent@test.cn")
	b := tp.browser()
	_, doc := b.get("/login")
	if resp, _ := b.post("/login", url.Values{"login": {"ent@test.cn"}, "password": {testPassword}}, csrfOf(doc)); resp.StatusCode != 303 {
		t.Fatalf("sign-in: %d", resp.StatusCode)
	}
	change := func(current string) (*http.Response, string) {
		_, doc := b.get("/account")
		resp, doc := b.post("/account/password", url.Values{"current": {current}, "password": {"An0ther-secret-1"}, "password2": {"An0ther-secret-1"}}, csrfOf(doc))
		return resp, doc.Find("#current-err").Text()
	}
	for i := range 5 {
		if resp, msg := change("wrong-password-" + strconv.Itoa(i)); resp.StatusCode != 422 || msg != "目前密碼不正確。" {
			t.Fatalf("guess %d: %d %q", i, resp.StatusCode, msg)
		}
	}
	if resp, msg := change(testPassword); resp.StatusCode != 429 || msg != "嘗試次數過多，請稍後再試。" || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("the right password after five guesses: %d %q", resp.StatusCode, msg)
	}
}
