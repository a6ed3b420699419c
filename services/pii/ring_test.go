package pii

import (
	"bytes"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"testing"
)

var (
	keyOld = bytes.Repeat([]byte{7}, 32)
	keyNew = bytes.Repeat([]byte{8}, 32)
)

func ring(t *testing.T, current []byte, previous ...[]byte) *Vault {
	t.Helper()
	v, err := NewVault(current, previous...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// legacySeal is how values were sealed before keys had ids: no tag.
func legacySeal(v *Vault, field, plain string) string {
	_, body, _ := strings.Cut(v.Seal(field, plain), ":")
	return body
}

func TestRingSealsUnderCurrentAndOpensUnderAny(t *testing.T) {
	old, rotating, done := ring(t, keyOld), ring(t, keyNew, keyOld), ring(t, keyNew)
	if old.KeyID() == done.KeyID() || rotating.KeyID() != done.KeyID() || !strings.HasPrefix(old.KeyID(), "k") || len(old.KeyID()) != 9 {
		t.Fatalf("key ids: old %q, new %q, rotating %q", old.KeyID(), done.KeyID(), rotating.KeyID())
	}
	if strings.Contains(old.KeyID(), base64.StdEncoding.EncodeToString(keyOld)[:8]) {
		t.Error("key id shows the key")
	}
	tests := []struct {
		name   string
		sealed string
		by     *Vault
		want   error
	}{
		{"old tagged, ring", old.Seal("phone", "13800138000"), rotating, nil},
		{"old untagged, ring", legacySeal(old, "phone", "13800138000"), rotating, nil},
		{"new, ring", rotating.Seal("phone", "13800138000"), rotating, nil},
		{"new, new key alone", rotating.Seal("phone", "13800138000"), done, nil},
		{"old tagged, new key alone", old.Seal("phone", "13800138000"), done, ErrUnknownKey},
		{"old untagged, new key alone", legacySeal(old, "phone", "13800138000"), done, ErrCorrupt},
		{"new, old key alone", rotating.Seal("phone", "13800138000"), old, ErrUnknownKey},
		{"tag naming the wrong key", done.KeyID() + ":" + legacySeal(old, "phone", "13800138000"), rotating, ErrCorrupt},
		{"not base64", old.KeyID() + ":***", rotating, ErrCorrupt},
		{"too short", old.KeyID() + ":AAAA", rotating, ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.by.Open("phone", tt.sealed)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if err == nil && got != "13800138000" {
				t.Fatalf("opened to %q", got)
			}
		})
	}
}

func TestRingCurrent(t *testing.T) {
	old, rotating := ring(t, keyOld), ring(t, keyNew, keyOld)
	for sealed, want := range map[string]bool{
		"":                                     true,
		rotating.Seal("id_number", "x"):        true,
		old.Seal("id_number", "x"):             false,
		legacySeal(rotating, "id_number", "x"): false, // untagged: re-seal to tag it
	} {
		if got := rotating.Current(sealed); got != want {
			t.Errorf("Current(%q) = %v, want %v", sealed, got, want)
		}
	}
}

func TestRingBlindIndexes(t *testing.T) {
	old, rotating, done := ring(t, keyOld), ring(t, keyNew, keyOld), ring(t, keyNew)
	got := rotating.BlindIndexes("phone", "13800138000")
	want := []string{done.BlindIndex("phone", "13800138000"), old.BlindIndex("phone", "13800138000")}
	if !slices.Equal(got, want) {
		t.Fatalf("indexes = %v, want current then previous %v", got, want)
	}
	if rotating.BlindIndex("phone", "13800138000") != want[0] {
		t.Error("BlindIndex is not the current key's")
	}
	if keys := rotating.IndexKeys("pphone:", "phone", "13800138000"); keys[0] != "pphone:"+want[0] || keys[1] != "pphone:"+want[1] {
		t.Errorf("keys = %v", keys)
	}
	if n := len(done.BlindIndexes("phone", "1")); n != 1 || done.Rotating() || !rotating.Rotating() {
		t.Errorf("a vault without previous keys has %d indexes (rotating %v)", n, done.Rotating())
	}
}

func TestRingKeys(t *testing.T) {
	if v := ring(t, keyNew, keyNew, keyOld, keyOld); len(v.BlindIndexes("f", "v")) != 2 {
		t.Error("a key given twice counts twice")
	}
	if _, err := NewVault(keyNew, []byte("short")); err == nil {
		t.Error("a short previous key accepted")
	}
	if _, err := NewVault(nil); err == nil {
		t.Error("no key accepted")
	}
}
