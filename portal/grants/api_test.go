package grants_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	grantsweb "onestop/portal/grants"
	"onestop/portal/portaltest"
	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/orgs"
	"onestop/services/pii"
)

var pdf = []byte("%PDF-1.4 evidence")

// world is a portal with a person who runs an individual business as a
// registered unemployed person (the fee exemption is hers), a case
// officer, the hotline, another entrepreneur and an administrator.
type world struct {
	tp                                 *portaltest.Portal
	owner, ownerID, officer, desk, ent string
	admin                              string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	tp := portaltest.New(t)
	w := &world{tp: tp}
	w.ownerID, w.owner, _ = tp.Account(accounts.Entrepreneur, "owner@test.cn")
	_, w.officer, _ = tp.Account(accounts.CaseOfficer, "officer@test.cn")
	_, w.desk, _ = tp.Account(accounts.Hotline, "desk@test.cn")
	_, w.ent, _ = tp.Account(accounts.Entrepreneur, "ent@test.cn")
	_, w.admin, _ = tp.Account(accounts.Admin, "admin@test.cn")
	tp.MustDo(t, "PUT", "/api/v1/me/profile", map[string]any{"real_name": "陳美玲", "consent_version": "2026-11", "target_groups": []string{"registered_unemployed"},
		"venture": map[string]any{"stage": "operating", "form": "individual", "industry": "information_service", "first_registered": w.firstRegistered()}}, w.owner)
	return w
}

func (w *world) firstRegistered() string { return core.DateOf(w.tp.Now().AddDate(0, -3, 0)).String() }

// upload sends evidence to an application through the API.
func (w *world) upload(t *testing.T, id, token, kind, name string, data []byte) (*http.Response, []byte) {
	t.Helper()
	r, ct := portaltest.Multipart(t, map[string]string{"kind": kind}, name, data)
	req := httptest.NewRequest("POST", "/api/v1/grants/"+id+"/attachments", r)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := w.tp.App.HTTP().Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	body := make([]byte, 4096)
	n, _ := resp.Body.Read(body)
	return resp, body[:n]
}

