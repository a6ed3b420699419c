// Package bases holds the HTTP handlers of incubation bases, applications
// and intakes: pages, API and the area's entries of the route list.
package bases

import (
	"onestop/portal/web"
	"onestop/services/accounts"
	"onestop/services/bases"
	"onestop/services/bureau"
	"onestop/services/people"
)

// Handlers are the area's pages and API, on the shared kernel.
type Handlers struct {
	*web.Kit
	accounts *accounts.Service
	people   *people.Service
	bases    *bases.Service
}

// New builds the area's handlers from the bureau's services.
func New(k *web.Kit, b *bureau.Bureau) *Handlers {
	return &Handlers{Kit: k, accounts: b.Accounts, people: b.People, bases: b.Bases}
}

// Routes are the area's entries of the route list, with their access rules.
func (a *Handlers) Routes() []web.Route {
	return []web.Route{
		web.Get("/bases", web.Public, a.basesPage),
		web.Get("/bases/for-me", web.Entrepreneur, a.basesForMePage),
		web.Get("/bases/:id", web.Public, a.basePage),
		web.Get("/applications", web.Entrepreneur, a.applicationsPage),
		web.Post("/applications", web.Entrepreneur, a.applySubmit),
		web.Post("/applications/:id/withdraw", web.Entrepreneur, a.applicationStep("withdraw", "/applications")),
		web.Post("/applications/:id/accept-offer", web.Entrepreneur, a.applicationStep("accept_offer", "/applications")),
		web.Post("/applications/:id/decline-offer", web.Entrepreneur, a.applicationStep("decline_offer", "/applications")),
		web.Get("/manage", web.Manager, a.managePage),
		web.Post("/manage/applications/:id/accept", web.Manager, a.applicationStep("accept", "/manage")),
		web.Post("/manage/applications/:id/decline", web.Manager, a.applicationStep("decline", "/manage")),
		web.Post("/manage/applications/:id/waitlist", web.Manager, a.applicationStep("waitlist", "/manage")),
		web.Post("/manage/applications/:id/move-out", web.Manager, a.applicationStep("move_out", "/manage")),
		web.Get("/admin/bases", web.Admin, a.adminBasesPage),
		web.Post("/admin/bases", web.Admin, a.adminBaseCreate),
		web.Get("/admin/bases/:id/edit", web.Admin, a.adminBaseEditPage),
		web.Post("/admin/bases/:id", web.Admin, a.adminBaseSave),
		web.Post("/admin/bases/:id/status", web.Admin, a.adminBaseStatus),
		web.Post("/admin/bases/:id/managers", web.Admin, a.adminBaseManagers),
		web.Get("/admin/intakes", web.Admin, a.intakesPage),
		web.Post("/admin/intakes", web.Admin, a.intakeOpen),
		web.Post("/admin/intakes/:id/preview", web.Admin, a.intakeAssignment(false)),
		web.Post("/admin/intakes/:id/commit", web.Admin, a.intakeAssignment(true)),
		web.Get("/api/v1/bases", web.Public, a.apiBases, docBases),
		web.Get("/api/v1/bases/:id", web.Public, a.apiBase, docBase),
		web.Put("/api/v1/bases/:id", web.Manager, a.apiUpdateBase, docUpdateBase),
		web.Post("/api/v1/admin/bases", web.Admin, a.apiCreateBase, docCreateBase),
		web.Patch("/api/v1/admin/bases/:id", web.Admin, a.apiEditBase, docEditBase),
		web.Post("/api/v1/admin/bases/:id/status", web.Admin, a.apiBaseStatus, docBaseStatus),
		web.Post("/api/v1/admin/bases/:id/managers", web.Admin, a.apiBaseManagers, docBaseManagers),
		web.Get("/api/v1/me/bases", web.Entrepreneur, a.apiBasesForMe, docBasesForMe),
		web.Post("/api/v1/applications", web.Entrepreneur, a.apiApply, docApply),
		web.Get("/api/v1/me/applications", web.Entrepreneur, a.apiMyApplications, docMyApplications),
		web.Get("/api/v1/applications/:id", web.SignedIn, a.apiApplication, docApplication),
		web.Post("/api/v1/applications/:id/withdraw", web.Entrepreneur, a.apiApplicationStep("withdraw"), docAppStep),
		web.Post("/api/v1/applications/:id/accept-offer", web.Entrepreneur, a.apiApplicationStep("accept_offer"), docAppStep),
		web.Post("/api/v1/applications/:id/decline-offer", web.Entrepreneur, a.apiApplicationStep("decline_offer"), docAppStep),
		web.Get("/api/v1/manage/bases", web.Manager, a.apiManagedBases, docManagedBases),
		web.Get("/api/v1/manage/bases/:id/applications", web.Manager, a.apiBaseApplications, docBaseApplications),
		web.Post("/api/v1/manage/applications/:id/accept", web.Manager, a.apiApplicationStep("accept"), docManageStep),
		web.Post("/api/v1/manage/applications/:id/decline", web.Manager, a.apiApplicationStep("decline"), docManageStep),
		web.Post("/api/v1/manage/applications/:id/waitlist", web.Manager, a.apiApplicationStep("waitlist"), docManageStep),
		web.Post("/api/v1/manage/applications/:id/move-out", web.Manager, a.apiApplicationStep("move_out"), docManageStep),
		web.Get("/api/v1/admin/intakes", web.Admin, a.apiIntakes, docIntakes),
		web.Post("/api/v1/admin/intakes", web.Admin, a.apiOpenIntake, docOpenIntake),
		web.Post("/api/v1/admin/intakes/:id/assignment/preview", web.Admin, a.apiAssignment(false), docPreview),
		web.Post("/api/v1/admin/intakes/:id/assignment/commit", web.Admin, a.apiAssignment(true), docCommit),
	}
}

