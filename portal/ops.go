package portal

import (
	"github.com/gofiber/fiber/v2"
)

// healthz says the process is alive.
func (a *App) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

// readyz says whether to send traffic here: the database answers and the
// portal is not shutting down. A search engine that is down degrades lists
// and is reported, but does not take the portal out of service.
func (a *App) readyz(c *fiber.Ctx) error {
	st, ok := a.readiness(c.UserContext())
	if !ok {
		c.Status(fiber.StatusServiceUnavailable)
	}
	return c.JSON(st)
}
