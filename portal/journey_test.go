package portal_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onestop/portal/portaltest"
	"onestop/services/accounts"
)

// TestBrowserSupportsJourney: register → fill in the profile → see the
// supports with reasons → request a service → staff completes it → the
// entrepreneur sees it done.
func TestBrowserSupportsJourney(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	tp.Account(accounts.Hotline, "hotline@test.cn")
	s := portaltest.NewSession(t, tp, 90*time.Second)
	s.ZhHant()
	s.Step("register", chromedp.Navigate(s.Base+"/register"), chromedp.WaitVisible(chromedp.ID("register-form")),
		chromedp.SendKeys(chromedp.ID("name"), "鄭家豪"), chromedp.SendKeys(chromedp.ID("login"), "zheng@example.cn"),
		chromedp.SendKeys(chromedp.ID("password"), portaltest.Password), chromedp.SendKeys(chromedp.ID("password2"), portaltest.Password),
		chromedp.Click(chromedp.ID("register-submit")), chromedp.WaitVisible(chromedp.ID("confirm-form")))
	s.Step("confirm with the code", chromedp.SendKeys(chromedp.ID("code"), tp.Code("zheng@example.cn")),
		chromedp.Click(chromedp.ID("confirm-submit")), chromedp.WaitVisible(chromedp.ID("welcome")))

	s.Step("fill in the profile", chromedp.Navigate(s.Base+"/profile"), chromedp.WaitVisible(chromedp.ID("profile-form")),
		chromedp.SendKeys(chromedp.ID("f-id_number"), "440301199001011234"),
		chromedp.SendKeys(chromedp.ID("f-phone"), "13912345670"),
		chromedp.Click(chromedp.CSS(`input[name="target_groups"][value="registered_unemployed"]`)),
		chromedp.SetValue(chromedp.ID("f-wants_training"), "yes"),
		chromedp.SetValue(chromedp.CSS(`select[name="venture.stage"]`), "preparing"),
		chromedp.SetValue(chromedp.CSS(`select[name="venture.form"]`), "individual"),
		chromedp.Click(chromedp.ID("profile-submit")), chromedp.WaitVisible(chromedp.CSS(".error")))
	// Without consent the form comes back with the message at the box.
	if got := s.Text("#e-consent"); got != "請閱讀並同意個人信息處理告知。" {
		t.Fatalf("consent error: %q", got)
	}
	portaltest.Screenshot(t, s.Ctx, "profile-error")
	s.Step("consent and save",
		chromedp.SendKeys(chromedp.ID("f-id_number"), "440301199001011234"),
		chromedp.Click(chromedp.CSS(`input[name="consent"]`)),
		chromedp.Click(chromedp.ID("profile-submit")), chromedp.WaitVisible(chromedp.ID("policy-fee-exemption-3y")))
	// Eligible on their word: the registration as unemployed awaits a
	// check (#17 §2), and the answer says so.
	if got := s.Text("#policy-fee-exemption-3y .badge"); got != "符合（待核實：《就業登記證》）" {
		t.Errorf("fee exemption: %q", got)
	}
	if reasons := s.Text("#policy-fee-exemption-3y .reasons"); !strings.Contains(reasons, "登記失業人員") || !strings.Contains(reasons, "✓") {
		t.Errorf("reasons: %q", reasons)
	}
	portaltest.Screenshot(t, s.Ctx, "supports")

	s.Step("request a service", chromedp.Navigate(s.Base+"/services"), chromedp.WaitVisible(chromedp.ID("service-form")),
		chromedp.Click(chromedp.CSS(`input[name="type"][value="opening_guidance"]`)),
		chromedp.SendKeys(chromedp.ID("details"), "想開一家社區便利店，需要辦照指導"),
		chromedp.Click(chromedp.ID("service-submit")), chromedp.WaitVisible(chromedp.ID("request-status")))
	if got := s.Text("#request-status"); got != "已提交" {
		t.Errorf("new request: %q", got)
	}
	requestURL, err := chromedp.Run(s.Ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	s.Logout()

	s.Login("hotline@test.cn")
	s.Step("queue", chromedp.Navigate(s.Base+"/staff/services?status=submitted"), chromedp.WaitVisible(chromedp.ID("queue")))
	if got := s.Text("#queue tbody"); !strings.Contains(got, "鄭家豪") {
		t.Fatalf("queue: %q", got)
	}
	s.Step("assign", chromedp.Navigate(requestURL), chromedp.WaitVisible(chromedp.ID("assign-form")),
		chromedp.Click(chromedp.ID("assign-submit")), chromedp.WaitVisible(chromedp.ID("start-submit")))
	s.Step("start", chromedp.Click(chromedp.ID("start-submit")), chromedp.WaitVisible(chromedp.ID("complete-note")))
	s.Step("complete", chromedp.SendKeys(chromedp.ID("complete-note"), "已上門指導辦理營業執照"),
		// "start" left a flash too: wait for the form to go first.
		chromedp.Click(chromedp.ID("complete-submit")), chromedp.WaitNotPresent(chromedp.ID("complete-note")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	s.Logout()

	s.Login("zheng@example.cn")
	s.Step("see it done", chromedp.Navigate(requestURL), chromedp.WaitVisible(chromedp.ID("history")))
	if got := s.Text("#request-status"); got != "已辦結" {
		t.Errorf("status seen by the entrepreneur: %q", got)
	}
	if got := s.Text("#history"); !strings.Contains(got, "已上門指導辦理營業執照") {
		t.Errorf("history: %q", got)
	}
	portaltest.Screenshot(t, s.Ctx, "request-done")
}
