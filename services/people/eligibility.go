package people

import (
	"context"
	"slices"
	"strings"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/policy"
)

// Answer is a person's eligibility as they, or staff, are told it.
type Answer struct {
	Results []policy.Result
	AsOf    core.Date
	// GaveUpPlacement: a land-expropriated farmer who refused
	// PlacementRefusals recommendations, which the source treats as giving
	// up placement (視同放棄安置).
	GaveUpPlacement bool
}

// MyEligibility checks the caller's stored profile against every policy
// today (Eligibility) and logs the check for the figures (people eligible
// per policy). A caller without a profile gets NotFound.
func (s *Service) MyEligibility(ctx context.Context, me accounts.Principal) ([]policy.Result, core.Date, error) {
	a, err := s.Eligibility(ctx, me, me.ID)
	if err != nil {
		return nil, core.Date{}, err
	}
	return a.Results, a.AsOf, nil
}

// Eligibility checks a stored profile against every policy today, for its
// owner (the check is logged for the figures) or the bureau's staff. Each
// eligible result names the checked facts it rests on that are only the
// person's word (policy.Result.Unverified); a protected fact nobody has
// checked yet is answered as if it held for the group it is about, and
// named there too, so a farmer hears "eligible once your roster entry is
// confirmed" instead of being asked for what they cannot give.
func (s *Service) Eligibility(ctx context.Context, actor accounts.Principal, personID string) (*Answer, error) {
	p, err := s.Get(ctx, actor, personID)
	if err != nil {
		return nil, err
	}
	asOf := core.DateOf(s.clock.Now())
	facts, assumed := pending(&p.Facts)
	rs, err := s.policies.Check(ctx, &facts, asOf)
	if err != nil {
		return nil, err
	}
	checked, err := s.AllCheckedFacts(ctx)
	if err != nil {
		return nil, err
	}
	for i := range rs {
		rs[i].Unverified = unverified(p, &facts, rs[i], checked)
	}
	if actor.ID == personID {
		// The figures count what the facts as given decide, not what
		// awaits a check.
		logged := rs
		if assumed {
			if logged, err = s.policies.Check(ctx, &p.Facts, asOf); err != nil {
				return nil, err
			}
		}
		s.policies.Logged(ctx, p.ID, p.District, &p.Facts, asOf, logged)
	}
	return &Answer{Results: rs, AsOf: asOf, GaveUpPlacement: p.GaveUpPlacement()}, nil
}

// pending returns the facts with every protected fact nobody has given
// taken as holding for the members of the group it is about
// (CheckedFact.PendingFor), and whether any was.
func pending(f *policy.Facts) (policy.Facts, bool) {
	out, assumed := *f, false
	for _, c := range CheckedFacts {
		if c.Protected && c.PendingFor != "" && c.Kind == FactBool && FactValue(f, c.Key) == "" && f.HasGroup(c.PendingFor) {
			setFact(&out, c.Key, "true")
			assumed = true
		}
	}
	return out, assumed
}

// AnsweredFacts are the facts a profile's eligibility is answered on (see
// Eligibility): its own, with a protected fact nobody has checked yet taken
// as holding for the group it is about. Whoever tells people what they
// qualify for (entitlements) reads these, so it says what the supports
// page says.
func AnsweredFacts(p *Profile) policy.Facts {
	f, _ := pending(&p.Facts)
	return f
}

// unverified names, in the order of checked, the checked facts an eligible
// result rests on that the profile does not have established: for a rule
// met by belonging to one of several groups, the groups met when none of
// them is established.
func unverified(p *Profile, facts *policy.Facts, r policy.Result, checked []CheckedFact) []string {
	if r.Status != policy.Eligible {
		return nil
	}
	need := map[string]bool{}
	for _, rs := range r.Reasons {
		if rs.Met != policy.Yes {
			continue
		}
		var keys []string
		switch {
		case rs.Fact == "target_groups" && !strings.HasSuffix(rs.Op, "lacks"):
			for _, g := range rs.Values {
				if _, ok := Checked(groupPrefix + g); ok && facts.HasGroup(g) {
					keys = append(keys, groupPrefix+g)
				}
			}
		default:
			if _, ok := find(checked, rs.Fact); ok {
				keys = []string{rs.Fact}
			}
		}
		if len(keys) > 0 && !slices.ContainsFunc(keys, p.Verified) {
			for _, k := range keys {
				need[k] = true
			}
		}
	}
	var out []string
	for _, c := range checked {
		// A fact whose confirming fact waits too is checked with it: the
		// farmer brings one roster certificate, not two.
		if need[c.Key] && !need[c.ConfirmedBy] {
			out = append(out, c.Key)
		}
	}
	return out
}
