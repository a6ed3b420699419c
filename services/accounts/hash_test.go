package accounts

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"onestop/services/core"
)

// TestConcurrentSignInsHashInTurn: fifty people sign in at once with
// passwords hashed at the production cost (19 MiB each). All get in, but
// no more argon2id computations run at once than there are CPUs, so memory
// stays at a few times 19 MiB instead of fifty times.
func TestConcurrentSignInsHashInTurn(t *testing.T) {
	e := setup(t, DefaultArgon2)
	ctx := context.Background()
	hash, err := e.svc.hashPassword(ctx, password)
	if err != nil {
		t.Fatal(err)
	}
	const n = 50
	for i := range n {
		in := NewAccount{Email: fmt.Sprintf("p%02d@test.cn", i), Name: "測試者", Role: Entrepreneur}
		if _, err := e.svc.open(ctx, in, hash); err != nil {
			t.Fatal(err)
		}
	}
	e.svc.gate.peak.Store(0)
	before := resetPeakRSS()
	out := concurrently(n, func(i int) error {
		_, err := e.svc.Login(ctx, fmt.Sprintf("p%02d@test.cn", i), password, Meta{IP: fmt.Sprintf("198.51.100.%d", i+1)})
		return err
	})
	if out[""] != n {
		t.Fatalf("outcomes %v: want all %d signed in", out, n)
	}
	slots := runtime.GOMAXPROCS(0)
	if p := e.svc.gate.peak.Load(); p > int64(slots) {
		t.Errorf("%d password checks ran at once, want at most %d", p, slots)
	}
	if peak := peakRSS(); before > 0 && peak > 0 {
		t.Logf("peak RSS %d MiB (from %d MiB) with %d sign-ins at once, %d at a time", peak>>20, before>>20, n, slots)
	}
}

// TestHashGateWaitsNoLongerThanTheRequest: a check that finds every slot
// taken gives up when its request ends, and says the server is busy.
func TestHashGateWaitsNoLongerThanTheRequest(t *testing.T) {
	g := newHashGate(1)
	hold, release := make(chan struct{}), make(chan struct{})
	go func() { _ = g.run(context.Background(), func() { close(hold); <-release }) }()
	<-hold
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	err := g.run(ctx, func() { ran = true })
	close(release)
	if ran || !core.IsCode(err, core.Unavailable) {
		t.Fatalf("ran %v, err %v: want a busy answer", ran, err)
	}
}

// resetPeakRSS returns memory to the system and resets the process's
// peak resident size (Linux), returning the size now; 0 elsewhere.
func resetPeakRSS() int64 {
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		return 0
	}
	return procStatus("VmRSS:")
}

func peakRSS() int64 { return procStatus("VmHWM:") }

func procStatus(field string) int64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
