package web

import (
	"errors"
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

// Render renders a page in the request's language inside the base layout;
// data["Title"] is the catalog key of the page's title.
func (a *Kit) Render(c *fiber.Ctx, name string, data fiber.Map) error {
	title, _ := data["Title"].(string)
	flash, _ := url.QueryUnescape(c.Cookies("flash"))
	if flash != "" {
		// Expire it at the path it was set on: ClearCookie would use the
		// page's own path and leave the message showing on deeper pages.
		c.Cookie(&fiber.Cookie{Name: "flash", Path: "/", HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, MaxAge: -1, Expires: time.Unix(0, 0)})
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	csrf, _ := c.Locals(localCSRF).(string)
	me := Principal(c)
	unread := 0
	if !me.Guest() {
		// A failing count only hides the number; the page still renders.
		unread, _ = a.notify.Unread(c.UserContext(), me.ID)
	}
	return c.Render(name, page{Lang: Lang(c), Title: title, User: me, CSRF: formToken(csrf),
		Path: c.Path(), Flash: flash, Languages: i18n.Languages, Unread: unread, Data: data})
}

// RenderPartial renders a fragment without the layout (the results the
// search-as-you-type script swaps in).
func (a *Kit) RenderPartial(c *fiber.Ctx, name string, data fiber.Map) error {
	return c.Render(name, page{Lang: Lang(c), Path: c.Path(), Data: data}, "")
}

// Flash leaves a one-line message (a catalog key) for the next page.
func Flash(c *fiber.Ctx, key string) {
	c.Locals(localFlash, key)
	// Escaped: a message with its values (core.Msg) holds "|" and ",".
	c.Cookie(&fiber.Cookie{Name: "flash", Value: url.QueryEscape(key), Path: "/", HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, MaxAge: 60})
}

// TemplateFuncs are the pages' functions, added once at start-up.
func (a *Kit) TemplateFuncs() template.FuncMap {
	return template.FuncMap{
		"t": func(lang, key string, args ...any) string { return a.I18n.T(lang, key, args...) },
		// ref labels a code of a reference list (district, industry …) in
		// lang; the lists are data (services/reference), not catalog keys.
		"ref":   func(lang, kind, code string) string { return a.Lists.Label(reference.Kind(kind), code, lang) },
		"asset": func(name string) string { return a.assets.URL(name) },
		// isError tells a refusal's message from a confirmation, so it is
		// not shown in a success's green (FlashRefusal flashes error keys).
		"isError": func(key string) bool { return strings.HasPrefix(key, "error.") },
		"date": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(core.CST).Format("2006-01-02 15:04")
		},
		// due shows a deadline as a date in China, never a clock time (a
		// limit ends at the close of its last working day), with the limit
		// in working days when the record has one (those made when limits
		// were calendar days have none).
		"due": func(lang string, t time.Time, workdays int) template.HTML {
			if t.IsZero() {
				return "—"
			}
			d := t.In(core.CST).Format(time.DateOnly)
			out := `<time datetime="` + d + `">` + d + `</time>`
			if workdays > 0 {
				out += template.HTMLEscapeString(a.I18n.T(lang, "workdays.within", workdays))
			}
			return template.HTML(out) //nolint:gosec // a formatted date and an escaped catalog string
		},
		// unsetYears are the years time limits reach whose holidays no
		// administrator has set (services/workdays): they count Monday to
		// Friday until then, and staff pages say so.
		"unsetYears":     func() []int { return a.Calendar.Unset(a.Clock.Now()) },
		"has":            func(m map[string]string, k string) bool { _, ok := m[k]; return ok },
		"add":            func(a, b int) int { return a + b },
		"role":           func(r any) string { return "role." + ToString(r) },
		"str":            ToString,
		"isAdmin":        func(p accounts.Principal) bool { return p.Role == accounts.Admin },
		"isStaff":        func(p accounts.Principal) bool { return p.Role.Staff() },
		"isReviewer":     func(p accounts.Principal) bool { return p.Role == accounts.Mentor || p.Role == accounts.Admin },
		"isManager":      func(p accounts.Principal) bool { return p.Role == accounts.IncubatorManager },
		"isMentor":       func(p accounts.Principal) bool { return p.Role == accounts.Mentor },
		"isProvider":     func(p accounts.Principal) bool { return p.Role == accounts.Provider },
		"isBank":         func(p accounts.Principal) bool { return p.Role == accounts.BankOfficer },
		"linkPath":       func(kind, id string) string { return LinkPath(hotline.Link{Kind: kind, ID: id}) },
		"isEntrepreneur": func(p accounts.Principal) bool { return p.Role == accounts.Entrepreneur },
		"menu":           MenuFor,
		"val":            func(m fiber.Map, k string) string { return ToString(m[k]) },
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
		// noneOf: a list answered "none of these" ([]), not left unknown (nil).
		"noneOf": func(list []string) bool { return list != nil && len(list) == 0 },
		"shows":  func(m map[string]bool, k string) bool { return m == nil || m[k] },
		// marked: k is in the set (none is, when there is none: a dict
		// entry left empty reaches a template as a nil interface).
		"marked": func(m any, k string) bool { s, _ := m.(map[string]bool); return s[k] },
		"join":   strings.Join,
		// hl marks a search engine's highlight as HTML: the engines build it
		// from escaped text and <mark> only (search.markRanges).
		"hl": func(s string) template.HTML { return template.HTML(s) }, //nolint:gosec // see search/highlight.go
		// zh shows content people wrote in the reader's script (i18n.Content);
		// never for names of people, nor for a form's values.
		"zh": i18n.Content,
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
				m[ToString(kv[i])] = kv[i+1]
			}
			return m
		},
	}
}

// ToString is the text of a template value (strings, roles, numbers).
func ToString(v any) string {
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

// SortedKeys are a map's keys in order.
func SortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// FlashRefusal shows a refused step (bad input, or a change someone made
// first) as a one-line message on the page the form returns to; other
// errors are left to the error handler.
func FlashRefusal(c *fiber.Ctx, err error) bool {
	var ce *core.Error
	if !errors.As(err, &ce) || (ce.Code != core.Invalid && ce.Code != core.Conflict) {
		return false
	}
	msg := ce.Message
	if keys := SortedKeys(ce.Fields); len(keys) > 0 {
		msg = ce.Fields[keys[0]]
	}
	Flash(c, msg)
	return true
}

// LinkPath is the page of a record a hotline call was turned into.
func LinkPath(l hotline.Link) string {
	switch l.Kind {
	case "consultation":
		return "/consultations/" + l.ID
	case "service":
		return "/services/" + l.ID
	case "complaint":
		return "/complaints/" + l.ID
	case "case":
		return "/cases/" + l.ID
	case "eligibility":
		return "/staff/people/" + l.ID
	case "training":
		return "/training/" + l.ID
	}
	return "/"
}
