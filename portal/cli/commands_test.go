package cli

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/portal/portaltest"
	"onestop/services/accounts"
	"onestop/services/figures"
	"onestop/services/store"
)

// TestHelpAndUnknownCommands: the help lists every command of the table,
// and an unknown command is refused naming them all, so neither can drift
// from the dispatcher.
func TestHelpAndUnknownCommands(t *testing.T) {
	table := commands()
	for _, tt := range []struct {
		name   string
		args   []string
		code   int
		output func(stdout, stderr string) string
	}{
		{"help", []string{"help"}, 0, func(o, _ string) string { return o }},
		{"unknown", []string{"bogus"}, 1, func(_, e string) string { return e }},
	} {
		code, stdout, stderr := run(tt.args...)
		if code != tt.code {
			t.Errorf("%s: exit %d, want %d (%s)", tt.name, code, tt.code, stderr)
		}
		out := tt.output(stdout, stderr)
		for _, c := range table {
			if !strings.Contains(out, c.name) {
				t.Errorf("%s: %q not named:\n%s", tt.name, c.name, out)
			}
		}
	}
	if _, stdout, _ := run("help"); !strings.Contains(stdout, "-data") {
		t.Errorf("help lists no settings:\n%s", stdout)
	}
	if code, stdout, _ := run("version"); code != 0 || !strings.HasPrefix(stdout, "portal ") || !strings.Contains(stdout, "go1.") {
		t.Errorf("version: %d %q", code, stdout)
	}
	seen := map[string]bool{}
	for _, c := range table {
		if seen[c.name] || c.run == nil || c.does == "" {
			t.Errorf("command %q: twice, or without run or a description", c.name)
		}
		seen[c.name] = true
	}
}

// TestSplitFlags: a command's own flags are taken with their values, in
// either form; the settings pass on.
func TestSplitFlags(t *testing.T) {
	for _, tt := range []struct {
		args      []string
		own, rest []string
	}{
		{[]string{"-format", "csv", "-data", "d"}, []string{"-format", "csv"}, []string{"-data", "d"}},
		{[]string{"--format=csv", "-data=d"}, []string{"--format=csv"}, []string{"-data=d"}},
		{[]string{"-data", "d", "-format"}, []string{"-format"}, []string{"-data", "d"}},
		{nil, nil, nil},
	} {
		own, rest := splitFlags(tt.args, "format")
		if !slices.Equal(own, tt.own) || !slices.Equal(rest, tt.rest) {
			t.Errorf("splitFlags(%q) = %q, %q; want %q, %q", tt.args, own, rest, tt.own, tt.rest)
		}
	}
}

func TestAdminCreateCommand(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := run("admin", "create", "-email", "chief@bureau.cn", "-password", "weak", "-name", "局長", "-data", dir); code == 0 || !strings.Contains(stderr, "password") {
		t.Fatalf("weak password accepted: %d %s", code, stderr)
	}
	if code, stdout, stderr := run("admin", "create", "-email", "chief@bureau.cn", "-password", portaltest.Password, "-name", "局長", "-data", dir); code != 0 || !strings.Contains(stdout, "administrator 局長 created") {
		t.Fatalf("admin create: %d %s %s", code, stdout, stderr)
	}
	if code, _, _ := run("admin", "create", "-email", "chief@bureau.cn", "-password", portaltest.Password, "-name", "局長", "-data", dir); code == 0 {
		t.Fatal("the same admin created twice")
	}
	if code, stdout, stderr := run("reindex", "-data", dir); code != 0 || !strings.Contains(stdout, "users: 1 documents") {
		t.Fatalf("reindex: %d %q %s", code, stdout, stderr)
	}
}

// TestBackupCommands: a snapshot taken while the portal runs on the data
// directory, and a dump, are restored into fresh data directories; every
// collection comes back the same, and reindex brings search in step.
func TestBackupCommands(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	if code, _, stderr := run("admin", "create", "-email", "chief@bureau.cn", "-password", portaltest.Password, "-name", "局長", "-data", data); code != 0 {
		t.Fatalf("admin create: %s", stderr)
	}
	ta := startApp(t, data)
	_, farmer, _ := ta.Account(accounts.Entrepreneur, "farmer@test.cn")
	if resp, body := ta.Do("PUT", "/api/v1/me/profile", map[string]any{"real_name": "李秀英", "consent_version": "2026-11", "phone": "13800138001"}, farmer); resp.StatusCode != 200 {
		t.Fatalf("profile: %d %s", resp.StatusCode, body)
	}
	if resp, body := ta.Do("POST", "/api/v1/services", map[string]any{"type": "financing", "details": "想了解創業擔保貸款的申請流程"}, farmer); resp.StatusCode != 201 {
		t.Fatalf("service: %d %s", resp.StatusCode, body)
	}
	// The outbox's applied notes go a moment after their writes: drained,
	// the database holds what it will hold when the backups are taken.
	if err := ta.App.Bureau().Outbox.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	want := collectionsOf(t, ta.App.Bureau().Store())

	// While the portal runs: a snapshot and a dump.
	snap, dump := t.TempDir(), t.TempDir()
	for _, args := range [][]string{{"backup", snap, "-data", data}, {"backup", dump, "-format", "bson", "-data", data}} {
		if code, _, stderr := run(args...); code != 0 {
			t.Fatalf("%v: %s", args, stderr)
		}
	}
	closeApp(t, ta)
	for name, from := range map[string]string{"snapshot": snap, "dump": dump} {
		fresh := t.TempDir()
		if code, stdout, stderr := run("restore", from, "-data", fresh); code != 0 || !strings.Contains(stdout, "reindex") {
			t.Fatalf("restore %s: %s %s", name, stdout, stderr)
		}
		if code, _, _ := run("restore", from, "-data", fresh); code == 0 {
			t.Fatalf("%s restored over a database", name)
		}
		if code, stdout, stderr := run("reindex", "-data", fresh); code != 0 || !strings.Contains(stdout, "users: 2 documents") {
			t.Fatalf("reindex after %s: %s %s", name, stdout, stderr)
		}
		s, err := store.Open(ctx, store.Config{DataDir: fresh, Database: "onestop", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		got := collectionsOf(t, s)
		s.Close(ctx)
		for coll, docs := range want {
			if coll == figures.Journals.Name {
				// The backed-up process's last batch of counts, counted: the
				// restored store's first start finishes it, a no-op, and
				// removes it (the rollups are compared).
				continue
			}
			if len(docs) > 0 && !slices.Equal(docs, got[coll]) {
				t.Errorf("%s: %s differs: %d documents, want %d", name, coll, len(got[coll]), len(docs))
			}
		}
	}
}

// collectionsOf reads every collection as sorted raw documents.
func collectionsOf(t *testing.T, s *store.Store) map[string][]string {
	t.Helper()
	ctx := context.Background()
	names, err := s.Collections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, name := range names {
		cur, err := s.C(name).Find(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		for cur.Next(ctx) {
			out[name] = append(out[name], string(cur.Current))
		}
		cur.Close(ctx)
		slices.Sort(out[name])
	}
	return out
}
