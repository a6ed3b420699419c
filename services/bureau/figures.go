package bureau

import (
	"onestop/services/core"
	"onestop/services/figures"
	"onestop/services/hotline"
	"onestop/services/mentors"
	"onestop/services/onestop"
	"onestop/services/policy"
)

// figureEnums are the values of the figures' fixed-list dimensions. The
// figures package cannot import the areas that count into it, so the
// composition root, which knows them all, hands the lists over.
func figureEnums() figures.Enums {
	return figures.Enums{
		"district": core.Districts, "industry": policy.Industries, "group": policy.TargetGroups, "topic": mentors.Topics,
		"call_topic": hotline.CallTopics, "call_type": hotline.CallTypes, "complaint_kind": hotline.ComplaintKinds,
		"case_outcome": hotline.Outcomes, "service_type": onestop.Types,
	}
}
