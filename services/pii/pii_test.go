package pii

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func vault(t *testing.T) *Vault {
	v, err := NewVault(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSealOpen(t *testing.T) {
	v := vault(t)
	a, b := v.Seal("phone", "13800138000"), v.Seal("phone", "13800138000")
	if a == b {
		t.Error("sealing is deterministic; nonces must differ")
	}
	if strings.Contains(a, "13800138000") {
		t.Error("plaintext visible")
	}
	got, err := v.Open("phone", a)
	if err != nil || got != "13800138000" {
		t.Fatalf("open = %q, %v", got, err)
	}
	if _, err := v.Open("id_number", a); err == nil {
		t.Error("a value moved to another field opened")
	}
	if _, err := v.Open("phone", a[:len(a)-2]+"AA"); err == nil {
		t.Error("tampered ciphertext opened")
	}
	other, _ := NewVault(bytes.Repeat([]byte{8}, 32))
	if _, err := other.Open("phone", a); err == nil {
		t.Error("opened with another key")
	}
}

func TestBlindIndex(t *testing.T) {
	v := vault(t)
	again, _ := NewVault(bytes.Repeat([]byte{7}, 32))
	if v.BlindIndex("phone", "13800138000") != again.BlindIndex("phone", "13800138000") {
		t.Error("not stable across vaults with one key")
	}
	if v.BlindIndex("phone", "13800138000") == v.BlindIndex("phone", "13800138001") {
		t.Error("collision")
	}
	if v.BlindIndex("phone", "x") == v.BlindIndex("email", "x") {
		t.Error("fields share an index space")
	}
}

func TestMasks(t *testing.T) {
	tests := []struct{ got, want string }{
		{MaskPhone("13812345678"), "138****5678"},
		{MaskIDNumber("440301199001011234"), "4403**********1234"},
		{MaskEmail("zhang@example.cn"), "z***@example.cn"},
		{MaskEmail("王@例子.中国"), "王***@例子.中国"},
		{MaskPhone("123"), "***"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestNormalize(t *testing.T) {
	phones := map[string]string{
		"13812345678": "13812345678", "+86 138-1234-5678": "13812345678",
		"12812345678": "", "1381234567": "", "1381234567x": "", "": "",
	}
	for in, want := range phones {
		if got := NormalizePhone(in); got != want {
			t.Errorf("phone %q = %q, want %q", in, got, want)
		}
	}
	emails := map[string]string{
		"Zhang@Example.CN": "zhang@example.cn", "a@b": "", "Zhang <z@x.cn>": "", "x@y.cn\r\nBcc: q@r.cn": "", "nope": "",
	}
	for in, want := range emails {
		if got := NormalizeEmail(in); got != want {
			t.Errorf("email %q = %q, want %q", in, got, want)
		}
	}
}

func TestParseID(t *testing.T) {
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		id     string
		want   IDProblem
		female bool
	}{
		{"11010519491231002X", "", true},
		{"440301199001011234", "", false},
		{"440301198512150012", "", false},
		{"440524188001010014", IDBirth, false}, // before 1900
		{"11010519491231002x", "", true},       // lower-case x
		{"110105194912310021", IDChecksum, false},
		{"110105491231002", IDLegacy, false},
		{"11010519491331002X", IDBirth, false},
		{"110105202712310025", IDBirth, false}, // future
		{"1101051949123100", IDFormat, false},
		{"11010519491231002Y", IDFormat, false},
		{"", IDFormat, false},
	}
	for _, tt := range tests {
		info, p := ParseID(tt.id, now)
		if p != tt.want {
			t.Errorf("%s: problem %q, want %q", tt.id, p, tt.want)
		}
		if p == "" && info.Female != tt.female {
			t.Errorf("%s: female = %v", tt.id, info.Female)
		}
	}
}

func TestWithCheckDigit(t *testing.T) {
	for _, id := range []string{"11010519491231002X", "440301199001011234", "440301198512150012"} {
		if got := WithCheckDigit(id[:17]); got != id {
			t.Errorf("WithCheckDigit(%s) = %s, want %s", id[:17], got, id)
		}
	}
}

func FuzzParseID(f *testing.F) {
	f.Add("11010519491231002X")
	f.Add("110105491231002")
	f.Fuzz(func(t *testing.T, id string) {
		info, p := ParseID(id, time.Now())
		if p == "" && (len(strings.TrimSpace(id)) != 18 || info.Birth.IsZero()) {
			t.Fatalf("accepted %q", id)
		}
	})
}

// FuzzMasks: a mask never reveals more than its kept ends and keeps the
// length, whatever it is given.
func FuzzMasks(f *testing.F) {
	f.Add("440301199001011234")
	f.Add("13812345678")
	f.Add("a@b.cn")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		if m := MaskIDNumber(s); len(m) != len(s) {
			t.Fatalf("MaskIDNumber(%q) = %q changes the length", s, m)
		}
		if len(s) >= 9 && MaskIDNumber(s)[4:len(s)-4] != strings.Repeat("*", len(s)-8) {
			t.Fatalf("MaskIDNumber(%q) shows the middle", s)
		}
		if m := MaskPhone(s); len(m) != len(s) {
			t.Fatalf("MaskPhone(%q) = %q changes the length", s, m)
		}
		if len(s) >= 8 && strings.Contains(MaskPhone(s)[3:len(s)-4], s[3:len(s)-4]) && strings.Trim(s[3:len(s)-4], "*") != "" {
			t.Fatalf("MaskPhone(%q) shows the middle", s)
		}
		_ = MaskEmail(s)
	})
}
