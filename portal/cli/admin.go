package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"onestop/services/accounts"
)

// adminCommand runs `admin create`: the first administrator, who creates
// the other staff accounts on the web.
func adminCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: portal admin create -email a@b.cn -password … -name 姓名 [settings]")
	}
	fs := flag.NewFlagSet("admin create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	email := fs.String("email", "", "e-mail of the administrator")
	phone := fs.String("phone", "", "mobile number (instead of e-mail)")
	password := fs.String("password", "", "password (8–128 characters)")
	name := fs.String("name", "", "real name")
	// Settings flags may follow; parse ours, pass the rest on.
	own, rest := splitFlags(args[1:], "email", "phone", "password", "name")
	if err := fs.Parse(own); err != nil {
		return err
	}
	in, err := open(ctx, rest, stderr)
	if err != nil {
		return err
	}
	defer in.close()
	u, err := in.app.Bureau().Accounts.Bootstrap(ctx, accounts.NewAccount{Email: *email, Phone: *phone, Password: *password, Name: *name})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "administrator %s created (id %s)\n", u.Name, u.ID)
	return nil
}

// reindex rebuilds every search index from the database, with progress.
func reindex(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	in, err := open(ctx, args, stderr)
	if err != nil {
		return err
	}
	defer in.close()
	o := in.app.Bureau().Outbox
	for _, name := range o.Indexes() {
		bar := newProgress(stderr, "reindex "+name, 0)
		n, err := o.Rebuild(ctx, name, bar.set)
		bar.done()
		if err != nil {
			return fmt.Errorf("reindex %s: %w", name, err)
		}
		fmt.Fprintf(stdout, "%s: %d documents\n", name, n)
	}
	return nil
}

// rebuildFigures recomputes every rollup from the records, streamed, with
// a progress bar: after a restore, or to recover counts a crash lost.
func rebuildFigures(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	in, err := open(ctx, args, stderr)
	if err != nil {
		return err
	}
	defer in.close()
	b := in.app.Bureau()
	bar := newProgress(stderr, "rebuild figures", 0)
	n, err := b.Figures.Rebuild(ctx, b.FigureSources(), bar.set)
	bar.done()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "figures: %d events counted\n", n)
	return nil
}
