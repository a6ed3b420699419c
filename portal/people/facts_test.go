package people_test

import (
	"io"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onestop/portal/portaltest"
	"onestop/services/accounts"
	"onestop/services/core"
)

// farmerProfile is a land-expropriated farmer, a man born 1990 (the canary
// ID number), in the training age band, without work or a skill
// certificate: eligible for the free skills training once the roster
// entry is checked, and nothing else of theirs waits for a check.
func farmerProfile() map[string]any {
	return map[string]any{"real_name": "李秀明", "id_number": portaltest.CanaryID, "phone": portaltest.CanaryPhone, "district": "beishan",
		"consent_version": "2026-11", "target_groups": []string{"land_expropriated_farmer"}, "employed": false,
		"has_skill_certificate": false, "wants_training": true}
}

// factsWorld is a portal with a farmer who saved a profile, and staff.
type factsWorld struct {
	tp                                              *portaltest.Portal
	farmerID, farmer, other, hotline, admin, mentor string
	officerID, officer                              string
}

func newFactsWorld(t *testing.T) *factsWorld {
	t.Helper()
	w := &factsWorld{tp: portaltest.New(t)}
	w.farmerID, w.farmer, _ = w.tp.Account(accounts.Entrepreneur, "farmer@test.cn")
	_, w.other, _ = w.tp.Account(accounts.Entrepreneur, "other@test.cn")
	_, w.hotline, _ = w.tp.Account(accounts.Hotline, "hotline@test.cn")
	_, w.admin, _ = w.tp.Account(accounts.Admin, "admin@test.cn")
	_, w.mentor, _ = w.tp.Account(accounts.Mentor, "mentor@test.cn")
	w.officerID, w.officer, _ = w.tp.Account(accounts.CaseOfficer, "officer@test.cn")
	w.tp.MustDo(t, "PUT", "/api/v1/me/profile", farmerProfile(), w.farmer)
	return w
}

// status is the free training's badge and what to bring on the farmer's
// supports page.
func (w *factsWorld) supports(t *testing.T) (badge, bring string) {
	t.Helper()
	b, _ := w.tp.SignedIn(t, "farmer@test.cn")
	_, doc := b.Get("/supports")
	return strings.TrimSpace(doc.Find("#policy-farmer-free-training .badge").Text()), doc.Find("#pending-farmer-free-training").Text()
}

