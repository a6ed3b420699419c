package mentors

import (
	"testing"

	"onestop/services/accounts"
)

// TestVisibleTo: an active mentor is everyone's; one in any other state is
// seen by themselves and administrators only.
func TestVisibleTo(t *testing.T) {
	for _, tt := range []struct {
		status string
		me     accounts.Principal
		want   bool
	}{
		{Active, accounts.Principal{}, true},
		{Paused, accounts.Principal{}, false},
		{Applied, accounts.Principal{ID: "x", Role: accounts.Entrepreneur}, false},
		{Retired, accounts.Principal{ID: "m", Role: accounts.Mentor}, true},
		{Retired, accounts.Principal{ID: "a", Role: accounts.Admin}, true},
	} {
		m := &Mentor{ID: "m", Status: tt.status}
		if got := m.VisibleTo(tt.me); got != tt.want {
			t.Errorf("%s as %+v: %v, want %v", tt.status, tt.me, got, tt.want)
		}
	}
}
