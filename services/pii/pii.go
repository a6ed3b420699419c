// Package pii protects sensitive personal data (PIPL Art. 28, 51): field
// encryption with AES-GCM under a key kept outside the database, a keyed
// HMAC "blind index" for uniqueness and look-up, and masking for display.
package pii

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"unicode/utf8"
)

// Vault encrypts and indexes sensitive values.
type Vault struct {
	aead     cipher.AEAD
	indexKey []byte
}

// NewVault derives the encryption and blind-index keys from one 32-byte
// data key; deriving separate keys keeps the index from revealing anything
// about the ciphertexts and vice versa.
func NewVault(dataKey []byte) (*Vault, error) {
	if len(dataKey) != 32 {
		return nil, errors.New("pii: data key must be 32 bytes")
	}
	block, err := aes.NewCipher(derive(dataKey, "onestop/pii/encrypt"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Vault{aead: aead, indexKey: derive(dataKey, "onestop/pii/blind-index")}, nil
}

func derive(key []byte, label string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// Seal encrypts plain; field binds the ciphertext to its field so a value
// cannot be moved into another field unnoticed.
func (v *Vault) Seal(field, plain string) string {
	if plain == "" {
		return ""
	}
	nonce := make([]byte, v.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	ct := v.aead.Seal(nonce, nonce, []byte(plain), []byte(field))
	return base64.RawStdEncoding.EncodeToString(ct)
}

// ErrCorrupt is returned for a ciphertext that does not open.
var ErrCorrupt = errors.New("pii: ciphertext does not open")

// Open decrypts a value sealed for field.
func (v *Vault) Open(field, sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	raw, err := base64.RawStdEncoding.DecodeString(sealed)
	if err != nil || len(raw) < v.aead.NonceSize() {
		return "", ErrCorrupt
	}
	n := v.aead.NonceSize()
	plain, err := v.aead.Open(nil, raw[:n], raw[n:], []byte(field))
	if err != nil {
		return "", ErrCorrupt
	}
	return string(plain), nil
}

// BlindIndex returns a keyed hash of a normalised value: equal values give
// equal indexes, and without the key the index says nothing about the value.
func (v *Vault) BlindIndex(field, value string) string {
	m := hmac.New(sha256.New, v.indexKey)
	m.Write([]byte(field))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:20])
}

// MaskPhone shows the first 3 and last 4 digits: 138****5678.
func MaskPhone(p string) string {
	if len(p) < 8 {
		return strings.Repeat("*", len(p))
	}
	return p[:3] + strings.Repeat("*", len(p)-7) + p[len(p)-4:]
}

// MaskIDNumber shows the first 4 and last 4 characters: 4403**********1234.
func MaskIDNumber(id string) string {
	if len(id) < 9 {
		return strings.Repeat("*", len(id))
	}
	return id[:4] + strings.Repeat("*", len(id)-8) + id[len(id)-4:]
}

// MaskEmail keeps the first character of the local part and the domain.
func MaskEmail(e string) string {
	at := strings.LastIndexByte(e, '@')
	if at < 1 {
		return "***"
	}
	r, size := utf8.DecodeRuneInString(e)
	_ = r
	return e[:size] + "***" + e[at:]
}
