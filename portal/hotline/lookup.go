package hotline

import (
	"onestop/portal/web"
	"onestop/services/hotline"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// findRequest is the body of POST /api/v1/hotline/find.
type findRequest struct {
	Q string `json:"q"`
}

func (a *Handlers) apiFindPost(c *fiber.Ctx) error {
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

// hotlineFind is the console's search form, posted.
func (a *Handlers) hotlineFind(c *fiber.Ctx) error {
	return a.renderConsole(c, strings.TrimSpace(c.FormValue("q")), hotline.NewContact{}, map[string]string{})
}
