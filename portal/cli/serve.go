package cli

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"onestop/portal"
)

// serve starts the portal and serves until ctx ends; with demo, it first
// lays down the demo data.
func serve(ctx context.Context, args []string, stderr io.Writer, demo bool) error {
	start := time.Now()
	in, err := open(ctx, args, stderr)
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := in.app.Close(cctx); err != nil {
			in.log.Warn("close", "err", err)
		}
		in.log.Info("stopped")
	}()
	if demo {
		d, err := in.app.Demo()
		if err != nil {
			return err
		}
		if err := d.Load(ctx, stderr); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
	}
	ln, err := net.Listen("tcp", in.cfg.Addr)
	if err != nil {
		return err
	}
	in.log.Info("started", "ms", time.Since(start).Milliseconds())
	return in.app.Serve(ctx, ln)
}

// healthcheck asks a running portal whether it is alive, for container
// health checks in images that have no shell or curl.
func healthcheck(ctx context.Context, args []string, stderr io.Writer) error {
	cfg, err := portal.LoadConfig(args, os.Getenv, stderr)
	if err != nil {
		return err
	}
	host, port, _ := net.SplitHostPort(cfg.Addr)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthz: %s", resp.Status)
	}
	return nil
}
