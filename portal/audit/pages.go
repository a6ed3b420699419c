package audit

import (
	"onestop/portal/web"
	"onestop/services/audit"

	"github.com/gofiber/fiber/v2"
)

func (a *Handlers) adminAuditPage(c *fiber.Ctx) error {
	q := auditQuery(c)
	res, p, err := a.audit.Search(c.UserContext(), q)
	if err != nil {
		return err
	}
	return a.Render(c, "pages/admin_audit", fiber.Map{
		"Title": "admin.audit.title", "Hits": res.Hits, "Total": res.Total, "Query": q, "Pager": web.NewPager(c, p, res.Total),
	})
}

func auditQuery(c *fiber.Ctx) audit.Query {
	return audit.Query{Text: c.Query("q"), Action: c.Query("action"), Result: c.Query("result"), Page: web.PageOf(c)}
}
