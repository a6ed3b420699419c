package portal_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onestop/portal/portaltest"
	"onestop/services/demo"
)

// TestBrowserEveryRolesDay (#20): each role signs in to the demo, opens
// every page of its menu on a phone — none is an error, none is wider
// than the screen, every control is legible — and does the first piece of
// its day's work, as the closing walk of #20 did by eye.
func TestBrowserEveryRolesDay(t *testing.T) {
	t.Parallel()
	tp := portaltest.DemoWorld(t)
	s := portaltest.NewSession(t, tp, 10*time.Minute)
	s.Step("phone screen", chromedp.EmulateViewport(375, 812))
	s.ZhHant()
	clean := strings.NewReplacer("/", "-", "?", "-", "=", "-", "&", "-")
	count := func(sel string) int {
		n, err := chromedp.Run(s.Ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	openFirst := func(list, wait string) {
		s.Step("open the first of "+list, chromedp.Navigate(s.Base+list), chromedp.WaitVisible(chromedp.CSS("main table tbody a")),
			chromedp.Click(chromedp.CSS("main table tbody a")), chromedp.WaitVisible(chromedp.CSS(wait)))
	}
	for _, role := range []struct {
		who  string
		work func()
	}{
		{"wang", func() { // asks for the next service of the chain
			s.Step("request a service", chromedp.Navigate(s.Base+"/services"), chromedp.WaitVisible(chromedp.ID("service-form")),
				chromedp.Click(chromedp.CSS(`input[name="type"][value="risk_assessment"]`)),
				chromedp.SendKeys(chromedp.ID("details"), "擴大網店前想評估市場和資金風險。"),
				chromedp.Click(chromedp.ID("service-submit")), chromedp.WaitVisible(chromedp.ID("request-status")))
		}},
		{"hotline", func() { // returns the first call waiting for a callback
			s.Step("today", chromedp.Navigate(s.Base+"/hotline/today"), chromedp.WaitVisible(chromedp.ID("today-callbacks")))
			before := count("#today-callbacks > li")
			s.Step("callback made", chromedp.Click(chromedp.CSS("#today-callbacks button")), chromedp.WaitVisible(chromedp.CSS(".flash")))
			if after := count("#today-callbacks > li"); after != before-1 {
				t.Errorf("callbacks waiting: %d, then %d", before, after)
			}
		}},
		{"officer", func() { // checks a farmer's farmland per head on the land bureau's list (#17)
			s.Step("find the farmer", chromedp.Navigate(s.Base+"/staff/people?q=李秀英"), chromedp.WaitVisible(chromedp.CSS("main table tbody a")),
				chromedp.Click(chromedp.CSS("main table tbody a")), chromedp.WaitVisible(chromedp.ID("checked")))
			s.Step("check", chromedp.Click(chromedp.CSS("#fact-farmland_per_capita_mu details summary")),
				chromedp.WaitVisible(chromedp.ID("verify-farmland_per_capita_mu-note")),
				chromedp.SendKeys(chromedp.ID("verify-farmland_per_capita_mu-note"), "已核對國土局征地後人均耕地清單（北山鎮第 5 頁）"),
				chromedp.Click(chromedp.ID("verify-farmland_per_capita_mu-submit")), chromedp.WaitVisible(chromedp.CSS(".flash")))
			if got := s.Text("#fact-farmland_per_capita_mu .source"); !strings.Contains(got, "吳經辦") {
				t.Errorf("the farmland after the check: %q", got)
			}
		}},
		{"mentor", func() { // answers the question waiting for them
			openFirst("/consultations?status=waiting", "#reply-form")
			s.Step("reply", chromedp.SendKeys(chromedp.ID("text"), "可以申請創業擔保貸款，帶上營業執照和設備報價單到人社局窗口。"),
				chromedp.Click(chromedp.ID("reply-submit")), chromedp.WaitVisible(chromedp.CSS("#thread li.mentor")))
		}},
		{"base", func() { // admits the applicant waiting
			s.Step("admit", chromedp.Navigate(s.Base+"/manage?status=pending"), chromedp.WaitVisible(chromedp.CSS("button.accept")),
				chromedp.Click(chromedp.CSS("button.accept")), chromedp.WaitVisible(chromedp.CSS(".flash")))
		}},
		{"school", nil},
		{"hr", nil}, // an employer's manager (#17): the organisation's page
		{"bank", func() { // reads the oldest file waiting for the bank
			openFirst("/loans?status=forwarded", "#documents")
		}},
		{"admin", func() { // takes the unassigned complaint due first, with a working note
			openFirst("/complaints?queue=open&assignee_id=none&sort=due", "#note-form")
			s.Step("note", chromedp.SendKeys(chromedp.ID("note-text"), "已致電窗口負責人了解排隊情況。"),
				chromedp.Click(chromedp.ID("note-submit")), chromedp.WaitVisible(chromedp.CSS(`#notes li[data-action="note"]`)))
		}},
	} {
		login := role.who + "@demo.onestop.cn"
		s.Step("log in "+role.who, chromedp.Navigate(s.Base+"/login"), chromedp.WaitVisible(chromedp.ID("login-form")),
			chromedp.SendKeys(chromedp.ID("login"), login), chromedp.SendKeys(chromedp.ID("password"), demo.Password),
			chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitVisible(chromedp.ID("welcome")))
		links, err := chromedp.Run(s.Ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('header nav a[href]')].map(a => a.getAttribute('href'))`))
		if err != nil || len(links) < 3 {
			t.Fatalf("%s's menu: %v %v", role.who, links, err)
		}
		for _, href := range links {
			what := role.who + " " + href
			s.Step(what, chromedp.Navigate(s.Base+href), chromedp.WaitVisible(chromedp.CSS("main h1")))
			if count("#error-message") != 0 {
				t.Errorf("%s: %s", what, s.Text("#error-message"))
			}
			s.Fits(what)
			s.Legible(what)
			portaltest.Screenshot(t, s.Ctx, "day-"+role.who+clean.Replace(href))
		}
		if role.work != nil {
			role.work()
			portaltest.Screenshot(t, s.Ctx, "day-"+role.who+"-work")
		}
		s.Logout()
	}
}
