// Command onestop runs the entrepreneurship one-stop service portal
// (創業一站式服務平台). See README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"onestop/portal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
