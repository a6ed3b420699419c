package portal_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onestop/portal/portaltest"
)

// TestBrowserJourney: register → confirm with the code sent to the
// address → the home page greets the user by name →
// log out → log in → greeted again → log out; on a 375 px phone screen,
// with nothing wider than the screen.
func TestBrowserJourney(t *testing.T) {
	t.Parallel()
	ctx := portaltest.Chromium(t)
	tp := portaltest.New(t)
	base, stop := tp.Serve(t)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	step("phone screen", chromedp.EmulateViewport(375, 812))
	// The browser asks for English; the visitor switches to Traditional Chinese.
	step("open register", chromedp.Navigate(base+"/register"), chromedp.WaitVisible(chromedp.ID("register-form")))
	if got := text("h1"); got != "Register as an entrepreneur" {
		t.Errorf("Accept-Language en: %q", got)
	}
	step("switch language", chromedp.SetValue(chromedp.ID("lang-select"), "zh-Hant"),
		chromedp.Click(chromedp.CSS(".lang button")), chromedp.WaitVisible(chromedp.CSS(`html[lang="zh-Hant"] #register-form`)))
	if got := text("h1"); got != "註冊創業者帳號" {
		t.Errorf("after switching: %q", got)
	}
	portaltest.Screenshot(t, ctx, "register")
	step("fill in",
		chromedp.SendKeys(chromedp.ID("name"), "歐陽小芬"),
		chromedp.SendKeys(chromedp.ID("login"), "ouyang@example.cn"),
		chromedp.SendKeys(chromedp.ID("password"), portaltest.Password),
		chromedp.SendKeys(chromedp.ID("password2"), portaltest.Password),
		chromedp.Click(chromedp.ID("register-submit")),
		chromedp.WaitVisible(chromedp.ID("confirm-form")))
	portaltest.Screenshot(t, ctx, "register-confirm")
	step("confirm with the code sent to the address",
		chromedp.SendKeys(chromedp.ID("code"), tp.Code("ouyang@example.cn")),
		chromedp.Click(chromedp.ID("confirm-submit")),
		chromedp.WaitVisible(chromedp.ID("welcome")))
	if got := text("#welcome"); got != "歡迎，歐陽小芬！" {
		t.Fatalf("after register: %q", got)
	}
	fits, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
	if err != nil || !fits {
		t.Errorf("home page wider than a 375 px screen (%v)", err)
	}
	portaltest.Screenshot(t, ctx, "home")
	step("log out", chromedp.Click(chromedp.ID("logout")), chromedp.WaitVisible(chromedp.CSS(`a[href="/login"]`)))
	step("log in",
		chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login"), "ouyang@example.cn"),
		chromedp.SendKeys(chromedp.ID("password"), portaltest.Password),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("welcome")))
	if got := text("#welcome"); got != "歡迎，歐陽小芬！" {
		t.Fatalf("after login: %q", got)
	}
	step("log out again", chromedp.Click(chromedp.ID("logout")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := text(".flash"); got != "您已登出。" {
		t.Errorf("after logout: %q", got)
	}
	// Keyboard only: the skip link is the first stop and leads to main.
	step("keyboard", chromedp.KeyEvent("\t"))
	focused, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.className`))
	if focused != "skip" {
		t.Errorf("first tab stop = %q, want the skip link", focused)
	}
}
