package mentors_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/chromedp"

	"onestop/portal/portaltest"
)

const rejectReason = "目前稅務導師名額已滿，歡迎明年再申請。"

// applicant registers a mentor applicant with a profile awaiting approval.
func (w *mentorWorld) applicant(t *testing.T, email string) (id, token string) {
	t.Helper()
	reg := w.tp.Register(map[string]any{"email": email, "password": portaltest.Password, "name": "林申請", "as_mentor": true})
	w.tp.MustDo(t, "PUT", "/api/v1/me/mentor", map[string]any{"type": "expert_scholar", "topics": []string{"tax"},
		"bio": "財稅學院教授，研究小微企業稅收優惠。", "capacity": 3}, reg.AccessToken)
	return reg.User.ID, reg.AccessToken
}

// TestRejectMentorAPI (#20): POST /api/v1/admin/mentors/:id/reject refuses
// an application awaiting approval with a reason (administrators only);
// the applicant is told and reads the reason on their own record, nobody
// else finds them, and saving the profile applies again.
func TestRejectMentorAPI(t *testing.T) {
	t.Parallel()
	w := newMentorWorld(t)
	tp := w.tp
	id, tok := w.applicant(t, "lin@test.cn")
	path := "/api/v1/admin/mentors/" + id + "/reject"
	body := map[string]string{"reason": rejectReason}
	tp.Run(t, []portaltest.Scenario{
		{Name: "guests", Method: "POST", Path: path, Body: body, Status: 401},
		{Name: "the applicant", Method: "POST", Path: path, Token: tok, Body: body, Status: 403},
		{Name: "an entrepreneur", Method: "POST", Path: path, Token: w.e1, Body: body, Status: 403},
		{Name: "a reason too short", Method: "POST", Path: path, Token: w.admin, Body: map[string]string{"reason": "不行"}, Status: 422,
			Contains: []string{`"field":"reason"`, "請至少填寫 5 個字。"}},
		{Name: "no such applicant", Method: "POST", Path: "/api/v1/admin/mentors/0000000000000000000000000a/reject", Token: w.admin, Body: body, Status: 404},
		{Name: "an active mentor", Method: "POST", Path: "/api/v1/admin/mentors/" + w.m1ID + "/reject", Token: w.admin, Body: body, Status: 409,
			Contains: []string{"error.mentor.not_pending"}},
		{Name: "still awaiting approval", Method: "GET", Path: "/api/v1/mentors/" + id, Token: tok, Status: 200, Contains: []string{`"status":"applied"`}, NotContains: []string{"reject_reason"}},
		{Name: "an administrator rejects", Method: "POST", Path: path, Token: w.admin, Body: body, Status: 200,
			Contains: []string{`"status":"rejected"`, rejectReason}},
		{Name: "not twice", Method: "POST", Path: path, Token: w.admin, Body: body, Status: 409},
		{Name: "not public", Method: "GET", Path: "/api/v1/mentors/" + id, Status: 404},
		{Name: "not in the directory", Method: "GET", Path: "/api/v1/mentors?q=財稅", Status: 200, NotContains: []string{id}},
		{Name: "the applicant reads the reason", Method: "GET", Path: "/api/v1/mentors/" + id, Token: tok, Status: 200,
			Contains: []string{`"status":"rejected"`, `"reject_reason":"` + rejectReason}},
		{Name: "the applicant was told", Method: "GET", Path: "/api/v1/me/notifications", Token: tok, Status: 200, Contains: []string{"未獲通過", rejectReason}},
		{Name: "audited", Method: "GET", Path: "/api/v1/admin/audit?action=mentor.reject", Token: w.admin, Status: 200, Contains: []string{id}},
		{Name: "applying again", Method: "PUT", Path: "/api/v1/me/mentor", Token: tok, Body: map[string]any{"type": "expert_scholar", "topics": []string{"tax"},
			"bio": "財稅學院教授，明年起每週可答覆兩則諮詢。", "capacity": 2}, Status: 200, Contains: []string{`"status":"applied"`}, NotContains: []string{"reject_reason"}},
		{Name: "approved this time", Method: "POST", Path: "/api/v1/admin/mentors/" + id + "/status", Token: w.admin, Body: map[string]string{"status": "active"}, Status: 200,
			Contains: []string{`"status":"active"`}, NotContains: []string{rejectReason}},
	})
}

