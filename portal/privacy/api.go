package privacy

import (
	"onestop/portal/web"

	"github.com/gofiber/fiber/v2"
)

type passwordConfirm struct {
	Password string `json:"password"`
}

func (a *Handlers) apiExport(c *fiber.Ctx) error {
	var in passwordConfirm
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	if err := a.accounts.VerifyPassword(c.UserContext(), web.Principal(c), in.Password, web.Meta(c)); err != nil {
		return err
	}
	return a.sendExport(c)
}

// deleteAccount erases the caller's personal data in every area
// (rights.Erase): what is still open is withdrawn, kept records are
// pseudonymised, the account is anonymised and signed out. done is false
// when a step failed after the erasure began: it is under way, and the
// rights worker finishes it.
func (a *Handlers) deleteAccount(c *fiber.Ctx, password string) (done bool, err error) {
	if err := a.accounts.VerifyPassword(c.UserContext(), web.Principal(c), password, web.Meta(c)); err != nil {
		return false, err
	}
	return a.rights.Erase(c.UserContext(), web.Principal(c).Actor(web.Meta(c)))
}

// erasureUnderWay answers a deletion that began but did not finish at
// once: 202, and the worker completes it.
type erasureUnderWay struct {
	Status  string `json:"status"` // "under_way"
	Message string `json:"message"`
}

func (a *Handlers) apiDeleteAccount(c *fiber.Ctx) error {
	var in passwordConfirm
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	done, err := a.deleteAccount(c, in.Password)
	if err != nil {
		return err
	}
	if !done {
		return c.Status(fiber.StatusAccepted).JSON(erasureUnderWay{Status: "under_way", Message: a.I18n.T(web.Lang(c), "account.deletion_under_way")})
	}
	return c.SendStatus(fiber.StatusNoContent)
}
