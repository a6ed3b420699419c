package orgs_test

import (
	"net/url"
	"strings"
	"testing"

	accountsweb "onestop/portal/accounts"
	"onestop/portal/portaltest"
	"onestop/services/accounts"
)

// orgBody is an organisation's registration through the API.
func orgBody(name, code, email string) map[string]any {
	return map[string]any{"name": name, "credit_code": code, "kind": "employer", "district": "dongcheng", "address": "東城區人民路 1 號",
		"contact_name": "陳經理", "contact_phone": "0755-86013388", "email": email, "user_name": "陳經理", "password": portaltest.Password}
}

// registerOrg registers an organisation through the API and confirms its
// user's code: the manager's sign-in.
func registerOrg(t *testing.T, tp *portaltest.Portal, body map[string]any) accountsweb.TokenResponse {
	t.Helper()
	raw := tp.MustDo(t, "POST", "/api/v1/orgs/register", body, "")
	st := portaltest.Decode[accountsweb.RegisterResponse](t, raw)
	raw = tp.MustDo(t, "POST", "/api/v1/orgs/register/confirm", map[string]string{"registration_id": st.RegistrationID,
		"code": tp.Code(body["email"].(string))}, "")
	return portaltest.Decode[accountsweb.TokenResponse](t, raw)
}

// invitationOf is the secret of the invitation last sent to login, from
// its link.
func invitationOf(t *testing.T, tp *portaltest.Portal, login string) string {
	t.Helper()
	d := tp.LastMessage(login)
	if d.Key != "org.message.invite" {
		t.Fatalf("the last message to %s is %s, not an invitation", login, d.Key)
	}
	u, err := url.Parse(d.Link)
	if err != nil || u.Path != "/org/join" || u.Query().Get("i") == "" {
		t.Fatalf("the invitation's link: %q", d.Link)
	}
	return u.Query().Get("i")
}

