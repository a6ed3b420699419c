package core_test

import (
	"strings"
	"testing"

	"onestop/services/core"
)

type thing struct{}

func TestCheckDeps(t *testing.T) {
	type deps struct {
		Store  *thing
		Lookup func() string
		Days   map[string]int `deps:"optional"`
		Clock  core.Clock
		Limit  int
	}
	for _, tt := range []struct {
		name    string
		deps    any
		missing string // "" for none
	}{
		{"everything given", deps{Store: &thing{}, Lookup: func() string { return "" }}, ""},
		{"a pointer and a function missing", deps{}, "missing Store, Lookup"},
		{"through a pointer", &deps{Store: &thing{}}, "missing Lookup"},
		{"not a struct", 3, "must be a struct"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := core.CheckDeps("svc", tt.deps)
			switch {
			case tt.missing == "" && err != nil:
				t.Errorf("unexpected %v", err)
			case tt.missing != "" && (err == nil || !strings.Contains(err.Error(), tt.missing)):
				t.Errorf("got %v, want %q", err, tt.missing)
			}
		})
	}
}
