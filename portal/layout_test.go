package portal_test

import (
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"onestop/portal/portaltest"
	"onestop/services/accounts"
)

// visible is a script: whether the first element sel matches is rendered
// and can be seen (a link inside a closed menu cannot).
func visible(sel string) string {
	return `(() => { const e = document.querySelector(` + "`" + sel + "`" + `); return !!e && e.checkVisibility({visibilityProperty: true}) && e.getBoundingClientRect().width > 0 })()`
}

// shown waits until sel can be seen, hidden until it cannot. (chromedp's
// WaitVisible takes a link inside a closed <details> for visible: it has
// a box, only its content is skipped.)
func shown(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](visible(sel), chromedp.WithPollingTimeout(10*time.Second))
}

func hidden(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void]("!"+visible(sel), chromedp.WithPollingTimeout(10*time.Second))
}

// bottom is a script: the bottom edge of sel, in px from the top.
func bottom(sel string) string {
	return `document.querySelector(` + "`" + sel + "`" + `).getBoundingClientRect().bottom`
}

// TestLayoutPhoneBrowser: on a 375 px phone the header is a bar with a
// menu button, so every page's content starts near the top, and no page
// is wider than the screen; the menu opens and closes from the keyboard.
func TestLayoutPhoneBrowser(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	tp.Account(accounts.Entrepreneur, "e1@test.cn")
	s := portaltest.NewSession(t, tp, 120*time.Second)
	s.Step("phone screen", chromedp.EmulateViewport(375, 812))
	s.ZhHant()
	for _, path := range []string{"/", "/open-data", "/projects", "/check", "/login"} {
		s.Step(path, chromedp.Navigate(s.Base+path), chromedp.WaitVisible(chromedp.CSS("main h1")))
		if top, err := chromedp.Run(s.Ctx, chromedp.Evaluate[float64](`document.querySelector("main h1").getBoundingClientRect().top`)); err != nil || top > 120 {
			t.Errorf("%s: content starts %.0f px down a phone's screen (%v), want within 120", path, top, err)
		}
		if shown, _ := chromedp.Run(s.Ctx, chromedp.Evaluate[bool](visible(`.top nav a[href="/policies"]`))); shown {
			t.Errorf("%s: the menu's links show before the menu is opened", path)
		}
		s.Fits(path + " on a phone")
		portaltest.Screenshot(t, s.Ctx, "layout-phone"+strings.ReplaceAll(path, "/", "-"))
	}
	// The open data table scrolls inside its own region, which the keyboard
	// reaches, and says so.
	s.Step("open data", chromedp.Navigate(s.Base+"/open-data"), chromedp.WaitVisible(chromedp.ID("open-data")))
	region, err := chromedp.Run(s.Ctx, chromedp.Evaluate[bool](`(() => { const w = document.querySelector(".table-wrap"); return w.tabIndex === 0 && w.getAttribute("role") === "region" && w.scrollWidth > w.clientWidth && !!document.getElementById(w.getAttribute("aria-labelledby")) })()`))
	if err != nil || !region {
		t.Errorf("the open data table is not a labelled, focusable scrolling region (%v)", err)
	}
	// Keyboard: Tab to the menu button, Enter opens it, Escape closes it
	// and leaves the focus on the button.
	s.Step("home", chromedp.Navigate(s.Base+"/"), chromedp.WaitVisible(chromedp.ID("menu-button")),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("menu-button").focus()`), chromedp.KeyEvent("\r"),
		shown(`.top nav a[href="/policies"]`))
	portaltest.Screenshot(t, s.Ctx, "layout-phone-menu-open")
	s.Step("escape", chromedp.KeyEvent(kb.Escape), hidden(`.top nav a[href="/policies"]`))
	if focused, _ := chromedp.Run(s.Ctx, chromedp.Evaluate[string](`document.activeElement.id`)); focused != "menu-button" {
		t.Errorf("after Escape the focus is on %q, want the menu button", focused)
	}
	// The home page's cards are links: a tap anywhere on one follows it.
	s.Step("a card", chromedp.Click(chromedp.CSS(`.cards li:nth-child(2) p`)), chromedp.WaitVisible(chromedp.ID("q")))
	if url, _ := chromedp.Run(s.Ctx, chromedp.Location()); !strings.HasSuffix(url, "/projects") {
		t.Errorf("the project library card led to %s", url)
	}
	// English names are longer: the brand takes two lines, the content
	// still starts near the top.
	s.Step("English", chromedp.SetValue(chromedp.ID("lang-select"), "en"), chromedp.Click(chromedp.CSS(".lang button")),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] main h1`)))
	if top, err := chromedp.Run(s.Ctx, chromedp.Evaluate[float64](`document.querySelector("main h1").getBoundingClientRect().top`)); err != nil || top > 120 {
		t.Errorf("in English, content starts %.0f px down a phone's screen (%v)", top, err)
	}
	s.Fits("the project library in English on a phone")
	// Signed in, one tap on the menu shows every page of the role, 「更多」's
	// groups included.
	s.Login("e1@test.cn")
	if top, err := chromedp.Run(s.Ctx, chromedp.Evaluate[float64](`document.querySelector("main h1").getBoundingClientRect().top`)); err != nil || top > 120 {
		t.Errorf("signed in, content starts %.0f px down a phone's screen (%v)", top, err)
	}
	s.Step("the menu", chromedp.Click(chromedp.ID("menu-button")), shown(`.top nav a[href="/me/venture"]`))
	portaltest.Screenshot(t, s.Ctx, "layout-phone-entrepreneur-menu")
	s.Fits("the open menu")
}

