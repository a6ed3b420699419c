package people

import (
	"net/url"
	"onestop/portal/web"
	"onestop/services/core"
	"onestop/services/people"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// peopleSearchRequest is the body of POST /api/v1/staff/people/search.
type peopleSearchRequest struct {
	Q        string `json:"q"`
	District string `json:"district,omitempty"`
	Page     int    `json:"page,omitempty"`
	Size     int    `json:"size,omitempty"`
}

func (a *Handlers) apiPeopleSearch(c *fiber.Ctx) error {
	var in peopleSearchRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	q := people.ListQuery{Text: in.Q, District: in.District, Page: core.Page{Number: in.Page, Size: in.Size}.Normalize()}
	return a.writePeople(c, q)
}

// peopleSearch is the people list's search form, posted: the first page of
// results, rendered in place.
func (a *Handlers) peopleSearch(c *fiber.Ctx) error {
	q := people.ListQuery{Text: strings.TrimSpace(c.FormValue("q")), District: c.FormValue("district"), Page: core.Page{Number: 1}.Normalize()}
	return a.renderPeople(c, q, func(p core.Page, total int) web.Pager { return a.postedPager("/staff/people", q, p, total) })
}

// postedPager pages a posted search through the GET list: its links carry
// q only when it is no number; a number's results are at most one person,
// and a larger result is not paged.
func (a *Handlers) postedPager(path string, q people.ListQuery, p core.Page, total int) web.Pager {
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
