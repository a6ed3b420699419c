package web

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"
)

// CheckCookie holds a guest's self-check answers until they register
// (portal/policy writes it, portal/people reads it, and registration sends
// a person who has one to their profile).
const CheckCookie = "check"

// SealCookie keeps v in the browser, encrypted and authenticated (AES-GCM
// under a key of this portal and this cookie's name), for maxAge: a guest's
// answers can wait for their registration without the portal storing
// personal data for someone who has not agreed to anything.
func (a *Kit) SealCookie(c *fiber.Ctx, name string, v any, maxAge time.Duration) error {
	plain, err := json.Marshal(v)
	if err != nil {
		return err
	}
	aead, err := a.sealer(name)
	if err != nil {
		return err
	}
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	a.SetCookie(c, name, base64.RawURLEncoding.EncodeToString(aead.Seal(nonce, nonce, plain, nil)), maxAge)
	return nil
}

// OpenCookie reads what SealCookie kept into v; false when there is none,
// it expired or it was not sealed by this portal.
func (a *Kit) OpenCookie(c *fiber.Ctx, name string, v any) bool {
	raw, err := base64.RawURLEncoding.DecodeString(c.Cookies(a.CookieName(name)))
	if err != nil || len(raw) == 0 {
		return false
	}
	aead, err := a.sealer(name)
	if err != nil || len(raw) < aead.NonceSize() {
		return false
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], nil)
	return err == nil && json.Unmarshal(plain, v) == nil
}

// HasCookie reports whether the browser sent the cookie.
func (a *Kit) HasCookie(c *fiber.Ctx, name string) bool { return c.Cookies(a.CookieName(name)) != "" }

func (a *Kit) sealer(name string) (cipher.AEAD, error) {
	m := hmac.New(sha256.New, a.csrfKey)
	m.Write([]byte("sealed cookie " + name))
	block, err := aes.NewCipher(m.Sum(nil))
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
