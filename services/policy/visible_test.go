package policy

import (
	"testing"

	"onestop/services/accounts"
)

// TestVisibleTo: an active policy is everyone's; one that is not, only
// administrators'.
func TestVisibleTo(t *testing.T) {
	for _, tt := range []struct {
		active bool
		role   accounts.Role
		want   bool
	}{
		{true, "", true}, {true, accounts.Entrepreneur, true}, {false, "", false},
		{false, accounts.Entrepreneur, false}, {false, accounts.Hotline, false}, {false, accounts.Admin, true},
	} {
		p := &Policy{Active: tt.active}
		if got := p.VisibleTo(accounts.Principal{ID: "u", Role: tt.role}); got != tt.want {
			t.Errorf("active %v, role %q: %v, want %v", tt.active, tt.role, got, tt.want)
		}
	}
}
