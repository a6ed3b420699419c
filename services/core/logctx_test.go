package core_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"onestop/services/core"
)

// TestLogHandler: a line logged with a request's context names the
// request, through attributes and groups; one without names none.
func TestLogHandler(t *testing.T) {
	req := core.WithRequestID(context.Background(), "r-42")
	for _, tt := range []struct {
		name string
		log  func(*slog.Logger)
		want string
	}{
		{"with the request's context", func(l *slog.Logger) { l.ErrorContext(req, "request failed") }, `request_id=r-42`},
		{"through attributes", func(l *slog.Logger) { l.With("area", "loans").WarnContext(req, "slow") }, `area=loans request_id=r-42`},
		{"through a group", func(l *slog.Logger) { l.WithGroup("g").InfoContext(req, "x", "k", 1) }, `g.request_id=r-42`},
		{"without one", func(l *slog.Logger) { l.Info("started") }, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			tt.log(slog.New(core.LogHandler(slog.NewTextHandler(&buf, nil))))
			got := buf.String()
			if tt.want == "" && strings.Contains(got, "request_id") || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Fatalf("logged %q, want %q", got, tt.want)
			}
		})
	}
}
