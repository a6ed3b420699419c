package hotline

import "testing"

// TestVentureOutlierRule: which self-reported head-counts wait for staff.
// Earlier check-ins are given as month → figure and how it stands.
func TestVentureOutlierRule(t *testing.T) {
	type earlier struct {
		month, employees int
		by, review       string
	}
	self := func(month, n int) earlier { return earlier{month, n, "self", ""} }
	staff := func(month, n int) earlier { return earlier{month, n, "staff", ""} }
	for _, tt := range []struct {
		name    string
		before  []earlier
		month   int
		n       int
		flagged bool
	}{
		{"a first small figure", nil, 6, 19, false},
		{"a first figure of 20", nil, 6, 20, true},
		{"the most a person may report", nil, 6, MaxSelfEmployees, true},
		{"ten more than a small figure", []earlier{self(6, 3)}, 12, 13, false},
		{"eleven more than a small figure", []earlier{self(6, 3)}, 12, 14, true},
		{"an unverified figure does not vouch for 20", []earlier{self(6, 15)}, 12, 25, true},
		{"a verified figure vouches for growth", []earlier{staff(6, 40)}, 12, 45, false},
		{"but not for more than double", []earlier{staff(6, 40)}, 12, 81, true},
		{"a staff-verified self-report vouches too", []earlier{{6, 30, "self", Verified}}, 12, 50, false},
		{"the last figure decides the jump", []earlier{staff(6, 40), self(12, 10)}, 24, 25, true},
		{"a figure still waiting is no baseline", []earlier{{6, 250, "self", ToVerify}}, 12, 5, false},
		{"a later month is not earlier", []earlier{staff(12, 3)}, 6, 15, false},
	} {
		var checks []StabilityCheck
		for _, m := range StabilityMonths {
			k := StabilityCheck{Month: m}
			for _, e := range tt.before {
				if e.month == m {
					k = StabilityCheck{Month: m, Done: true, Operating: true, Employees: e.employees, By: e.by, Review: e.review}
				}
			}
			checks = append(checks, k)
		}
		if got := needsReview(tt.n, checks, tt.month); got != tt.flagged {
			t.Errorf("%s: %d at month %d flagged=%v, want %v", tt.name, tt.n, tt.month, got, tt.flagged)
		}
	}
}

// TestVentureCheckBasis: which figures a check-in counts in.
func TestVentureCheckBasis(t *testing.T) {
	for _, tt := range []struct {
		k    StabilityCheck
		want string
	}{
		{StabilityCheck{By: "staff"}, Verified},
		{StabilityCheck{By: "self", Review: Verified}, Verified},
		{StabilityCheck{By: "self", Review: ToVerify}, ToVerify},
		{StabilityCheck{By: "self"}, SelfReported},
		{StabilityCheck{}, SelfReported},                          // nobody said who: not verified
		{StabilityCheck{By: "self", Employees: 100000}, ToVerify}, // kept from before the bound
		{StabilityCheck{By: "staff", Employees: 5000}, Verified},
	} {
		if got := tt.k.Basis(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.k, got, tt.want)
		}
	}
}