// TestGrantsAPI: a person applies for the fee exemption through the API,
// uploads the evidence, and is granted it by a case officer once her facts
// are checked; anyone checks the certificate by its code; every refusal is
// problem+json in the caller's language and writes nothing.
func TestGrantsAPI(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tp := w.tp
	tp.Run(t, []portaltest.Scenario{
		{Name: "an unknown support", Method: "POST", Path: "/api/v1/grants", Body: map[string]any{"policy_id": "no-such"}, Token: w.owner, Status: 422,
			Contains: []string{`"field":"policy_id"`, "error.grant.policy", "不能在網上申請"}},
		{Name: "a loan is applied for as a loan file", Method: "POST", Path: "/api/v1/grants", Body: map[string]any{"policy_id": "guaranteed-loan"}, Token: w.owner, Status: 422,
			Contains: []string{"error.grant.policy"}},
		{Name: "a status in the body", Method: "POST", Path: "/api/v1/grants", Body: map[string]any{"policy_id": "fee-exemption-3y", "status": "granted"}, Token: w.owner, Status: 422,
			Contains: []string{`"field":"status"`, "error.json.unknown"}},
		{Name: "someone who does not qualify", Method: "POST", Path: "/api/v1/grants", Body: map[string]any{"policy_id": "fee-exemption-3y"}, Token: w.ent, Status: 422,
			Header: []string{"Accept-Language", "en"}, Contains: []string{"error.grant.profile_first", "Fill in your profile"}},
		{Name: "the hotline does not apply", Method: "POST", Path: "/api/v1/grants", Body: map[string]any{"policy_id": "fee-exemption-3y"}, Token: w.desk, Status: 403},
		{Name: "a guest neither", Method: "POST", Path: "/api/v1/grants", Body: map[string]any{"policy_id": "fee-exemption-3y"}, Status: 401},
	})
	raw := tp.MustDo(t, "POST", "/api/v1/grants", map[string]any{"policy_id": "fee-exemption-3y", "note": "個體經營"}, w.owner)
	g := portaltest.Decode[grantsweb.APIApplication](t, raw)
	if g.Status != "submitted" || g.Waiting != "bureau" || len(g.Missing) != 2 || g.DueOn.IsZero() {
		t.Fatalf("applied: %s", raw)
	}
	p := "/api/v1/grants/" + g.ID
	tp.Run(t, []portaltest.Scenario{
		{Name: "twice", Method: "POST", Path: "/api/v1/grants", Body: map[string]any{"policy_id": "fee-exemption-3y"}, Token: w.owner, Status: 409, Contains: []string{"error.grant.twice", "不能重複申請"}},
		{Name: "another person does not see it", Method: "GET", Path: p, Token: w.ent, Status: 404},
		{Name: "the hotline reads it", Method: "GET", Path: p, Token: w.desk, Status: 200, Contains: []string{`"subject_name":"陳美玲"`}},
		{Name: "the hotline does not decide", Method: "POST", Path: p + "/steps", Body: map[string]any{"action": "grant"}, Token: w.desk, Status: 403},
		{Name: "nor does the applicant", Method: "POST", Path: p + "/steps", Body: map[string]any{"action": "grant"}, Token: w.owner, Status: 403},
		{Name: "not without the evidence", Method: "POST", Path: p + "/steps", Body: map[string]any{"action": "grant"}, Token: w.officer, Status: 422,
			Contains: []string{`"field":"documents"`, "error.grant.document_missing"}},
		{Name: "an unknown action", Method: "POST", Path: p + "/steps", Body: map[string]any{"action": "approve"}, Token: w.officer, Status: 422, Contains: []string{`"field":"action"`}},
		{Name: "a refusal without a reason", Method: "POST", Path: p + "/steps", Body: map[string]any{"action": "refuse", "note": "否"}, Token: w.officer, Status: 422,
			Contains: []string{"error.reason.short"}},
		{Name: "the queue has it", Method: "GET", Path: "/api/v1/grants", Token: w.officer, Status: 200, Contains: []string{g.ID, `"kind":"certificate"`}},
		{Name: "her list has it", Method: "GET", Path: "/api/v1/grants", Token: w.owner, Status: 200, Contains: []string{g.ID}},
		{Name: "another's list does not", Method: "GET", Path: "/api/v1/grants", Token: w.ent, Status: 200, NotContains: []string{g.ID}},
		{Name: "an unknown kind", Method: "GET", Path: "/api/v1/grants?kind=loan", Token: w.officer, Status: 422, Contains: []string{`"field":"kind"`}},
	})
	for _, tt := range []struct {
		name, kind, file string
		data             []byte
		status           int
		code             string
	}{
		{"a text file", "id_card", "id.txt", []byte("hello"), 422, "error.file.type"},
		{"an unknown kind", "passport", "p.pdf", pdf, 422, "error.enum"},
		{"the ID card", "id_card", "身分證.pdf", pdf, 201, ""},
		{"the licence", "business_licence", "執照.pdf", pdf, 201, ""},
	} {
		resp, body := w.upload(t, g.ID, w.owner, tt.kind, tt.file, tt.data)
		if resp.StatusCode != tt.status || !strings.Contains(string(body), tt.code) {
			t.Errorf("%s: %d %s", tt.name, resp.StatusCode, body)
		}
	}
	if resp, _ := w.upload(t, g.ID, w.ent, "id_card", "x.pdf", pdf); resp.StatusCode != 404 {
		t.Errorf("another person's upload: %d", resp.StatusCode)
	}
	tp.Run(t, []portaltest.Scenario{
		{Name: "not on her word", Method: "POST", Path: p + "/steps", Body: map[string]any{"action": "grant"}, Token: w.officer, Status: 422,
			Contains: []string{"error.grant.unverified"}},
	})
	for fact, value := range map[string]any{"target_groups.registered_unemployed": true, "venture.first_registered": w.firstRegistered()} {
		tp.MustDo(t, "POST", "/api/v1/staff/people/"+w.ownerID+"/facts/verify", map[string]any{"fact": fact, "value": value, "note": "核對原件"}, w.officer)
	}
	raw = tp.MustDo(t, "POST", p+"/steps", map[string]any{"action": "grant", "note": "已核對失業登記證與營業執照"}, w.officer)
	g = portaltest.Decode[grantsweb.APIApplication](t, raw)
	if g.Status != "granted" || g.Grant == nil || g.Grant.Code == "" || g.Grant.ValidUntil.IsZero() {
		t.Fatalf("granted: %s", raw)
	}
	tp.Run(t, []portaltest.Scenario{
		{Name: "anyone checks the code", Method: "GET", Path: "/api/v1/verify/" + g.Grant.Code, Status: 200,
			Contains: []string{`"holder":"陳*玲"`, `"state":"valid"`, `"policy_id":"fee-exemption-3y"`}, NotContains: []string{"陳美玲", w.ownerID}},
		{Name: "as typed from paper", Method: "GET", Path: "/api/v1/verify/" + strings.ToLower(strings.ReplaceAll(g.Grant.Code, "-", "")), Status: 200},
		{Name: "a code nobody holds", Method: "GET", Path: "/api/v1/verify/2345-6789-ABCD", Status: 404},
		{Name: "not a code", Method: "GET", Path: "/api/v1/verify/abc", Status: 422, Contains: []string{`"field":"code"`, "error.grant.code_format"}},
		{Name: "her ledger", Method: "GET", Path: "/api/v1/ledger", Token: w.owner, Status: 200, Contains: []string{`"total":1`, g.Grant.Code, `"policy_version":1`}},
		{Name: "another's ledger by id", Method: "GET", Path: "/api/v1/ledger?subject_id=" + w.ownerID, Token: w.ent, Status: 404},
		{Name: "the bureau reads her ledger", Method: "GET", Path: "/api/v1/ledger?subject_id=" + w.ownerID, Token: w.officer, Status: 200, Contains: []string{g.Grant.Code}},
		{Name: "no more evidence once decided", Method: "DELETE", Path: p + "/attachments/" + g.Documents[0].ID, Token: w.owner, Status: 409},
	})
	// The case officer's page of the person lists what she was granted.
	b, _ := tp.SignedIn(t, "officer@test.cn")
	if _, doc := b.Get("/staff/people/" + w.ownerID); !strings.Contains(doc.Find("#person-ledger").Text(), g.Grant.Code) {
		t.Errorf("the person's ledger on the staff page: %q", doc.Find("#person-ledger").Text())
	}
}

