package accounts_test

import (
	"bytes"
	"context"
	accountsweb "onestop/portal/accounts"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"onestop/portal"
	"onestop/portal/portaltest"
	"onestop/services/accounts"
)

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
	t.Parallel()
	key := bytes.Repeat([]byte("k"), 32) // the signing key, set as an operator sets it, so tokens can be forged with it
	tp := portaltest.New(t, portaltest.Configure(func(c *portal.Config) { c.JWTKey = key }))
	adminID, admin, _ := tp.Account(accounts.Admin, "admin@test.cn")
	entID, ent, entRefresh := tp.Account(accounts.Entrepreneur, "ent@test.cn")
	_, mentor, _ := tp.Account(accounts.Mentor, "mentor@test.cn")
	_, hotline, _ := tp.Account(accounts.Hotline, "hotline@test.cn")
	_, manager, _ := tp.Account(accounts.IncubatorManager, "manager@test.cn")
	offID, off, _ := tp.Account(accounts.Entrepreneur, "off@test.cn")
	if err := tp.App.Accounts().SetDisabled(context.Background(), accounts.Principal{ID: adminID, Role: accounts.Admin}, offID, true, accounts.Meta{}); err != nil {
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
		{"other key", forge(t, []byte(strings.Repeat("o", 32)), jwt.SigningMethodHS256, "at+jwt", good())},
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
	var sc []portaltest.Scenario
	for _, tk := range tampered {
		sc = append(sc, portaltest.Scenario{Name: "tampered token: " + tk.name, Method: "GET", Path: "/api/v1/me", Token: tk.token, Status: 401})
	}
	sc = append(sc,
		portaltest.Scenario{Name: "forged with the real key works (control)", Method: "GET", Path: "/api/v1/me", Token: forged, Status: 200, Contains: []string{adminID}},
		portaltest.Scenario{Name: "guest me", Method: "GET", Path: "/api/v1/me", Status: 401},
		portaltest.Scenario{Name: "me never shows secrets", Method: "GET", Path: "/api/v1/me", Token: ent, Status: 200,
			Contains: []string{`"role":"entrepreneur"`, entID}, NotContains: []string{"password", "argon2", "token_version"}},
	)
	for _, r := range []struct {
		name, token string
		status      int
	}{{"guest", "", 401}, {"entrepreneur", ent, 403}, {"mentor", mentor, 403}, {"hotline", hotline, 403}, {"incubator manager", manager, 403}, {"admin", admin, 200}} {
		sc = append(sc,
			portaltest.Scenario{Name: "list accounts as " + r.name, Method: "GET", Path: "/api/v1/admin/users", Token: r.token, Status: r.status},
			portaltest.Scenario{Name: "read an account as " + r.name, Method: "GET", Path: "/api/v1/admin/users/" + entID, Token: r.token, Status: r.status},
		)
		createStatus := r.status
		if createStatus == 200 {
			createStatus = 201
		}
		sc = append(sc, portaltest.Scenario{Name: "create staff as " + r.name, Method: "POST", Path: "/api/v1/admin/users", Token: r.token, Status: createStatus,
			Body: map[string]string{"email": "new-" + strings.ReplaceAll(r.name, " ", "") + "@test.cn", "password": portaltest.Password, "name": "新同事", "role": "hotline"}})
	}
	sc = append(sc,
		portaltest.Scenario{Name: "admin reads unknown account", Method: "GET", Path: "/api/v1/admin/users/0000000000000000000000000a", Token: admin, Status: 404},
		portaltest.Scenario{Name: "admin reads garbage id", Method: "GET", Path: "/api/v1/admin/users/..%2f..%2fetc", Token: admin, Status: 404},
		portaltest.Scenario{Name: "admin cannot change own role", Method: "PATCH", Path: "/api/v1/admin/users/" + adminID, Token: admin, Body: map[string]any{"role": "mentor"}, Status: 409},
		portaltest.Scenario{Name: "admin creates with bad role", Method: "POST", Path: "/api/v1/admin/users", Token: admin, Status: 422,
			Body: map[string]string{"email": "x@test.cn", "password": portaltest.Password, "name": "某人", "role": "root"}, Contains: []string{`"field":"role"`}},
	)
	tp.Run(t, sc)
}

