package projects

import "onestop/services/accounts"

// Who may do what with a project. The service's steps enforce these rules
// and the pages ask them before offering a button, so both read one rule.

// SeesEvaluation reports whether me sees the evaluation (reviewers,
// reviews, history): the submitter, the reviewers and administrators; the
// public sees the project and its outcome.
func (p *Project) SeesEvaluation(me accounts.Principal) bool {
	return me.Role == accounts.Admin || (!me.Guest() && (me.ID == p.OwnerID || p.IsReviewer(me.ID)))
}

// OpenToOwner reports whether the submitter may still revise and submit:
// a draft, or after a "not recommended" outcome (the one revision allowed).
func (p *Project) OpenToOwner() bool {
	return p.Status == Draft || (p.Status == NotRecommended && p.Resubmissions < 1)
}

// CanEdit reports whether me may revise the project: its submitter while
// it is open to them, administrators any time before it is archived,
// except their own, which they revise as any submitter does.
func (p *Project) CanEdit(me accounts.Principal) bool {
	if me.ID == p.OwnerID {
		return p.OpenToOwner()
	}
	return me.Role == accounts.Admin && p.Status != Archived
}

// CanSubmit reports whether me may send the project for evaluation.
func (p *Project) CanSubmit(me accounts.Principal) bool { return me.ID == p.OwnerID && p.OpenToOwner() }

// CanReview reports whether me is an assigned reviewer who has yet to score.
func (p *Project) CanReview(me accounts.Principal) bool {
	return p.IsReviewer(me.ID) && !p.Reviewed(me.ID) && p.Status == UnderEvaluation
}

// CanDecide reports whether me may take the evaluation steps (choose the
// reviewers, decide, archive): administrators, never on their own project
// (利益迴避).
func (p *Project) CanDecide(me accounts.Principal) bool {
	return me.Role == accounts.Admin && (p.OwnerID == "" || me.ID != p.OwnerID)
}
