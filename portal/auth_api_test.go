package portal

import (
	"context"
	accountsweb "onestop/portal/accounts"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"onestop/services/accounts"
)

type scenario struct {
	name        string
	method      string
	path        string
	body        any
	token       string
	status      int
	contains    []string
	notContains []string
	header      []string // name, value, …
}

func (tp *testPortal) run(t *testing.T, scenarios []scenario) {
	t.Helper()
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			resp, body := tp.do(sc.method, sc.path, sc.body, sc.token, sc.header...)
			if resp.StatusCode != sc.status {
				t.Fatalf("%s %s: status %d, want %d; body %s", sc.method, sc.path, resp.StatusCode, sc.status, body)
			}
			for _, s := range sc.contains {
				if !strings.Contains(string(body), s) {
					t.Errorf("body lacks %q: %s", s, body)
				}
			}
			for _, s := range sc.notContains {
				if strings.Contains(string(body), s) {
					t.Errorf("body has %q: %s", s, body)
				}
			}
			if resp.StatusCode >= 400 && !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("error without problem+json: %s", resp.Header.Get("Content-Type"))
			}
		})
	}
}

// forge signs claims with a key and algorithm of the test's choosing.
func forge(t *testing.T, key []byte, method jwt.SigningMethod, typ string, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, c)
	if typ != "" {
		tok.Header["typ"] = typ
	}
	var k any = key
	if method == jwt.SigningMethodNone {
		k = jwt.UnsafeAllowNoneSignatureType
	}
	s, err := tok.SignedString(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAuthAPI(t *testing.T) {
	tp := newTestPortal(t)
	adminID, admin, _ := tp.account(accounts.Admin, "admin@test.cn")
	entID, ent, entRefresh := tp.account(accounts.Entrepreneur, "ent@test.cn")
	_, mentor, _ := tp.account(accounts.Mentor, "mentor@test.cn")
	_, hotline, _ := tp.account(accounts.Hotline, "hotline@test.cn")
	_, manager, _ := tp.account(accounts.IncubatorManager, "manager@test.cn")
	offID, off, _ := tp.account(accounts.Entrepreneur, "off@test.cn")
	if err := tp.app.accounts.SetDisabled(context.Background(), accounts.Principal{ID: adminID, Role: accounts.Admin}, offID, true, accounts.Meta{}); err != nil {
		t.Fatal(err)
	}

	key, err := loadOrCreateKey(nil, tp.app.cfg.DataDir, "jwt.key", 32)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	good := func() jwt.MapClaims {
		return jwt.MapClaims{"sub": adminID, "role": "admin", "tv": 0, "iss": "onestop-portal", "aud": "onestop-portal",
			"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Minute).Unix()}
	}
	with := func(k string, v any) jwt.MapClaims { c := good(); c[k] = v; return c }
	without := func(k string) jwt.MapClaims { c := good(); delete(c, k); return c }
	forged := forge(t, key, jwt.SigningMethodHS256, "at+jwt", good())
	tampered := []struct{ name, token string }{
		{"alg none", forge(t, nil, jwt.SigningMethodNone, "at+jwt", good())},
		{"other key", forge(t, []byte(strings.Repeat("k", 32)), jwt.SigningMethodHS256, "at+jwt", good())},
		{"HS384", forge(t, key, jwt.SigningMethodHS384, "at+jwt", good())},
		{"expired", forge(t, key, jwt.SigningMethodHS256, "at+jwt", with("exp", now.Add(-2*time.Minute).Unix()))},
		{"no exp", forge(t, key, jwt.SigningMethodHS256, "at+jwt", without("exp"))},
		{"wrong audience", forge(t, key, jwt.SigningMethodHS256, "at+jwt", with("aud", "elsewhere"))},
		{"wrong issuer", forge(t, key, jwt.SigningMethodHS256, "at+jwt", with("iss", "elsewhere"))},
		{"not yet valid", forge(t, key, jwt.SigningMethodHS256, "at+jwt", with("nbf", now.Add(time.Hour).Unix()))},
		{"wrong type", forge(t, key, jwt.SigningMethodHS256, "JWT", good())},
		{"role raised", forge(t, key, jwt.SigningMethodHS256, "at+jwt", jwt.MapClaims{"sub": entID, "role": "admin", "tv": 0, "iss": "onestop-portal", "aud": "onestop-portal", "iat": now.Unix(), "exp": now.Add(time.Minute).Unix()})},
		{"old token version", forge(t, key, jwt.SigningMethodHS256, "at+jwt", with("tv", -1))},
		{"unknown subject", forge(t, key, jwt.SigningMethodHS256, "at+jwt", with("sub", "0000000000000000000000000a"))},
		{"signature stripped", forged[:strings.LastIndexByte(forged, '.')+1]},
		{"truncated", forged[:len(forged)-5]},
		{"garbage", "not.a.token"},
		{"dot bomb", strings.Repeat(".", 10000)},
		{"disabled account", off},
		{"refresh token as access token", entRefresh},
		{"empty claims", forge(t, key, jwt.SigningMethodHS256, "at+jwt", jwt.MapClaims{})},
		{"numeric subject", forge(t, key, jwt.SigningMethodHS256, "at+jwt", with("sub", 12345))},
		{"huge claim", forge(t, key, jwt.SigningMethodHS256, "at+jwt", with("pad", strings.Repeat("x", 6000)))},
	}
	var sc []scenario
	for _, tk := range tampered {
		sc = append(sc, scenario{name: "tampered token: " + tk.name, method: "GET", path: "/api/v1/me", token: tk.token, status: 401})
	}
	sc = append(sc,
		scenario{name: "forged with the real key works (control)", method: "GET", path: "/api/v1/me", token: forged, status: 200, contains: []string{adminID}},
		scenario{name: "guest me", method: "GET", path: "/api/v1/me", status: 401},
		scenario{name: "me never shows secrets", method: "GET", path: "/api/v1/me", token: ent, status: 200,
			contains: []string{`"role":"entrepreneur"`, entID}, notContains: []string{"password", "argon2", "token_version"}},
	)
	for _, r := range []struct {
		name, token string
		status      int
	}{{"guest", "", 401}, {"entrepreneur", ent, 403}, {"mentor", mentor, 403}, {"hotline", hotline, 403}, {"incubator manager", manager, 403}, {"admin", admin, 200}} {
		sc = append(sc,
			scenario{name: "list accounts as " + r.name, method: "GET", path: "/api/v1/admin/users", token: r.token, status: r.status},
			scenario{name: "read an account as " + r.name, method: "GET", path: "/api/v1/admin/users/" + entID, token: r.token, status: r.status},
		)
		createStatus := r.status
		if createStatus == 200 {
			createStatus = 201
		}
		sc = append(sc, scenario{name: "create staff as " + r.name, method: "POST", path: "/api/v1/admin/users", token: r.token, status: createStatus,
			body: map[string]string{"email": "new-" + strings.ReplaceAll(r.name, " ", "") + "@test.cn", "password": testPassword, "name": "新同事", "role": "hotline"}})
	}
	sc = append(sc,
		scenario{name: "admin reads unknown account", method: "GET", path: "/api/v1/admin/users/0000000000000000000000000a", token: admin, status: 404},
		scenario{name: "admin reads garbage id", method: "GET", path: "/api/v1/admin/users/..%2f..%2fetc", token: admin, status: 404},
		scenario{name: "admin cannot change own role", method: "PATCH", path: "/api/v1/admin/users/" + adminID, token: admin, body: map[string]any{"role": "mentor"}, status: 409},
		scenario{name: "admin creates with bad role", method: "POST", path: "/api/v1/admin/users", token: admin, status: 422,
			body: map[string]string{"email": "x@test.cn", "password": testPassword, "name": "某人", "role": "root"}, contains: []string{`"field":"role"`}},
	)
	tp.run(t, sc)
}

func TestRegisterLoginRefreshLogout(t *testing.T) {
	tp := newTestPortal(t)
	if u := tp.register(map[string]any{"email": "Li.Hua@Example.cn", "password": testPassword, "name": "李華"}).User; u.Email != "li.hua@example.cn" || u.Role != "entrepreneur" {
		t.Errorf("register by e-mail: %+v", u)
	}
	if u := tp.register(map[string]any{"phone": "+86 138-0013-8000", "password": testPassword, "name": "王芳"}).User; u.Phone != "138****8000" {
		t.Errorf("register by phone: %+v", u)
	}
	tp.run(t, []scenario{
		{name: "register by phone shows it masked", method: "POST", path: "/api/v1/auth/register", status: 202,
			body: map[string]string{"phone": "+86 139-0013-9000", "password": testPassword, "name": "王芳"}, contains: []string{`"sent_to":"139****9000"`}, notContains: []string{"13900139000"}},
		// A login that has an account is answered like any other; its
		// holder is told to sign in instead (below).
		{name: "same login twice", method: "POST", path: "/api/v1/auth/register", status: 202,
			body: map[string]string{"email": "li.hua@example.cn", "password": testPassword, "name": "李華"}, contains: []string{"registration_id", `"sent_to":"l***@example.cn"`}},
		{name: "same phone in another form", method: "POST", path: "/api/v1/auth/register", status: 202,
			body: map[string]string{"phone": "13800138000", "password": testPassword, "name": "王芳"}, contains: []string{`"sent_to":"138****8000"`}},
		{name: "common password", method: "POST", path: "/api/v1/auth/register", status: 422,
			body: map[string]string{"email": "a@example.cn", "password": "password123", "name": "甲"}, contains: []string{`"field":"password"`, "error.password.common"}},
		{name: "short password", method: "POST", path: "/api/v1/auth/register", status: 422,
			body: map[string]string{"email": "a@example.cn", "password": "Ab1!", "name": "甲"}, contains: []string{"error.password.short"}},
		{name: "both e-mail and phone", method: "POST", path: "/api/v1/auth/register", status: 422,
			body: map[string]string{"email": "a@example.cn", "phone": "13800138001", "password": testPassword, "name": "甲"}, contains: []string{`"field":"login"`}},
		{name: "role cannot be chosen", method: "POST", path: "/api/v1/auth/register", status: 422,
			body: map[string]string{"email": "a@example.cn", "password": testPassword, "name": "甲", "role": "admin"}, contains: []string{`"field":"role"`, "error.json.unknown"}},
		{name: "wrong password", method: "POST", path: "/api/v1/auth/login", status: 401,
			body: map[string]string{"login": "li.hua@example.cn", "password": "wrong-password-1"}, contains: []string{"error.login.failed"}},
		{name: "unknown login says the same", method: "POST", path: "/api/v1/auth/login", status: 401,
			body: map[string]string{"login": "nobody@example.cn", "password": "wrong-password-1"}, contains: []string{"error.login.failed"}},
		{name: "login by phone", method: "POST", path: "/api/v1/auth/login", status: 200,
			body: map[string]string{"login": "13800138000", "password": testPassword}, contains: []string{"access_token", "refresh_token", `"expires_in":900`}},
	})
	for _, login := range []string{"li.hua@example.cn", "13800138000"} {
		if k := tp.lastMessage(login).Key; k != "register.message.taken" {
			t.Errorf("registering %s again sent %s", login, k)
		}
	}

	_, body := tp.do("POST", "/api/v1/auth/login", map[string]string{"login": "li.hua@example.cn", "password": testPassword}, "")
	tok := decode[accountsweb.TokenResponse](t, body)
	// Refresh rotates: the new pair works, the old refresh token is spent.
	resp, body := tp.do("POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": tok.RefreshToken}, "")
	if resp.StatusCode != 200 {
		t.Fatalf("refresh: %d %s", resp.StatusCode, body)
	}
	next := decode[accountsweb.TokenResponse](t, body)
	if resp, _ := tp.do("POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": tok.RefreshToken}, ""); resp.StatusCode != 401 {
		t.Fatalf("replayed refresh token: %d", resp.StatusCode)
	}
	if resp, _ := tp.do("GET", "/api/v1/me", nil, next.AccessToken); resp.StatusCode != 200 {
		t.Fatalf("new access token: %d", resp.StatusCode)
	}
	// Logout ends every session at once, including the first access token.
	if resp, body := tp.do("POST", "/api/v1/auth/logout", map[string]string{"refresh_token": next.RefreshToken}, next.AccessToken); resp.StatusCode != 204 {
		t.Fatalf("logout: %d %s", resp.StatusCode, body)
	}
	for _, tk := range []string{tok.AccessToken, next.AccessToken} {
		if resp, _ := tp.do("GET", "/api/v1/me", nil, tk); resp.StatusCode != 401 {
			t.Fatalf("token after logout: %d", resp.StatusCode)
		}
	}
	if resp, _ := tp.do("POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": next.RefreshToken}, ""); resp.StatusCode != 401 {
		t.Fatal("refresh after logout works")
	}
}

