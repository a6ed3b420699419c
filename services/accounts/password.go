package accounts

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"fmt"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"onestop/services/core"
)

// Argon2 holds the argon2id cost; the defaults follow OWASP's password
// storage guidance (19 MiB, 2 passes, 1 lane). Tests use cheaper settings.
type Argon2 struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// DefaultArgon2 is the production cost.
var DefaultArgon2 = Argon2{MemoryKiB: 19 * 1024, Time: 2, Threads: 1}

const saltLen, keyLen = 16, 32

func (a Argon2) hash(password string) string {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	key := argon2.IDKey([]byte(password), salt, a.Time, a.MemoryKiB, a.Threads, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, a.MemoryKiB, a.Time, a.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// verify checks a password against a stored hash in constant time; the cost
// comes from the hash, so raising the default keeps old hashes working.
func verify(password, encoded string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var a Argon2
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &a.MemoryKiB, &a.Time, &a.Threads); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || a.MemoryKiB > 1<<21 || a.Time > 16 || a.Threads == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, a.Time, a.MemoryKiB, a.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// hashGate bounds the argon2id computations running at once. Each holds
// MemoryKiB (19 MiB by default) while it runs: fifty sign-ins at once took
// the portal from 60 to 529 MB. One slot per CPU keeps the CPUs as busy as
// before and memory at slots × MemoryKiB; the rest wait their turn for as
// long as their request lasts, and at most maxHashWait.
type hashGate struct {
	slots chan struct{}
	wait  time.Duration
	// running and peak count the computations in progress, and the most
	// ever seen at once.
	running, peak atomic.Int64
}

// maxHashWait is the longest a password check waits for a slot: past it
// the server is overloaded, and the caller is asked to come back.
const maxHashWait = 10 * time.Second

func newHashGate(slots int) *hashGate {
	return &hashGate{slots: make(chan struct{}, max(1, slots)), wait: maxHashWait}
}

// errBusy answers a password check that found no slot in time; the
// attempt did not run, so its throttle counts are given back.
var errBusy = &core.Error{Code: core.Unavailable, Message: "error.unavailable", RetryAfter: 2}

// run calls f once a slot is free.
func (g *hashGate) run(ctx context.Context, f func()) error {
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
	case <-ctx.Done():
		return errBusy
	case <-t.C:
		return errBusy
	}
	defer func() { <-g.slots }()
	n := g.running.Add(1)
	defer g.running.Add(-1)
	for p := g.peak.Load(); n > p && !g.peak.CompareAndSwap(p, n); p = g.peak.Load() {
	}
	f()
	return nil
}

// hashPassword hashes a new password, in turn with every other hashing.
func (s *Service) hashPassword(ctx context.Context, password string) (string, error) {
	var h string
	err := s.gate.run(ctx, func() { h = s.argon.hash(password) })
	return h, err
}

// checkPassword verifies a password against a stored hash, in turn.
func (s *Service) checkPassword(ctx context.Context, password, hash string) (bool, error) {
	var ok bool
	err := s.gate.run(ctx, func() { ok = verify(password, hash) })
	return ok, err
}

//go:embed common-passwords.txt
var commonText []byte

var common = func() map[string]bool {
	m := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(commonText))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" && !strings.HasPrefix(line, "#") {
			m[strings.ToLower(line)] = true
		}
	}
	return m
}()

// Password length bounds (ASVS v5.0.0-6.2.1, 6.2.9): at least 8 characters,
// and long passphrases allowed.
const (
	MinPassword = 8
	MaxPassword = 128
)

// passwordProblem returns a catalog key saying why a password is refused,
// or "" when it is acceptable. personal holds the login and name, which a
// password must not simply repeat.
func passwordProblem(pw string, personal ...string) string {
	n := utf8.RuneCountInString(pw)
	switch {
	case !utf8.ValidString(pw):
		return "error.password.invalid"
	case n < MinPassword:
		return "error.password.short"
	case n > MaxPassword:
		return "error.password.long"
	}
	lower := strings.ToLower(pw)
	if common[lower] || repetitive(lower) {
		return "error.password.common"
	}
	for _, p := range personal {
		if p != "" && strings.EqualFold(strings.TrimSpace(p), pw) {
			return "error.password.personal"
		}
	}
	return ""
}

// repetitive catches one repeated character and runs like 23456789 that
// no list can enumerate.
func repetitive(pw string) bool {
	r := []rune(pw)
	same, up, down := true, true, true
	for i := 1; i < len(r); i++ {
		same = same && r[i] == r[0]
		up = up && r[i] == r[i-1]+1
		down = down && r[i] == r[i-1]-1
	}
	return same || up || down
}
