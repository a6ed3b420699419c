package portal

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"onestop/portal/i18n"
	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/hotline"
	"onestop/services/policy"
	"onestop/services/reference"
)

// Cookie names; under TLS they carry the __Host- prefix, which browsers
// accept only for Secure, host-only, path=/ cookies (ASVS v5.0.0-3.3.2).
func (a *App) cookieName(base string) string {
	if a.cfg.Secure() {
		return "__Host-" + base
	}
	return base
}

func (a *App) setCookie(c *fiber.Ctx, name, value string, maxAge time.Duration) {
	ck := &fiber.Cookie{Name: a.cookieName(name), Value: value, Path: "/", HTTPOnly: true,
		Secure: a.cfg.Secure(), SameSite: fiber.CookieSameSiteLaxMode}
	if maxAge < 0 {
		ck.Expires = time.Unix(1, 0)
		ck.MaxAge = -1
	} else if maxAge > 0 {
		ck.MaxAge = int(maxAge.Seconds())
	}
	c.Cookie(ck)
}

func (a *App) setSession(c *fiber.Ctx, t *accounts.Tokens) {
	a.setCookie(c, "session", t.Access, t.RefreshTTL)
	a.setCookie(c, "refresh", t.Refresh, t.RefreshTTL)
	c.Locals(localPrincipal, accounts.Principal{ID: t.User.ID, Role: t.User.Role, Name: t.User.Name})
	a.rotateCSRF(c)
}

func (a *App) clearSession(c *fiber.Ctx) {
	a.setCookie(c, "session", "", -1)
	a.setCookie(c, "refresh", "", -1)
	c.Locals(localPrincipal, accounts.Principal{})
	a.rotateCSRF(c)
}

// authenticate finds out who is calling. The API takes a Bearer token only;
// the web takes the session cookie only, and quietly renews an expired
// access token with the refresh cookie. An invalid API token is a 401 at
// once; an invalid web cookie just means "guest".
func (a *App) authenticate(c *fiber.Ctx) error {
	ctx := c.UserContext()
	if strings.HasPrefix(c.Path(), "/static/") {
		return c.Next()
	}
	if isAPI(c) {
		h := c.Get(fiber.HeaderAuthorization)
		if h == "" {
			return c.Next()
		}
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return core.Errorf(core.Unauthenticated, "error.unauthenticated")
		}
		p, err := a.accounts.Authenticate(ctx, strings.TrimSpace(tok))
		if err != nil {
			return err
		}
		c.Locals(localPrincipal, p)
		return c.Next()
	}
	if tok := c.Cookies(a.cookieName("session")); tok != "" {
		p, err := a.accounts.Authenticate(ctx, tok)
		if err == nil {
			c.Locals(localPrincipal, p)
			return c.Next()
		}
		if !core.IsCode(err, core.Unauthenticated) {
			return err // the database did not answer: not a reason to sign out
		}
	}
	if rt := c.Cookies(a.cookieName("refresh")); rt != "" {
		// A failed refresh leaves the cookies alone: when two requests race
		// with one refresh token, the loser must not sign the winner out.
		if t, err := a.accounts.Refresh(ctx, rt, meta(c)); err == nil {
			a.setSession(c, t)
		}
	}
	return c.Next()
}

// CSRF: a signed double-submit token. A random seed lives in an HttpOnly
// cookie; forms carry HMAC(key, seed). A cross-site page can neither read
// the seed nor compute the token. The seed exists before sign-in, so the
// login form is protected too, and it is replaced at sign-in and sign-out.
func (a *App) csrfToken(seed string) string {
	m := hmac.New(sha256.New, a.csrfKey)
	m.Write([]byte(seed))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (a *App) rotateCSRF(c *fiber.Ctx) {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	seed := base64.RawURLEncoding.EncodeToString(b)
	a.setCookie(c, "csrf", seed, 0)
	c.Locals(localCSRF, a.csrfToken(seed))
}

func (a *App) checkCSRF(c *fiber.Ctx) error {
	if isAPI(c) {
		return c.Next() // bearer tokens are not sent by browsers on their own
	}
	seed := c.Cookies(a.cookieName("csrf"))
	if _, rotated := c.Locals(localCSRF).(string); rotated {
		// authenticate renewed the session and gave it a new seed: the
		// page must carry the new seed's token, or its form fails once
		// the browser holds the new cookie. This request is still checked
		// against the seed it came with.
	} else if seed == "" {
		a.rotateCSRF(c)
	} else {
		c.Locals(localCSRF, a.csrfToken(seed))
	}
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	sent := c.FormValue("_csrf")
	if sent == "" {
		sent = c.Get("X-CSRF-Token")
	}
	if seed == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(a.csrfToken(seed))) != 1 || !a.sameOrigin(c) {
		a.audit.Record(c.UserContext(), principal(c).Actor(meta(c)), "authz_fail", "denied", c.Path(), "csrf")
		return core.Errorf(core.Forbidden, "error.csrf")
	}
	return c.Next()
}

