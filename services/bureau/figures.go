package bureau

import (
	"onestop/services/figures"
	"onestop/services/hotline"
	"onestop/services/mentors"
	"onestop/services/onestop"
	"onestop/services/policy"
	"onestop/services/reference"
)

// figureLists are the values of the figures' listed dimensions. The
// figures package cannot import the areas that count into it, so the
// composition root, which knows them all, hands the lists over.
type figureLists struct {
	ref   *reference.Lists
	fixed figures.Enums
}

// refDims are the dimensions whose values are the bureau's reference
// data: any code ever listed, as the rollups keep what records held.
var refDims = map[string][]reference.Kind{"district": {reference.District}, "industry": policy.VentureIndustries}

func newFigureLists(ref *reference.Lists) figureLists {
	return figureLists{ref: ref, fixed: figures.Enums{
		"group": policy.TargetGroups, "topic": mentors.Topics,
		"call_topic": hotline.CallTopics, "call_type": hotline.CallTypes, "complaint_kind": hotline.ComplaintKinds,
		"case_outcome": hotline.Outcomes, "service_type": onestop.Types,
	}}
}

func (l figureLists) Values(dim string) []string {
	if kinds := refDims[dim]; kinds != nil {
		var out []string
		for _, k := range kinds {
			out = append(out, l.ref.AllCodes(k)...)
		}
		return out
	}
	return l.fixed.Values(dim)
}

// Resolve takes a district or industry by code or by a label in either
// script, as people write them.
func (l figureLists) Resolve(dim, v string) (string, bool) {
	if kinds := refDims[dim]; kinds != nil {
		return l.ref.Known(kinds...).Resolve(v)
	}
	return l.fixed.Resolve(dim, v)
}
