package privacy_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	onestopweb "onestop/portal/onestop"
	"onestop/portal/portaltest"
	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/people"
	"onestop/services/pii"
	"onestop/services/privacy/rights"
)

// The canary person's values: none may be left anywhere once they are
// deleted.
const (
	privacyName  = "金絲雀乙丙"
	privacyPhone = "13655501234"
)

var privacyIDNumber = pii.WithCheckDigit("11010519700304001")

// privacyPortal is a portal on a data directory (its database too) and a
// log of its own, so the test can read every file it writes.
func privacyPortal(t *testing.T) (tp *portaltest.Portal, dir string) {
	t.Helper()
	tp = portaltest.New(t, portaltest.OwnStore(), portaltest.CaptureLogs())
	return tp, tp.App.Config().DataDir
}

// privacyWorld is the canary person with a record in every area, and the
// staff and organisations those records involve.
type privacyWorld struct {
	tp                                         *portaltest.Portal
	person, token                              string
	admin, hotline, manager, officer, provider string
	application, contact                       string
}

func (w *privacyWorld) must(t *testing.T, method, path string, body any, token string, hdr ...string) map[string]any {
	t.Helper()
	resp, out := w.tp.Do(method, path, body, token, hdr...)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, out)
	}
	if len(out) == 0 || out[0] != '{' {
		return nil
	}
	return portaltest.Decode[map[string]any](t, out)
}

