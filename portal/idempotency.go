package portal

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

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

// once makes a web form's post happen once. The form's one-time nonce
// (web.FormNonce) with the caller, the route and the body names the post:
// the first claims it; an identical post — a double click, Back and send
// again — gets the first post's redirect with a note that it was already
// sent, instead of a second call, repayment or consultation. A copy that
// arrives while the first still runs waits for it a little. Only a
// redirect that is not a refusal is kept: a re-shown form (422), a refusal
// flashed on the way back, an error, release the nonce so the person can
// try again.
func (a *App) once(next fiber.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		nonce := web.FormNonce(c)
		if nonce == "" {
			return next(c) // a script's post with the header token only
		}
		ctx := c.UserContext()
		me := web.Principal(c).ID
		id := digest("form", me, c.Path(), nonce, string(c.Body()))
		for wait := 0; ; wait++ {
			kept, err := a.bureau.Replays.Claim(ctx, id, "form", me)
			if kept != nil {
				web.Flash(c, "form.already_sent")
				return c.Redirect(string(kept.Body), fiber.StatusSeeOther)
			}
			if err == nil {
				break
			}
			if !core.IsCode(err, core.Conflict) || wait >= 50 {
				return err
			}
			select { // the first copy is still running: it usually ends soon
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
		if err := next(c); err != nil {
			a.bureau.Replays.Release(ctx, id)
			return err
		}
		location := string(c.Response().Header.Peek(fiber.HeaderLocation))
		if c.Response().StatusCode() != fiber.StatusSeeOther || location == "" || strings.HasPrefix(web.FlashedKey(c), "error.") {
			a.bureau.Replays.Release(ctx, id)
			return nil
		}
		a.bureau.Replays.Done(ctx, id, replays.Answer{Status: fiber.StatusSeeOther, Body: []byte(location)})
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
