package privacy

import (
	"bytes"
	"onestop/portal/web"
	"onestop/services/core"

	"github.com/gofiber/fiber/v2"
)

// sendExport answers the caller's data as a ZIP (rights.Export): one JSON
// file per area, the documents they gave, and a summary in their language.
func (a *Handlers) sendExport(c *fiber.Ctx) error {
	ex, err := a.rights.Export(c.UserContext(), web.Principal(c).Actor(web.Meta(c)))
	if err != nil {
		return err
	}
	l := web.Lang(c)
	var buf bytes.Buffer
	if err := ex.WriteZIP(&buf, l, func(key string, args ...any) string { return a.I18n.T(l, key, args...) }); err != nil {
		return core.Wrap(err, "write export")
	}
	c.Set(fiber.HeaderContentType, "application/zip")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="my-data.zip"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(buf.Bytes())
}