// newPrivacyWorld builds the canary person's records, each through the
// API the person or staff use.
func newPrivacyWorld(t *testing.T, tp *portaltest.Portal) *privacyWorld {
	t.Helper()
	w := &privacyWorld{tp: tp}
	ids := map[accounts.Role]string{}
	toks := map[accounts.Role]string{}
	for _, r := range []accounts.Role{accounts.Admin, accounts.Hotline, accounts.IncubatorManager, accounts.BankOfficer, accounts.Provider, accounts.Mentor} {
		ids[r], toks[r], _ = tp.Account(r, string(r)+"@privacy.test.cn")
	}
	w.admin, w.hotline, w.manager, w.officer, w.provider = toks[accounts.Admin], toks[accounts.Hotline], toks[accounts.IncubatorManager],
		toks[accounts.BankOfficer], toks[accounts.Provider]
	w.must(t, "POST", "/api/v1/admin/providers/"+ids[accounts.Provider], map[string]any{"listed": true}, w.admin)
	bank := portaltest.Str(w.must(t, "POST", "/api/v1/admin/banks", map[string]any{"name": "城商行"}, w.admin), "id")
	w.must(t, "POST", "/api/v1/admin/banks/"+bank+"/officers", map[string]any{"officers": []string{ids[accounts.BankOfficer]}}, w.admin)
	base := portaltest.Str(w.must(t, "POST", "/api/v1/admin/bases", map[string]any{"name": "創業園", "level": "municipal", "district": "hightech",
		"address": "高新路1號", "contact": "0755-1234", "industries": []string{"technology"}, "seats": 20, "intake_open": true, "services": []string{"mentoring"}}, w.admin), "id")
	w.must(t, "POST", "/api/v1/admin/bases/"+base+"/status", map[string]string{"status": "approved"}, w.admin)
	w.must(t, "POST", "/api/v1/admin/bases/"+base+"/managers", map[string]any{"manager_ids": []string{ids[accounts.IncubatorManager]}}, w.admin)
	w.must(t, "POST", "/api/v1/admin/intakes", map[string]string{"name": "2026 冬季"}, w.admin)
	w.must(t, "PUT", "/api/v1/me/mentor", map[string]any{"type": "successful_founder", "industries": []string{"technology"},
		"topics": []string{"financing", "tax", "law"}, "bio": "連續創業者，十年軟件公司經營經驗。", "languages": []string{"zh"}, "capacity": 50}, toks[accounts.Mentor])
	w.must(t, "POST", "/api/v1/admin/mentors/"+ids[accounts.Mentor]+"/status", map[string]string{"status": "active"}, w.admin)

	// The person, registered by phone, with a profile a guaranteed loan is
	// open to.
	u, err := tp.App.Accounts().Create(context.Background(), accounts.Principal{ID: "bootstrap", Role: accounts.Admin},
		accounts.NewAccount{Phone: privacyPhone, Password: portaltest.Password, Name: privacyName, Role: accounts.Entrepreneur}, accounts.Meta{IP: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	w.person, w.token = u.ID, tp.Login(privacyPhone)
	profile := map[string]any{"real_name": privacyName, "id_number": privacyIDNumber, "phone": privacyPhone, "district": "dongcheng",
		"consent_version": people.NoticeVersion, "target_groups": []string{"land_expropriated_farmer"},
		"venture": map[string]any{"stage": "preparing", "micro_profit": true, "own_funds_sufficient": false, "industry": "agri_processing"}}
	w.must(t, "PUT", "/api/v1/me/profile", profile, w.token)
	w.must(t, "GET", "/api/v1/me/eligibility", nil, w.token)
	loan := portaltest.Str(w.must(t, "POST", "/api/v1/loans", map[string]any{"policy_id": "guaranteed-loan", "amount_yuan": 20000, "term_months": 24,
		"purpose": "購買豆腐坊設備", "guarantee": "guarantee_fund", "guarantee_details": "擔保基金", "documents": []string{"id_card", "business_plan"},
		"plan": "我叫" + privacyName + "，在村口開豆腐坊，日產 200 斤，供應三家超市，預計八個月收回設備投資。", "bank_id": bank}, w.token), "id")
	r, ct := portaltest.Multipart(t, map[string]string{"kind": "id_card"}, "身份證.png", []byte("\x89PNG\r\n\x1a\n"+privacyName+privacyIDNumber))
	req := httptest.NewRequest("POST", "/api/v1/loans/"+loan+"/attachments", r)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+w.token)
	if resp, err := tp.App.HTTP().Test(req, -1); err != nil || resp.StatusCode != 201 {
		t.Fatalf("upload: %v %v", resp, err)
	}
	if _, err := tp.App.Bureau().People.FromRoster(context.Background(), w.person, people.RosterEntry{Roster: "北山村被徵地農民花名冊", Fact: "on_farmer_roster", Value: "true"}); err != nil {
		t.Fatal(err)
	}
	w.must(t, "POST", "/api/v1/loans/"+loan+"/steps", map[string]any{"action": "forward", "note": "已核實" + privacyName + "的身份"}, w.hotline)

	// Then the venture opens: its stability follow-up starts.
	profile["venture"] = map[string]any{"stage": "operating", "form": "individual", "industry": "information_service",
		"first_registered": core.DateOf(tp.Now().AddDate(0, -5, -10)).String()}
	w.must(t, "PUT", "/api/v1/me/profile", profile, w.token)

	w.must(t, "POST", "/api/v1/services", map[string]any{"type": "financing", "details": privacyName + "需要資金，電話 " + privacyPhone}, w.token)
	w.must(t, "POST", "/api/v1/projects", map[string]any{"title": privacyName + "的洗衣便民店", "summary": "提供乾洗和熨燙",
		"description": "租用臨街商鋪，提供洗衣、乾洗和熨燙服務。", "industry": "community_service", "district": "xicheng", "investment_yuan": 60000,
		"risk": "low", "expected_jobs": 3, "target_groups": []string{"registered_unemployed"}, "tags": []string{"洗衣"}, "source": "individual",
		"contact": privacyPhone, "submit": true}, w.token)
	apps := portaltest.Decode[struct {
		Items []map[string]any `json:"items"`
	}](t, tp.MustDo(t, "POST", "/api/v1/applications", map[string]any{"choices": []string{base}, "venture": privacyName + "的社區烘焙坊"}, w.token))
	w.application = portaltest.Str(apps.Items[0], "id")
	w.must(t, "POST", "/api/v1/manage/applications/"+w.application+"/waitlist", map[string]any{}, w.manager)
	q := w.must(t, "POST", "/api/v1/consultations", map[string]any{"topic": "financing", "question": "我是" + privacyName + "，怎樣申請創業擔保貸款？"}, w.token)
	w.must(t, "POST", "/api/v1/consultations/"+portaltest.Str(q, "id")+"/messages", map[string]any{"text": privacyName + "您好，先準備營業執照。"}, toks[accounts.Mentor])
	w.must(t, "POST", "/api/v1/complaints", map[string]any{"kind": "service", "subject": "等太久", "against": "portal",
		"details": "網頁打不開，請打 " + privacyPhone, "desired": "改善"}, w.token, "Idempotency-Key", "complaint-1")
	course := portaltest.Str(w.must(t, "POST", "/api/v1/courses", map[string]any{"title": "創業培訓（SYB）", "kind": "planning", "description": "課程", "place": "東城區",
		"certificate": "合格證", "seats": 10, "sessions": []map[string]any{{"starts_at": tp.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339), "hours": 3}}}, w.provider), "id")
	w.must(t, "POST", "/api/v1/courses/"+course+"/enrolments", map[string]any{}, w.token)

	// The hotline: the caller found among accounts, a call, a follow-up
	// case and a question logged for them.
	w.contact = portaltest.Str(w.must(t, "POST", "/api/v1/hotline/accounts/"+w.person+"/contact", map[string]any{}, w.hotline), "id")
	w.must(t, "POST", "/api/v1/hotline/calls", map[string]any{"contact_id": w.contact, "type": "policy", "topic": "loan",
		"notes": privacyName + "問貸款，回電 " + privacyPhone, "outcome": "callback", "duration_minutes": 2}, w.hotline)
	w.must(t, "POST", "/api/v1/cases", map[string]any{"contact_id": w.contact, "reasons": []string{"market"}, "loan_status": "none",
		"situation": privacyName + "的店面關閉", "staff_id": ids[accounts.Admin]}, w.hotline)
	w.must(t, "POST", "/api/v1/consultations", map[string]any{"contact_id": w.contact, "topic": "tax", "question": "來電問報稅的事情怎麼辦"}, w.hotline)
	return w
}