// sameOrigin refuses a request whose Origin (or, without it, Referer) names
// another site.
func (a *App) sameOrigin(c *fiber.Ctx) bool {
	src := c.Get(fiber.HeaderOrigin)
	if src == "" || src == "null" {
		src = c.Get(fiber.HeaderReferer)
		if src == "" {
			return true // old browsers and privacy settings; the token still holds
		}
	}
	u, err := url.Parse(src)
	if err != nil {
		return false
	}
	pub, _ := url.Parse(a.cfg.PublicURL)
	return strings.EqualFold(u.Host, pub.Host) || strings.EqualFold(u.Host, string(c.Request().Host()))
}

// pickLanguage: the lang cookie, then Accept-Language, then zh-Hant.
func (a *App) pickLanguage(c *fiber.Ctx) string {
	if l := i18n.Supported(c.Cookies("lang")); l != "" {
		return l
	}
	return i18n.Match(c.Get(fiber.HeaderAcceptLanguage))
}

// page is what every template gets.
type page struct {
	Lang      string
	Title     string
	User      accounts.Principal
	CSRF      string
	Path      string
	Flash     string
	Languages []string
	Unread    int // the bell: the user's unread notifications
	Data      fiber.Map
}

func (a *App) render(c *fiber.Ctx, name string, data fiber.Map) error {
	title, _ := data["Title"].(string)
	flash := c.Cookies("flash")
	if flash != "" {
		// Expire it at the path it was set on: ClearCookie would use the
		// page's own path and leave the message showing on deeper pages.
		c.Cookie(&fiber.Cookie{Name: "flash", Path: "/", HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, MaxAge: -1, Expires: time.Unix(0, 0)})
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	csrf, _ := c.Locals(localCSRF).(string)
	me := principal(c)
	unread := 0
	if !me.Guest() {
		// A failing count only hides the number; the page still renders.
		unread, _ = a.notify.Unread(c.UserContext(), me.ID)
	}
	return c.Render(name, page{Lang: lang(c), Title: title, User: me, CSRF: csrf,
		Path: c.Path(), Flash: flash, Languages: i18n.Languages, Unread: unread, Data: data})
}

// flash leaves a one-line message (a catalog key) for the next page.
func flash(c *fiber.Ctx, key string) {
	c.Cookie(&fiber.Cookie{Name: "flash", Value: key, Path: "/", HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, MaxAge: 60})
}

func (a *App) templateFuncs() template.FuncMap {
	return template.FuncMap{
		"t": func(lang, key string, args ...any) string { return a.i18n.T(lang, key, args...) },
		// ref labels a code of a reference list (district, industry …) in
		// lang; the lists are data (services/reference), not catalog keys.
		"ref":   func(lang, kind, code string) string { return a.reference.Label(reference.Kind(kind), code, lang) },
		"asset": func(name string) string { return a.assets.url(name) },
		"date": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(cst).Format("2006-01-02 15:04")
		},
		"has":            func(m map[string]string, k string) bool { _, ok := m[k]; return ok },
		"add":            func(a, b int) int { return a + b },
		"role":           func(r any) string { return "role." + toString(r) },
		"str":            toString,
		"isAdmin":        func(p accounts.Principal) bool { return p.Role == accounts.Admin },
		"isStaff":        func(p accounts.Principal) bool { return p.Role.Staff() },
		"isReviewer":     func(p accounts.Principal) bool { return p.Role == accounts.Mentor || p.Role == accounts.Admin },
		"isManager":      func(p accounts.Principal) bool { return p.Role == accounts.IncubatorManager },
		"isMentor":       func(p accounts.Principal) bool { return p.Role == accounts.Mentor },
		"isProvider":     func(p accounts.Principal) bool { return p.Role == accounts.Provider },
		"isBank":         func(p accounts.Principal) bool { return p.Role == accounts.BankOfficer },
		"linkPath":       func(kind, id string) string { return linkPath(hotline.Link{Kind: kind, ID: id}) },
		"isEntrepreneur": func(p accounts.Principal) bool { return p.Role == accounts.Entrepreneur },
		"val":            func(m fiber.Map, k string) string { return toString(m[k]) },
		"list":           func(s ...string) []string { return s },
		"tri": func(b *bool) string {
			if b == nil {
				return ""
			}
			if *b {
				return "yes"
			}
			return "no"
		},
		"numv": func(v any) string {
			switch n := v.(type) {
			case *int:
				if n != nil {
					return strconv.Itoa(*n)
				}
			case *float64:
				if n != nil {
					return strconv.FormatFloat(*n, 'f', -1, 64)
				}
			}
			return ""
		},
		"datev": func(d *core.Date) string {
			if d == nil {
				return ""
			}
			return d.String()
		},
		"vent": func(f policy.Facts) policy.Venture {
			if f.Venture == nil {
				return policy.Venture{}
			}
			return *f.Venture
		},
		"hasStr": func(list []string, s string) bool { return slices.Contains(list, s) },
		"shows":  func(m map[string]bool, k string) bool { return m == nil || m[k] },
		"join":   strings.Join,
		"hl":     safeHighlight,
		"money": func(n int64) string { // 1234567 → 1,234,567
			s := strconv.FormatInt(n, 10)
			for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
				s = s[:i] + "," + s[i:]
			}
			return s
		},
		"kib": func(n int64) string { // a file's size, as people read it
			if n < 1<<20 {
				return strconv.FormatInt((n+1023)>>10, 10) + " KB"
			}
			return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
		},
		"opencell": func(n *int64) string { // a published count, or the mark of a withheld one
			if n == nil {
				return "<5"
			}
			return strconv.FormatInt(*n, 10)
		},
		"openshare": func(f *float64) string {
			if f == nil {
				return "—"
			}
			return strconv.FormatFloat(*f, 'f', 1, 64) + "%"
		},
		"scorefmt": func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) },
		"yuan":     func(n int64) string { return strconv.FormatInt(n, 10) },
		"fen": func(n int64) string { // 123456 → 1,234.56
			s := strconv.FormatInt(n/100, 10)
			for i := len(s) - 3; i > 0; i -= 3 {
				s = s[:i] + "," + s[i:]
			}
			return s + "." + fmt.Sprintf("%02d", n%100)
		},
		"dict": func(kv ...any) map[string]any {
			m := make(map[string]any, len(kv)/2)
			for i := 0; i+1 < len(kv); i += 2 {
				m[toString(kv[i])] = kv[i+1]
			}
			return m
		},
	}
}

// cst is China Standard Time, in which the bureau works.
var cst = time.FixedZone("CST", 8*3600)

func toString(v any) string {
	switch s := v.(type) {
	case string:
		return s
	case accounts.Role:
		return string(s)
	case int:
		return strconv.Itoa(s)
	case int64:
		return strconv.FormatInt(s, 10)
	}
	return ""
}

func itoa(n int) string { return strconv.Itoa(n) }

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

func fmtSscan(s string, v *int) (int, error) { return fmt.Sscan(s, v) }

// flashRefusal shows a refused step (bad input, or a change someone made
// first) as a one-line message on the page the form returns to; other
// errors are left to the error handler.
func flashRefusal(c *fiber.Ctx, err error) bool {
	var ce *core.Error
	if !asCore(err, &ce) || (ce.Code != core.Invalid && ce.Code != core.Conflict) {
		return false
	}
	msg := ce.Message
	if keys := sortedKeys(ce.Fields); len(keys) > 0 {
		msg = ce.Fields[keys[0]]
	}
	flash(c, msg)
	return true
}
