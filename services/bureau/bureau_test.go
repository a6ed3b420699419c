package bureau

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/pii"
	"onestop/services/store"
	"onestop/services/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func config(t *testing.T) Config {
	engine, err := search.OpenBleve(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { engine.Close() })
	vault, _ := pii.NewVault(bytes.Repeat([]byte{7}, 32))
	return Config{Store: storetest.New(t), Engine: engine, Vault: vault, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		TokenKey: bytes.Repeat([]byte{8}, 32), Argon2: accounts.Argon2{MemoryKiB: 64, Time: 1, Threads: 1}}
}

// TestBuildAndEnsure: every service is built and wired from one Config,
// and Ensure makes a database the services work on.
func TestBuildAndEnsure(t *testing.T) {
	b, err := New(config(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Policies.All(context.Background()); err != nil {
		t.Errorf("the seeded catalogue: %v", err)
	}
	if got := len(b.Privacy.Areas()); got < 13 {
		t.Errorf("%d personal-data areas registered", got)
	}
}

// TestMissingDependency: a Config without what the services need is
// refused, naming it, instead of building services that drop work.
func TestMissingDependency(t *testing.T) {
	c := config(t)
	c.Vault = nil
	if _, err := New(c); err == nil || !strings.Contains(err.Error(), "Vault") {
		t.Fatalf("built without a vault: %v", err)
	}
}

// TestStartGate: the services' collections are each held by an area of
// the personal-data contract or declared impersonal; one more that is
// neither is refused, named.
func TestStartGate(t *testing.T) {
	b, err := New(config(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		extra []store.Collection
		want  string
	}{{"the services' own", nil, ""}, {"a new area's", []store.Collection{{Name: "visits_log"}}, "visits_log"}} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkHeld(b.Privacy, slices.Concat(b.Collections(), tc.extra))
			if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("start-up gate: %v, want %q", err, tc.want)
			}
		})
	}
}
