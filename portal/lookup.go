package portal

// Look-ups by an ID number (身份證號) or a phone go by POST with the number
// in the body, never in a URL (OWASP ASVS 5.0 14.2.1): URLs end up in
// access logs, browser history, Referer headers and proxies. Each search
// staff may type such a number into keeps its GET for names, filters and
// paging, and has a POST twin that takes the same fields in the body:
//
//	GET /hotline?q=name              POST /hotline/find              form q
//	GET /staff/people?q=name         POST /staff/people/search       form q, district
//	GET /api/v1/hotline/find?q=name  POST /api/v1/hotline/find       {"q"}
//	GET /api/v1/staff/people?q=name  POST /api/v1/staff/people/search {"q","district","page","size"}
//
// A GET whose q looks like an ID number or a phone is refused before any
// look-up: 422 problem+json from the API, a message on the page. A POST
// renders its results in place; nothing redirects back to ?q=number.

import (
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"onestop/services/core"
	"onestop/services/hotline"
	"onestop/services/people"
	"onestop/services/pii"
)

// numberLike is the shortest run of digits refused in a URL: a landline
// without its area code; names and words never have so many.
const numberLike = 7

// sensitiveQuery reports whether q is, or looks like, an ID number or a
// phone: a valid one by the same checks the look-ups use, or a mistyped
// one (seven digits or more, an ID's final X allowed).
func sensitiveQuery(q string, now time.Time) bool {
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

// numberInURL is the API's answer to a GET carrying a number in q.
func numberInURL() error {
	return &core.Error{Code: core.Invalid, Message: "error.query.in_url", Fields: map[string]string{"q": "error.query.in_url"}}
}

// findRequest is the body of POST /api/v1/hotline/find.
type findRequest struct {
	Q string `json:"q"`
}

// peopleSearchRequest is the body of POST /api/v1/staff/people/search.
type peopleSearchRequest struct {
	Q        string `json:"q"`
	District string `json:"district,omitempty"`
	Page     int    `json:"page,omitempty"`
	Size     int    `json:"size,omitempty"`
}

func (a *App) apiFindPost(c *fiber.Ctx) error {
	var in findRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	found, err := a.hotline.Find(c.UserContext(), principal(c), in.Q)
	if err != nil {
		return err
	}
	return c.JSON(foundResponse{Items: found})
}

func (a *App) apiPeopleSearch(c *fiber.Ctx) error {
	var in peopleSearchRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	q := people.ListQuery{Text: in.Q, District: in.District, Page: core.Page{Number: in.Page, Size: in.Size}.Normalize()}
	return a.writePeople(c, q)
}

// hotlineFind is the console's search form, posted.
func (a *App) hotlineFind(c *fiber.Ctx) error {
	return a.renderConsole(c, strings.TrimSpace(c.FormValue("q")), hotline.NewContact{}, map[string]string{})
}

// peopleSearch is the people list's search form, posted: the first page of
// results, rendered in place.
func (a *App) peopleSearch(c *fiber.Ctx) error {
	q := people.ListQuery{Text: strings.TrimSpace(c.FormValue("q")), District: c.FormValue("district"), Page: core.Page{Number: 1}.Normalize()}
	return a.renderPeople(c, q, func(p core.Page, total int) pager { return a.postedPager("/staff/people", q, p, total) })
}

// postedPager pages a posted search through the GET list: its links carry
// q only when it is no number; a number's results are at most one person,
// and a larger result is not paged.
func (a *App) postedPager(path string, q people.ListQuery, p core.Page, total int) pager {
	pg := pager{Number: p.Number, Pages: p.Pages(total), Total: total}
	if sensitiveQuery(q.Text, a.clock.Now()) {
		pg.Pages = min(pg.Pages, 1)
		return pg
	}
	v := url.Values{}
	if q.Text != "" {
		v.Set("q", q.Text)
	}
	if q.District != "" {
		v.Set("district", q.District)
	}
	link := func(n int) string {
		v.Set("page", itoa(n))
		return path + "?" + v.Encode()
	}
	if p.Number > 1 {
		pg.Prev = link(p.Number - 1)
	}
	if p.Number < pg.Pages {
		pg.Next = link(p.Number + 1)
	}
	return pg
}
