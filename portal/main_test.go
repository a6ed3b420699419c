package portal_test

import (
	"context"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"

	"onestop/portal"
	"onestop/portal/portaltest"
)

// TestMain runs the tests, or — when ONESTOP_TEST_PORTAL_ARGS is set — the
// portal itself with those arguments (separated by \x1f): the crash test
// starts this binary as a portal it can kill.
func TestMain(m *testing.M) {
	if args := os.Getenv("ONESTOP_TEST_PORTAL_ARGS"); args != "" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := portal.Main(ctx, strings.Split(args, "\x1f"), os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	portaltest.Main(m)
}