// privacyKinds are the kinds of record the canary's export must hold, by
// area file.
var privacyKinds = map[string][]string{
	"account.json": {"account"}, "profile.json": {"profile"}, "services.json": {"service_request"}, "projects.json": {"project"},
	"incubators.json": {"application"}, "consultations.json": {"consultation"}, "training.json": {"enrolment"}, "loans.json": {"loan"},
	"eligibility.json": {"eligibility_check"}, "notifications.json": {"notification"}, "audit.json": {"audit_event"},
	"hotline.json": {"contact", "call", "complaint", "case", "venture", "consultation"}, "replays.json": {},
}

var privacyValues = map[string]string{privacyName: "name", privacyIDNumber: "ID number", privacyPhone: "phone"}

// scanPrivacy finds the canary's values in every document of every
// collection and in every file of the search index, by place.
func scanPrivacy(t *testing.T, tp *portaltest.Portal, dir string) map[string][]string {
	t.Helper()
	ctx := context.Background()
	found := map[string][]string{}
	add := func(place string, raw []byte) {
		for v, what := range privacyValues {
			if bytes.Contains(raw, []byte(v)) && !slices.Contains(found[place], what) {
				found[place] = append(found[place], what)
			}
		}
	}
	colls, err := tp.App.Store().DB().ListCollectionNames(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	docs := 0
	for _, c := range colls {
		cur, err := tp.App.Store().C(c).Find(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		for cur.Next(ctx) {
			docs++
			add("collection "+c, cur.Current)
		}
		cur.Close(ctx)
	}
	files := 0
	portaltest.EachFile(filepath.Join(dir, "search"), func(_ string, raw []byte) {
		files++
		add("the search index", raw)
	})
	if docs < 50 || files == 0 {
		t.Fatalf("scanned %d documents and %d index files: the scan proves nothing", docs, files)
	}
	return found
}

// unzip reads an archive into its files.
func unzip(t *testing.T, raw []byte) map[string][]byte {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatalf("not a ZIP: %v", err)
	}
	out := map[string][]byte{}
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	return out
}

// TestPrivacyCanary (issue #24, findings 5; issue #19, item 4): a person
// with a record in every area exports them all — one JSON file per area,
// their document's bytes, a summary in their language, audit events
// without staff names or addresses — and deletes their account: the base
// manager can no longer accept their application, and afterwards no
// collection, no file of the search index and no log line holds their
// name, ID number or phone.
func TestPrivacyCanary(t *testing.T) {
	t.Parallel()
	tp, dir := privacyPortal(t)
	w := newPrivacyWorld(t, tp)
	ctx := context.Background()

	resp, body := tp.Do("POST", "/api/v1/me/export", map[string]any{"password": portaltest.Password}, w.token, "Accept-Language", "en")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("export: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	files := unzip(t, body)
	for name, kinds := range privacyKinds {
		raw, ok := files[name]
		if !ok {
			t.Errorf("the export has no %s", name)
		}
		for _, k := range kinds {
			if !bytes.Contains(raw, []byte(`"kind":"`+k+`"`)) {
				t.Errorf("%s has no %s record", name, k)
			}
		}
	}
	for name, want := range map[string][]string{
		"profile.json":  {privacyIDNumber, privacyPhone, privacyName},
		"hotline.json":  {`"by":"you"`, `"outcome":"callback"`},
		"audit.json":    {`"action":"loan.forward"`, `"by":"hotline"`, `"by":"you"`, `"action":"profile.save"`},
		"loans.json":    {`"path":"loans/`},
		"summary.html":  {`lang="en"`, "A copy of my personal data", "Guaranteed loans", "Follow-up case"},
		"services.json": {`"by":"you"`},
	} {
		for _, s := range want {
			if !strings.Contains(string(files[name]), s) {
				t.Errorf("%s lacks %q", name, s)
			}
		}
	}
	for _, s := range []string{"測試hotline", "測試admin", "192.0.2.", "privacy.kind.", "privacy.area."} {
		for name, raw := range files {
			if strings.Contains(string(raw), s) {
				t.Errorf("%s shows %q (a staff name, an address or an untranslated key)", name, s)
			}
		}
	}
	docs := 0
	for name, raw := range files {
		if strings.HasPrefix(name, "loans/") && bytes.Contains(raw, []byte(privacyName+privacyIDNumber)) {
			docs++
		}
	}
	if docs != 1 {
		t.Errorf("%d copies of the uploaded document in the export, want 1", docs)
	}

	// The scan finds the values while they are there: the name in the
	// index too, the numbers only sealed (so not at all).
	before := scanPrivacy(t, tp, dir)
	t.Logf("before: %v", before)
	if !slices.Contains(before["collection users"], "name") || !slices.Contains(before["the search index"], "name") {
		t.Fatalf("the scan does not see the name before the deletion: %v", before)
	}
	if resp, body := tp.Do("POST", "/api/v1/me/delete", map[string]any{"password": portaltest.Password}, w.token); resp.StatusCode != 204 {
		t.Fatalf("delete: %d %s", resp.StatusCode, body)
	}
	if resp, body := tp.Do("POST", "/api/v1/manage/applications/"+w.application+"/accept", map[string]any{}, w.manager); resp.StatusCode != 409 {
		t.Errorf("the manager accepted the deleted person's application: %d %s", resp.StatusCode, body)
	}
	if err := tp.App.Bureau().Rights.Compact(ctx); err != nil {
		t.Fatal(err)
	}

	after := scanPrivacy(t, tp, dir)
	for place, found := range after {
		for _, what := range found {
			t.Errorf("%s keeps the %s", place, what)
		}
	}
	for i, line := range bytes.Split(tp.Logs(), []byte("\n")) {
		for v, what := range privacyValues {
			if bytes.Contains(line, []byte(v)) {
				t.Errorf("log line %d holds the %s: %.300s", i+1, what, line)
			}
		}
	}
	if bytes.Count(tp.Logs(), []byte("\n")) < 50 {
		t.Errorf("only %d log lines: the scan proves little", bytes.Count(tp.Logs(), []byte("\n")))
	}
	var left []bson.M
	if cur, err := tp.App.Store().C(rights.Jobs.Name).Find(ctx, bson.D{}); err == nil {
		_ = cur.All(ctx, &left)
	}
	if len(left) != 0 {
		t.Errorf("a compaction is still owed after it ran: %v", left)
	}
}

func TestExportAndDelete(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	entID, ent, _ := tp.Account(accounts.Entrepreneur, "ent@test.cn")
	_, hotline, _ := tp.Account(accounts.Hotline, "hotline@test.cn")
	tp.Do("PUT", "/api/v1/me/profile", portaltest.GoodProfile(), ent)
	_, body := tp.Do("POST", "/api/v1/services", map[string]string{"type": "plan_design", "details": "寫商業計劃書"}, ent)
	req := portaltest.Decode[onestopweb.APIRequest](t, body)
	tp.Do("POST", "/api/v1/staff/people/"+entID+"/reveal", nil, hotline)

	tp.Run(t, []portaltest.Scenario{
		{Name: "export needs the password", Method: "POST", Path: "/api/v1/me/export", Token: ent, Body: map[string]string{"password": "wrong-one-123"}, Status: 422, NotContains: []string{portaltest.CanaryID}},
		{Name: "export", Method: "POST", Path: "/api/v1/me/export", Token: ent, Body: map[string]string{"password": portaltest.Password}, Status: 200,
			Contains: []string{portaltest.CanaryID, portaltest.CanaryPhone, "寫商業計劃書", `"email":"ent@test.cn"`, `"version":"2026-11"`, `"action":"pii.reveal"`, `"action":"profile.save"`}},
		{Name: "delete needs the password", Method: "POST", Path: "/api/v1/me/delete", Token: ent, Body: map[string]string{"password": "wrong-one-123"}, Status: 422},
		{Name: "delete", Method: "POST", Path: "/api/v1/me/delete", Token: ent, Body: map[string]string{"password": portaltest.Password}, Status: 204},
		{Name: "token dead", Method: "GET", Path: "/api/v1/me/profile", Token: ent, Status: 401},
		{Name: "login gone", Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"login": "ent@test.cn", "password": portaltest.Password}, Status: 401},
		{Name: "profile gone", Method: "GET", Path: "/api/v1/staff/people/" + entID, Token: hotline, Status: 404},
		{Name: "nobody found by the old ID number", Method: "POST", Path: "/api/v1/staff/people/search", Body: map[string]string{"q": portaltest.CanaryID}, Token: hotline, Status: 200, Contains: []string{`"total":0`}},
		{Name: "the request is kept under a pseudonym", Method: "GET", Path: "/api/v1/services/" + req.ID, Token: hotline, Status: 200,
			Contains: []string{`"owner_name":"#` + entID[:6] + `"`}, NotContains: []string{"測試entrepreneur"}},
	})
	// The e-mail is free again (a code, not "you have an account"), and
	// the ID number can be registered again by its (new) owner.
	again := tp.Register(map[string]any{"email": "ent@test.cn", "password": portaltest.Password, "name": "新的人"}).AccessToken
	if resp, body := tp.Do("PUT", "/api/v1/me/profile", portaltest.GoodProfile(), again); resp.StatusCode != 200 {
		t.Fatalf("ID number still held after deletion: %d %s", resp.StatusCode, body)
	}
}
