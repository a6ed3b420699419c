package training_test

import (
	"net/url"
	"onestop/portal/web"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onestop/portal/portaltest"
	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/training"
)

// TestTrainingAPI: a provider on the bureau's list opens a course; people
// enrol (the hotline for a caller); the provider records attendance and
// closes it; a certificate is verifiable and the eligibility the profile
// gives changes; the claim goes to the bureau. Who may do what is checked
// at every step.
func TestTrainingAPI(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	_, admin, _ := tp.Account(accounts.Admin, "admin@test.cn")
	schoolID, school, _ := tp.Account(accounts.Provider, "school@test.cn")
	academyID, academy, _ := tp.Account(accounts.Provider, "academy@test.cn")
	farmerID, farmer, _ := tp.Account(accounts.Entrepreneur, "farmer@test.cn")
	_, other, _ := tp.Account(accounts.Entrepreneur, "other@test.cn")
	_, staff, _ := tp.Account(accounts.Hotline, "hotline@test.cn")
	if resp, body := tp.Do("PUT", "/api/v1/me/profile", map[string]any{"real_name": "李秀英", "consent_version": "2026-11", "birth_date": "1995-01-01", "gender": "female",
		"target_groups": []string{"land_expropriated_farmer"}, "farmland_per_capita_mu": 0.1, "employed": false,
		"has_skill_certificate": false, "training_refusals": 0, "wants_training": true}, farmer); resp.StatusCode != 200 {
		t.Fatalf("profile: %d %s", resp.StatusCode, body)
	}
	start := tp.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
	course := map[string]any{"title": "被征地農民職業技能培訓（烹飪）", "kind": "skills", "place": "北山縣職業學校", "seats": 20, "fee_yuan": 1200, "subsidy_yuan": 1200,
		"skill_certificate": true, "certificate": "中式烹調師（五級）", "sessions": []map[string]any{{"starts_at": start, "hours": 4}}}
	tp.Run(t, []portaltest.Scenario{
		{Name: "a provider off the list cannot open a course", Method: "POST", Path: "/api/v1/courses", Token: school, Body: course, Status: 403, Contains: []string{"error.training.not_listed"}},
		{Name: "entrepreneurs cannot open courses", Method: "POST", Path: "/api/v1/courses", Token: farmer, Body: course, Status: 403},
		{Name: "providers cannot list themselves", Method: "POST", Path: "/api/v1/admin/providers/" + schoolID, Token: school, Body: map[string]any{"listed": true}, Status: 403},
		{Name: "the bureau lists the school", Method: "POST", Path: "/api/v1/admin/providers/" + schoolID, Token: admin, Body: map[string]any{"listed": true}, Status: 200, Contains: []string{`"listed":true`}},
	})
	resp, body := tp.Do("POST", "/api/v1/courses", course, school)
	if resp.StatusCode != 201 {
		t.Fatalf("course: %d %s", resp.StatusCode, body)
	}
	c := portaltest.Decode[training.Course](t, body)
	// The subsidy is the policy's to set: within the fee and the standard.
	priced := func(fee, subsidy int) map[string]any {
		out := map[string]any{"fee_yuan": fee, "subsidy_yuan": subsidy}
		for k, v := range course {
			if k != "fee_yuan" && k != "subsidy_yuan" {
				out[k] = v
			}
		}
		return out
	}
	tp.Run(t, []portaltest.Scenario{
		{Name: "a free course claiming 10,000 a trainee", Method: "POST", Path: "/api/v1/courses", Token: school, Body: priced(0, 10_000),
			Status: 422, Contains: []string{`"field":"subsidy_yuan"`, "error.training.subsidy_fee"}},
		{Name: "above the skills standard", Method: "POST", Path: "/api/v1/courses", Token: school, Body: priced(20_000, 1501),
			Status: 422, Contains: []string{`"field":"subsidy_yuan"`, "error.training.subsidy_standard"}},
	})
	if resp, body := tp.Do("GET", "/api/v1/me/eligibility", nil, farmer); !strings.Contains(string(body), `"farmer-free-training"`) || resp.StatusCode != 200 {
		t.Fatalf("eligibility: %d %s", resp.StatusCode, body)
	}
	eligible := func() string {
		_, body := tp.Do("GET", "/api/v1/me/eligibility", nil, farmer)
		s := string(body)
		i := strings.Index(s, `"farmer-free-training"`)
		j := strings.Index(s[i:], `"status":"`)
		return strings.SplitN(s[i+j+10:], `"`, 2)[0]
	}
	if got := eligible(); got != "eligible" {
		t.Fatalf("before: %s", got)
	}
	courseP := "/api/v1/courses/" + c.ID
	tp.Run(t, []portaltest.Scenario{
		{Name: "the catalogue lists it", Method: "GET", Path: "/api/v1/courses?kind=skills", Status: 200, Contains: []string{c.ID}},
		{Name: "the farmer enrols", Method: "POST", Path: courseP + "/enrolments", Token: farmer, Status: 201, Contains: []string{`"status":"enrolled"`, "李秀英"}},
		{Name: "enrolling twice", Method: "POST", Path: courseP + "/enrolments", Token: farmer, Status: 409, Contains: []string{"error.training.enrolled"}},
		{Name: "someone without a real name", Method: "POST", Path: courseP + "/enrolments", Token: other, Status: 422},
		{Name: "a provider cannot enrol", Method: "POST", Path: courseP + "/enrolments", Token: academy, Status: 403},
		{Name: "the hotline enrols someone unknown", Method: "POST", Path: courseP + "/enrolments", Token: staff, Body: map[string]any{"person_id": "00000000000000000000000000"}, Status: 422},
		{Name: "another provider cannot read the roster", Method: "GET", Path: courseP + "/roster", Token: academy, Status: 404},
		{Name: "the learner cannot read the roster", Method: "GET", Path: courseP + "/roster", Token: farmer, Status: 403},
		{Name: "another provider cannot mark attendance", Method: "POST", Path: courseP + "/attendance", Token: academy, Body: map[string]any{"session_id": "s1", "present": []string{farmerID}}, Status: 404},
	})
	tp.Advance(72 * time.Hour) // past the session: signed in again
	school, academy, farmer, admin = tp.Login("school@test.cn"), tp.Login("academy@test.cn"), tp.Login("farmer@test.cn"), tp.Login("admin@test.cn")
	tp.Run(t, []portaltest.Scenario{
		{Name: "attendance for someone not enrolled", Method: "POST", Path: courseP + "/attendance", Token: school, Body: map[string]any{"session_id": "s1", "present": []string{schoolID}}, Status: 422, Contains: []string{`"field":"present"`}},
		{Name: "an unknown session", Method: "POST", Path: courseP + "/attendance", Token: school, Body: map[string]any{"session_id": "s9", "present": []string{}}, Status: 422},
		{Name: "attendance", Method: "POST", Path: courseP + "/attendance", Token: school, Body: map[string]any{"session_id": "s1", "present": []string{farmerID}}, Status: 200, Contains: []string{`"attended":["s1"]`}},
		{Name: "a claim before completion", Method: "POST", Path: courseP + "/claim", Token: school, Status: 409},
		{Name: "complete", Method: "POST", Path: courseP + "/complete", Token: school, Status: 200, Contains: []string{`"Passed":1`}},
		{Name: "the claim", Method: "POST", Path: courseP + "/claim", Token: school, Status: 201, Contains: []string{`"total_yuan":1200`}},
		{Name: "the learner cannot see claims", Method: "GET", Path: "/api/v1/claims", Token: farmer, Status: 403},
		{Name: "another provider sees none of the school's", Method: "GET", Path: "/api/v1/claims", Token: academy, Status: 200, Contains: []string{`"total":0`}},
		{Name: "the bureau sees the completion rate", Method: "GET", Path: "/api/v1/admin/providers", Token: admin, Status: 200, Contains: []string{`"completion_rate":100`}},
		{Name: "each line says where it is paid from", Method: "GET", Path: "/api/v1/claims", Token: school, Status: 200, Contains: []string{`"funding":"`, `"eligible":`}},
	})
	// The bureau reads each trainee's funding and check before approving.
	ab, _ := tp.SignedIn(t, "admin@test.cn")
	if _, doc := ab.Get("/admin/training"); doc.Find("#claims .claim-lines li").Length() != 1 || !strings.Contains(doc.Find("#claims .claim-lines").Text(), "·") {
		t.Errorf("the claim's lines on the bureau's page: %q", doc.Find("#claims").Text())
	}
	// A complaint about a provider names one on the list, and the bureau's
	// record of the provider counts it.
	about := func(id string) map[string]any {
		return map[string]any{"kind": "service", "subject": "上課時間一再更改", "against": "provider", "against_id": id, "details": "三次臨時改期，沒有通知。"}
	}
	tp.Run(t, []portaltest.Scenario{
		{Name: "a provider not on the list", Method: "POST", Path: "/api/v1/complaints", Token: farmer, Body: about(academyID), Status: 422, Contains: []string{`"field":"against_id"`}},
		{Name: "an unknown provider", Method: "POST", Path: "/api/v1/complaints", Token: farmer, Body: about("00000000000000000000000000"), Status: 422, Contains: []string{`"field":"against_id"`}},
		{Name: "a complaint about the school", Method: "POST", Path: "/api/v1/complaints", Token: farmer, Body: about(schoolID), Status: 201},
		{Name: "the bureau sees it counted", Method: "GET", Path: "/api/v1/admin/providers", Token: admin, Status: 200, Contains: []string{`"complaints":1`}},
		{Name: "the school does not see complaints about it", Method: "GET", Path: "/api/v1/complaints?about=" + schoolID, Token: school, Status: 200, Contains: []string{`"total":0`}},
		{Name: "the bureau's board lists them", Method: "GET", Path: "/api/v1/complaints?about=" + schoolID, Token: admin, Status: 200, Contains: []string{`"total":1`}},
	})
	if got := eligible(); got != "not_eligible" {
		t.Errorf("after a skill certificate the free training is %s", got)
	}
	// The person cannot undo what staff and training recorded: a refused
	// recommendation, a certificate earned.
	_, officer, _ := tp.Account(accounts.CaseOfficer, "officer@test.cn")
	tp.MustDo(t, "POST", "/api/v1/staff/people/"+farmerID+"/recommendations", map[string]any{"kind": "training", "what": "中式烹調師培訓",
		"on": core.DateOf(tp.Now()).String(), "answer": "refused"}, officer)
	again := map[string]any{"real_name": "李秀英", "birth_date": "1995-01-01", "gender": "female",
		"target_groups": []string{"land_expropriated_farmer"}, "farmland_per_capita_mu": 0.1, "employed": false,
		"has_skill_certificate": false, "wants_training": true}
	if resp, body := tp.Do("PUT", "/api/v1/me/profile", portaltest.With(again, "training_refusals", 0), farmer); resp.StatusCode != 422 || !strings.Contains(string(body), `"field":"training_refusals"`) {
		t.Fatalf("lowering the refusals: %d %s", resp.StatusCode, body)
	}
	if resp, body := tp.Do("PUT", "/api/v1/me/profile", again, farmer); resp.StatusCode != 200 {
		t.Fatalf("profile: %d %s", resp.StatusCode, body)
	}
	if _, body := tp.Do("GET", "/api/v1/me/profile", nil, farmer); !strings.Contains(string(body), `"training_refusals":1`) || !strings.Contains(string(body), `"has_skill_certificate":true`) {
		t.Errorf("profile after the person's save: %s", body)
	}
	_, body = tp.Do("GET", "/api/v1/me/trainings", nil, farmer)
	mine := portaltest.Decode[web.ListResponse[training.Enrolment]](t, body)
	if len(mine.Items) != 1 || mine.Items[0].Code == "" {
		t.Fatalf("my trainings %s", body)
	}
	code := mine.Items[0].Code
	tp.Run(t, []portaltest.Scenario{
		{Name: "anyone verifies the certificate", Method: "GET", Path: "/api/v1/certificates/" + code, Status: 200, Contains: []string{"李**", "中式烹調師"}, NotContains: []string{"李秀英"}},
		{Name: "a made-up code", Method: "GET", Path: "/api/v1/certificates/ZZZZZZZZZZ", Status: 404},
	})
	// The public page too.
	b := tp.Browser()
	_, doc := b.Get("/certificates?code=" + url.QueryEscape(code))
	if got := doc.Find("#certificate").Text(); !strings.Contains(got, "李**") {
		t.Errorf("verification page: %q", got)
	}
	_, doc = b.Get("/certificates?code=NOPE")
	if doc.Find("#no-certificate").Length() != 1 {
		t.Error("no message for an unknown code")
	}
}

