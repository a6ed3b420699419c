// Package orgs holds the HTTP handlers of organisation accounts (單位帳號):
// an organisation's registration and its users' joining, its own page
// (/org) where its manager corrects its details and adds and removes its
// users, the staff's list and review, and their API. The organisations
// themselves, and who may do what with them, are services/orgs'.
package orgs

import (
	"onestop/portal/web"
	"onestop/services/accounts"
	"onestop/services/bureau"
	"onestop/services/orgs"
)

// Handlers are the area's pages and API, on the shared kernel.
type Handlers struct {
	*web.Kit
	orgs *orgs.Service
	// accounts says where a pending registration's code went.
	accounts *accounts.Service
}

// New builds the area's handlers.
func New(k *web.Kit, b *bureau.Bureau) *Handlers {
	return &Handlers{Kit: k, orgs: b.Orgs, accounts: b.Accounts}
}

var (
	// member is an organisation's user; the service tells its manager
	// from the others, and one in no organisation from both.
	member = web.Roles(accounts.Organisation)
	// verifiers are the staff who review organisations (orgs.Verifiers:
	// one list for the routes and the service).
	verifiers = web.Roles(orgs.Verifiers...)
)

// Routes are the area's entries of the route list, with their access rules.
func (a *Handlers) Routes() []web.Route {
	return []web.Route{
		web.Get("/org/register", web.Public, a.registerPage),
		web.Post("/org/register", web.Public, a.registerSubmit),
		web.Get("/org/confirm", web.Public, a.confirmPage),
		web.Post("/org/confirm", web.Public, a.confirmSubmit),
		web.Get("/org/join", web.Public, a.joinPage),
		web.Post("/org/join", web.Public, a.joinSubmit),
		web.Post("/org/join/accept", member, a.acceptSubmit),
		web.Get("/org", member, a.orgPage),
		web.Post("/org/details", member, a.detailsSubmit),
		web.Post("/org/invitations", member, a.inviteSubmit),
		web.Post("/org/invitations/:id/cancel", member, a.cancelSubmit),
		web.Post("/org/users/:id/remove", member, a.removeSubmit),
		web.Post("/org/leave", member, a.leaveSubmit),
		web.Get("/staff/orgs", verifiers, a.staffListPage),
		web.Get("/staff/orgs/:id", verifiers, a.staffOrgPage),
		web.Post("/staff/orgs/:id/verify", verifiers, a.staffVerify),
		web.Post("/staff/orgs/:id/reject", verifiers, a.staffReject),

		web.Post("/api/v1/orgs/register", web.Public, a.apiRegister, docRegister),
		web.Post("/api/v1/orgs/register/confirm", web.Public, a.apiConfirm, docConfirm),
		web.Post("/api/v1/orgs/join", web.Public, a.apiJoin, docJoin),
		web.Post("/api/v1/orgs/join/accept", member, a.apiAccept, docAccept),
		web.Get("/api/v1/orgs/mine", member, a.apiMine, docMine),
		web.Patch("/api/v1/orgs/mine", member, a.apiUpdate, docUpdate),
		web.Post("/api/v1/orgs/mine/invitations", member, a.apiInvite, docInvite),
		web.Delete("/api/v1/orgs/mine/invitations/:id", member, a.apiCancelInvite, docCancelInvite),
		web.Delete("/api/v1/orgs/mine/users/:id", member, a.apiRemove, docRemove),
		web.Post("/api/v1/orgs/mine/leave", member, a.apiLeave, docLeave),
		web.Get("/api/v1/staff/orgs", verifiers, a.apiList, docList),
		web.Get("/api/v1/staff/orgs/:id", verifiers, a.apiStaffOrg, docStaffOrg),
		web.Post("/api/v1/staff/orgs/:id/verify", verifiers, a.apiVerify, docVerify),
		web.Post("/api/v1/staff/orgs/:id/reject", verifiers, a.apiReject, docReject),
	}
}