func TestRegisterLoginRefreshLogout(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	if u := tp.Register(map[string]any{"email": "Li.Hua@Example.cn", "password": portaltest.Password, "name": "李華"}).User; u.Email != "li.hua@example.cn" || u.Role != "entrepreneur" {
		t.Errorf("register by e-mail: %+v", u)
	}
	if u := tp.Register(map[string]any{"phone": "+86 138-0013-8000", "password": portaltest.Password, "name": "王芳"}).User; u.Phone != "138****8000" {
		t.Errorf("register by phone: %+v", u)
	}
	tp.Run(t, []portaltest.Scenario{
		{Name: "register by phone shows it masked", Method: "POST", Path: "/api/v1/auth/register", Status: 202,
			Body: map[string]string{"phone": "+86 139-0013-9000", "password": portaltest.Password, "name": "王芳"}, Contains: []string{`"sent_to":"139****9000"`}, NotContains: []string{"13900139000"}},
		// A login that has an account is answered like any other; its
		// holder is told to sign in instead (below).
		{Name: "same login twice", Method: "POST", Path: "/api/v1/auth/register", Status: 202,
			Body: map[string]string{"email": "li.hua@example.cn", "password": portaltest.Password, "name": "李華"}, Contains: []string{"registration_id", `"sent_to":"l***@example.cn"`}},
		{Name: "same phone in another form", Method: "POST", Path: "/api/v1/auth/register", Status: 202,
			Body: map[string]string{"phone": "13800138000", "password": portaltest.Password, "name": "王芳"}, Contains: []string{`"sent_to":"138****8000"`}},
		{Name: "common password", Method: "POST", Path: "/api/v1/auth/register", Status: 422,
			Body: map[string]string{"email": "a@example.cn", "password": "password123", "name": "甲"}, Contains: []string{`"field":"password"`, "error.password.common"}},
		{Name: "short password", Method: "POST", Path: "/api/v1/auth/register", Status: 422,
			Body: map[string]string{"email": "a@example.cn", "password": "Ab1!", "name": "甲"}, Contains: []string{"error.password.short"}},
		{Name: "both e-mail and phone", Method: "POST", Path: "/api/v1/auth/register", Status: 422,
			Body: map[string]string{"email": "a@example.cn", "phone": "13800138001", "password": portaltest.Password, "name": "甲"}, Contains: []string{`"field":"login"`}},
		{Name: "role cannot be chosen", Method: "POST", Path: "/api/v1/auth/register", Status: 422,
			Body: map[string]string{"email": "a@example.cn", "password": portaltest.Password, "name": "甲", "role": "admin"}, Contains: []string{`"field":"role"`, "error.json.unknown"}},
		{Name: "wrong password", Method: "POST", Path: "/api/v1/auth/login", Status: 401,
			Body: map[string]string{"login": "li.hua@example.cn", "password": "wrong-password-1"}, Contains: []string{"error.login.failed"}},
		{Name: "unknown login says the same", Method: "POST", Path: "/api/v1/auth/login", Status: 401,
			Body: map[string]string{"login": "nobody@example.cn", "password": "wrong-password-1"}, Contains: []string{"error.login.failed"}},
		{Name: "login by phone", Method: "POST", Path: "/api/v1/auth/login", Status: 200,
			Body: map[string]string{"login": "13800138000", "password": portaltest.Password}, Contains: []string{"access_token", "refresh_token", `"expires_in":900`}},
	})
	for _, login := range []string{"li.hua@example.cn", "13800138000"} {
		if k := tp.LastMessage(login).Key; k != "register.message.taken" {
			t.Errorf("registering %s again sent %s", login, k)
		}
	}

	_, body := tp.Do("POST", "/api/v1/auth/login", map[string]string{"login": "li.hua@example.cn", "password": portaltest.Password}, "")
	tok := portaltest.Decode[accountsweb.TokenResponse](t, body)
	// Refresh rotates: the new pair works, the old refresh token is spent.
	resp, body := tp.Do("POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": tok.RefreshToken}, "")
	if resp.StatusCode != 200 {
		t.Fatalf("refresh: %d %s", resp.StatusCode, body)
	}
	next := portaltest.Decode[accountsweb.TokenResponse](t, body)
	if resp, _ := tp.Do("POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": tok.RefreshToken}, ""); resp.StatusCode != 401 {
		t.Fatalf("replayed refresh token: %d", resp.StatusCode)
	}
	if resp, _ := tp.Do("GET", "/api/v1/me", nil, next.AccessToken); resp.StatusCode != 200 {
		t.Fatalf("new access token: %d", resp.StatusCode)
	}
	// Logout ends every session at once, including the first access token.
	if resp, body := tp.Do("POST", "/api/v1/auth/logout", map[string]string{"refresh_token": next.RefreshToken}, next.AccessToken); resp.StatusCode != 204 {
		t.Fatalf("logout: %d %s", resp.StatusCode, body)
	}
	for _, tk := range []string{tok.AccessToken, next.AccessToken} {
		if resp, _ := tp.Do("GET", "/api/v1/me", nil, tk); resp.StatusCode != 401 {
			t.Fatalf("token after logout: %d", resp.StatusCode)
		}
	}
	if resp, _ := tp.Do("POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": next.RefreshToken}, ""); resp.StatusCode != 401 {
		t.Fatal("refresh after logout works")
	}
}