func TestPasswordChangeAndDisableRevoke(t *testing.T) {
	tp := newTestPortal(t)
	adminID, admin, _ := tp.account(accounts.Admin, "admin@test.cn")
	entID, ent, entRefresh := tp.account(accounts.Entrepreneur, "ent@test.cn")

	resp, body := tp.do("POST", "/api/v1/me/password", map[string]string{"current_password": "nope-nope-nope", "new_password": "An0ther-secret"}, ent)
	if resp.StatusCode != 422 || !strings.Contains(string(body), `"field":"current"`) {
		t.Fatalf("wrong current password: %d %s", resp.StatusCode, body)
	}
	resp, body = tp.do("POST", "/api/v1/me/password", map[string]string{"current_password": testPassword, "new_password": "An0ther-secret"}, ent)
	if resp.StatusCode != 200 {
		t.Fatalf("change: %d %s", resp.StatusCode, body)
	}
	fresh := decode[accountsweb.TokenResponse](t, body)
	if resp, _ := tp.do("GET", "/api/v1/me", nil, ent); resp.StatusCode != 401 {
		t.Error("old token works after password change")
	}
	if resp, _ := tp.do("POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": entRefresh}, ""); resp.StatusCode != 401 {
		t.Error("old refresh token works after password change")
	}
	if resp, _ := tp.do("GET", "/api/v1/me", nil, fresh.AccessToken); resp.StatusCode != 200 {
		t.Error("the changer lost their own session")
	}
	if resp, _ := tp.do("POST", "/api/v1/auth/login", map[string]string{"login": "ent@test.cn", "password": testPassword}, ""); resp.StatusCode != 401 {
		t.Error("old password still works")
	}

	// Disabling ends the session at once, and sign-in is refused.
	resp, body = tp.do("PATCH", "/api/v1/admin/users/"+entID, map[string]any{"disabled": true}, admin)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"disabled":true`) {
		t.Fatalf("disable: %d %s", resp.StatusCode, body)
	}
	if resp, _ := tp.do("GET", "/api/v1/me", nil, fresh.AccessToken); resp.StatusCode != 401 {
		t.Error("disabled account's token works")
	}
	if resp, body := tp.do("POST", "/api/v1/auth/login", map[string]string{"login": "ent@test.cn", "password": "An0ther-secret"}, ""); resp.StatusCode != 403 {
		t.Errorf("disabled login: %d %s", resp.StatusCode, body)
	}
	// The audit log saw all of it.
	_, body = tp.do("GET", "/api/v1/admin/audit?size=100", nil, admin)
	for _, action := range []string{"user.password_change", "user.disable", "authn.login"} {
		if !strings.Contains(string(body), `"action":"`+action+`"`) {
			t.Errorf("audit lacks %s", action)
		}
	}
	_ = adminID
}

func TestLoginThrottling(t *testing.T) {
	tp := newTestPortal(t)
	tp.account(accounts.Entrepreneur, "ent@test.cn")
	bad := map[string]string{"login": "ent@test.cn", "password": "wrong-password-1"}
	for i := range 5 {
		// A forged X-Forwarded-For from an untrusted peer changes nothing.
		if resp, _ := tp.do("POST", "/api/v1/auth/login", bad, "", "X-Forwarded-For", "203.0.113."+strconv.Itoa(i)); resp.StatusCode != 401 {
			t.Fatalf("attempt %d: %d", i, resp.StatusCode)
		}
	}
	resp, body := tp.do("POST", "/api/v1/auth/login", map[string]string{"login": "ent@test.cn", "password": testPassword}, "", "X-Forwarded-For", "198.51.100.7")
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("6th attempt with the right password: %d %s", resp.StatusCode, body)
	}
	// The per-IP limit catches stuffing across accounts.
	tp2 := newTestPortal(t)
	var last int
	for i := range 25 {
		resp, _ := tp2.do("POST", "/api/v1/auth/login", map[string]string{"login": "u" + strconv.Itoa(i) + "@test.cn", "password": "wrong-password-1"}, "")
		last = resp.StatusCode
	}
	if last != 429 {
		t.Fatalf("25 failures from one address: last status %d", last)
	}
}
