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
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"
)

// Vault encrypts and indexes sensitive values under a key ring: the current
// data key seals and indexes everything new; previous keys, present only
// while a rotation is under way, still open what they sealed and find what
// they indexed.
type Vault struct {
	ring []*dataKey // current first
}

// dataKey is one data key's derived keys.
type dataKey struct {
	id       string
	aead     cipher.AEAD
	indexKey []byte
}

// NewVault builds a vault on the current 32-byte data key and any previous
// ones (rotation). Encryption and blind-index keys are derived separately
// from each, so the index reveals nothing about the ciphertexts and vice
// versa.
func NewVault(current []byte, previous ...[]byte) (*Vault, error) {
	v := &Vault{}
	for _, raw := range append([][]byte{current}, previous...) {
		k, err := newDataKey(raw)
		if err != nil {
			return nil, err
		}
		if i := slices.IndexFunc(v.ring, func(o *dataKey) bool { return o.id == k.id }); i >= 0 {
			if !hmac.Equal(v.ring[i].indexKey, k.indexKey) {
				return nil, errors.New("pii: two data keys share a key id")
			}
			continue // the same key given twice
		}
		v.ring = append(v.ring, k)
	}
	return v, nil
}

func newDataKey(raw []byte) (*dataKey, error) {
	if len(raw) != 32 {
		return nil, errors.New("pii: data key must be 32 bytes")
	}
	block, err := aes.NewCipher(derive(raw, "onestop/pii/encrypt"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	id := "k" + hex.EncodeToString(derive(raw, "onestop/pii/key-id")[:4])
	return &dataKey{id: id, aead: aead, indexKey: derive(raw, "onestop/pii/blind-index")}, nil
}

func derive(key []byte, label string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// KeyID names the current key in the ciphertexts it seals ("k1a2b3c4"); it
// is derived one-way from the key and says nothing about it.
func (v *Vault) KeyID() string { return v.ring[0].id }

// Rotating reports whether the vault holds previous keys.
func (v *Vault) Rotating() bool { return len(v.ring) > 1 }

// Seal encrypts plain under the current key, tagged with the key's id
// ("k1a2b3c4:<base64>"); field binds the ciphertext to its field so a value
// cannot be moved into another field unnoticed.
func (v *Vault) Seal(field, plain string) string {
	if plain == "" {
		return ""
	}
	k := v.ring[0]
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	ct := k.aead.Seal(nonce, nonce, []byte(plain), []byte(field))
	return k.id + ":" + base64.RawStdEncoding.EncodeToString(ct)
}

// SealBytes encrypts a file's bytes under the current key, bound to
// context (where the bytes belong, so they cannot be moved unnoticed); it
// returns the key's id, to be kept beside the ciphertext.
func (v *Vault) SealBytes(context string, plain []byte) (keyID string, sealed []byte) {
	k := v.ring[0]
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plain)+k.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return k.id, k.aead.Seal(nonce, nonce, plain, []byte(context))
}

// OpenBytes decrypts bytes SealBytes sealed under the key keyID for
// context.
func (v *Vault) OpenBytes(context, keyID string, sealed []byte) ([]byte, error) {
	for _, k := range v.ring {
		if k.id != keyID {
			continue
		}
		n := k.aead.NonceSize()
		if len(sealed) < n {
			return nil, ErrCorrupt
		}
		plain, err := k.aead.Open(nil, sealed[:n], sealed[n:], []byte(context))
		if err != nil {
			return nil, ErrCorrupt
		}
		return plain, nil
	}
	return nil, ErrUnknownKey
}

// ErrCorrupt is returned for a ciphertext that does not open.
var ErrCorrupt = errors.New("pii: ciphertext does not open")

// ErrUnknownKey is returned for a ciphertext sealed under a key the vault
// does not hold (a previous key left out during a rotation).
var ErrUnknownKey = errors.New("pii: ciphertext sealed under a key not given (see -data-key-previous)")

// Open decrypts a value sealed for field. A tagged value opens under the
// key it names; an untagged one (sealed before keys had ids) under
// whichever key of the ring opens it.
func (v *Vault) Open(field, sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	id, body, tagged := strings.Cut(sealed, ":")
	if !tagged {
		body = sealed
	}
	raw, err := base64.RawStdEncoding.DecodeString(body)
	if err != nil {
		return "", ErrCorrupt
	}
	for _, k := range v.ring {
		if tagged && k.id != id {
			continue
		}
		if plain, ok := k.open(field, raw); ok {
			return plain, nil
		}
		if tagged {
			return "", ErrCorrupt
		}
	}
	if tagged {
		return "", ErrUnknownKey
	}
	return "", ErrCorrupt
}

func (k *dataKey) open(field string, raw []byte) (string, bool) {
	n := k.aead.NonceSize()
	if len(raw) < n {
		return "", false
	}
	plain, err := k.aead.Open(nil, raw[:n], raw[n:], []byte(field))
	return string(plain), err == nil
}

// Current reports whether sealed is empty or sealed under the current key,
// i.e. needs no re-encryption.
func (v *Vault) Current(sealed string) bool {
	return sealed == "" || strings.HasPrefix(sealed, v.ring[0].id+":")
}

// BlindIndex returns a keyed hash of a normalised value under the current
// key: equal values give equal indexes, and without the key the index says
// nothing about the value.
func (v *Vault) BlindIndex(field, value string) string { return v.ring[0].blindIndex(field, value) }

// BlindIndexes returns the value's index under every key of the ring,
// current first. During a rotation a record may still be indexed under a
// previous key, so look-ups try them all and uniqueness checks refuse a
// value held under any of them.
func (v *Vault) BlindIndexes(field, value string) []string {
	out := make([]string, len(v.ring))
	for i, k := range v.ring {
		out[i] = k.blindIndex(field, value)
	}
	return out
}

// IndexKeys is BlindIndexes as key-collection keys: prefix + index.
func (v *Vault) IndexKeys(prefix, field, value string) []string {
	out := v.BlindIndexes(field, value)
	for i := range out {
		out[i] = prefix + out[i]
	}
	return out
}

func (k *dataKey) blindIndex(field, value string) string {
	m := hmac.New(sha256.New, k.indexKey)
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
