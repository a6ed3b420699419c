package grants

import (
	"context"
	"slices"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/notify"
	"onestop/services/policy"
)

// AutoGrant grants a person a support whose policy is granted without
// application (免申即享, Apply.Auto) once they are eligible on facts the
// bureau has checked: the grant is recorded in the ledger as any other,
// and the person told. It reports whether it granted: not when the policy
// is not automatic, the person not (or not yet verifiably) eligible, or
// the support already theirs or applied for. Run again, it grants nothing
// twice (the once-only key).
func (s *Service) AutoGrant(ctx context.Context, personID, policyID string) (bool, error) {
	pol, err := s.policies.Get(ctx, policyID)
	if err != nil {
		return false, err
	}
	if !automatic(pol) {
		return false, nil
	}
	res, err := s.result(ctx, personID, policyID)
	if err != nil || res == nil {
		return false, err
	}
	return s.autoGrant(ctx, pol, res, personID)
}

// automatic reports whether a person is granted the support without
// application.
func automatic(p *policy.Policy) bool {
	return p.Applicable() && p.Apply.Auto && !p.ForOrganisations()
}

// autoGrant grants pol on the person's answer for it, when it is eligible
// on checked facts alone.
func (s *Service) autoGrant(ctx context.Context, pol *policy.Policy, res *policy.Result, personID string) (bool, error) {
	if res.Status != policy.Eligible || len(res.Unverified) > 0 {
		return false, nil
	}
	p, err := s.people.Get(ctx, system, personID)
	if err != nil {
		return false, err
	}
	now := s.clock.Now()
	a := &Application{ID: core.IDOf("auto", pol.ID, personID), PolicyID: pol.ID, PolicyVersion: pol.Version, Kind: pol.Apply.Kind,
		Applicant: policy.ByPerson, SubjectID: personID, SubjectName: p.RealName, ByID: system.ID, Status: Granted, Documents: []Document{},
		CreatedAt: now, DecidedAt: now}
	var have Application
	if err := s.store.Get(ctx, collection, a.ID, &have); err == nil {
		return false, nil // granted before
	} else if !core.IsCode(err, core.NotFound) {
		return false, err
	}
	key := holdKey(pol.ID, personID)
	if err := s.store.ClaimKey(ctx, key, a.ID, "error.grant.twice"); err != nil {
		if core.IsCode(err, core.Conflict) {
			return false, nil
		}
		return false, err
	}
	g, err := s.makeGrant(ctx, pol, a, system.Name, false, true)
	if err != nil {
		_ = s.store.ReleaseKey(context.WithoutCancel(ctx), key, a.ID)
		return false, err
	}
	a.Grant = g
	a.History = []Step{{At: now, ActorName: system.Name, Side: "system", Action: "auto_grant"}}
	if err := s.outbox.Begin(ctx, Index.Name, a.ID); err != nil {
		s.undoGrant(ctx, a)
		return false, err
	}
	if _, err := s.store.C(collection).InsertOne(ctx, a); err != nil {
		if mongo.IsDuplicateKeyError(err) { // another replica granted it meanwhile
			_ = s.store.ReleaseKey(context.WithoutCancel(ctx), certKey(g.Code), a.ID)
			return false, nil
		}
		s.undoGrant(ctx, a)
		return false, core.Wrap(err, "insert grant")
	}
	s.outbox.Apply(ctx, Index.Name, a.ID)
	s.audit.Record(ctx, system.Actor(accounts.Meta{}), "grant.auto_grant", audit.Success, a.ID, pol.ID)
	s.notify.Send(ctx, personID, "notify.grant.auto_grant", notify.Policy(pol.ID), "/grants/"+a.ID)
	s.count(ctx, a)
	return true, nil
}

// undoGrant frees what a grant that was not written took.
func (s *Service) undoGrant(ctx context.Context, a *Application) {
	ctx = context.WithoutCancel(ctx)
	_ = s.store.ReleaseKey(ctx, holdKey(a.PolicyID, a.SubjectID), a.ID)
	if a.Grant != nil && a.Grant.Code != "" {
		_ = s.store.ReleaseKey(ctx, certKey(a.Grant.Code), a.ID)
	}
}

// AutoGrants tries every support granted without application for a
// person (after their profile, a check or a roster changed it) and
// reports how many it granted: the person is checked once against the
// catalogue, and only when some support is automatic.
func (s *Service) AutoGrants(ctx context.Context, personID string) (int, error) {
	all, err := s.policies.All(ctx)
	if err != nil || !slices.ContainsFunc(all, automatic) {
		return 0, err
	}
	ans, err := s.people.Eligibility(ctx, system, personID)
	if core.IsCode(err, core.NotFound) {
		return 0, nil // no profile: nothing is due
	}
	if err != nil {
		return 0, err
	}
	n := 0
	for i := range ans.Results {
		r := &ans.Results[i]
		if !automatic(r.Policy) {
			continue
		}
		ok, err := s.autoGrant(ctx, r.Policy, r, personID)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}