// TestVerifyAPI: POST /api/v1/staff/people/:id/facts/verify is for case
// officers and administrators; the person, other entrepreneurs, the
// hotline and mentors are refused, a case officer on their own profile
// too, with a clear message; bad input is a field message and changes
// nothing; a check is read back on the staff API and the person's own.
func TestVerifyAPI(t *testing.T) {
	t.Parallel()
	w := newFactsWorld(t)
	tp := w.tp
	path := "/api/v1/staff/people/" + w.farmerID + "/facts/verify"
	good := map[string]any{"fact": "on_farmer_roster", "value": true, "note": "已核對北山村被徵地農民花名冊第 12 頁"}
	// A farmer who became a case officer keeps their old profile: they may
	// not check it.
	promotedID, promoted, _ := tp.Account(accounts.Entrepreneur, "promoted@test.cn")
	tp.MustDo(t, "PUT", "/api/v1/me/profile", portaltest.With(portaltest.With(farmerProfile(), "id_number", "440301198512150012"), "phone", "13912345671"), promoted)
	tp.MustDo(t, "PATCH", "/api/v1/admin/users/"+promotedID, map[string]any{"role": "case_officer"}, w.admin)
	promoted = tp.Login("promoted@test.cn")

	before := tp.Snapshot()
	sc := []portaltest.Scenario{
		{Name: "a guest", Method: "POST", Path: path, Body: good, Status: 401},
		{Name: "the farmer", Method: "POST", Path: path, Body: good, Token: w.farmer, Status: 403},
		{Name: "another entrepreneur", Method: "POST", Path: path, Body: good, Token: w.other, Status: 403},
		{Name: "the hotline", Method: "POST", Path: path, Body: good, Token: w.hotline, Status: 403},
		{Name: "a mentor", Method: "POST", Path: path, Body: good, Token: w.mentor, Status: 403},
		{Name: "a case officer on their own profile", Method: "POST", Path: "/api/v1/staff/people/" + promotedID + "/facts/verify", Body: good, Token: promoted,
			Status: 403, Contains: []string{"不能核實或記錄自己的資料"}},
		{Name: "someone unknown", Method: "POST", Path: "/api/v1/staff/people/0000000000000000000000000a/facts/verify", Body: good, Token: w.officer, Status: 404},
	}
	for _, bad := range []struct {
		name, field string
		body        map[string]any
	}{
		{"an unknown fact", "fact", portaltest.With(good, "fact", "favourite_colour")},
		{"a value of the wrong kind", "value", portaltest.With(good, "value", "perhaps")},
		{"an object for a value", "value", portaltest.With(good, "value", map[string]any{"$ne": nil})},
		{"no note", "note", portaltest.With(good, "note", nil)},
		{"an ID number in the note", "note", portaltest.With(good, "note", "核對身分證 "+portaltest.CanaryID)},
		{"a document not filed", "document_id", portaltest.With(good, "document_id", core.NewID())},
	} {
		sc = append(sc, portaltest.Scenario{Name: bad.name, Method: "POST", Path: path, Body: bad.body, Token: w.officer, Status: 422,
			Contains: []string{`"field":"` + bad.field + `"`}, NotContains: []string{portaltest.CanaryID}})
	}
	sc = append(sc, portaltest.Scenario{Name: "a mass-assigned source", Method: "POST", Path: path, Body: portaltest.With(good, "by_id", w.farmerID),
		Token: w.officer, Status: 422})
	tp.Run(t, sc)
	if tp.Snapshot() != before {
		t.Fatal("a refused check changed stored records")
	}

	tp.Run(t, []portaltest.Scenario{
		{Name: "the case officer checks", Method: "POST", Path: path, Body: good, Token: w.officer, Status: 200,
			Contains: []string{`"source":"verified"`, `"by_id":"` + w.officerID + `"`, `"verified":true`}},
		{Name: "an administrator corrects a value", Method: "POST", Path: path, Body: map[string]any{"fact": "farmland_per_capita_mu", "value": 0.05, "note": "國土局清單第 3 頁"},
			Token: w.admin, Status: 200, Contains: []string{`"value":"0.05"`}},
		{Name: "staff read where it came from", Method: "GET", Path: "/api/v1/staff/people/" + w.farmerID, Token: w.hotline, Status: 200,
			Contains: []string{`"fact":"on_farmer_roster","source":"verified"`, "已核對北山村被徵地農民花名冊第 12 頁", `"on_farmer_roster":true`, `"farmland_per_capita_mu":0.05`}},
		{Name: "the person reads it, without who checked", Method: "GET", Path: "/api/v1/me/profile", Token: w.farmer, Status: 200,
			Contains: []string{`"fact":"on_farmer_roster","source":"verified","verified":true`}, NotContains: []string{w.officerID, "第 12 頁"}},
		{Name: "the person's eligibility waits for nothing", Method: "GET", Path: "/api/v1/me/eligibility", Token: w.farmer, Status: 200,
			NotContains: []string{`"unverified"`}},
		{Name: "the person cannot lower the roster entry", Method: "PUT", Path: "/api/v1/me/profile", Token: w.farmer,
			Body: portaltest.With(farmerProfile(), "on_farmer_roster", false), Status: 422, Contains: []string{`"field":"on_farmer_roster"`, "不能自行修改"}},
		{Name: "nor write a source", Method: "PUT", Path: "/api/v1/me/profile", Token: w.farmer,
			Body: portaltest.With(farmerProfile(), "fact_sources", []map[string]any{{"fact": "farmland_per_capita_mu", "source": "verified"}}), Status: 422,
			Contains: []string{`"field":"fact_sources"`}},
	})
	_, body := tp.Do("GET", "/api/v1/admin/audit?action=profile.fact.verify&size=100", nil, w.admin)
	if n := strings.Count(string(body), `"result":"success"`); n != 2 {
		t.Errorf("%d checks audited, want 2: %s", n, body)
	}
}

