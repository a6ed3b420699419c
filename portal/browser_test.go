package portal

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// newBrowser starts headless Chromium. It skips when Chromium is missing,
// except in CI (.ci/run installs it), where a missing browser fails.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is not installed; .ci/run installs it")
		}
		t.Skip("chromium not installed (apt-get install chromium)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelC(); cancelA() })
	if err := chromedp.Do(ctx); err != nil { // start the browser without a timeout
		t.Fatal(err)
	}
	return ctx
}

// session drives one browser tab against a served portal.
type session struct {
	t    *testing.T
	ctx  context.Context
	base string
}

func newSession(t *testing.T, tp *testPortal, timeout time.Duration) *session {
	browser := newBrowser(t)
	base, stop := serveTestPortal(t, tp)
	t.Cleanup(func() { stop() })
	ctx, cancel := context.WithTimeout(browser, timeout)
	t.Cleanup(cancel)
	return &session{t: t, ctx: ctx, base: base}
}

func (s *session) step(what string, actions ...chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	if err := chromedp.Do(s.ctx, actions...); err != nil {
		// Say where the browser was: a timeout alone does not.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(s.ctx), 5*time.Second)
		defer cancel()
		url, _ := chromedp.Run(ctx, chromedp.Location())
		body, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
		s.t.Fatalf("%s: %v (at %s: %.600s)", what, err, url, body)
	}
}

func (s *session) text(sel string) string {
	s.t.Helper()
	got, err := chromedp.Run(s.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		s.t.Fatalf("text of %s: %v", sel, err)
	}
	return got
}

// fits checks that nothing on the current page is wider than the screen.
func (s *session) fits(what string) {
	s.t.Helper()
	ok, err := chromedp.Run(s.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
	if err != nil || !ok {
		s.t.Errorf("%s is wider than the screen (%v)", what, err)
	}
}

// zhHant switches the visitor to Traditional Chinese (the browser asks for
// English).
func (s *session) zhHant() {
	s.step("zh-Hant", chromedp.Navigate(s.base+"/"), chromedp.SetValue(chromedp.ID("lang-select"), "zh-Hant"),
		chromedp.Click(chromedp.CSS(".lang button")), chromedp.WaitVisible(chromedp.CSS(`html[lang="zh-Hant"]`)))
}

func (s *session) login(who string) {
	s.step("log in "+who, chromedp.Navigate(s.base+"/login"), chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login"), who), chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitVisible(chromedp.ID("welcome")))
}

func (s *session) logout() {
	s.step("log out", chromedp.WaitVisible(chromedp.ID("logout")), chromedp.Click(chromedp.ID("logout")),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/login"]`)))
}

// screenshot saves a PNG to $SCREENSHOT_DIR, for looking at pages by eye.
func screenshot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("SCREENSHOT_DIR")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Log(err)
		return
	}
	_ = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
}

// TestBrowserJourney: register → confirm with the code sent to the
// address → the home page greets the user by name →
// log out → log in → greeted again → log out; on a 375 px phone screen,
// with nothing wider than the screen.
func TestBrowserJourney(t *testing.T) {
	ctx := newBrowser(t)
	tp := newTestPortal(t)
	base, stop := serveTestPortal(t, tp)
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
	screenshot(t, ctx, "register")
	step("fill in",
		chromedp.SendKeys(chromedp.ID("name"), "歐陽小芬"),
		chromedp.SendKeys(chromedp.ID("login"), "ouyang@example.cn"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.SendKeys(chromedp.ID("password2"), testPassword),
		chromedp.Click(chromedp.ID("register-submit")),
		chromedp.WaitVisible(chromedp.ID("confirm-form")))
	screenshot(t, ctx, "register-confirm")
	step("confirm with the code sent to the address",
		chromedp.SendKeys(chromedp.ID("code"), tp.code("ouyang@example.cn")),
		chromedp.Click(chromedp.ID("confirm-submit")),
		chromedp.WaitVisible(chromedp.ID("welcome")))
	if got := text("#welcome"); got != "歡迎，歐陽小芬！" {
		t.Fatalf("after register: %q", got)
	}
	fits, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
	if err != nil || !fits {
		t.Errorf("home page wider than a 375 px screen (%v)", err)
	}
	screenshot(t, ctx, "home")
	step("log out", chromedp.Click(chromedp.ID("logout")), chromedp.WaitVisible(chromedp.CSS(`a[href="/login"]`)))
	step("log in",
		chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login"), "ouyang@example.cn"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
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
