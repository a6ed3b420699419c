package people

import (
	"context"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/policy"
)

// MyEligibility checks the caller's stored profile against every policy
// today and logs the check for the figures (people eligible per policy).
// A caller without a profile gets NotFound.
func (s *Service) MyEligibility(ctx context.Context, me accounts.Principal) ([]policy.Result, core.Date, error) {
	p, err := s.Get(ctx, me, me.ID)
	if err != nil {
		return nil, core.Date{}, err
	}
	asOf := core.DateOf(s.clock.Now())
	rs, err := s.policies.Check(ctx, &p.Facts, asOf)
	if err == nil {
		s.policies.Logged(ctx, p.ID, p.District, &p.Facts, asOf, rs)
	}
	return rs, asOf, err
}
