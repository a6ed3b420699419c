package policy

import "testing"

// TestTrainingStandards: the seed catalogue gives every kind of training
// course a standard, and a standard out of range or for a malformed kind
// is refused like any other benefit.
func TestTrainingStandards(t *testing.T) {
	seeds, err := SeedPolicies()
	if err != nil {
		t.Fatal(err)
	}
	best := map[string]int64{}
	for _, p := range seeds {
		for kind, yuan := range p.Benefit.PerTraineeYuan {
			best[kind] = max(best[kind], yuan)
		}
	}
	for _, kind := range []string{"awareness", "planning", "management", "skills"} {
		if best[kind] <= 0 {
			t.Errorf("no standard for %s courses", kind)
		}
	}
	for _, tt := range []struct {
		standard map[string]int64
		ok       bool
	}{
		{map[string]int64{"planning": 1500}, true},
		{map[string]int64{"planning": 0}, true},
		{map[string]int64{"planning": -1}, false},
		{map[string]int64{"planning": 100_001}, false},
		{map[string]int64{"Planning!": 100}, false},
		{map[string]int64{"": 100}, false},
	} {
		p := *seeds[0]
		p.Benefit.PerTraineeYuan = tt.standard
		if err := p.Validate(); (err == nil) != tt.ok {
			t.Errorf("standard %v: %v", tt.standard, err)
		}
	}
}
