// Package grants holds the HTTP handlers of the applications for supports
// (申領) and their ledger: the application page of each kind, one's own
// applications and what was granted, the bureau's queue and decisions, and
// the public check of a certificate by its code.
package grants

import (
	"onestop/portal/web"
	"onestop/services/accounts"
	"onestop/services/bureau"
	"onestop/services/grants"
	"onestop/services/people"
	"onestop/services/policy"
)

// Handlers are the area's pages and API, on the shared kernel.
type Handlers struct {
	*web.Kit
	grants   *grants.Service
	people   *people.Service
	policies *policy.Catalogue
}

// New builds the area's handlers from the bureau's services.
func New(k *web.Kit, b *bureau.Bureau) *Handlers {
	return &Handlers{Kit: k, grants: b.Grants, people: b.People, policies: b.Policies}
}

var (
	// applicants apply: people for themselves, organisations' users for
	// their organisation.
	applicants = web.Roles(accounts.Entrepreneur, accounts.Organisation)
	// readers see applications: the applicant's side and the bureau (the
	// service says which ones).
	readers = web.Roles(accounts.Entrepreneur, accounts.Organisation, accounts.Hotline, accounts.CaseOfficer, accounts.Admin)
	// actors act on one: the applicant's side, and those who decide.
	actors = web.Roles(accounts.Entrepreneur, accounts.Organisation, accounts.CaseOfficer, accounts.Admin)
)

// Routes are the area's entries of the route list, with their access rules.
func (a *Handlers) Routes() []web.Route {
	return []web.Route{
		web.Get("/grants", readers, a.listPage),
		web.Get("/grants/new", applicants, a.newPage),
		web.Post("/grants", applicants, a.create),
		web.Get("/grants/:id", readers, a.page),
		web.Post("/grants/:id/steps", actors, a.stepWeb),
		web.Post("/grants/:id/attachments", applicants, a.attachWeb),
		web.Post("/grants/:id/attachments/:doc/delete", applicants, a.detachWeb),
		web.Get("/grants/:id/attachments/:doc", readers, a.download),
		web.Get("/verify", web.Public, a.verifyPage),
		web.Get("/api/v1/grants", readers, a.apiList, docList),
		web.Post("/api/v1/grants", applicants, a.apiApply, docApply),
		web.Get("/api/v1/grants/:id", readers, a.apiGet, docGet),
		web.Post("/api/v1/grants/:id/steps", actors, a.apiStep, docStep),
		web.Post("/api/v1/grants/:id/attachments", applicants, a.apiAttach, docAttach),
		web.Delete("/api/v1/grants/:id/attachments/:doc", applicants, a.apiDetach, docDetach),
		web.Get("/api/v1/grants/:id/attachments/:doc", readers, a.download, docDownload),
		web.Get("/api/v1/ledger", readers, a.apiLedger, docLedger),
		web.Get("/api/v1/verify/:code", web.Public, a.apiVerify, docVerify),
	}
}

var (
	docList     = web.Doc("Applications for supports: one's own (a person's, or one's organisation's); the bureau's queue, overdue first (kind, status, policy_id to filter)", "grants", nil, web.ListResponse[apiRow]{}, 200)
	docApply    = web.Doc("Apply for a support whose policy is applied for as a certificate, a registration or a reward (an organisation lists the people it claims for); evidence is uploaded after", "grants", grants.Input{}, APIApplication{}, 201)
	docGet      = web.Doc("One application: its status, whom it waits on, its evidence, lines, history and grant", "grants", nil, APIApplication{}, 200)
	docStep     = web.Doc("Act on an application: grant, return or refuse (case officers, administrators); resubmit or withdraw (the applicant)", "grants", grants.StepInput{}, APIApplication{}, 200)
	docAttach   = web.Doc("Upload evidence to one's own application before it is decided (multipart: kind, file; PDF, JPEG or PNG by content, at most 4 MiB, 12 files)", "grants", web.Upload{}, grants.Document{}, 201)
	docDetach   = web.Doc("Remove evidence from one's own application before it is decided", "grants", nil, nil, 204)
	docDownload = web.Doc("Download evidence of an application one may read (audited for the bureau)", "grants", nil, web.FileBytes{}, 200)
	docLedger   = web.Doc("The benefit ledger: what was granted, when, how much, under which policy version (one's own; the bureau: subject_id)", "grants", nil, web.ListResponse[*APIApplication]{}, 200)
	docVerify   = web.Doc("Check a certificate by its code: the support, the holder's masked name, its validity (anyone)", "grants", nil, grants.Certificate{}, 200)
)
