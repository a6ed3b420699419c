package portal_test

import (
	"net/url"
	"strings"
	"testing"

	"onestop/portal/portaltest"
)

func TestWebCSRFAndOrigin(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	b := tp.Browser()
	_, doc := b.Get("/login")
	csrf := portaltest.CSRF(doc)
	form := url.Values{"login": {"a@b.cn"}, "password": {"whatever-123"}}
	// No token, a token from another session, and a foreign Origin.
	if resp, _ := b.Post("/login", url.Values{"login": {"a@b.cn"}, "password": {"x"}, "_csrf": {""}}, ""); resp.StatusCode != 403 {
		t.Errorf("no token: %d", resp.StatusCode)
	}
	other := tp.Browser()
	_, odoc := other.Get("/login")
	if resp, _ := b.Post("/login", form, portaltest.CSRF(odoc)); resp.StatusCode != 403 {
		t.Errorf("another session's token: %d", resp.StatusCode)
	}
	b.Header.Set("Origin", "https://evil.example")
	if resp, _ := b.Post("/login", url.Values{"login": {"a@b.cn"}, "password": {"x"}}, csrf); resp.StatusCode != 403 {
		t.Errorf("foreign origin: %d", resp.StatusCode)
	}
	b.Header.Del("Origin")
	if resp, _ := b.Post("/login", url.Values{"login": {"a@b.cn"}, "password": {"x"}}, csrf); resp.StatusCode != 401 {
		t.Errorf("valid token: %d", resp.StatusCode)
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	for _, path := range []string{"/", "/login", "/nope", "/api/v1/me", "/healthz"} {
		resp, _ := tp.Do("GET", path, nil, "")
		for h, want := range map[string]string{
			"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Cache-Control": "no-store",
		} {
			if resp.Header.Get(h) != want {
				t.Errorf("%s: %s = %q", path, h, resp.Header.Get(h))
			}
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		if resp.Header.Get("Server") != "" {
			t.Errorf("%s: Server header %q", path, resp.Header.Get("Server"))
		}
	}
	// Static files: hashed URL cached for a year, wrong hash 404.
	_, doc := tp.Browser().Get("/")
	href, _ := doc.Find(`link[rel="stylesheet"]`).Attr("href")
	resp, _ := tp.Do("GET", href, nil, "")
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") {
		t.Errorf("stylesheet %s: %d %v", href, resp.StatusCode, resp.Header)
	}
	for _, p := range []string{"/static/000000000000/css/app.css", strings.Replace(href, "css/app.css", "../../go.mod", 1), "/static/x/%2e%2e/%2e%2e/etc/passwd"} {
		if resp, _ := tp.Do("GET", p, nil, ""); resp.StatusCode != 404 {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
	}
}

// TestFavicon: browsers and tools ask for /favicon.ico whatever the page
// links; it answers with the icon, cached long, and pages link the icon by
// its hashed URL.
func TestFavicon(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	resp, body := tp.Browser().Raw("/favicon.ico")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/x-icon" || !strings.Contains(resp.Header.Get("Cache-Control"), "max-age=31536000") {
		t.Fatalf("/favicon.ico: %d %v", resp.StatusCode, resp.Header)
	}
	if len(body) < 6 || string(body[:4]) != "\x00\x00\x01\x00" { // an ICO header: reserved 0, type 1
		t.Errorf("/favicon.ico is not an icon: % x", body[:min(len(body), 8)])
	}
	_, doc := tp.Browser().Get("/")
	for _, sel := range []string{`link[rel="icon"][type="image/svg+xml"]`, `link[rel="icon"][sizes="32x32"]`} {
		href, ok := doc.Find(sel).Attr("href")
		if !ok {
			t.Errorf("no %s on the home page", sel)
			continue
		}
		if resp, _ := tp.Browser().Raw(href); resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "image/") {
			t.Errorf("%s: %d %q", href, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
}
