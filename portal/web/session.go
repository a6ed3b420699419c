package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"onestop/services/accounts"
	"onestop/services/core"
)

// Cookie names; under TLS they carry the __Host- prefix, which browsers
// accept only for Secure, host-only, path=/ cookies (ASVS v5.0.0-3.3.2).
func (a *Kit) CookieName(base string) string {
	if a.secure {
		return "__Host-" + base
	}
	return base
}

// SetCookie sets an HttpOnly, same-site cookie; maxAge < 0 removes it, 0 lasts the session.
func (a *Kit) SetCookie(c *fiber.Ctx, name, value string, maxAge time.Duration) {
	ck := &fiber.Cookie{Name: a.CookieName(name), Value: value, Path: "/", HTTPOnly: true,
		Secure: a.secure, SameSite: fiber.CookieSameSiteLaxMode}
	if maxAge < 0 {
		ck.Expires = time.Unix(1, 0)
		ck.MaxAge = -1
	} else if maxAge > 0 {
		ck.MaxAge = int(maxAge.Seconds())
	}
	c.Cookie(ck)
}

// SetSession starts a web session with tokens just issued.
func (a *Kit) SetSession(c *fiber.Ctx, t *accounts.Tokens) {
	a.SetCookie(c, "session", t.Access, t.RefreshTTL)
	a.SetCookie(c, "refresh", t.Refresh, t.RefreshTTL)
	c.Locals(localPrincipal, accounts.Principal{ID: t.User.ID, Role: t.User.Role, Name: t.User.Name})
	a.rotateCSRF(c)
}

// ClearSession ends the web session.
func (a *Kit) ClearSession(c *fiber.Ctx) {
	a.SetCookie(c, "session", "", -1)
	a.SetCookie(c, "refresh", "", -1)
	c.Locals(localPrincipal, accounts.Principal{})
	a.rotateCSRF(c)
}

// Authenticate finds out who is calling. The API takes a Bearer token only;
// the web takes the session cookie only, and quietly renews an expired
// access token with the refresh cookie. An invalid API token is a 401 at
// once; an invalid web cookie just means "guest".
func (a *Kit) Authenticate(c *fiber.Ctx) error {
	ctx := c.UserContext()
	if strings.HasPrefix(c.Path(), "/static/") {
		return c.Next()
	}
	if IsAPI(c) {
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
	if tok := c.Cookies(a.CookieName("session")); tok != "" {
		p, err := a.accounts.Authenticate(ctx, tok)
		if err == nil {
			c.Locals(localPrincipal, p)
			return c.Next()
		}
		if !core.IsCode(err, core.Unauthenticated) {
			return err // the database did not answer: not a reason to sign out
		}
	}
	if rt := c.Cookies(a.CookieName("refresh")); rt != "" {
		// A failed refresh leaves the cookies alone: when two requests race
		// with one refresh token, the loser must not sign the winner out.
		if t, err := a.accounts.Refresh(ctx, rt, Meta(c)); err == nil {
			a.SetSession(c, t)
		}
	}
	return c.Next()
}

// CSRF: a signed double-submit token. A random seed lives in an HttpOnly
// cookie; forms carry HMAC(key, seed). A cross-site page can neither read
// the seed nor compute the token. The seed exists before sign-in, so the
// login form is protected too, and it is replaced at sign-in and sign-out.
// CSRFToken is the token a form of the session with this seed carries.
func (a *Kit) CSRFToken(seed string) string {
	m := hmac.New(sha256.New, a.csrfKey)
	m.Write([]byte(seed))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (a *Kit) rotateCSRF(c *fiber.Ctx) {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	seed := base64.RawURLEncoding.EncodeToString(b)
	a.SetCookie(c, "csrf", seed, 0)
	c.Locals(localCSRF, a.CSRFToken(seed))
}

// CSRFRefusals is how many requests this process refused for a missing or
// wrong CSRF token, or another origin, since it started.
func (a *Kit) CSRFRefusals() int64 { return a.csrfRefused.Load() }

// CheckCSRF refuses a web form post without the signed token of its session.
func (a *Kit) CheckCSRF(c *fiber.Ctx) error {
	if IsAPI(c) {
		return c.Next() // bearer tokens are not sent by browsers on their own
	}
	seed := c.Cookies(a.CookieName("csrf"))
	if _, rotated := c.Locals(localCSRF).(string); rotated {
		// authenticate renewed the session and gave it a new seed: the
		// page must carry the new seed's token, or its form fails once
		// the browser holds the new cookie. This request is still checked
		// against the seed it came with.
	} else if seed == "" {
		a.rotateCSRF(c)
	} else {
		c.Locals(localCSRF, a.CSRFToken(seed))
	}
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	sent := c.FormValue("_csrf")
	if sent == "" {
		sent = c.Get("X-CSRF-Token")
	}
	sent, nonce := splitToken(sent)
	c.Locals(localNonce, nonce)
	if seed == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(a.CSRFToken(seed))) != 1 || !a.sameOrigin(c) {
		a.csrfRefused.Add(1)
		a.audit.Record(c.UserContext(), Principal(c).Actor(Meta(c)), "authz_fail", "denied", c.Path(), "csrf")
		return core.Errorf(core.Forbidden, "error.csrf")
	}
	return c.Next()
}

// sameOrigin refuses a request whose Origin (or, without it, Referer) names
// another site.
func (a *Kit) sameOrigin(c *fiber.Ctx) bool {
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
	pub, _ := url.Parse(a.publicURL)
	return strings.EqualFold(u.Host, pub.Host) || strings.EqualFold(u.Host, string(c.Request().Host()))
}
