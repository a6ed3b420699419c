// Package policy holds the HTTP handlers of the policy catalogue and
// eligibility: pages, API and the area's entries of the route list.
package policy

import (
	"onestop/portal/web"
	"onestop/services/accounts"
	"onestop/services/bureau"
	"onestop/services/entitlements"
	"onestop/services/people"
	"onestop/services/policy"
)

// Handlers are the area's pages and API, on the shared kernel.
type Handlers struct {
	*web.Kit
	people   *people.Service
	policies *policy.Catalogue
	accounts *accounts.Service
	told     *entitlements.Service
}

// New builds the area's handlers from the bureau's services.
func New(k *web.Kit, b *bureau.Bureau) *Handlers {
	return &Handlers{Kit: k, people: b.People, policies: b.Policies, accounts: b.Accounts, told: b.Entitlements}
}

// Routes are the area's entries of the route list, with their access rules.
func (a *Handlers) Routes() []web.Route {
	return []web.Route{
		web.Get("/policies", web.Public, a.policiesPage),
		web.Get("/policies/:id", web.Public, a.policyPage),
		web.Get("/check", web.Public, a.checkPage),
		web.Post("/check", web.Public, a.checkSubmit),
		web.Post("/check/forget", web.Public, a.checkForget),
		web.Get("/supports", web.Entrepreneur, a.supportsPage),
		web.Get("/admin/policies", web.Admin, a.adminPoliciesPage),
		web.Get("/admin/policies/:id", web.Admin, a.adminPolicyPage),
		web.Post("/admin/policies/:id", web.Admin, a.adminPolicySave),
		web.Get("/admin/facts", web.Admin, a.adminFactsPage),
		web.Post("/admin/facts", web.Admin, a.adminFactSave),
		web.Get("/admin/facts/:name", web.Admin, a.adminFactPage),
		web.Post("/admin/facts/:name", web.Admin, a.adminFactSave),
		web.Get("/api/v1/policies", web.Public, a.apiPolicies, docPolicies),
		web.Get("/api/v1/policies/:id", web.Public, a.apiPolicy, docPolicy),
		web.Put("/api/v1/admin/policies/:id", web.Admin, a.apiSavePolicy, docSavePolicy),
		web.Get("/api/v1/facts", web.Public, a.apiFacts, docFacts),
		web.Put("/api/v1/admin/facts/:name", web.Admin, a.apiSaveFact, docSaveFact),
		web.Post("/api/v1/eligibility/check", web.Public, a.apiCheck, docCheck),
		web.Get("/api/v1/me/eligibility", web.Entrepreneur, a.apiMyEligibility, docMyEligibility),
	}
}

var (
	docPolicies      = web.Doc("The policy catalogue", "policies", nil, web.ListResponse[policy.Policy]{}, 200)
	docPolicy        = web.Doc("One policy with its conditions", "policies", nil, policy.Policy{}, 200)
	docSavePolicy    = web.Doc("Edit a policy (version = the version edited)", "admin", policy.Policy{}, policy.Policy{}, 200)
	docFacts         = web.Doc("The facts administrators defined, which conditions and profiles name beside the built-in ones", "policies", nil, web.ListResponse[policy.DefinedFact]{}, 200)
	docSaveFact      = web.Doc("Define a fact (version 0) or relabel one (version = the version edited; its kind stays)", "admin", policy.DefinedFact{}, policy.DefinedFact{}, 200)
	docCheck         = web.Doc("Check a described profile against every policy", "eligibility", checkRequest{}, checkResponse{}, 200)
	docMyEligibility = web.Doc("Check the caller's profile", "eligibility", nil, checkResponse{}, 200)
)