func TestPasswordChangeAndDisableRevoke(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	adminID, admin, _ := tp.Account(accounts.Admin, "admin@test.cn")
	entID, ent, entRefresh := tp.Account(accounts.Entrepreneur, "ent@test.cn")

	resp, body := tp.Do("POST", "/api/v1/me/password", map[string]string{"current_password": "nope-nope-nope", "new_password": "An0ther-secret"}, ent)
	if resp.StatusCode != 422 || !strings.Contains(string(body), `"field":"current"`) {
		t.Fatalf("wrong current password: %d %s", resp.StatusCode, body)
	}
	resp, body = tp.Do("POST", "/api/v1/me/password", map[string]string{"current_password": portaltest.Password, "new_password": "An0ther-secret"}, ent)
	if resp.StatusCode != 200 {
		t.Fatalf("change: %d %s", resp.StatusCode, body)
	}
	fresh := portaltest.Decode[accountsweb.TokenResponse](t, body)
	if resp, _ := tp.Do("GET", "/api/v1/me", nil, ent); resp.StatusCode != 401 {
		t.Error("old token works after password change")
	}
	if resp, _ := tp.Do("POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": entRefresh}, ""); resp.StatusCode != 401 {
		t.Error("old refresh token works after password change")
	}
	if resp, _ := tp.Do("GET", "/api/v1/me", nil, fresh.AccessToken); resp.StatusCode != 200 {
		t.Error("the changer lost their own session")
	}
	if resp, _ := tp.Do("POST", "/api/v1/auth/login", map[string]string{"login": "ent@test.cn", "password": portaltest.Password}, ""); resp.StatusCode != 401 {
		t.Error("old password still works")
	}

	// Disabling ends the session at once, and sign-in is refused.
	resp, body = tp.Do("PATCH", "/api/v1/admin/users/"+entID, map[string]any{"disabled": true}, admin)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"disabled":true`) {
		t.Fatalf("disable: %d %s", resp.StatusCode, body)
	}
	if resp, _ := tp.Do("GET", "/api/v1/me", nil, fresh.AccessToken); resp.StatusCode != 401 {
		t.Error("disabled account's token works")
	}
	if resp, body := tp.Do("POST", "/api/v1/auth/login", map[string]string{"login": "ent@test.cn", "password": "An0ther-secret"}, ""); resp.StatusCode != 403 {
		t.Errorf("disabled login: %d %s", resp.StatusCode, body)
	}
	// The audit log saw all of it.
	_, body = tp.Do("GET", "/api/v1/admin/audit?size=100", nil, admin)
	for _, action := range []string{"user.password_change", "user.disable", "authn.login"} {
		if !strings.Contains(string(body), `"action":"`+action+`"`) {
			t.Errorf("audit lacks %s", action)
		}
	}
	_ = adminID
}

func TestLoginThrottling(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	tp.Account(accounts.Entrepreneur, "ent@test.cn")
	bad := map[string]string{"login": "ent@test.cn", "password": "wrong-password-1"}
	for i := range 5 {
		// A forged X-Forwarded-For from an untrusted peer changes nothing.
		if resp, _ := tp.Do("POST", "/api/v1/auth/login", bad, "", "X-Forwarded-For", "203.0.113."+strconv.Itoa(i)); resp.StatusCode != 401 {
			t.Fatalf("attempt %d: %d", i, resp.StatusCode)
		}
	}
	resp, body := tp.Do("POST", "/api/v1/auth/login", map[string]string{"login": "ent@test.cn", "password": portaltest.Password}, "", "X-Forwarded-For", "198.51.100.7")
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("6th attempt with the right password: %d %s", resp.StatusCode, body)
	}
	// The per-IP limit catches stuffing across accounts.
	tp2 := portaltest.New(t)
	var last int
	for i := range 25 {
		resp, _ := tp2.Do("POST", "/api/v1/auth/login", map[string]string{"login": "u" + strconv.Itoa(i) + "@test.cn", "password": "wrong-password-1"}, "")
		last = resp.StatusCode
	}
	if last != 429 {
		t.Fatalf("25 failures from one address: last status %d", last)
	}
}
