package web

import (
	"net/url"
	"strings"
	"unicode"
)

// maxRedirect bounds a redirect target taken from a request: a real page
// address is far shorter, and a Location header is not a place for a
// megabyte of someone else's text.
const maxRedirect = 2048

// LocalPath is the one gate for every redirect target that comes from a
// request (a form's next or back, the sign-in return address): it returns
// target when it is a path on this site, and fallback otherwise.
//
// A path is local when it starts with a single "/". "//evil.example" is
// another site to a browser, and so is "/\evil.example" (browsers read a
// backslash as a slash). No control character is accepted anywhere: CR and
// LF would end the Location header and start another (a Set-Cookie of the
// attacker's choosing), and browsers drop tabs and line breaks from a URL,
// so "/\t/evil.example" is "//evil.example". Starting with "/" rules out a
// scheme such as "javascript:"; the parse is a second look.
func LocalPath(target, fallback string) string {
	if len(target) > maxRedirect || !strings.HasPrefix(target, "/") ||
		strings.HasPrefix(target, "//") || strings.HasPrefix(target, `/\`) ||
		strings.ContainsFunc(target, unicode.IsControl) {
		return fallback
	}
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return fallback
	}
	return target
}

// SafeNext is where sign-in and the language switch lead back to: a local
// path, or the home page.
func SafeNext(next string) string { return LocalPath(next, "/") }

// LocalBack is a step form's way back: a local path under area (so a
// manager's form returns to the manager console, never elsewhere), or
// fallback.
func LocalBack(back, area, fallback string) string {
	p := LocalPath(back, "")
	if p == area || strings.HasPrefix(p, area+"/") || strings.HasPrefix(p, area+"?") || strings.HasPrefix(p, area+"#") {
		return p
	}
	return fallback
}
