package portal_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onestop/portal/portaltest"
	"onestop/services/demo"
)

// TestStaffTablesOnAPhoneBrowser (#20.15): on a 375 px phone the staff's
// tables, full of the demo's records, are not squeezed to a character or
// two a line: each wide table scrolls sideways inside a labelled region
// the keyboard reaches, the page itself never does, and no field cuts off
// its own text.
func TestStaffTablesOnAPhoneBrowser(t *testing.T) {
	t.Parallel()
	tp := portaltest.DemoWorld(t)
	s := portaltest.NewSession(t, tp, 240*time.Second)
	s.Step("phone screen", chromedp.EmulateViewport(375, 812))
	s.ZhHant()
	login := func(who string) {
		s.Step("log in "+who, chromedp.Navigate(s.Base+"/login"), chromedp.WaitVisible(chromedp.ID("login-form")),
			chromedp.SendKeys(chromedp.ID("login"), who), chromedp.SendKeys(chromedp.ID("password"), demo.Password),
			chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitVisible(chromedp.ID("welcome")))
	}
	check := func(who string, pages map[string]string) {
		t.Helper()
		login(who)
		for path, table := range pages {
			s.Step(path, chromedp.Navigate(s.Base+path), chromedp.WaitVisible(chromedp.CSS("main h1")))
			if table != "" {
				s.Step(path+" has its table", chromedp.WaitVisible(chromedp.CSS(table+" tbody tr")))
			}
			s.Roomy(who + " " + path)
			portaltest.Screenshot(t, s.Ctx, "phone"+strings.NewReplacer("/", "-", "?", "-", "=", "-").Replace(path))
		}
		s.Logout()
	}
	// A guest's pages, in Chinese and in English (longer words).
	for _, lang := range []string{"zh-Hant", "en"} {
		if lang == "en" { // (the session is in zh-Hant already)
			s.Step(lang, chromedp.Navigate(s.Base+"/"), chromedp.SetValue(chromedp.ID("lang-select"), lang), chromedp.Click(chromedp.CSS(".lang button")),
				chromedp.WaitVisible(chromedp.CSS(`html[lang="`+lang+`"]`)))
		}
		for _, path := range []string{"/projects", "/open-data", "/bases", "/training", "/policies"} {
			s.Step(path, chromedp.Navigate(s.Base+path), chromedp.WaitVisible(chromedp.CSS("main h1")))
			s.Roomy("a guest's " + path + " in " + lang)
		}
	}
	s.ZhHant()
	check("hotline@demo.onestop.cn", map[string]string{
		"/loans": "#loans", "/loans?status=disbursed": "#loans", "/complaints": "#complaints", "/hotline/cases": "#cases",
		"/staff/services": "#queue", "/consultations": "", "/staff/people": "#people",
	})
	check("admin@demo.onestop.cn", map[string]string{"/admin/users": "#users", "/admin/audit": "#audit", "/admin/mentors": "#mentor-stats", "/admin/training": ""})
	check("base@demo.onestop.cn", map[string]string{"/manage": ".manage-apps"})
	check("bank@demo.onestop.cn", map[string]string{"/loans": "#loans"})
	// The training roster: the school's first course that has one.
	login("school@demo.onestop.cn")
	s.Step("provider", chromedp.Navigate(s.Base+"/provider"), chromedp.WaitVisible(chromedp.CSS(`main a[href^="/provider/courses/"]`)))
	s.Roomy("the provider's desk")
	s.Step("a course", chromedp.Click(chromedp.CSS(`main a[href^="/provider/courses/"]`)), chromedp.WaitVisible(chromedp.CSS("#roster tbody tr")))
	s.Roomy("the training roster")
	portaltest.Screenshot(t, s.Ctx, "phone-roster")
}
