package portal

import (
	"context"
	"fmt"
	"io"
	"strings"

	"onestop/services/accounts"
	"onestop/services/core"
)

// demoPassword is shared by every demo account; the demo is for a first
// look on a laptop, and the command prints it.
const demoPassword = "Demo-2026-onestop"

var demoAccounts = []accounts.NewAccount{
	{Email: "admin@demo.onestop.cn", Name: "陳局長", Role: accounts.Admin},
	{Email: "hotline@demo.onestop.cn", Name: "林坐席", Role: accounts.Hotline},
	{Email: "mentor@demo.onestop.cn", Name: "張導師", Role: accounts.Mentor},
	{Email: "mentor2@demo.onestop.cn", Name: "黃教授", Role: accounts.Mentor},
	{Email: "base@demo.onestop.cn", Name: "周主任", Role: accounts.IncubatorManager},
	{Email: "wang@demo.onestop.cn", Name: "王小明", Role: accounts.Entrepreneur},
	{Phone: "13800138001", Name: "李秀英", Role: accounts.Entrepreneur},
	{Phone: "13800138002", Name: "劉建國", Role: accounts.Entrepreneur},
	{Email: "zhao@demo.onestop.cn", Name: "趙麗華", Role: accounts.Entrepreneur},
	{Email: "sun@demo.onestop.cn", Name: "孫志強", Role: accounts.Entrepreneur},
}

// LoadDemo creates the demo accounts that do not exist yet and prints how
// to sign in.
func (a *App) LoadDemo(ctx context.Context, w io.Writer) error {
	admin := accounts.Principal{Role: accounts.Admin, Name: "demo"}
	created := 0
	for _, in := range demoAccounts {
		in.Password = demoPassword
		_, err := a.accounts.Create(ctx, admin, in, accounts.Meta{IP: "127.0.0.1"})
		if core.IsCode(err, core.Conflict) {
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %s", in.Name, a.describe(err))
		}
		created++
	}
	fmt.Fprintf(w, "\nDemo data: %d accounts created. Sign in with any of these, password %s:\n", created, demoPassword)
	for _, in := range demoAccounts {
		login := in.Email
		if login == "" {
			login = in.Phone
		}
		fmt.Fprintf(w, "  %-26s %-18s %s\n", login, in.Role, in.Name)
	}
	fmt.Fprintln(w)
	return nil
}

// describe renders a domain error for the command line, in English.
func (a *App) describe(err error) string {
	var ce *core.Error
	if !asCore(err, &ce) {
		return err.Error()
	}
	parts := []string{a.i18n.T("en", ce.Message)}
	for _, f := range sortedKeys(ce.Fields) {
		parts = append(parts, f+": "+a.i18n.T("en", ce.Fields[f]))
	}
	return strings.Join(parts, "; ")
}