// TestRejectMentorPages: the pending list offers a reject form beside
// approve, with the reason and a tick; sent without the tick or with a
// short reason it comes back open, with what was typed and both messages;
// sent right, the applicant leaves the list and their profile page says
// the application was not approved, and why.
func TestRejectMentorPages(t *testing.T) {
	t.Parallel()
	w := newMentorWorld(t)
	tp := w.tp
	id, _ := w.applicant(t, "lin@test.cn")
	admin, _ := tp.SignedIn(t, "admin@test.cn")
	_, doc := admin.Get("/admin/mentors")
	item := doc.Find("#pending-" + id)
	form := item.Find("details.reject form")
	if item.Find("button.approve").Length() != 1 || form.AttrOr("action", "") != "/admin/mentors/"+id+"/reject" ||
		form.Find(`textarea[name="reason"][required][minlength="5"][maxlength="500"]`).Length() != 1 ||
		form.Find(`input[type="checkbox"][name="confirm"][value="yes"][required]`).Length() != 1 {
		t.Fatalf("the pending applicant's reject form: %q", item.Text())
	}
	if doc.Find("#pending-"+w.m1ID+" details.reject").Length() != 0 {
		t.Error("an active mentor offered for rejection")
	}
	resp, doc := admin.Post("/admin/mentors/"+id+"/reject", url.Values{"reason": {"不行"}}, portaltest.CSRF(doc))
	open := doc.Find("#pending-" + id + " details.reject[open]")
	if resp.StatusCode != 422 || open.Length() != 1 || open.Find("#e-confirm").Text() != "請先勾選確認，才能駁回申請。" ||
		!strings.Contains(open.Find("#e-reason").Text(), "5") || open.Find("textarea").Text() != "不行" {
		t.Fatalf("unconfirmed, short: %d %q", resp.StatusCode, open.Text())
	}
	resp, _ = admin.Post("/admin/mentors/"+id+"/reject", url.Values{"reason": {rejectReason}, "confirm": {"yes"}}, portaltest.CSRF(doc))
	if resp.StatusCode != 303 {
		t.Fatalf("reject: %d", resp.StatusCode)
	}
	_, doc = admin.Get("/admin/mentors")
	if !strings.Contains(doc.Find(".flash").Text(), "已駁回申請") || doc.Find("#pending-"+id).Length() != 0 {
		t.Errorf("after rejecting: %q, still listed %d", doc.Find(".flash").Text(), doc.Find("#pending-"+id).Length())
	}
	// An application no longer pending: a red note, nothing changes.
	admin.Post("/admin/mentors/"+w.m1ID+"/reject", url.Values{"reason": {rejectReason}, "confirm": {"yes"}}, portaltest.CSRF(doc))
	_, doc = admin.Get("/admin/mentors")
	if doc.Find(`.flash.refused[data-flash="error.mentor.not_pending"]`).Length() != 1 {
		t.Errorf("rejecting an active mentor: %q", doc.Find(".flash").Text())
	}

	applicant, _ := tp.SignedIn(t, "lin@test.cn")
	_, doc = applicant.Get("/mentor/profile")
	if got := doc.Find("#mentor-rejected").Text(); !strings.Contains(got, "您的導師申請未獲通過") || doc.Find("#reject-reason").Text() != rejectReason {
		t.Errorf("the applicant's page: %q", got)
	}
	if got := doc.Find("#mentor-submit").Text(); got != "重新提交申請" {
		t.Errorf("the button: %q", got)
	}
	if _, doc := tp.Browser().Get("/mentors/" + id); doc.Find("h1").Text() == "林申請" {
		t.Error("a rejected applicant's page is public")
	}
}