// TestEligibilityNamesWhatWaits: the answer for a farmer nobody has checked
// says eligible once the roster entry is checked, and what to bring, on
// the supports page and in the API; a self-declared farmland per head
// waits too. Once checked, the answer is plainly eligible.
func TestEligibilityNamesWhatWaits(t *testing.T) {
	t.Parallel()
	w := newFactsWorld(t)
	tp := w.tp
	if badge, bring := w.supports(t); badge != "符合（待核實：被徵地農民花名冊）" || !strings.Contains(bring, "村民委員會出具的被徵地農民花名冊證明") {
		t.Errorf("before the check: %q, %q", badge, bring)
	}
	tp.Run(t, []portaltest.Scenario{{Name: "the API names it", Method: "GET", Path: "/api/v1/me/eligibility", Token: w.farmer, Status: 200,
		Contains: []string{`"policy_id":"farmer-free-training"`, `"unverified":["on_farmer_roster"]`}}})
	tp.MustDo(t, "PUT", "/api/v1/me/profile", portaltest.With(portaltest.With(farmerProfile(), "farmland_per_capita_mu", 0.05), "id_number", nil), w.farmer)
	b, _ := tp.SignedIn(t, "farmer@test.cn")
	_, doc := b.Get("/supports")
	if got := doc.Find("#policy-farmer-unemployment-registration .badge").Text(); got != "符合（待核實：被徵地農民花名冊、國土部門人均耕地證明）" {
		t.Errorf("registration: %q", got)
	}
	tp.MustDo(t, "POST", "/api/v1/staff/people/"+w.farmerID+"/facts/verify", map[string]any{"fact": "on_farmer_roster", "value": true, "note": "花名冊第 12 頁"}, w.officer)
	if badge, bring := w.supports(t); badge != "符合" || bring != "" {
		t.Errorf("after the check: %q, %q", badge, bring)
	}
}

// TestStaffPersonPage: a case officer sees each checked fact with where it
// came from, checks one on the page with a note (a refused check shows the
// form again with its message), and sees a check lapse when the person
// changes the value; the hotline sees the sources but no check forms.
func TestStaffPersonPage(t *testing.T) {
	t.Parallel()
	w := newFactsWorld(t)
	tp := w.tp
	page := "/staff/people/" + w.farmerID
	b, _ := tp.SignedIn(t, "officer@test.cn")
	_, doc := b.Get(page)
	if got := doc.Find("#fact-on_farmer_roster .source").Text(); got != "待經辦人員核實或花名冊確認" {
		t.Errorf("the roster entry before the check: %q", got)
	}
	resp, doc := b.Post(page+"/facts/verify", url.Values{"fact": {"farmland_per_capita_mu"}, "value": {"0.05"}, "note": {"電話 139-1234-5670"}}, portaltest.CSRF(doc))
	if resp.StatusCode != 422 || doc.Find("#fact-farmland_per_capita_mu details[open] #e-note").Text() != "不要在此寫身分證號或電話號碼。" {
		t.Errorf("a refused check: %d %q", resp.StatusCode, doc.Find("#fact-farmland_per_capita_mu details").Text())
	}
	resp, _ = b.Post(page+"/facts/verify", url.Values{"fact": {"farmland_per_capita_mu"}, "value": {"0.05"}, "note": {"國土局清單第 3 頁"}}, portaltest.CSRF(doc))
	if resp.StatusCode != 303 {
		t.Fatalf("check: %d", resp.StatusCode)
	}
	_, doc = b.Get(page)
	if src := doc.Find("#fact-farmland_per_capita_mu").Text(); !strings.Contains(src, "測試case_officer 於") || !strings.Contains(src, "國土局清單第 3 頁") {
		t.Errorf("the checked row: %s", src)
	}
	// The person's farmland shrank again: the check lapses, and says so.
	tp.MustDo(t, "PUT", "/api/v1/me/profile", portaltest.With(portaltest.With(farmerProfile(), "farmland_per_capita_mu", 0.02), "id_number", nil), w.farmer)
	_, doc = b.Get(page)
	if got := doc.Find("#lapsed-farmland_per_capita_mu").Text(); !strings.Contains(got, "核實已失效") || !strings.Contains(got, "0.05") {
		t.Errorf("the lapsed check: %q", got)
	}
	if got := doc.Find("#fact-farmland_per_capita_mu .source").Text(); got != "自行申報，待核實" {
		t.Errorf("after the lapse: %q", got)
	}
	// The hotline reads, and checks nothing.
	hb, _ := tp.SignedIn(t, "hotline@test.cn")
	_, doc = hb.Get(page)
	if doc.Find("#checked").Length() != 1 || doc.Find("form[action$='/facts/verify']").Length() != 0 || doc.Find("#recommend-form").Length() != 0 ||
		doc.Find("#person-timeline, #person-timeline-empty").Length() != 1 {
		t.Error("the hotline's view of the person")
	}
	// The case officer has no use for the desk's timeline.
	_, doc = b.Get(page)
	if doc.Find("#person-timeline, #person-timeline-empty, #person-enrol").Length() != 0 {
		t.Error("the case officer sees the desk's records")
	}
}

