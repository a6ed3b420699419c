package notify

import (
	"onestop/portal/web"
	"onestop/services/core"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
)

func (a *Handlers) notificationsPage(c *fiber.Ctx) error {
	list, total, p, err := a.notifications(c)
	if err != nil {
		return err
	}
	// Seeing the list reads them, but a GET changes nothing: the page's
	// form (posted by its script at once, or by hand) marks read up to the
	// newest it shows, so one that came meanwhile stays unread.
	var upTo int64
	if p.Number == 1 && len(list) > 0 {
		upTo = list[0].At.UnixMilli()
	}
	return a.Render(c, "pages/notifications", fiber.Map{"Title": "notifications.title", "Items": list, "Pager": web.NewPager(c, p, total), "UpTo": upTo})
}

// notificationsRead marks read up to the newest notification the page
// showed (the form's upto, in Unix milliseconds), then shows the page again.
func (a *Handlers) notificationsRead(c *fiber.Ctx) error {
	ms, err := strconv.ParseInt(c.FormValue("upto"), 10, 64)
	if err != nil || ms <= 0 {
		return &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"upto": "error.invalid"}}
	}
	upTo := time.UnixMilli(ms)
	if now := a.Clock.Now(); upTo.After(now) {
		upTo = now
	}
	if err := a.notify.MarkSeen(c.UserContext(), web.Principal(c).ID, upTo); err != nil {
		return err
	}
	return c.Redirect("/notifications", fiber.StatusSeeOther)
}
