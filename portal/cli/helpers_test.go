package cli

import (
	"bytes"
	"context"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"

	"onestop/portal/portaltest"
)

// TestMain runs the tests, or — when ONESTOP_TEST_PORTAL_ARGS is set — the
// portal itself with those arguments (separated by \x1f): the crash test
// starts this binary as a portal it can kill.
func TestMain(m *testing.M) {
	if args := os.Getenv("ONESTOP_TEST_PORTAL_ARGS"); args != "" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := Main(ctx, strings.Split(args, "\x1f"), os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	portaltest.Main(m)
}

// startApp starts a test portal on the data directory data, as the binary
// would (keys from settings args or the key files), with a database
// connection of its own: a command may need the data to itself once the
// test closes it (closeApp).
func startApp(t *testing.T, data string, args ...string) *portaltest.Portal {
	t.Helper()
	return portaltest.New(t, portaltest.Dir(data), portaltest.OwnStore(), portaltest.Args(args...))
}

// closeApp closes a test portal before the test goes on with its data.
func closeApp(t *testing.T, tp *portaltest.Portal) {
	t.Helper()
	if err := tp.Close(); err != nil {
		t.Fatal(err)
	}
}

// run runs the command line and returns its exit code and output.
func run(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = Main(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}