// TestRecommendationsOnThePage: the old counter is gone; a case officer
// records what was recommended and the answer; the third refusal of a
// farmer is giving up placement, which the staff page, the person's
// supports page and profile, and a notification say; the person's form
// shows the count read-only.
func TestRecommendationsOnThePage(t *testing.T) {
	t.Parallel()
	w := newFactsWorld(t)
	tp := w.tp
	page := "/staff/people/" + w.farmerID
	if resp, _ := tp.Do("POST", "/api/v1/staff/people/"+w.farmerID+"/training-refusals", nil, w.officer); resp.StatusCode != 404 {
		t.Errorf("the bare counter still answers: %d", resp.StatusCode)
	}
	today := core.DateOf(tp.Now()).String()
	tp.Run(t, []portaltest.Scenario{
		{Name: "the hotline may not record", Method: "POST", Path: "/api/v1/staff/people/" + w.farmerID + "/recommendations", Token: w.hotline,
			Body: map[string]any{"kind": "training", "what": "烹飪", "on": today, "answer": "refused"}, Status: 403},
		{Name: "a day that is no date", Method: "POST", Path: "/api/v1/staff/people/" + w.farmerID + "/recommendations", Token: w.officer,
			Body: map[string]any{"kind": "training", "what": "烹飪", "on": "yesterday", "answer": "refused"}, Status: 422, Contains: []string{`"field":"on"`}},
		{Name: "a course not in the catalogue", Method: "POST", Path: "/api/v1/staff/people/" + w.farmerID + "/recommendations", Token: w.officer,
			Body: map[string]any{"kind": "training", "course_id": core.NewID(), "on": today, "answer": "refused"}, Status: 422, Contains: []string{`"field":"course_id"`}},
		{Name: "a refusal", Method: "POST", Path: "/api/v1/staff/people/" + w.farmerID + "/recommendations", Token: w.officer,
			Body: map[string]any{"kind": "training", "what": "中式烹調師培訓", "on": today, "answer": "refused"}, Status: 201,
			Contains: []string{`"training_refusals":1`, `"gave_up_placement":false`, `"by_id":"` + w.officerID + `"`}},
		{Name: "an acceptance counts for nothing", Method: "POST", Path: "/api/v1/staff/people/" + w.farmerID + "/recommendations", Token: w.admin,
			Body: map[string]any{"kind": "job", "what": "物業保潔崗位", "on": today, "answer": "accepted"}, Status: 201, Contains: []string{`"training_refusals":1`}},
		{Name: "a second refusal", Method: "POST", Path: "/api/v1/staff/people/" + w.farmerID + "/recommendations", Token: w.officer,
			Body: map[string]any{"kind": "job", "what": "保安崗位", "on": today, "answer": "refused"}, Status: 201, Contains: []string{`"training_refusals":2`}},
	})
	b, _ := tp.SignedIn(t, "officer@test.cn")
	_, doc := b.Get(page)
	resp, doc := b.Post(page+"/recommendations", url.Values{"kind": {"training"}, "what": {""}, "on": {today}, "answer": {"refused"}}, portaltest.CSRF(doc))
	if resp.StatusCode != 422 || doc.Find("#recommend-form #e-what").Length() != 1 {
		t.Errorf("a recommendation of nothing: %d", resp.StatusCode)
	}
	resp, _ = b.Post(page+"/recommendations", url.Values{"kind": {"training"}, "what": {"家政服務培訓"}, "on": {today}, "answer": {"refused"}, "note": {"不願意"}}, portaltest.CSRF(doc))
	if resp.StatusCode != 303 {
		t.Fatalf("record: %d", resp.StatusCode)
	}
	_, doc = b.Get(page)
	if doc.Find("#recommendation-list li").Length() != 4 || doc.Find("#person-refusals").Text() != "3" || !strings.Contains(doc.Find("#gave-up").Text(), "視同放棄安置") {
		t.Errorf("the staff page after three refusals: %s", doc.Find("main").Text())
	}
	if got := doc.Find("#policy-farmer-free-training").Text(); !strings.Contains(got, "視同放棄安置") {
		t.Errorf("the free training on the staff page: %s", got)
	}
	fb, _ := tp.SignedIn(t, "farmer@test.cn")
	_, doc = fb.Get("/supports")
	if !strings.Contains(doc.Find("#gave-up").Text(), "視同放棄安置") || doc.Find("#policy-farmer-free-training .badge").Text() != "不符合" {
		t.Errorf("the farmer's supports: %s", doc.Find("main").Text())
	}
	_, doc = fb.Get("/profile")
	if doc.Find(`#locked-training_refusals`).Length() != 1 || doc.Find(`[name="training_refusals"]`).Length() != 0 || doc.Find("#recommendations li").Length() != 4 {
		t.Errorf("the farmer's profile: the count is not read-only, or the history missing")
	}
	if doc.Find(`#locked-on_farmer_roster`).Length() != 1 || doc.Find(`[name="on_farmer_roster"]`).Length() != 0 {
		t.Error("the roster entry is not read-only on the profile")
	}
	_, body := tp.Do("GET", "/api/v1/me/notifications?size=20", nil, w.farmer)
	if !strings.Contains(string(body), "notify.recommendation.gave_up") && !strings.Contains(string(body), "視同放棄安置") {
		t.Errorf("the farmer was not told: %s", body)
	}
}

