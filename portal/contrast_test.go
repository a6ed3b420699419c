package portal_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	hotlineweb "onestop/portal/hotline"
	mentorsweb "onestop/portal/mentors"
	"onestop/portal/portaltest"
)

// TestControlsLegibleBrowser (#20.1): no button, link or field is drawn in
// (nearly) the colour of what is behind it. The 「改由此導師解答」,
// 「指定為陪伴導師」 and 「暫停」 buttons were white on white: the pages
// are opened in the states that show them (a waiting consultation with
// other mentors to suggest, an open case, active mentors and an approved
// base), and each page is checked with what it shows then.
func TestControlsLegibleBrowser(t *testing.T) {
	t.Parallel()
	w := portaltest.NewHotlineWorld(t)
	consult := portaltest.Decode[mentorsweb.APIConsultation](t, w.Post(t, "/api/v1/consultations",
		map[string]any{"topic": "financing", "question": "初創期如何申請創業擔保貸款？需要哪些材料？"}, w.E1))
	contact := portaltest.Decode[hotlineweb.APIContact](t, w.Post(t, "/api/v1/hotline/accounts/"+w.E1ID+"/contact", nil, w.Staff))
	cs := portaltest.Decode[hotlineweb.APICase](t, w.Post(t, "/api/v1/cases", map[string]any{"contact_id": contact.ID, "reasons": []string{"market"},
		"loan_status": "none", "situation": "店面租約到期未續。", "needs": []string{"training"}}, w.Staff))
	base := portaltest.Decode[map[string]any](t, w.Post(t, "/api/v1/admin/bases", map[string]any{"name": "高新創業園", "level": "municipal",
		"district": "hightech", "industries": []string{"technology"}, "seats": 3, "intake_open": true, "services": []string{"mentoring"}}, w.Admin))
	w.Post(t, "/api/v1/admin/bases/"+base["id"].(string)+"/status", map[string]string{"status": "approved"}, w.Admin)

	s := portaltest.NewSession(t, w.Portal, 180*time.Second)
	s.ZhHant()
	// Each page, and what must be on it for the check to mean something.
	type page struct{ path, shows string }
	check := func(who string, pages []page) {
		t.Helper()
		for _, p := range pages {
			s.Step(who+" "+p.path, chromedp.Navigate(s.Base+p.path), chromedp.WaitVisible(chromedp.CSS("main h1")))
			if p.shows != "" {
				s.Step(who+" "+p.path+" shows "+p.shows, chromedp.WaitVisible(chromedp.CSS(p.shows)))
			}
			s.Legible(who + " " + p.path)
		}
	}
	for _, width := range []int64{1280, 375} {
		s.Step("screen", chromedp.EmulateViewport(width, 900))
		check("a guest", []page{{"/", ""}, {"/login", ""}, {"/policies", ""}, {"/bases", ""}, {"/mentors", ""}, {"/open-data", ""}})
		s.Login("e1@test.cn")
		check("the asker", []page{
			{"/consultations/" + consult.ID, `form[action$="/reassign"] button`},
			{"/", ""}, {"/consultations", ""}, {"/services", ""}, {"/complaints", ""}, {"/profile", ""}, {"/applications", ""},
		})
		s.Logout()
		s.Login("hotline@test.cn")
		check("hotline staff", []page{
			{"/cases/" + cs.ID, `form[action$="/mentor"] button`},
			{"/hotline", ""}, {"/hotline/cases", ""}, {"/complaints", ""}, {"/staff/services", ""}, {"/hotline/contacts/" + contact.ID, ""},
		})
		s.Logout()
		s.Login("admin@test.cn")
		check("the administrator", []page{
			{"/admin/mentors", `form[action$="/status"] input[value="paused"] ~ button`},
			{"/admin/bases", `form[action$="/status"] input[value="suspended"] ~ button`},
			{"/admin/users", ""}, {"/admin/users/" + w.StaffID, "details.confirm > summary"}, {"/admin/audit", ""}, {"/admin/figures", ""},
		})
		s.Logout()
	}
}
