package portaltest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// Browser is a tiny cookie-keeping client for in-process page tests (for
// a real browser, see Chromium).
type Browser struct {
	p       *Portal
	Cookies map[string]string // name → value, as the portal last set them
	Header  http.Header       // sent with every request
}

// Browser is a new client without cookies.
func (p *Portal) Browser() *Browser {
	return &Browser{p: p, Cookies: map[string]string{}, Header: http.Header{}}
}

// Send sends req with the client's cookies and headers, keeps the cookies
// the answer sets, and parses the answer as HTML.
func (b *Browser) Send(req *http.Request) (*http.Response, *goquery.Document) {
	b.p.T.Helper()
	for k, v := range b.Cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	for k, v := range b.Header {
		req.Header[k] = v
	}
	resp, err := b.p.App.HTTP().Test(req, -1)
	if err != nil {
		b.p.T.Fatal(err)
	}
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.Cookies, c.Name)
		} else {
			b.Cookies[c.Name] = c.Value
		}
	}
	raw, _ := io.ReadAll(resp.Body)
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(string(raw)))
	return resp, doc
}

// Get fetches a page.
func (b *Browser) Get(path string) (*http.Response, *goquery.Document) {
	return b.Send(httptest.NewRequest("GET", path, nil))
}

// Post submits a form, with the CSRF token of the last page unless the
// caller sets _csrf itself.
func (b *Browser) Post(path string, form url.Values, csrf string) (*http.Response, *goquery.Document) {
	if _, ok := form["_csrf"]; !ok {
		form.Set("_csrf", csrf)
	}
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.Send(req)
}

// CSRF is the CSRF token of a page's first form.
func CSRF(doc *goquery.Document) string {
	v, _ := doc.Find(`input[name="_csrf"]`).First().Attr("value")
	return v
}

// Raw GETs a path with the browser's cookies and returns the body as is.
func (b *Browser) Raw(path string) (*http.Response, []byte) {
	b.p.T.Helper()
	req := httptest.NewRequest("GET", path, nil)
	for k, v := range b.Cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := b.p.App.HTTP().Test(req, -1)
	if err != nil {
		b.p.T.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

// Register signs up on the web form and confirms with the code; it returns
// the answer to the confirmation.
func (b *Browser) Register(form url.Values) *http.Response {
	b.p.T.Helper()
	_, doc := b.Get("/register")
	resp, _ := b.Post("/register", form, CSRF(doc))
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/register/confirm" {
		b.p.T.Fatalf("register %v: %d -> %s", form, resp.StatusCode, resp.Header.Get("Location"))
	}
	_, doc = b.Get("/register/confirm")
	resp, _ = b.Post("/register/confirm", url.Values{"code": {b.p.Code(form.Get("login"))}}, CSRF(doc))
	return resp
}

// SignedIn signs email in through the form and returns a client with
// that session and a fresh CSRF token.
func (p *Portal) SignedIn(t testing.TB, email string) (*Browser, string) {
	t.Helper()
	b := p.Browser()
	_, doc := b.Get("/login")
	if resp, _ := b.Post("/login", url.Values{"login": {email}, "password": {Password}}, CSRF(doc)); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in %s: %d", email, resp.StatusCode)
	}
	_, doc = b.Get("/account")
	return b, CSRF(doc)
}