// TestRewardClaimAPI: a verified employer claims the hiring reward for
// the farmers it lists; lines that fail the terms say why, a bad ID number
// is refused at its row, and the reward is 200 yuan a farmer who meets
// them.
func TestRewardClaimAPI(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tp := w.tp
	hrID, hr, _ := tp.Account(accounts.Organisation, "hr@factory.cn")
	ctx, m := context.Background(), accounts.Meta{IP: "192.0.2.1"}
	b := tp.App.Bureau()
	o, err := b.Orgs.Found(ctx, accounts.Principal{ID: hrID, Role: accounts.Organisation, Name: "陳經理"}, orgs.Input{Name: "東城恒達製衣有限公司",
		CreditCode: orgs.WithCheckChar("91440101MA5D7Q1R2"), Kind: orgs.Employer, District: "dongcheng", Address: "東城區人民路 1 號", ContactName: "陳經理", ContactPhone: "0755-86013388"}, m)
	if err != nil {
		t.Fatal(err)
	}
	number := func(n int) string { return pii.WithCheckDigit(fmt.Sprintf("44030119800101%03d", n)) }
	start := core.DateOf(tp.Now().AddDate(-3, 0, 0)).String()
	line := func(n, years int) map[string]any {
		return map[string]any{"name": fmt.Sprintf("農民%d", n), "id_number": number(n), "contract_start": start, "contract_years": years, "social_insurance": true}
	}
	claim := map[string]any{"policy_id": "farmer-hiring-reward", "lines": []map[string]any{line(1, 3), line(2, 1)}}
	tp.Run(t, []portaltest.Scenario{
		{Name: "not verified yet", Method: "POST", Path: "/api/v1/grants", Body: claim, Token: hr, Status: 409, Contains: []string{"error.grant.org_unverified"}},
		{Name: "a person claims an organisation's reward", Method: "POST", Path: "/api/v1/grants", Body: claim, Token: w.owner, Status: 403},
	})
	if _, err := b.Orgs.Verify(ctx, accounts.Principal{ID: "admin", Role: accounts.Admin, Name: "管理員"}, o.ID, m); err != nil {
		t.Fatal(err)
	}
	if _, err := b.People.ImportRoster(ctx, "farmers", "北山村花名冊", strings.NewReader(`{"id_number":"`+number(1)+`"}`+"\n"+`{"id_number":"`+number(2)+`"}`+"\n"), "jsonl", nil); err != nil {
		t.Fatal(err)
	}
	bad := line(3, 3)
	bad["id_number"] = number(3)[:17] + map[bool]string{true: "1", false: "0"}[number(3)[17] == '0']
	tp.Run(t, []portaltest.Scenario{
		{Name: "a bad check digit", Method: "POST", Path: "/api/v1/grants", Body: map[string]any{"policy_id": "farmer-hiring-reward", "lines": []map[string]any{line(1, 3), bad}}, Token: hr, Status: 422,
			Contains: []string{`"field":"lines.1.id_number"`, "error.id.checksum"}, NotContains: []string{bad["id_number"].(string)}},
		{Name: "nobody meets the terms", Method: "POST", Path: "/api/v1/grants", Body: map[string]any{"policy_id": "farmer-hiring-reward", "lines": []map[string]any{line(2, 1)}}, Token: hr, Status: 422,
			Contains: []string{"error.grant.none_meet"}},
	})
	raw := tp.MustDo(t, "POST", "/api/v1/grants", claim, hr)
	g := portaltest.Decode[grantsweb.APIApplication](t, raw)
	if g.Meeting != 1 || len(g.Lines) != 2 || g.Lines[1].Short != "contract" || strings.Contains(string(raw), number(1)) {
		t.Fatalf("the claim: %s", raw)
	}
	for _, k := range []string{"labour_contracts", "social_insurance_record"} {
		if resp, body := w.upload(t, g.ID, hr, k, k+".pdf", pdf); resp.StatusCode != 201 {
			t.Fatalf("upload %s: %d %s", k, resp.StatusCode, body)
		}
	}
	raw = tp.MustDo(t, "POST", "/api/v1/grants/"+g.ID+"/steps", map[string]any{"action": "grant", "note": "已核對勞動合同"}, w.officer)
	if g = portaltest.Decode[grantsweb.APIApplication](t, raw); g.Grant == nil || g.Grant.AmountFen != 20000 {
		t.Fatalf("granted: %s", raw)
	}
	if got := string(tp.MustDo(t, "GET", "/api/v1/me/notifications", nil, hr)); !strings.Contains(got, "notify.grant.grant") && !strings.Contains(got, "已核准") {
		t.Errorf("the employer is told: %s", got)
	}
}