// TestLayoutDesktopBrowser: at 1280 px the header is one row, even for an
// administrator (who has the most links): the role's main tasks in view,
// the rest under 「更多」; 「登出」 and the language switch line up.
func TestLayoutDesktopBrowser(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	tp.Account(accounts.Admin, "admin@test.cn")
	tp.Account(accounts.Entrepreneur, "e1@test.cn")
	s := portaltest.NewSession(t, tp, 120*time.Second)
	s.Step("wide screen", chromedp.EmulateViewport(1280, 800))
	s.ZhHant()
	oneRow := func(who string) {
		t.Helper()
		if h, err := chromedp.Run(s.Ctx, chromedp.Evaluate[float64](bottom(".top"))); err != nil || h > 64 {
			t.Errorf("%s: the header is %.0f px high (%v), want one row", who, h, err)
		}
		s.Fits(who + " at 1280 px")
	}
	s.Step("guest home", chromedp.Navigate(s.Base+"/"), shown(`.top nav a[href="/policies"]`))
	oneRow("a guest")
	if shown, _ := chromedp.Run(s.Ctx, chromedp.Evaluate[bool](visible("#menu-button"))); shown {
		t.Error("a wide screen shows the phone's menu button")
	}
	// The keyboard reaches the menu's links (shown by CSS inside a closed
	// <details>): after the skip link and the brand, the first link.
	s.Step("keyboard", chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`),
		chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Tab))
	if href, _ := chromedp.Run(s.Ctx, chromedp.Evaluate[string](`document.activeElement.getAttribute("href") || document.activeElement.tagName`)); href != "/policies" {
		t.Errorf("the third Tab stops at %q, want the first link of the menu", href)
	}
	for _, who := range []string{"e1@test.cn", "admin@test.cn"} {
		s.Login(who)
		oneRow(who)
		// 「登出」 and 「切換」 sit on the same line.
		mid := func(sel string) float64 {
			y, err := chromedp.Run(s.Ctx, chromedp.Evaluate[float64](`(() => { const r = document.querySelector("`+sel+`").getBoundingClientRect(); return r.top + r.height / 2 })()`))
			if err != nil {
				t.Fatal(err)
			}
			return y
		}
		if a, b := mid("#logout"), mid(".lang button"); a-b > 2 || b-a > 2 {
			t.Errorf("%s: 登出 is centred at %.1f px, 切換 at %.1f px", who, a, b)
		}
		portaltest.Screenshot(t, s.Ctx, "layout-desktop-"+strings.Split(who, "@")[0])
		s.Logout()
	}
	// The administrator's other pages are one click away, and the menu says
	// which one is open. (In English too the header keeps to one row.)
	s.Login("admin@test.cn")
	s.Step("English", chromedp.SetValue(chromedp.ID("lang-select"), "en"), chromedp.Click(chromedp.CSS(".lang button")),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="en"]`)))
	oneRow("the administrator in English")
	portaltest.Screenshot(t, s.Ctx, "layout-desktop-admin-en")
	s.Step("audit", chromedp.Navigate(s.Base+"/admin/audit"), chromedp.WaitVisible(chromedp.ID("more-button")))
	if shown, _ := chromedp.Run(s.Ctx, chromedp.Evaluate[bool](visible(`.more-panel a[href="/admin/audit"]`))); shown {
		t.Error("「更多」 is open before it is pressed")
	}
	s.Step("more", chromedp.Click(chromedp.ID("more-button")), shown(`.more-panel a[href="/admin/audit"][aria-current="page"]`))
	portaltest.Screenshot(t, s.Ctx, "layout-desktop-more")
	oneRow("the administrator with 「更多」 open")
	s.Step("elsewhere", chromedp.Click(chromedp.CSS("footer p")), hidden(`.more-panel a[href="/admin/audit"]`))
}