var (
	docBases            = web.Doc("Approved bases with live free seats (district, industry, level, target_group, free=1)", "bases", nil, web.ListResponse[bases.Base]{}, 200)
	docBase             = web.Doc("One base", "bases", nil, bases.Base{}, 200)
	docUpdateBase       = web.Doc("Edit a base (its managers or an admin)", "bases", bases.BaseInput{}, bases.Base{}, 200)
	docCreateBase       = web.Doc("List a new base (pending until approved)", "admin", bases.BaseInput{}, bases.Base{}, 201)
	docEditBase         = web.Doc("Change a base's details (administrators): only the fields given; version, from the base as read, refuses a save over another edit (409)", "admin", bases.BasePatch{}, bases.Base{}, 200)
	docBaseStatus       = web.Doc("Approve, suspend or return a base to pending", "admin", web.StatusRequest{}, bases.Base{}, 200)
	docBaseManagers     = web.Doc("Name a base's managers", "admin", managersRequest{}, bases.Base{}, 200)
	docBasesForMe       = web.Doc("Bases ranked for the caller, with the parts of each score", "bases", nil, nil, 200)
	docApply            = web.Doc("Apply to up to five bases, most wanted first", "applications", applyRequest{}, web.ListResponse[APIApplication]{}, 201)
	docMyApplications   = web.Doc("The caller's applications", "applications", nil, web.ListResponse[APIApplication]{}, 200)
	docApplication      = web.Doc("One application (applicant, the base's managers, admins)", "applications", nil, APIApplication{}, 200)
	docAppStep          = web.Doc("Withdraw, or accept or decline an offer", "applications", reasonRequest{}, APIApplication{}, 200)
	docManagedBases     = web.Doc("The bases the caller manages", "manage", nil, web.ListResponse[bases.Base]{}, 200)
	docBaseApplications = web.Doc("A base's applications (status=…)", "manage", nil, web.ListResponse[APIApplication]{}, 200)
	docManageStep       = web.Doc("Accept (makes an offer holding a seat), decline (reason), wait-list, or end a tenancy (reason)", "manage", reasonRequest{}, APIApplication{}, 200)
	docIntakes          = web.Doc("Intakes", "admin", nil, web.ListResponse[bases.Intake]{}, 200)
	docOpenIntake       = web.Doc("Open an intake", "admin", intakeRequest{}, bases.Intake{}, 201)
	docPreview          = web.Doc("Preview the intake's assignment", "admin", nil, bases.Preview{}, 200)
	docCommit           = web.Doc("Commit the intake's assignment as offers", "admin", nil, bases.Preview{}, 200)
)
