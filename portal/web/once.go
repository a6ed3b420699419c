package web

import (
	"crypto/rand"
	"encoding/base64"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// Every web form carries a one-time token with its CSRF token: the page
// renders "<csrf>.<nonce>", a fresh nonce each time. CheckCSRF checks the
// first part as before and keeps the nonce (FormNonce), so a form posted
// twice — a double click, Back and send again — can be told from a new
// one, as the API tells retries by their Idempotency-Key (portal's once).

const (
	nonceSep   = "." // not in base64url, so it cannot be part of either half
	localNonce = "nonce"
	localFlash = "flashkey"
)

// formToken is the token a rendered form carries.
func formToken(csrf string) string {
	if csrf == "" {
		return ""
	}
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return csrf + nonceSep + base64.RawURLEncoding.EncodeToString(b)
}

// splitToken parts a posted token into its CSRF token and the form's
// nonce (empty for a token sent without one, as scripts send the header).
func splitToken(sent string) (csrf, nonce string) {
	csrf, nonce, _ = strings.Cut(sent, nonceSep)
	return csrf, nonce
}

// FormNonce is the one-time nonce of the form this request posted, if any.
func FormNonce(c *fiber.Ctx) string {
	n, _ := c.Locals(localNonce).(string)
	return n
}

// FlashedKey is the message this request left for the next page, if any.
func FlashedKey(c *fiber.Ctx) string {
	k, _ := c.Locals(localFlash).(string)
	return k
}
