package mentors

import (
	"onestop/portal/web"
	"onestop/services/mentors"

	"github.com/gofiber/fiber/v2"
)

// askFor files a consultation: hotline staff ask for a contact (the
// hotline names the caller), entrepreneurs for themselves.
func (a *Handlers) askFor(c *fiber.Ctx, q mentors.Question) (*mentors.Consultation, error) {
	if me := web.Principal(c); me.Role.Staff() {
		return a.hotline.Ask(c.UserContext(), me, q.ContactID, q, web.Meta(c))
	}
	return a.mentors.Ask(c.UserContext(), web.Principal(c), q, web.Meta(c))
}