// TestWebCourseForm: a provider's course with bad sessions re-shows the
// form with the message and the typed values; nothing is stored.
func TestWebCourseForm(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	_, admin, _ := tp.Account(accounts.Admin, "admin@test.cn")
	schoolID, _, _ := tp.Account(accounts.Provider, "school@test.cn")
	tp.Do("POST", "/api/v1/admin/providers/"+schoolID, map[string]any{"listed": true}, admin)
	b := tp.Browser()
	_, doc := b.Get("/login")
	b.Post("/login", url.Values{"login": {"school@test.cn"}, "password": {portaltest.Password}}, portaltest.CSRF(doc))
	_, doc = b.Get("/provider")
	resp, doc := b.Post("/provider/courses", url.Values{"title": {"SYB 創業培訓"}, "kind": {"planning"}, "place": {"東城區"}, "seats": {"30"},
		"sessions": {"明天上午"}}, portaltest.CSRF(doc))
	if resp.StatusCode != 422 {
		t.Fatalf("bad sessions: %d", resp.StatusCode)
	}
	if got := doc.Find("#e-sessions").Text(); got == "" || strings.Contains(got, "error.") {
		t.Errorf("sessions message: %q", got)
	}
	if v, _ := doc.Find("#f-title").Attr("value"); v != "SYB 創業培訓" {
		t.Errorf("title lost: %q", v)
	}
	day := tp.Now().Add(72 * time.Hour).In(core.CST).Format("2006-01-02")
	// A subsidy above the fee is refused on its field, in the user's
	// language.
	for lang, want := range map[string]string{"zh-Hant": "每名學員的補貼不能高於學費。", "zh-Hans": "每名学员的补贴不能高于学费。", "en": "The subsidy per trainee cannot be more than the course fee."} {
		b.Cookies["lang"] = lang
		resp, doc = b.Post("/provider/courses", url.Values{"title": {"SYB 創業培訓"}, "kind": {"planning"}, "place": {"東城區"}, "seats": {"30"},
			"fee_yuan": {"0"}, "subsidy_yuan": {"10000"}, "sessions": {day + " 09:00 3"}}, portaltest.CSRF(doc))
		if got := doc.Find("#e-subsidy_yuan").Text(); resp.StatusCode != 422 || got != want {
			t.Errorf("%s: %d, subsidy message %q", lang, resp.StatusCode, got)
		}
		if v, _ := doc.Find("#f-subsidy_yuan").Attr("value"); v != "10000" {
			t.Errorf("typed subsidy lost: %q", v)
		}
	}
	delete(b.Cookies, "lang")
	resp, _ = b.Post("/provider/courses", url.Values{"title": {"SYB 創業培訓"}, "kind": {"planning"}, "place": {"東城區"}, "seats": {"30"},
		"sessions": {day + " 09:00 3\n" + day + " 14:00 3"}}, portaltest.CSRF(doc))
	if resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/provider/courses/") {
		t.Fatalf("course: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	course := resp.Header.Get("Location")
	_, doc = b.Get(course)
	// Attendance waits for each session to begin (it would start the
	// course and feed subsidy claims on sessions nobody attended).
	if n, ahead := doc.Find("form.attendance").Length(), doc.Find(".attendance-ahead").Length(); n != 0 || ahead != 2 {
		t.Errorf("before the course: %d attendance forms, %d sessions said to be ahead", n, ahead)
	}
	id := strings.TrimPrefix(course, "/provider/courses/")
	tp.Run(t, []portaltest.Scenario{{Name: "attendance before the session", Method: "POST", Path: "/api/v1/courses/" + id + "/attendance", Token: tp.Login("school@test.cn"),
		Body: map[string]any{"session_id": "s1", "present": []string{}}, Status: 409, Contains: []string{"error.training.session_ahead"}}})
	morning, _ := time.ParseInLocation("2006-01-02 15:04", day+" 09:00", core.CST)
	tp.Advance(morning.Add(2 * time.Hour).Sub(tp.Now())) // after the morning session began, before the afternoon one
	b, _ = tp.SignedIn(t, "school@test.cn")
	_, doc = b.Get(course)
	if n, ahead := doc.Find("form.attendance").Length(), doc.Find(".attendance-ahead").Length(); n != 1 || ahead != 1 {
		t.Errorf("between the sessions: %d attendance forms, %d ahead", n, ahead)
	}
}

// TestBrowserTrainingJourney: on a phone, an entrepreneur finds a course and
// enrols; the provider marks attendance and closes the course; the
// entrepreneur sees the certificate and anyone can verify it.
func TestBrowserTrainingJourney(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	_, admin, _ := tp.Account(accounts.Admin, "admin@test.cn")
	schoolID, school, _ := tp.Account(accounts.Provider, "school@test.cn")
	_, learner, _ := tp.Account(accounts.Entrepreneur, "learner@test.cn")
	tp.Do("POST", "/api/v1/admin/providers/"+schoolID, map[string]any{"listed": true}, admin)
	tp.Do("PUT", "/api/v1/me/profile", map[string]any{"real_name": "趙麗華", "consent_version": "2026-11"}, learner)
	resp, body := tp.Do("POST", "/api/v1/courses", map[string]any{"title": "創業意識培訓（GYB）", "kind": "awareness", "place": "東城區", "seats": 10,
		"fee_yuan": 400, "subsidy_yuan": 400, "sessions": []map[string]any{{"starts_at": tp.Now().Add(time.Hour).UTC().Format(time.RFC3339), "hours": 3}}}, school)
	if resp.StatusCode != 201 {
		t.Fatalf("course: %d %s", resp.StatusCode, body)
	}
	c := portaltest.Decode[training.Course](t, body)
	s := portaltest.NewSession(t, tp, 90*time.Second)
	s.Step("phone screen", chromedp.EmulateViewport(375, 812))
	s.ZhHant()
	s.Login("learner@test.cn")
	s.Step("find a course", chromedp.Navigate(s.Base+"/training"), chromedp.WaitVisible(chromedp.ID("course-search")),
		chromedp.SetValue(chromedp.ID("kind"), "awareness"), chromedp.Click(chromedp.CSS(`#course-search button`)),
		chromedp.WaitVisible(chromedp.CSS(`#courses a[href="/training/`+c.ID+`"]`)))
	s.Fits("the catalogue")
	s.Step("enrol", chromedp.Click(chromedp.CSS(`#courses a[href="/training/`+c.ID+`"]`)), chromedp.WaitVisible(chromedp.ID("enrol-submit")),
		chromedp.Click(chromedp.ID("enrol-submit")), chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="training.enrolled"]`)))
	if got := s.Text("#my-enrolment"); !strings.Contains(got, "已報名") {
		t.Errorf("enrolment: %q", got)
	}
	s.Fits("the course page")
	s.Logout()
	tp.Advance(2 * time.Hour) // the session took place
	s.Login("school@test.cn")
	s.Step("attendance", chromedp.Navigate(s.Base+"/provider/courses/"+c.ID), chromedp.WaitVisible(chromedp.ID("attendance-s1")),
		chromedp.Click(chromedp.CSS(`#attendance-s1 input[name="present"]`)), chromedp.Click(chromedp.CSS(`#attendance-s1 button`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="provider.step.attendance"]`)))
	// 結業並頒發證書 asks for a tick first (#20.16): a completion sent
	// without it is refused and the course stays open.
	b, _ := tp.SignedIn(t, "school@test.cn")
	_, doc := b.Get("/provider/courses/" + c.ID)
	if resp, _ := b.Post("/provider/courses/"+c.ID+"/complete", url.Values{}, portaltest.CSRF(doc)); resp.StatusCode != 303 {
		t.Fatalf("unconfirmed completion: %d", resp.StatusCode)
	}
	if _, doc = b.Get("/provider/courses/" + c.ID); doc.Find(`.flash.refused[data-flash="error.course.complete_unconfirmed"]`).Length() != 1 || doc.Find("#claim-form").Length() != 0 {
		t.Fatalf("unconfirmed completion: %q", doc.Find("main").Text())
	}
	s.Step("complete", chromedp.Click(chromedp.CSS("#complete > summary")), chromedp.WaitVisible(chromedp.ID("complete-confirm")),
		chromedp.Click(chromedp.ID("complete-confirm")),
		chromedp.Click(chromedp.ID("complete-submit")), chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="provider.step.complete"]`)),
		chromedp.Click(chromedp.ID("claim-submit")), chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="provider.step.claim"]`)))
	if got := s.Text("#roster"); !strings.Contains(got, "趙麗華") || !strings.Contains(got, "已結業") {
		t.Errorf("roster: %q", got)
	}
	s.Fits("the provider's course page")
	s.Logout()
	s.Login("learner@test.cn")
	s.Step("my certificate", chromedp.Navigate(s.Base+"/me/training"), chromedp.WaitVisible(chromedp.CSS(`#my-trainings a[href^="/certificates"]`)),
		chromedp.Click(chromedp.CSS(`#my-trainings a[href^="/certificates"]`)), chromedp.WaitVisible(chromedp.ID("certificate")))
	if got := s.Text("#certificate"); !strings.Contains(got, "趙**") || !strings.Contains(got, "創業意識培訓") {
		t.Errorf("certificate: %q", got)
	}
	s.Fits("the certificate page")
	portaltest.Screenshot(t, s.Ctx, "training-certificate")
}
