package training

import (
	"context"
	"slices"

	"onestop/services/core"
)

// checkSubsidy bounds a course's subsidy per trainee. The provider types
// it, but the policy sets it: it is at most the course fee (the subsidy
// pays for the training, so a free course has nothing to pay for) and at
// most the catalogue's standard for the kind of course
// (policy.Benefit.PerTraineeYuan); a kind no active policy subsidises
// carries none. Errors go on the subsidy field; a failure to read the
// catalogue is returned.
func (s *Service) checkSubsidy(ctx context.Context, v *core.Validation, in NewCourse) error {
	switch {
	case in.SubsidyYuan < 0:
		v.Add("subsidy_yuan", "error.number.range")
		return nil
	case in.SubsidyYuan == 0:
		return nil
	case in.SubsidyYuan > in.FeeYuan:
		v.Add("subsidy_yuan", "error.training.subsidy_fee")
		return nil
	case !slices.Contains(Kinds, in.Kind):
		return nil // the kind's own error says what is wrong
	}
	standard, ok, err := s.policies.TrainingStandard(ctx, in.Kind)
	if err != nil {
		return err
	}
	switch {
	case !ok:
		v.Add("subsidy_yuan", "error.training.subsidy_kind")
	case in.SubsidyYuan > standard:
		v.Add("subsidy_yuan", "error.training.subsidy_standard")
	}
	return nil
}

// claimAmount is what a claim pays per trainee: the course's subsidy
// within its fee and the standard in force when the claim is made, so a
// course opened before these bounds, or under a standard since lowered, is
// paid what the policy allows and no more.
func (s *Service) claimAmount(ctx context.Context, c *Course) (int64, error) {
	standard, ok, err := s.policies.TrainingStandard(ctx, c.Kind)
	if err != nil || !ok {
		return 0, err
	}
	return max(min(c.SubsidyYuan, c.FeeYuan, standard), 0), nil
}