// TestLayoutMenus: each role's menu holds the pages it had before it was
// grouped, the current page is marked for screen readers, and the home
// page's cards each lead somewhere that role may go.
func TestLayoutMenus(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	want := map[accounts.Role][]string{
		accounts.Entrepreneur: {"/supports", "/profile", "/services", "/applications", "/consultations", "/me/training", "/loans", "/me/venture",
			"/complaints", "/notifications", "/me/projects", "/account", "/policies", "/projects", "/bases", "/mentors", "/training"},
		accounts.Mentor:           {"/consultations", "/cases", "/mentor/profile", "/mentor/figures", "/reviews", "/check"},
		accounts.Hotline:          {"/hotline", "/hotline/cases", "/complaints", "/staff/services", "/staff/people", "/consultations", "/loans", "/check"},
		accounts.CaseOfficer:      {"/staff/people", "/me/projects", "/account", "/check"},
		accounts.IncubatorManager: {"/manage", "/manage/figures", "/me/projects"},
		accounts.Provider:         {"/provider"},
		accounts.BankOfficer:      {"/loans"},
		accounts.Admin: {"/admin/mentors", "/admin/figures", "/admin/banks", "/admin/training", "/admin/bases", "/admin/intakes", "/admin/projects",
			"/admin/policies", "/admin/reference", "/admin/users", "/admin/audit", "/reviews", "/hotline", "/staff/people", "/loans"},
	}
	for role, links := range want {
		login := string(role) + "@test.cn"
		tp.Account(role, login)
		b, _ := tp.SignedIn(t, login)
		pages := []string{"/", links[0]}
		if role == accounts.BankOfficer || role == accounts.Provider {
			pages = pages[:1] // their desks need a bank or a listing first
		}
		for _, path := range pages {
			resp, doc := b.Get(path)
			if resp.StatusCode != 200 {
				t.Fatalf("%s %s: %d", role, path, resp.StatusCode)
			}
			for _, href := range links {
				if doc.Find(`header a[href="`+href+`"]`).Length() == 0 {
					t.Errorf("%s: no link to %s in the menu", role, href)
				}
			}
			if n := doc.Find(`header nav .main-links a`).Length(); n > 4 {
				t.Errorf("%s: %d links in view, want at most 4 beside 「更多」", role, n)
			}
			current := doc.Find(`header [aria-current="page"]`)
			if current.Length() != 1 || current.AttrOr("href", "") != path {
				t.Errorf("%s on %s: aria-current on %d links (%s)", role, path, current.Length(), current.AttrOr("href", ""))
			}
		}
		// The cards lead where this role may go (a guest is asked to sign in).
		_, doc := b.Get("/")
		cards := doc.Find(".cards li")
		cards.Each(func(_ int, li *goquery.Selection) {
			a := li.Find("h3 a")
			if a.Length() == 0 {
				if role == accounts.Entrepreneur || role.Staff() {
					t.Errorf("%s: the card %q is not a link", role, li.Find("h3").Text())
				}
				return
			}
			href := a.AttrOr("href", "")
			if strings.HasPrefix(href, "tel:") {
				return
			}
			if resp, _ := b.Get(href); resp.StatusCode != 200 {
				t.Errorf("%s: the card %q leads to %s, which answers %d", role, a.Text(), href, resp.StatusCode)
			}
		})
	}
	// A guest: every card is a link; the services ask to sign in first.
	_, doc := tp.Browser().Get("/")
	if n, links := doc.Find(".cards li").Length(), doc.Find(".cards li h3 a").Length(); n != 6 || links != n {
		t.Errorf("a guest sees %d cards, %d of them links", n, links)
	}
}
