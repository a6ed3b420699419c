package portal_test

import (
	"net/http"
	"net/url"
	basesweb "onestop/portal/bases"
	"onestop/portal/web"
	"strings"
	"testing"
	"time"
	"unicode"

	"onestop/portal/portaltest"
)

// hostileRedirects are redirect targets a form or a query may carry: each
// must either be refused (the page's own way back is used) or stay a path
// on this site, and none may break out of the Location header.
var hostileRedirects = []string{
	// Header injection: raw line breaks (a form sends them as %0D%0A), one
	// of them alone, NEL, and the encoded text itself (harmless as a path).
	"\r\nSet-Cookie: pwned=1", "/manage\r\nSet-Cookie: pwned=1", "/applications\r\nSet-Cookie: pwned=1",
	"/manage\nSet-Cookie: pwned=1", "/manage\rSet-Cookie: pwned=1", "/\r\n\r\n<script>alert(1)</script>",
	"/manage\u0085Set-Cookie: pwned=1", "/manage%0d%0aSet-Cookie:%20pwned=1", "%0d%0aSet-Cookie:pwned=1",
	"/manage\x00", "/manage\x7f",
	// Another site, however a browser reads it.
	"//evil.example", "/\\evil.example", "\\\\evil.example", "/\t/evil.example", "/\n/evil.example", "https://evil.example/manage",
	"http:/manage", "javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>", " /manage",
	"/manage@evil.example", strings.Repeat("/manage", 1000),
}

// checkRedirect fails unless resp is a redirect to fallback, or to sent
// itself when sent is a harmless local path, with no header smuggled in.
func checkRedirect(t *testing.T, what string, resp *http.Response, sent, fallback string) {
	t.Helper()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("%s %.60q: %d, want a redirect", what, sent, resp.StatusCode)
		return
	}
	for _, c := range resp.Header.Values("Set-Cookie") {
		if strings.Contains(c, "pwned") {
			t.Errorf("%s %.60q: an injected cookie %q", what, sent, c)
		}
	}
	if strings.ContainsFunc(loc, unicode.IsControl) || !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, `/\`) {
		t.Errorf("%s %.60q: Location %q leaves the site", what, sent, loc)
	}
	if loc != fallback && (loc != sent || web.LocalPath(sent, "") != sent) {
		t.Errorf("%s %.60q: Location %q, want %q", what, sent, loc, fallback)
	}
}

// TestHostileRedirects sends the redirect corpus in every field that
// chooses where a response leads: the application steps' back (applicant
// and manager), the language switch's and sign-in's next, and the address
// a guest is sent back to after signing in.
func TestHostileRedirects(t *testing.T) {
	t.Parallel()
	w := portaltest.NewBaseWorld(t)
	tp := w.Portal
	resp, body := tp.Do("POST", "/api/v1/applications", map[string]any{"choices": []string{w.BaseA}, "venture": "軟件外包工作室，三人團隊"}, w.E1)
	if resp.StatusCode != 201 {
		t.Fatalf("apply: %d %s", resp.StatusCode, body)
	}
	app := portaltest.Decode[web.ListResponse[basesweb.APIApplication]](t, body).Items[0].ID
	applicant, appCSRF := tp.SignedIn(t, "e1@test.cn")
	manager, mgrCSRF := tp.SignedIn(t, "mgra@test.cn")
	count := 0
	for _, s := range hostileRedirects {
		// The steps redirect whether they succeed or are refused.
		for _, step := range []string{"accept", "decline", "waitlist", "move-out"} {
			resp, _ := manager.Post("/manage/applications/"+app+"/"+step, url.Values{"back": {s}, "reason": {"other"}}, mgrCSRF)
			checkRedirect(t, "manager "+step, resp, s, "/manage")
			count++
		}
		for _, step := range []string{"withdraw", "accept-offer", "decline-offer"} {
			resp, _ := applicant.Post("/applications/"+app+"/"+step, url.Values{"back": {s}}, appCSRF)
			checkRedirect(t, "applicant "+step, resp, s, "/applications")
			count++
		}
		resp, _ := applicant.Post("/lang", url.Values{"lang": {"zh-Hant"}, "next": {s}}, appCSRF)
		checkRedirect(t, "language", resp, s, "/")
		guest := tp.Browser()
		_, doc := guest.Get("/login")
		resp, _ = guest.Post("/lang", url.Values{"lang": {"zh-Hant"}, "next": {s}}, portaltest.CSRF(doc))
		checkRedirect(t, "guest language", resp, s, "/")
		resp, _ = applicant.Get("/login?next=" + url.QueryEscape(s))
		checkRedirect(t, "signed-in login page", resp, s, "/")
		// A guest asking for a page is sent to sign in, and back after.
		resp, _ = tp.Browser().Get("/applications?x=" + url.QueryEscape(s))
		loc := resp.Header.Get("Location")
		u, err := url.Parse(loc)
		if resp.StatusCode != http.StatusSeeOther || err != nil || u.Path != "/login" {
			t.Errorf("guest %.60q: %d %q", s, resp.StatusCode, loc)
			continue
		}
		checkRedirect(t, "sign-in link", resp, s, loc)
		if next := u.Query().Get("next"); web.LocalPath(next, "") != next || (next != "/" && !strings.HasPrefix(next, "/applications")) {
			t.Errorf("guest %.60q: sign-in leads back to %q", s, next)
		}
		count += 4
	}
	// Sign-in itself, spaced out so no sign-in limit is reached (last: the
	// sessions above would be refreshed as the clock moves).
	for _, s := range hostileRedirects {
		tp.Advance(time.Minute)
		guest := tp.Browser()
		_, doc := guest.Get("/login")
		resp, _ := guest.Post("/login", url.Values{"login": {"e2@test.cn"}, "password": {portaltest.Password}, "next": {s}}, portaltest.CSRF(doc))
		checkRedirect(t, "sign-in", resp, s, "/")
		count++
	}
	t.Logf("%d hostile redirect targets, none left the site", count)
}
