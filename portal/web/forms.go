package web

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"onestop/services/core"
	"onestop/services/pii"
)

// PageOf is the page a list asks for (?page=, ?size=), within bounds.
func PageOf(c *fiber.Ctx) core.Page {
	return core.Page{Number: c.QueryInt("page", 1), Size: c.QueryInt("size", 20)}.Normalize()
}

// FormErrors returns the field errors of an Invalid error, or nil when err
// is some other failure that the error handler should show.
func FormErrors(err error) map[string]string {
	var ce *core.Error
	if core.IsCode(err, core.Invalid) && errors.As(err, &ce) {
		return ce.Fields
	}
	return nil
}

// Pager is the data of the pagination partial.
type Pager struct {
	Number, Pages, Total int
	Prev, Next           string
}

// NewPager links the pages of a GET list, keeping its query.
func NewPager(c *fiber.Ctx, p core.Page, total int) Pager {
	pg := Pager{Number: p.Number, Pages: p.Pages(total), Total: total}
	link := func(n int) string {
		args := c.Context().QueryArgs()
		q := make([]string, 0, 4)
		args.VisitAll(func(k, v []byte) {
			if string(k) != "page" {
				q = append(q, url.QueryEscape(string(k))+"="+url.QueryEscape(string(v)))
			}
		})
		q = append(q, "page="+strconv.Itoa(n))
		return c.Path() + "?" + strings.Join(q, "&")
	}
	if p.Number > 1 {
		pg.Prev = link(p.Number - 1)
	}
	if p.Number < pg.Pages {
		pg.Next = link(p.Number + 1)
	}
	return pg
}

// numberLike is the shortest run of digits refused in a URL: a landline
// without its area code; names and words never have so many.
const numberLike = 7

// SensitiveQuery reports whether q is, or looks like, an ID number or a
// phone: a valid one by the same checks the look-ups use, or a mistyped
// one (seven digits or more, an ID's final X allowed).
func SensitiveQuery(q string, now time.Time) bool {
	q = strings.TrimSpace(q)
	if q == "" {
		return false
	}
	if _, problem := pii.ParseID(q, now); problem == "" || pii.NormalizePhone(q) != "" {
		return true
	}
	digits := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '+' || r == '(' || r == ')' {
			return -1
		}
		return r
	}, q)
	digits = strings.TrimRight(digits, "Xx")
	if len(digits) < numberLike {
		return false
	}
	for _, r := range digits {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// CSVSafe keeps a cell from being read as a formula by a spreadsheet
// (CSV injection): a leading = + - @ or control character gets a quote.
func CSVSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