// upload sends a document to path as the holder of token (multipart).
func upload(t *testing.T, tp *portaltest.Portal, path, token, name string, data []byte) (int, string) {
	t.Helper()
	r, ct := portaltest.Multipart(t, nil, name, data)
	req := httptest.NewRequest("POST", path, r)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := tp.App.HTTP().Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestEvidenceDocuments: a case officer files a scan (over the ordinary
// body limit, as a loan file's documents are), names it in a check, and
// reads it back as a download; the hotline and the person cannot.
func TestEvidenceDocuments(t *testing.T) {
	t.Parallel()
	w := newFactsWorld(t)
	tp := w.tp
	path := "/api/v1/staff/people/" + w.farmerID + "/attachments"
	scan := append([]byte("%PDF-1.4\n"), make([]byte, 2<<20)...)
	if code, _ := upload(t, tp, path, w.hotline, "roster.pdf", scan); code != 403 {
		t.Errorf("the hotline filed: %d", code)
	}
	if code, body := upload(t, tp, path, w.officer, "roster.exe", []byte("MZ\x90\x00")); code != 422 || !strings.Contains(body, `"field":"file"`) {
		t.Errorf("a program: %d %s", code, body)
	}
	code, body := upload(t, tp, path, w.officer, "花名冊第12頁.pdf", scan)
	if code != 201 {
		t.Fatalf("upload: %d %s", code, body)
	}
	doc := portaltest.Decode[map[string]any](t, []byte(body))
	id := portaltest.Str(doc, "id")
	tp.MustDo(t, "POST", "/api/v1/staff/people/"+w.farmerID+"/facts/verify", map[string]any{"fact": "on_farmer_roster", "value": true, "note": "花名冊第 12 頁", "document_id": id}, w.officer)
	resp, raw := tp.Do("GET", path+"/"+id, nil, w.officer)
	if resp.StatusCode != 200 || len(raw) != len(scan) || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") {
		t.Errorf("download: %d, %d bytes", resp.StatusCode, len(raw))
	}
	for _, tok := range []string{w.hotline, w.farmer} {
		if resp, _ := tp.Do("GET", path+"/"+id, nil, tok); resp.StatusCode != 403 {
			t.Errorf("download by another: %d", resp.StatusCode)
		}
	}
	b, _ := tp.SignedIn(t, "officer@test.cn")
	_, page := b.Get("/staff/people/" + w.farmerID)
	if page.Find(`#fact-on_farmer_roster a[href$="/attachments/`+id+`"]`).Text() != "花名冊第12頁.pdf" {
		t.Errorf("the check's document: %s", page.Find("#fact-on_farmer_roster").Text())
	}
}

// TestBrowserCaseOfficerVerifiesRoster: in a browser, a case officer finds
// the farmer, checks the roster entry with a note, and the farmer's
// supports page no longer says it waits for a check.
func TestBrowserCaseOfficerVerifiesRoster(t *testing.T) {
	t.Parallel()
	w := newFactsWorld(t)
	s := portaltest.NewSession(t, w.tp, 90*time.Second)
	s.Step("phone screen", chromedp.EmulateViewport(375, 812))
	s.ZhHant()
	s.Login("farmer@test.cn")
	s.Step("supports before", chromedp.Navigate(s.Base+"/supports"), chromedp.WaitVisible(chromedp.ID("policy-farmer-free-training")))
	if got := s.Text("#policy-farmer-free-training .badge"); !strings.Contains(got, "待核實") {
		t.Fatalf("before the check the badge says %q", got)
	}
	s.Logout()
	s.Login("officer@test.cn")
	s.Step("find the farmer", chromedp.Navigate(s.Base+"/staff/people?q=李秀明"), chromedp.WaitVisible(chromedp.CSS("main table tbody a")),
		chromedp.Click(chromedp.CSS("main table tbody a")), chromedp.WaitVisible(chromedp.ID("checked")))
	s.Step("check the roster entry", chromedp.Click(chromedp.CSS("#fact-on_farmer_roster details summary")),
		chromedp.WaitVisible(chromedp.ID("verify-on_farmer_roster-note")),
		chromedp.SendKeys(chromedp.ID("verify-on_farmer_roster-note"), "已核對北山村被徵地農民花名冊第 12 頁"),
		chromedp.Click(chromedp.ID("verify-on_farmer_roster-submit")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := s.Text("#fact-on_farmer_roster .source"); !strings.Contains(got, "核實") || strings.Contains(got, "待核實") {
		t.Errorf("the staff page after the check: %q", got)
	}
	s.Fits("the person's page")
	portaltest.Screenshot(t, s.Ctx, "facts-staff-person")
	s.Logout()
	s.Login("farmer@test.cn")
	s.Step("supports after", chromedp.Navigate(s.Base+"/supports"), chromedp.WaitVisible(chromedp.ID("policy-farmer-free-training")))
	if got := s.Text("main"); strings.Contains(got, "待核實") {
		t.Errorf("the supports page still waits for a check: %s", got)
	}
	if got := s.Text("#policy-farmer-free-training .badge"); got != "符合" {
		t.Errorf("the free training: %q", got)
	}
	s.Step("the profile", chromedp.Navigate(s.Base+"/profile"), chromedp.WaitVisible(chromedp.ID("locked-on_farmer_roster")))
	if got := s.Text("#locked-on_farmer_roster .readonly"); !strings.Contains(got, "已由經辦人員核實") {
		t.Errorf("the roster entry on the profile: %q", got)
	}
	portaltest.Screenshot(t, s.Ctx, "facts-profile")
}
