package audit

import (
	"onestop/portal/i18n"
	"onestop/portal/web"
	"onestop/services/audit"
	"strings"

	"github.com/gofiber/fiber/v2"
)

func (a *Handlers) adminAuditPage(c *fiber.Ctx) error {
	q := auditQuery(c)
	res, p, err := a.audit.Search(c.UserContext(), q)
	if err != nil {
		return err
	}
	lang := web.Lang(c)
	labels := map[string]string{}
	for _, h := range res.Hits {
		code := h.String("action")
		labels[code] = a.actionLabel(lang, code)
	}
	return a.Render(c, "pages/admin_audit", fiber.Map{
		"Title": "admin.audit.title", "Hits": res.Hits, "Total": res.Total, "Query": q, "Pager": web.NewPager(c, p, res.Total),
		"Labels": labels, "Actions": a.actions(lang),
	})
}

// actionPrefix begins the catalog keys that label audit actions
// ("audit.action.user.role_change": 「變更角色」); a test keeps one for every
// action the code records.
const actionPrefix = "audit.action."

// actionLabel names an action in lang; one recorded by an older version
// and no longer labelled shows as its code.
func (a *Handlers) actionLabel(lang, code string) string {
	if !a.I18n.Has(lang, actionPrefix+code) {
		return code
	}
	return a.I18n.T(lang, actionPrefix+code)
}

// auditAction is a choice of the action filter.
type auditAction struct{ Code, Label string }

// actions are the labelled actions, by code (so an area's stay together).
func (a *Handlers) actions(lang string) []auditAction {
	var out []auditAction
	for _, k := range a.I18n.Keys(i18n.Default) {
		if code, ok := strings.CutPrefix(k, actionPrefix); ok {
			out = append(out, auditAction{code, a.I18n.T(lang, k)})
		}
	}
	return out
}

func auditQuery(c *fiber.Ctx) audit.Query {
	return audit.Query{Text: c.Query("q"), Action: c.Query("action"), Result: c.Query("result"), Page: web.PageOf(c)}
}
