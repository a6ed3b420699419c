package portal

import (
	"crypto/sha256"
	"encoding/hex"
	"onestop/portal/web"

	"github.com/gofiber/fiber/v2"

	"onestop/services/core"
	"onestop/services/replays"
)

// idempotent wraps a create handler. Without the header it does nothing.
// With it: the first request claims the key and its answer is kept (5xx
// answers are not: the key is released so a retry can run); a retry with
// the same key and body gets the kept answer with Idempotent-Replayed; the
// same key with another body is refused; a retry while the first still
// runs is told to wait, until -idempotency-wait says the first died
// (services/replays).
func (a *App) idempotent(next fiber.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		key := c.Get("Idempotency-Key")
		if key == "" {
			return next(c)
		}
		if len(key) > 200 || !printable(key) {
			return &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"Idempotency-Key": "error.idempotency.key"}}
		}
		ctx := c.UserContext()
		id := digest(web.Principal(c).ID, c.Method(), c.Path(), key)
		kept, err := a.bureau.Replays.Claim(ctx, id, digest(string(c.Body())), web.Principal(c).ID)
		if err != nil {
			return err
		}
		if kept != nil {
			c.Set("Idempotent-Replayed", "true")
			c.Set(fiber.HeaderContentType, kept.ContentType)
			return c.Status(kept.Status).Send(kept.Body)
		}
		// A create that derives its record's id from the key (core.IDFor)
		// finds its own record when run again after a crash.
		c.SetUserContext(core.WithIDSeed(ctx, id))
		if err := next(c); err != nil {
			if herr := a.http.ErrorHandler(c, err); herr != nil {
				return herr
			}
		}
		status := c.Response().StatusCode()
		if status >= 500 {
			a.bureau.Replays.Release(ctx, id)
			return nil
		}
		a.bureau.Replays.Done(ctx, id, replays.Answer{Status: status, ContentType: string(c.Response().Header.ContentType()), Body: c.Response().Body()})
		return nil
	}
}

func digest(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
