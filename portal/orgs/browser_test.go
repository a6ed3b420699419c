package orgs_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onestop/portal/portaltest"
	"onestop/services/accounts"
)

// TestBrowserOrgJourney: an employer registers its organisation in the
// browser, typing the credit code as the licence prints it, confirms its
// code and sees the organisation waiting; an administrator finds it and
// verifies it; the manager adds a colleague, who opens the invitation's
// link, joins, confirms and sees the organisation — on a phone's screen.
func TestBrowserOrgJourney(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	tp.Account(accounts.Admin, "admin@test.cn")
	s := portaltest.NewSession(t, tp, 3*time.Minute)
	s.Step("phone screen", chromedp.EmulateViewport(375, 812))
	s.ZhHant()

	s.Step("the registration form", chromedp.Navigate(s.Base+"/org/register"), chromedp.WaitVisible(chromedp.ID("org-register-form")),
		chromedp.SendKeys(chromedp.ID("f-name"), "東城第一製衣有限公司"),
		chromedp.SendKeys(chromedp.ID("f-credit_code"), "9135 0100 M000 100Y 44"), // one character mistyped
		chromedp.SetValue(chromedp.ID("f-district"), "dongcheng"),
		chromedp.SendKeys(chromedp.ID("f-address"), "東城區人民路 1 號"),
		chromedp.SendKeys(chromedp.ID("f-contact_name"), "陳經理"),
		chromedp.SendKeys(chromedp.ID("f-contact_phone"), "0755-86013388"),
		chromedp.Click(chromedp.ID("kind-employer")),
		chromedp.SendKeys(chromedp.ID("user_name"), "陳經理"),
		chromedp.SendKeys(chromedp.ID("login"), "hr@factory.cn"),
		chromedp.SendKeys(chromedp.ID("password"), portaltest.Password),
		chromedp.SendKeys(chromedp.ID("password2"), portaltest.Password))
	s.Fits("the registration form")
	s.Step("a mistyped code", chromedp.Click(chromedp.ID("org-register-submit")), chromedp.WaitVisible(chromedp.ID("e-credit_code")))
	if got := s.Text("#e-credit_code"); !strings.Contains(got, "校驗碼") {
		t.Fatalf("the credit code's message: %q", got)
	}
	portaltest.Screenshot(t, s.Ctx, "org-register-bad-code")
	s.Step("corrected", chromedp.SetValue(chromedp.ID("f-credit_code"), "9135 0100 M000 100Y 43"),
		chromedp.SendKeys(chromedp.ID("password"), portaltest.Password), chromedp.SendKeys(chromedp.ID("password2"), portaltest.Password),
		chromedp.Click(chromedp.ID("org-register-submit")), chromedp.WaitVisible(chromedp.ID("confirm-form")))
	s.Step("the code", chromedp.SendKeys(chromedp.ID("code"), tp.Code("hr@factory.cn")), chromedp.Click(chromedp.ID("confirm-submit")),
		chromedp.WaitVisible(chromedp.ID("org-status")))
	if got := s.Text("#org-status"); !strings.Contains(got, "待核驗") {
		t.Errorf("a new organisation: %q", got)
	}
	if got := s.Text("#org-code"); got != "91350100M000100Y43" {
		t.Errorf("the code as stored: %q", got)
	}
	s.Fits("the organisation's page")
	portaltest.Screenshot(t, s.Ctx, "org-pending")
	s.Logout()

	s.Login("admin@test.cn")
	s.Step("find it by its code", chromedp.Navigate(s.Base+"/staff/orgs"), chromedp.WaitVisible(chromedp.ID("orgs-search")),
		chromedp.SendKeys(chromedp.ID("q"), "91350100m000100y43"), chromedp.Click(chromedp.ID("orgs-submit")),
		chromedp.WaitVisible(chromedp.CSS("#orgs tbody a")), chromedp.Click(chromedp.CSS("#orgs tbody a")), chromedp.WaitVisible(chromedp.ID("verify-form")))
	s.Fits("the staff's page of an organisation")
	s.Step("verify", chromedp.Click(chromedp.ID("verify-submit")), chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="staff.org.verified"]`)))
	s.Logout()

	s.Login("hr@factory.cn")
	s.Step("the verified organisation", chromedp.Navigate(s.Base+"/org"), chromedp.WaitVisible(chromedp.ID("invite-form")))
	if got := s.Text("#org-status"); !strings.Contains(got, "已核驗") {
		t.Errorf("verified: %q", got)
	}
	s.Step("add a colleague", chromedp.SendKeys(chromedp.ID("invite-login"), "li@factory.cn"), chromedp.SendKeys(chromedp.ID("invite-name"), "李會計"),
		chromedp.Click(chromedp.ID("invite-submit")), chromedp.WaitVisible(chromedp.ID("org-invites")))
	portaltest.Screenshot(t, s.Ctx, "org-invited")
	s.Logout()

	s.Step("the colleague opens the link", chromedp.Navigate(s.Base+tp.LastMessage("li@factory.cn").Link), chromedp.WaitVisible(chromedp.ID("join-form")))
	if got := s.Text("#join-lead"); !strings.Contains(got, "東城第一製衣有限公司") {
		t.Errorf("the invitation: %q", got)
	}
	s.Step("join", chromedp.SendKeys(chromedp.ID("password"), portaltest.Password), chromedp.SendKeys(chromedp.ID("password2"), portaltest.Password),
		chromedp.Click(chromedp.ID("join-submit")), chromedp.WaitVisible(chromedp.ID("confirm-form")))
	s.Step("the colleague's code", chromedp.SendKeys(chromedp.ID("code"), tp.Code("li@factory.cn")), chromedp.Click(chromedp.ID("confirm-submit")),
		chromedp.WaitVisible(chromedp.ID("org-users")))
	if got := s.Text("#org-users"); !strings.Contains(got, "李會計") || !strings.Contains(got, "陳經理") {
		t.Errorf("the colleague sees the users: %q", got)
	}
	s.Fits("the colleague's page")
	portaltest.Screenshot(t, s.Ctx, "org-colleague")
	s.Logout()
	s.Login("li@factory.cn")
	if n, _ := chromedp.Run(s.Ctx, chromedp.Evaluate[int](`document.querySelectorAll('header a[href="/org"]').length`)); n == 0 {
		t.Error("no link to the organisation in the colleague's menu")
	}
	s.Step("the colleague's organisation", chromedp.Navigate(s.Base+"/org"), chromedp.WaitVisible(chromedp.ID("leave-form")))
	if got := s.Text("#org-name"); got != "東城第一製衣有限公司" {
		t.Errorf("the colleague's organisation: %q", got)
	}
}