// TestOrgAPI: an organisation registers with its credit code and its
// first user's code; a bad or taken code is refused as problem+json with
// the field named; its users read it, nobody else; the manager invites a
// colleague, who joins; staff list, reject with a reason and verify; the
// manager corrects rejected details, removes the colleague; every step is
// checked for role and ownership.
func TestOrgAPI(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	_, admin, _ := tp.Account(accounts.Admin, "admin@test.cn")
	_, hotline, _ := tp.Account(accounts.Hotline, "desk@test.cn")
	_, ent, _ := tp.Account(accounts.Entrepreneur, "ent@test.cn")
	_, orphan, _ := tp.Account(accounts.Organisation, "orphan@test.cn")
	const code = "91350100M000100Y43"

	tp.Run(t, []portaltest.Scenario{
		{Name: "a wrong check character", Method: "POST", Path: "/api/v1/orgs/register", Body: orgBody("東城製衣廠", "91350100M000100Y44", "hr@factory.cn"), Status: 422,
			Contains: []string{`"field":"credit_code"`, `"code":"error.credit_code.check"`, "校驗碼"}},
		{Name: "letters a code never has", Method: "POST", Path: "/api/v1/orgs/register", Body: orgBody("東城製衣廠", "91350100MO00100Y43", "hr@factory.cn"), Status: 422,
			Contains: []string{`"code":"error.credit_code.chars"`}},
		{Name: "in English", Method: "POST", Path: "/api/v1/orgs/register", Body: orgBody("東城製衣廠", "9135", "hr@factory.cn"), Status: 422,
			Header: []string{"Accept-Language", "en"}, Contains: []string{`"code":"error.credit_code.length"`, "18 characters"}},
		{Name: "a role in the body", Method: "POST", Path: "/api/v1/orgs/register", Body: portaltest.With(orgBody("東城製衣廠", code, "hr@factory.cn"), "role", "admin"), Status: 422,
			Contains: []string{`"field":"role"`, "error.json.unknown"}},
		{Name: "a status in the body", Method: "POST", Path: "/api/v1/orgs/register", Body: portaltest.With(orgBody("東城製衣廠", code, "hr@factory.cn"), "status", "verified"), Status: 422},
		{Name: "a guest has no organisation", Method: "GET", Path: "/api/v1/orgs/mine", Status: 401},
		{Name: "nor has an entrepreneur", Method: "GET", Path: "/api/v1/orgs/mine", Token: ent, Status: 403},
		{Name: "an organisation's account in none", Method: "GET", Path: "/api/v1/orgs/mine", Token: orphan, Status: 404, Contains: []string{"error.org.none"}},
	})
	mgr := registerOrg(t, tp, orgBody("東城第一製衣廠", " 9135 0100 m000 100y 43", "hr@factory.cn"))
	if mgr.User.Role != string(accounts.Organisation) {
		t.Fatalf("the manager's role: %s", mgr.User.Role)
	}
	m := mgr.AccessToken
	tp.Run(t, []portaltest.Scenario{
		{Name: "its code is taken", Method: "POST", Path: "/api/v1/orgs/register", Body: orgBody("別的廠", code, "other@factory.cn"), Status: 409,
			Contains: []string{`"field":"credit_code"`, `"code":"error.org.code_taken"`}},
		{Name: "the manager reads it", Method: "GET", Path: "/api/v1/orgs/mine", Token: m, Status: 200,
			Contains:    []string{`"credit_code":"` + code + `"`, `"status":"pending"`, `"verified":false`, `"your_part":"manager"`, `"login_masked":"h***@factory.cn"`},
			NotContains: []string{"hr@factory.cn", "login_key"}},
		{Name: "the staff's list", Method: "GET", Path: "/api/v1/staff/orgs?status=pending", Token: admin, Status: 200,
			Contains: []string{`"total":1`, `"credit_code":"` + code + `"`, `"users":1`}},
		{Name: "found by its code", Method: "GET", Path: "/api/v1/staff/orgs?q=" + strings.ToLower(code), Token: admin, Status: 200, Contains: []string{`"total":1`}},
		{Name: "not among the verified", Method: "GET", Path: "/api/v1/staff/orgs?status=verified", Token: admin, Status: 200, Contains: []string{`"total":0`}},
		{Name: "hotline staff do not review", Method: "GET", Path: "/api/v1/staff/orgs", Token: hotline, Status: 403},
		{Name: "nor do its users", Method: "GET", Path: "/api/v1/staff/orgs", Token: m, Status: 403},
	})

	// The manager invites a colleague, who joins through the link.
	tp.Run(t, []portaltest.Scenario{
		{Name: "no login", Method: "POST", Path: "/api/v1/orgs/mine/invitations", Token: m, Body: map[string]string{"name": "李會計"}, Status: 422,
			Contains: []string{`"field":"login"`}},
		{Name: "an entrepreneur invites nobody", Method: "POST", Path: "/api/v1/orgs/mine/invitations", Token: ent, Body: map[string]string{"email": "li@factory.cn", "name": "李會計"}, Status: 403},
		{Name: "invite", Method: "POST", Path: "/api/v1/orgs/mine/invitations", Token: m, Body: map[string]string{"email": "li@factory.cn", "name": "李會計"}, Status: 202,
			Contains: []string{`"sent_to":"l***@factory.cn"`}, NotContains: []string{"li@factory.cn", "token"}},
	})
	token := invitationOf(t, tp, "li@factory.cn")
	tp.Run(t, []portaltest.Scenario{
		{Name: "a made-up invitation", Method: "POST", Path: "/api/v1/orgs/join", Body: map[string]string{"invitation": "oi_" + strings.Repeat("A", 43), "name": "李會計", "password": portaltest.Password},
			Status: 404, Contains: []string{"error.org.invitation_gone"}},
		{Name: "a weak password", Method: "POST", Path: "/api/v1/orgs/join", Body: map[string]string{"invitation": token, "name": "李會計", "password": "123"}, Status: 422,
			Contains: []string{`"field":"password"`}},
	})
	st := portaltest.Decode[accountsweb.RegisterResponse](t, tp.MustDo(t, "POST", "/api/v1/orgs/join",
		map[string]string{"invitation": token, "name": "李會計", "password": portaltest.Password}, ""))
	// The accounts' own confirmation does not open an organisation's user.
	if resp, raw := tp.Do("POST", "/api/v1/auth/register/confirm", map[string]string{"registration_id": st.RegistrationID, "code": tp.Code("li@factory.cn")}, ""); resp.StatusCode != 422 {
		t.Fatalf("through the accounts' door: %d %s", resp.StatusCode, raw)
	}
	col := portaltest.Decode[accountsweb.TokenResponse](t, tp.MustDo(t, "POST", "/api/v1/orgs/register/confirm",
		map[string]string{"registration_id": st.RegistrationID, "code": tp.Code("li@factory.cn")}, ""))
	c := col.AccessToken
	mine := portaltest.Decode[map[string]any](t, tp.MustDo(t, "GET", "/api/v1/orgs/mine", nil, m))
	orgID := portaltest.Str(mine, "id")
	tp.Run(t, []portaltest.Scenario{
		{Name: "the colleague's part", Method: "GET", Path: "/api/v1/orgs/mine", Token: c, Status: 200, Contains: []string{`"your_part":"member"`, `"name":"李會計"`}},
		{Name: "the link is used up", Method: "POST", Path: "/api/v1/orgs/join", Body: map[string]string{"invitation": token, "name": "又一位", "password": portaltest.Password}, Status: 404},
		{Name: "a colleague invites nobody", Method: "POST", Path: "/api/v1/orgs/mine/invitations", Token: c, Body: map[string]string{"email": "x@factory.cn", "name": "某"}, Status: 403,
			Contains: []string{"error.org.manager_only"}},
		{Name: "nor removes the manager", Method: "DELETE", Path: "/api/v1/orgs/mine/users/" + mgr.User.ID, Token: c, Status: 403},
		{Name: "the manager stays", Method: "DELETE", Path: "/api/v1/orgs/mine/users/" + mgr.User.ID, Token: m, Status: 409, Contains: []string{"error.org.manager_stays"}},
		{Name: "another organisation's user is none of its", Method: "DELETE", Path: "/api/v1/orgs/mine/users/" + col.User.ID, Token: orphan, Status: 404},
		{Name: "staff read it", Method: "GET", Path: "/api/v1/staff/orgs/" + orgID, Token: admin, Status: 200, Contains: []string{`"part":"member"`, `"contact_phone":"0755-86013388"`},
			NotContains: []string{"your_part", "li@factory.cn"}},
		{Name: "an unknown one", Method: "GET", Path: "/api/v1/staff/orgs/nonsense", Token: admin, Status: 404},
	})

	registerOrg(t, tp, orgBody("南城勞務", "91440300708461136T", "agency@test.cn"))
	// Staff reject with a reason; the manager corrects and sends again;
	// staff verify; verified details are fixed.
	tp.Run(t, []portaltest.Scenario{
		{Name: "its users do not review", Method: "POST", Path: "/api/v1/staff/orgs/" + orgID + "/verify", Token: m, Status: 403},
		{Name: "a rejection without a reason", Method: "POST", Path: "/api/v1/staff/orgs/" + orgID + "/reject", Token: admin, Body: map[string]string{"reason": ""}, Status: 422,
			Contains: []string{`"field":"reason"`}},
		{Name: "reject", Method: "POST", Path: "/api/v1/staff/orgs/" + orgID + "/reject", Token: admin, Body: map[string]string{"reason": "名稱與營業執照不符。"}, Status: 200,
			Contains: []string{`"status":"rejected"`, `"reason":"名稱與營業執照不符。"`}},
		{Name: "the manager reads why", Method: "GET", Path: "/api/v1/orgs/mine", Token: m, Status: 200, Contains: []string{`"reason":"名稱與營業執照不符。"`}},
		{Name: "a colleague corrects nothing", Method: "PATCH", Path: "/api/v1/orgs/mine", Token: c, Body: orgInput("東城第一製衣有限公司", code), Status: 403},
		{Name: "a taken code", Method: "PATCH", Path: "/api/v1/orgs/mine", Token: m, Body: orgInput("東城第一製衣有限公司", "91440300708461136T"), Status: 409,
			Contains: []string{`"field":"credit_code"`, "error.org.code_taken"}},
		{Name: "sent again", Method: "PATCH", Path: "/api/v1/orgs/mine", Token: m, Body: portaltest.With(orgInput("東城第一製衣有限公司", code), "version", 4), Status: 200,
			Contains: []string{`"status":"pending"`, `"name":"東城第一製衣有限公司"`, `"credit_code":"` + code + `"`}, NotContains: []string{`"reason"`}},
		{Name: "an edit from an old version", Method: "PATCH", Path: "/api/v1/orgs/mine", Token: m, Body: portaltest.With(orgInput("舊", code), "version", 1), Status: 409},
		{Name: "verify", Method: "POST", Path: "/api/v1/staff/orgs/" + orgID + "/verify", Token: admin, Status: 200, Contains: []string{`"status":"verified"`, `"verified":true`}},
		{Name: "verified twice", Method: "POST", Path: "/api/v1/staff/orgs/" + orgID + "/verify", Token: admin, Status: 409, Contains: []string{"error.org.not_pending"}},
		{Name: "verified details are fixed", Method: "PATCH", Path: "/api/v1/orgs/mine", Token: m, Body: orgInput("改名", code), Status: 409, Contains: []string{"error.org.verified_fixed"}},
		{Name: "reviews are audited", Method: "GET", Path: "/api/v1/admin/audit?action=org.verify", Token: admin, Status: 200, Contains: []string{`"target":"` + orgID + `"`}},
	})

	// The manager removes the colleague: the account stays, in none.
	tp.Run(t, []portaltest.Scenario{
		{Name: "remove", Method: "DELETE", Path: "/api/v1/orgs/mine/users/" + col.User.ID, Token: m, Status: 204},
		{Name: "the colleague is in none", Method: "GET", Path: "/api/v1/orgs/mine", Token: c, Status: 404, Contains: []string{"error.org.none"}},
		{Name: "removed twice", Method: "DELETE", Path: "/api/v1/orgs/mine/users/" + col.User.ID, Token: m, Status: 404},
		{Name: "the list counts one", Method: "GET", Path: "/api/v1/staff/orgs?q=" + code, Token: admin, Status: 200, Contains: []string{`"users":1`, `"status":"verified"`}},
	})
}

// orgInput is an organisation's details for an edit.
func orgInput(name, code string) map[string]any {
	return map[string]any{"name": name, "credit_code": code, "kind": "employer", "district": "dongcheng", "address": "東城區人民路 1 號",
		"contact_name": "陳經理", "contact_phone": "0755-86013388"}
}
