package accounts_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"onestop/services/accounts"
	"onestop/services/privacy"
	"onestop/services/servicetest"
)

// TestOnChange: whoever registered hears of an administrator disabling,
// enabling or changing the role of an account, with the account as it now
// is; a refused change is not told.
func TestOnChange(t *testing.T) {
	x := servicetest.New(t, time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	x.Ready(t)
	ctx := context.Background()
	u := x.Users(t, map[string]accounts.Role{"mentor": accounts.Mentor, "other": accounts.Entrepreneur})
	var heard []accounts.User
	x.Accounts.OnChange(func(_ context.Context, v *accounts.User) { heard = append(heard, *v) })
	id := u["mentor"].ID
	for _, tc := range []struct {
		name   string
		change func() error
		want   func(accounts.User) bool // nil: nothing told
	}{
		{"disabled", func() error { return x.Accounts.SetDisabled(ctx, x.Admin, id, true, servicetest.Meta) },
			func(v accounts.User) bool { return v.Disabled }},
		{"enabled", func() error { return x.Accounts.SetDisabled(ctx, x.Admin, id, false, servicetest.Meta) },
			func(v accounts.User) bool { return !v.Disabled }},
		{"role", func() error { return x.Accounts.SetRole(ctx, x.Admin, id, accounts.Entrepreneur, servicetest.Meta) },
			func(v accounts.User) bool { return v.Role == accounts.Entrepreneur }},
		{"refused", func() error { return x.Accounts.SetDisabled(ctx, u["other"], id, true, servicetest.Meta) }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			heard = nil
			err := tc.change()
			switch {
			case tc.want == nil:
				if err == nil || len(heard) != 0 {
					t.Fatalf("refused change: %v, told %v", err, heard)
				}
			case err != nil || len(heard) != 1 || heard[0].ID != id || !tc.want(heard[0]):
				t.Fatalf("change: %v, told %+v", err, heard)
			}
		})
	}
}

// TestAccountPersonalData: the account's export holds the person's own
// login; its erasure anonymises it (no name, e-mail or phone; signed out;
// the login free again), and runs again without harm.
func TestAccountPersonalData(t *testing.T) {
	x := servicetest.New(t, time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	x.Ready(t)
	ctx := context.Background()
	created, err := x.Accounts.Create(ctx, x.Admin, accounts.NewAccount{Phone: "13655501234", Password: "Long-enough-9", Name: "金絲雀丁", Role: accounts.Entrepreneur}, servicetest.Meta)
	if err != nil {
		t.Fatal(err)
	}
	pd := x.Accounts.PersonalData()
	names, numbers, err := pd.Known(ctx, created.ID)
	if err != nil || !slices.Contains(names, "金絲雀丁") || !slices.Contains(numbers, "13655501234") {
		t.Fatalf("known %v %v (%v)", names, numbers, err)
	}
	part, err := pd.Export(ctx, created.ID)
	if err != nil || len(part.Records) != 1 || part.Records[0].Kind != "account" {
		t.Fatalf("export %+v (%v)", part, err)
	}
	subj := privacy.Subject{ID: created.ID, Pseudonym: accounts.Pseudonym(created.ID), Names: names, Numbers: numbers}
	for range 2 {
		if err := pd.Erase(ctx, subj); err != nil {
			t.Fatal(err)
		}
	}
	u, err := x.Accounts.Get(ctx, created.ID)
	if err != nil || u.Name != subj.Pseudonym || u.PhoneSealed != "" || u.PhoneMasked != "" || !u.Disabled {
		t.Fatalf("after erasure: %+v (%v)", u, err)
	}
	if _, err := x.Accounts.Create(ctx, x.Admin, accounts.NewAccount{Phone: "13655501234", Password: "Long-enough-9", Name: "新的人", Role: accounts.Entrepreneur}, servicetest.Meta); err != nil {
		t.Fatalf("the phone is not free again: %v", err)
	}
}
