package portal

import (
	"net/url"
	"onestop/portal/web"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

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
	tp := newTestPortal(t)
	_, admin, _ := tp.account(accounts.Admin, "admin@test.cn")
	schoolID, school, _ := tp.account(accounts.Provider, "school@test.cn")
	academyID, academy, _ := tp.account(accounts.Provider, "academy@test.cn")
	farmerID, farmer, _ := tp.account(accounts.Entrepreneur, "farmer@test.cn")
	_, other, _ := tp.account(accounts.Entrepreneur, "other@test.cn")
	_, staff, _ := tp.account(accounts.Hotline, "hotline@test.cn")
	if resp, body := tp.do("PUT", "/api/v1/me/profile", map[string]any{"real_name": "李秀英", "consent_version": "2026-11", "birth_date": "1995-01-01", "gender": "female",
		"target_groups": []string{"land_expropriated_farmer"}, "on_farmer_roster": true, "farmland_per_capita_mu": 0.1, "employed": false,
		"has_skill_certificate": false, "training_refusals": 0, "wants_training": true}, farmer); resp.StatusCode != 200 {
		t.Fatalf("profile: %d %s", resp.StatusCode, body)
	}
	start := tp.app.Clock.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
	course := map[string]any{"title": "被征地農民職業技能培訓（烹飪）", "kind": "skills", "place": "北山縣職業學校", "seats": 20, "fee_yuan": 1200, "subsidy_yuan": 1200,
		"skill_certificate": true, "certificate": "中式烹調師（五級）", "sessions": []map[string]any{{"starts_at": start, "hours": 4}}}
	tp.run(t, []scenario{
		{name: "a provider off the list cannot open a course", method: "POST", path: "/api/v1/courses", token: school, body: course, status: 403, contains: []string{"error.training.not_listed"}},
		{name: "entrepreneurs cannot open courses", method: "POST", path: "/api/v1/courses", token: farmer, body: course, status: 403},
		{name: "providers cannot list themselves", method: "POST", path: "/api/v1/admin/providers/" + schoolID, token: school, body: map[string]any{"listed": true}, status: 403},
		{name: "the bureau lists the school", method: "POST", path: "/api/v1/admin/providers/" + schoolID, token: admin, body: map[string]any{"listed": true}, status: 200, contains: []string{`"listed":true`}},
	})
	resp, body := tp.do("POST", "/api/v1/courses", course, school)
	if resp.StatusCode != 201 {
		t.Fatalf("course: %d %s", resp.StatusCode, body)
	}
	c := decode[training.Course](t, body)
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
	tp.run(t, []scenario{
		{name: "a free course claiming 10,000 a trainee", method: "POST", path: "/api/v1/courses", token: school, body: priced(0, 10_000),
			status: 422, contains: []string{`"field":"subsidy_yuan"`, "error.training.subsidy_fee"}},
		{name: "above the skills standard", method: "POST", path: "/api/v1/courses", token: school, body: priced(20_000, 1501),
			status: 422, contains: []string{`"field":"subsidy_yuan"`, "error.training.subsidy_standard"}},
	})
	if resp, body := tp.do("GET", "/api/v1/me/eligibility", nil, farmer); !strings.Contains(string(body), `"farmer-free-training"`) || resp.StatusCode != 200 {
		t.Fatalf("eligibility: %d %s", resp.StatusCode, body)
	}
	eligible := func() string {
		_, body := tp.do("GET", "/api/v1/me/eligibility", nil, farmer)
		s := string(body)
		i := strings.Index(s, `"farmer-free-training"`)
		j := strings.Index(s[i:], `"status":"`)
		return strings.SplitN(s[i+j+10:], `"`, 2)[0]
	}
	if got := eligible(); got != "eligible" {
		t.Fatalf("before: %s", got)
	}
	courseP := "/api/v1/courses/" + c.ID
	tp.run(t, []scenario{
		{name: "the catalogue lists it", method: "GET", path: "/api/v1/courses?kind=skills", status: 200, contains: []string{c.ID}},
		{name: "the farmer enrols", method: "POST", path: courseP + "/enrolments", token: farmer, status: 201, contains: []string{`"status":"enrolled"`, "李秀英"}},
		{name: "enrolling twice", method: "POST", path: courseP + "/enrolments", token: farmer, status: 409, contains: []string{"error.training.enrolled"}},
		{name: "someone without a real name", method: "POST", path: courseP + "/enrolments", token: other, status: 422},
		{name: "a provider cannot enrol", method: "POST", path: courseP + "/enrolments", token: academy, status: 403},
		{name: "the hotline enrols someone unknown", method: "POST", path: courseP + "/enrolments", token: staff, body: map[string]any{"person_id": "00000000000000000000000000"}, status: 422},
		{name: "another provider cannot read the roster", method: "GET", path: courseP + "/roster", token: academy, status: 404},
		{name: "the learner cannot read the roster", method: "GET", path: courseP + "/roster", token: farmer, status: 403},
		{name: "another provider cannot mark attendance", method: "POST", path: courseP + "/attendance", token: academy, body: map[string]any{"session_id": "s1", "present": []string{farmerID}}, status: 404},
	})
	tp.advance(72 * time.Hour) // past the session: signed in again
	school, academy, farmer, admin = tp.login("school@test.cn"), tp.login("academy@test.cn"), tp.login("farmer@test.cn"), tp.login("admin@test.cn")
	tp.run(t, []scenario{
		{name: "attendance for someone not enrolled", method: "POST", path: courseP + "/attendance", token: school, body: map[string]any{"session_id": "s1", "present": []string{schoolID}}, status: 422, contains: []string{`"field":"present"`}},
		{name: "an unknown session", method: "POST", path: courseP + "/attendance", token: school, body: map[string]any{"session_id": "s9", "present": []string{}}, status: 422},
		{name: "attendance", method: "POST", path: courseP + "/attendance", token: school, body: map[string]any{"session_id": "s1", "present": []string{farmerID}}, status: 200, contains: []string{`"attended":["s1"]`}},
		{name: "a claim before completion", method: "POST", path: courseP + "/claim", token: school, status: 409},
		{name: "complete", method: "POST", path: courseP + "/complete", token: school, status: 200, contains: []string{`"Passed":1`}},
		{name: "the claim", method: "POST", path: courseP + "/claim", token: school, status: 201, contains: []string{`"total_yuan":1200`}},
		{name: "the learner cannot see claims", method: "GET", path: "/api/v1/claims", token: farmer, status: 403},
		{name: "another provider sees none of the school's", method: "GET", path: "/api/v1/claims", token: academy, status: 200, contains: []string{`"total":0`}},
		{name: "the bureau sees the completion rate", method: "GET", path: "/api/v1/admin/providers", token: admin, status: 200, contains: []string{`"completion_rate":100`}},
	})
	// A complaint about a provider names one on the list, and the bureau's
	// record of the provider counts it.
	about := func(id string) map[string]any {
		return map[string]any{"kind": "service", "subject": "上課時間一再更改", "against": "provider", "against_id": id, "details": "三次臨時改期，沒有通知。"}
	}
	tp.run(t, []scenario{
		{name: "a provider not on the list", method: "POST", path: "/api/v1/complaints", token: farmer, body: about(academyID), status: 422, contains: []string{`"field":"against_id"`}},
		{name: "an unknown provider", method: "POST", path: "/api/v1/complaints", token: farmer, body: about("00000000000000000000000000"), status: 422, contains: []string{`"field":"against_id"`}},
		{name: "a complaint about the school", method: "POST", path: "/api/v1/complaints", token: farmer, body: about(schoolID), status: 201},
		{name: "the bureau sees it counted", method: "GET", path: "/api/v1/admin/providers", token: admin, status: 200, contains: []string{`"complaints":1`}},
		{name: "the school does not see complaints about it", method: "GET", path: "/api/v1/complaints?about=" + schoolID, token: school, status: 200, contains: []string{`"total":0`}},
		{name: "the bureau's board lists them", method: "GET", path: "/api/v1/complaints?about=" + schoolID, token: admin, status: 200, contains: []string{`"total":1`}},
	})
	if got := eligible(); got != "not_eligible" {
		t.Errorf("after a skill certificate the free training is %s", got)
	}
	// The person cannot undo what staff and training recorded: a refused
	// recommendation, a certificate earned.
	staff = tp.login("hotline@test.cn")
	if resp, body := tp.do("POST", "/api/v1/staff/people/"+farmerID+"/training-refusals", nil, staff); resp.StatusCode != 200 || !strings.Contains(string(body), `"training_refusals":1`) {
		t.Fatalf("refusal: %d %s", resp.StatusCode, body)
	}
	if resp, body := tp.do("PUT", "/api/v1/me/profile", map[string]any{"real_name": "李秀英", "birth_date": "1995-01-01", "gender": "female",
		"target_groups": []string{"land_expropriated_farmer"}, "on_farmer_roster": true, "farmland_per_capita_mu": 0.1, "employed": false,
		"has_skill_certificate": false, "training_refusals": 0, "wants_training": true}, farmer); resp.StatusCode != 200 {
		t.Fatalf("profile: %d %s", resp.StatusCode, body)
	}
	if _, body := tp.do("GET", "/api/v1/me/profile", nil, farmer); !strings.Contains(string(body), `"training_refusals":1`) || !strings.Contains(string(body), `"has_skill_certificate":true`) {
		t.Errorf("profile after the person's save: %s", body)
	}
	_, body = tp.do("GET", "/api/v1/me/trainings", nil, farmer)
	mine := decode[web.ListResponse[training.Enrolment]](t, body)
	if len(mine.Items) != 1 || mine.Items[0].Code == "" {
		t.Fatalf("my trainings %s", body)
	}
	code := mine.Items[0].Code
	tp.run(t, []scenario{
		{name: "anyone verifies the certificate", method: "GET", path: "/api/v1/certificates/" + code, status: 200, contains: []string{"李**", "中式烹調師"}, notContains: []string{"李秀英"}},
		{name: "a made-up code", method: "GET", path: "/api/v1/certificates/ZZZZZZZZZZ", status: 404},
	})
	// The public page too.
	b := tp.browser()
	_, doc := b.get("/certificates?code=" + url.QueryEscape(code))
	if got := doc.Find("#certificate").Text(); !strings.Contains(got, "李**") {
		t.Errorf("verification page: %q", got)
	}
	_, doc = b.get("/certificates?code=NOPE")
	if doc.Find("#no-certificate").Length() != 1 {
		t.Error("no message for an unknown code")
	}
}