// TestBrowserRejectMentor: an administrator rejects an applicant with a
// reason; the applicant signs in, reads it on their profile page, and
// applies again.
func TestBrowserRejectMentor(t *testing.T) {
	t.Parallel()
	w := newMentorWorld(t)
	id, _ := w.applicant(t, "lin@test.cn")
	s := portaltest.NewSession(t, w.tp, 90*time.Second)
	s.ZhHant()
	s.Login("admin@test.cn")
	form := "#pending-" + id + " details.reject"
	s.Step("open the reject form", chromedp.Navigate(s.Base+"/admin/mentors"), chromedp.WaitVisible(chromedp.CSS(form+" > summary")),
		chromedp.Click(chromedp.CSS(form+" > summary")), chromedp.WaitVisible(chromedp.ID("reason-"+id)),
		chromedp.SendKeys(chromedp.ID("reason-"+id), rejectReason), chromedp.Click(chromedp.CSS(form+` input[name="confirm"]`)))
	portaltest.Screenshot(t, s.Ctx, "admin-mentor-reject")
	s.Step("reject", chromedp.Click(chromedp.CSS(form+" button.danger")), chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="admin.mentors.rejected"]`)))
	s.Logout()
	s.Login("lin@test.cn")
	s.Step("the applicant's profile", chromedp.Navigate(s.Base+"/mentor/profile"), chromedp.WaitVisible(chromedp.ID("mentor-rejected")))
	if got := s.Text("#reject-reason"); got != rejectReason {
		t.Errorf("the reason: %q", got)
	}
	portaltest.Screenshot(t, s.Ctx, "mentor-rejected")
	s.Step("apply again", chromedp.Click(chromedp.ID("mentor-submit")), chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="mentors.saved"]`)))
	if got := s.Text("main"); !strings.Contains(got, "待審核") || strings.Contains(got, rejectReason) {
		t.Errorf("after applying again: %q", got)
	}
}

// TestAdminMentorRecordsPage (walk of #20): the mentors' records come a
// page at a time, and a paused mentor can be resumed from the list, as an
// active one can be paused.
func TestAdminMentorRecordsPage(t *testing.T) {
	t.Parallel()
	w := newMentorWorld(t)
	admin, _ := w.tp.SignedIn(t, "admin@test.cn")
	_, doc := admin.Get("/admin/mentors?size=1")
	if rows := doc.Find("#mentor-stats tbody tr").Length(); rows != 1 || doc.Find(`.pager a[rel="next"]`).Length() != 1 {
		t.Fatalf("a page of one: %d rows, pager %q", rows, doc.Find(".pager").Text())
	}
	_, doc = admin.Get("/admin/mentors?size=1&page=2")
	if rows := doc.Find("#mentor-stats tbody tr").Length(); rows != 1 || doc.Find(`.pager a[rel="prev"]`).Length() != 1 {
		t.Fatalf("the second page: %d rows", rows)
	}
	status := func(doc *goquery.Document) (action string) {
		return doc.Find(`#mentor-stats form[action="/admin/mentors/`+w.m1ID+`/status"] input[name="status"]`).AttrOr("value", "")
	}
	_, doc = admin.Get("/admin/mentors")
	for _, want := range []string{"paused", "active"} {
		if got := status(doc); got != want {
			t.Fatalf("the mentor's action sets %q, want %q", got, want)
		}
		if resp, _ := admin.Post("/admin/mentors/"+w.m1ID+"/status", url.Values{"status": {want}}, portaltest.CSRF(doc)); resp.StatusCode != 303 {
			t.Fatalf("%s: %d", want, resp.StatusCode)
		}
		_, doc = admin.Get("/admin/mentors")
	}
	if got := status(doc); got != "paused" {
		t.Errorf("resumed, the mentor's action sets %q, want paused", got)
	}
}
