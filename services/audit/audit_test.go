package audit_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"onestop/search"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/outbox"
	"onestop/services/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func newLog(t *testing.T, now time.Time) *audit.Log {
	s := storetest.New(t, outbox.Collection, audit.Collection)
	b, err := search.OpenBleve(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	o := outbox.New(s, b, slog.New(slog.NewTextHandler(io.Discard, nil)))
	l, err := audit.New(audit.Deps{Store: s, Outbox: o, Clock: func() time.Time { return now }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	return l
}

// TestRecordAndSearch: events are listed newest first and filtered by
// action, result, actor and target, each filter narrowing the list.
func TestRecordAndSearch(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	l := newLog(t, now)
	desk := audit.Actor{ID: "u-desk", Role: "hotline", Name: "王專員", IP: "192.0.2.1"}
	l.Record(ctx, desk, "pii.reveal", audit.Success, "p-1", "id_number,phone")
	l.Record(ctx, desk, "pii.reveal", audit.Denied, "p-2", "")
	l.Record(ctx, audit.Actor{IP: "192.0.2.9"}, "authn.login", audit.Failure, "", "")
	for _, tt := range []struct {
		name string
		q    audit.Query
		want int
	}{
		{"all", audit.Query{}, 3},
		{"by action", audit.Query{Action: "pii.reveal"}, 2},
		{"by action and result", audit.Query{Action: "pii.reveal", Result: audit.Denied}, 1},
		{"by actor", audit.Query{ActorID: "u-desk"}, 2},
		{"by target", audit.Query{Target: "p-1"}, 1},
		{"by text in the actor's name", audit.Query{Text: "王專員"}, 2},
		{"nothing matches", audit.Query{Action: "user.delete"}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, _, err := l.Search(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if r.Total != tt.want {
				t.Errorf("%d events, want %d", r.Total, tt.want)
			}
		})
	}
	r, _, _ := l.Search(ctx, audit.Query{Target: "p-1"})
	e, err := l.Get(ctx, r.Hits[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if e.Action != "pii.reveal" || e.ActorName != "王專員" || e.IP != "192.0.2.1" || !e.At.Equal(now) || e.Detail != "id_number,phone" {
		t.Errorf("stored event %+v", e)
	}
	if _, err := l.Get(ctx, "missing"); !core.IsCode(err, core.NotFound) {
		t.Errorf("missing event: %v", err)
	}
}