// TestWebCourseForm: a provider's course with bad sessions re-shows the
// form with the message and the typed values; nothing is stored.
func TestWebCourseForm(t *testing.T) {
	tp := newTestPortal(t)
	_, admin, _ := tp.account(accounts.Admin, "admin@test.cn")
	schoolID, _, _ := tp.account(accounts.Provider, "school@test.cn")
	tp.do("POST", "/api/v1/admin/providers/"+schoolID, map[string]any{"listed": true}, admin)
	b := tp.browser()
	_, doc := b.get("/login")
	b.post("/login", url.Values{"login": {"school@test.cn"}, "password": {testPassword}}, csrfOf(doc))
	_, doc = b.get("/provider")
	resp, doc := b.post("/provider/courses", url.Values{"title": {"SYB 創業培訓"}, "kind": {"planning"}, "place": {"東城區"}, "seats": {"30"},
		"sessions": {"明天上午"}}, csrfOf(doc))
	if resp.StatusCode != 422 {
		t.Fatalf("bad sessions: %d", resp.StatusCode)
	}
	if got := doc.Find("#e-sessions").Text(); got == "" || strings.Contains(got, "error.") {
		t.Errorf("sessions message: %q", got)
	}
	if v, _ := doc.Find("#f-title").Attr("value"); v != "SYB 創業培訓" {
		t.Errorf("title lost: %q", v)
	}
	day := tp.app.Clock.Now().Add(72 * time.Hour).In(core.CST).Format("2006-01-02")
	// A subsidy above the fee is refused on its field, in the user's
	// language.
	for lang, want := range map[string]string{"zh-Hant": "每名學員的補貼不能高於學費。", "zh-Hans": "每名学员的补贴不能高于学费。", "en": "The subsidy per trainee cannot be more than the course fee."} {
		b.cookies["lang"] = lang
		resp, doc = b.post("/provider/courses", url.Values{"title": {"SYB 創業培訓"}, "kind": {"planning"}, "place": {"東城區"}, "seats": {"30"},
			"fee_yuan": {"0"}, "subsidy_yuan": {"10000"}, "sessions": {day + " 09:00 3"}}, csrfOf(doc))
		if got := doc.Find("#e-subsidy_yuan").Text(); resp.StatusCode != 422 || got != want {
			t.Errorf("%s: %d, subsidy message %q", lang, resp.StatusCode, got)
		}
		if v, _ := doc.Find("#f-subsidy_yuan").Attr("value"); v != "10000" {
			t.Errorf("typed subsidy lost: %q", v)
		}
	}
	delete(b.cookies, "lang")
	resp, _ = b.post("/provider/courses", url.Values{"title": {"SYB 創業培訓"}, "kind": {"planning"}, "place": {"東城區"}, "seats": {"30"},
		"sessions": {day + " 09:00 3\n" + day + " 14:00 3"}}, csrfOf(doc))
	if resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/provider/courses/") {
		t.Fatalf("course: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, doc = b.get(resp.Header.Get("Location"))
	if n := doc.Find("form.attendance").Length(); n != 2 {
		t.Errorf("%d attendance forms for 2 sessions", n)
	}
}

// TestBrowserTrainingJourney: on a phone, an entrepreneur finds a course and
// enrols; the provider marks attendance and closes the course; the
// entrepreneur sees the certificate and anyone can verify it.
func TestBrowserTrainingJourney(t *testing.T) {
	tp := newTestPortal(t)
	_, admin, _ := tp.account(accounts.Admin, "admin@test.cn")
	schoolID, school, _ := tp.account(accounts.Provider, "school@test.cn")
	_, learner, _ := tp.account(accounts.Entrepreneur, "learner@test.cn")
	tp.do("POST", "/api/v1/admin/providers/"+schoolID, map[string]any{"listed": true}, admin)
	tp.do("PUT", "/api/v1/me/profile", map[string]any{"real_name": "趙麗華", "consent_version": "2026-11"}, learner)
	resp, body := tp.do("POST", "/api/v1/courses", map[string]any{"title": "創業意識培訓（GYB）", "kind": "awareness", "place": "東城區", "seats": 10,
		"fee_yuan": 400, "subsidy_yuan": 400, "sessions": []map[string]any{{"starts_at": tp.app.Clock.Now().Add(time.Hour).UTC().Format(time.RFC3339), "hours": 3}}}, school)
	if resp.StatusCode != 201 {
		t.Fatalf("course: %d %s", resp.StatusCode, body)
	}
	c := decode[training.Course](t, body)
	s := newSession(t, tp, 90*time.Second)
	s.step("phone screen", chromedp.EmulateViewport(375, 812))
	s.zhHant()
	s.login("learner@test.cn")
	s.step("find a course", chromedp.Navigate(s.base+"/training"), chromedp.WaitVisible(chromedp.ID("course-search")),
		chromedp.SetValue(chromedp.ID("kind"), "awareness"), chromedp.Click(chromedp.CSS(`#course-search button`)),
		chromedp.WaitVisible(chromedp.CSS(`#courses a[href="/training/`+c.ID+`"]`)))
	s.fits("the catalogue")
	s.step("enrol", chromedp.Click(chromedp.CSS(`#courses a[href="/training/`+c.ID+`"]`)), chromedp.WaitVisible(chromedp.ID("enrol-submit")),
		chromedp.Click(chromedp.ID("enrol-submit")), chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="training.enrolled"]`)))
	if got := s.text("#my-enrolment"); !strings.Contains(got, "已報名") {
		t.Errorf("enrolment: %q", got)
	}
	s.fits("the course page")
	s.logout()
	tp.advance(2 * time.Hour) // the session took place
	s.login("school@test.cn")
	s.step("attendance", chromedp.Navigate(s.base+"/provider/courses/"+c.ID), chromedp.WaitVisible(chromedp.ID("attendance-s1")),
		chromedp.Click(chromedp.CSS(`#attendance-s1 input[name="present"]`)), chromedp.Click(chromedp.CSS(`#attendance-s1 button`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="provider.step.attendance"]`)),
		chromedp.Click(chromedp.ID("complete-submit")), chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="provider.step.complete"]`)),
		chromedp.Click(chromedp.ID("claim-submit")), chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="provider.step.claim"]`)))
	if got := s.text("#roster"); !strings.Contains(got, "趙麗華") || !strings.Contains(got, "已結業") {
		t.Errorf("roster: %q", got)
	}
	s.fits("the provider's course page")
	s.logout()
	s.login("learner@test.cn")
	s.step("my certificate", chromedp.Navigate(s.base+"/me/training"), chromedp.WaitVisible(chromedp.CSS(`#my-trainings a[href^="/certificates"]`)),
		chromedp.Click(chromedp.CSS(`#my-trainings a[href^="/certificates"]`)), chromedp.WaitVisible(chromedp.ID("certificate")))
	if got := s.text("#certificate"); !strings.Contains(got, "趙**") || !strings.Contains(got, "創業意識培訓") {
		t.Errorf("certificate: %q", got)
	}
	s.fits("the certificate page")
	screenshot(t, s.ctx, "training-certificate")
}
