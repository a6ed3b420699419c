package bases

import (
	"context"

	"onestop/search"
	"onestop/services/core"
)

// A person is a tenant (在孵) at one base at most. The key `tenant:<person>`
// in the key collection, owned by the application that moved them in, is
// claimed before an offer is accepted: of two offers accepted at the same
// moment only one can insert it, and the other accept is refused before it
// writes anything. The key goes when the tenancy ends (move-out) or the
// accept that claimed it fails.
func tenancyKey(personID string) string { return "tenant:" + personID }

// errTenantElsewhere refuses an accept while the person is a tenant, or
// moving in, at another base.
func errTenantElsewhere() error { return core.Errorf(core.Conflict, "error.apply.tenant") }

// claimTenancy takes the person's tenancy key for application a.
// Claiming it again for the same application succeeds (a retry, or an
// accept that was cut short after the claim).
func (s *Service) claimTenancy(ctx context.Context, a *Application) error {
	if err := s.store.ClaimKey(ctx, tenancyKey(a.ApplicantID), a.ID, "error.apply.tenant"); err != nil {
		return err
	}
	if s.tenantBeforeKeys(ctx, a) {
		_ = s.releaseTenancy(context.WithoutCancel(ctx), a)
		return errTenantElsewhere()
	}
	return nil
}

// tenantBeforeKeys finds a tenancy recorded before tenancy keys existed
// (it holds no key) through the index. The key is the rule for every
// tenancy begun since, so an index that does not answer lets the accept
// through rather than blocking every move-in.
func (s *Service) tenantBeforeKeys(ctx context.Context, a *Application) bool {
	list, err := s.search(ctx, []search.Filter{{Field: "applicant_id", Values: []string{a.ApplicantID}}, {Field: "status", Values: []string{AppTenant}}}, core.Page{Size: 10})
	if err != nil {
		return false
	}
	for _, o := range list {
		if o.ID != a.ID && o.Status == AppTenant {
			return true
		}
	}
	return false
}

// releaseTenancy gives the key back if application a holds it (a no-op for
// a tenancy from before the keys). Only a's own steps call it.
func (s *Service) releaseTenancy(ctx context.Context, a *Application) error {
	return s.store.ReleaseKey(ctx, tenancyKey(a.ApplicantID), a.ID)
}

// abandonTenancy gives the key back after an accept of a failed, unless
// another accept of the same offer (a double click) moved the person in.
// The failed update means the status had already changed, so a fresh read
// tells which.
func (s *Service) abandonTenancy(ctx context.Context, a *Application) error {
	var now Application
	if err := s.store.Get(ctx, "applications", a.ID, &now); err != nil {
		return err
	}
	if now.Status == AppTenant {
		return nil
	}
	return s.releaseTenancy(ctx, a)
}
