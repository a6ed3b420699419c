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
	"onestop/portal/web"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"onestop/services/core"
	"onestop/services/hotline"
	"onestop/services/people"
)

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
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	found, err := a.hotline.Find(c.UserContext(), web.Principal(c), in.Q)
	if err != nil {
		return err
	}
	return c.JSON(foundResponse{Items: found})
}

func (a *App) apiPeopleSearch(c *fiber.Ctx) error {
	var in peopleSearchRequest
	if err := web.DecodeJSON(c, &in); err != nil {
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
	return a.renderPeople(c, q, func(p core.Page, total int) web.Pager { return a.postedPager("/staff/people", q, p, total) })
}

// postedPager pages a posted search through the GET list: its links carry
// q only when it is no number; a number's results are at most one person,
// and a larger result is not paged.
func (a *App) postedPager(path string, q people.ListQuery, p core.Page, total int) web.Pager {
	pg := web.Pager{Number: p.Number, Pages: p.Pages(total), Total: total}
	if web.SensitiveQuery(q.Text, a.Clock.Now()) {
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
		v.Set("page", strconv.Itoa(n))
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
