package portaltest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiums holds a slot per running Chromium: tests in parallel share the
// machine, and a browser starved of CPU times out.
var chromiums = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)/2))

// Chromium starts headless Chromium, a browser of the test's own (waiting
// for a slot while others run; one browser per test, as a second one open
// at once could wait for the first's slot for ever). It skips when Chromium
// is missing, except in CI (.ci/run installs it), where a missing browser
// fails.
func Chromium(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is not installed; .ci/run installs it")
		}
		t.Skip("chromium not installed (apt-get install chromium)")
	}
	chromiums <- struct{}{}
	t.Cleanup(func() { <-chromiums })
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

// Session drives one browser tab against a served portal.
type Session struct {
	T    *testing.T
	Ctx  context.Context // the tab, with the session's time limit
	Base string          // the served portal's URL
}

// NewSession serves p and opens a browser on it; everything the session
// does must be done within timeout.
func NewSession(t *testing.T, p *Portal, timeout time.Duration) *Session {
	browser := Chromium(t)
	base, _ := p.Serve(t)
	ctx, cancel := context.WithTimeout(browser, timeout)
	t.Cleanup(cancel)
	return &Session{T: t, Ctx: ctx, Base: base}
}

// Step runs browser actions, failing the test with where the browser was
// if they fail.
func (s *Session) Step(what string, actions ...chromedp.Action[chromedp.Void]) {
	s.T.Helper()
	if err := chromedp.Do(s.Ctx, actions...); err != nil {
		// Say where the browser was: a timeout alone does not.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(s.Ctx), 5*time.Second)
		defer cancel()
		url, _ := chromedp.Run(ctx, chromedp.Location())
		body, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
		s.T.Fatalf("%s: %v (at %s: %.600s)", what, err, url, body)
	}
}

// Text is the text of the first element sel matches.
func (s *Session) Text(sel string) string {
	s.T.Helper()
	got, err := chromedp.Run(s.Ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		s.T.Fatalf("text of %s: %v", sel, err)
	}
	return got
}

// Fits checks that nothing on the current page is wider than the screen.
func (s *Session) Fits(what string) {
	s.T.Helper()
	ok, err := chromedp.Run(s.Ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
	if err != nil || !ok {
		s.T.Errorf("%s is wider than the screen (%v)", what, err)
	}
}

// ZhHant switches the visitor to Traditional Chinese (the browser asks for
// English).
func (s *Session) ZhHant() {
	s.Step("zh-Hant", chromedp.Navigate(s.Base+"/"), chromedp.SetValue(chromedp.ID("lang-select"), "zh-Hant"),
		chromedp.Click(chromedp.CSS(".lang button")), chromedp.WaitVisible(chromedp.CSS(`html[lang="zh-Hant"]`)))
}

// Login signs who in through the form.
func (s *Session) Login(who string) {
	s.Step("log in "+who, chromedp.Navigate(s.Base+"/login"), chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login"), who), chromedp.SendKeys(chromedp.ID("password"), Password),
		chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitVisible(chromedp.ID("welcome")))
}

// Logout signs out.
func (s *Session) Logout() {
	s.Step("log out", chromedp.WaitVisible(chromedp.ID("logout")), chromedp.Click(chromedp.ID("logout")),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/login"]`)))
}

// Screenshot saves a PNG to $SCREENSHOT_DIR, for looking at pages by eye.
// A relative directory is taken from the module's root (each package's
// tests run in the package's own directory), so every area's screenshots
// land in one place.
func Screenshot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("SCREENSHOT_DIR")
	if dir == "" {
		return
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(moduleRoot(), dir)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err == nil {
		err = os.MkdirAll(dir, 0o755)
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	}
	if err != nil {
		t.Log(err)
	}
}

// moduleRoot is the nearest directory up from the working directory that
// holds go.mod (the working directory itself if none does).
func moduleRoot() string {
	wd, _ := os.Getwd()
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		if filepath.Dir(dir) == dir {
			return wd
		}
	}
}
