// Package onestop holds the HTTP handlers of one-stop service requests
// (一站式服務, the chain of services a person asks for): pages, API and the
// area's entries of the route list. Its URLs are /services and
// /staff/services, the words people see; the package is named for what it
// owns, like services/onestop.
package onestop

import (
	"onestop/portal/web"
	"onestop/services/accounts"
	"onestop/services/bureau"
	"onestop/services/onestop"
	"onestop/services/policy"
)

// Handlers are the area's pages and API, on the shared kernel.
type Handlers struct {
	*web.Kit
	accounts *accounts.Service
	policies *policy.Catalogue
	onestop  *onestop.Service
}

// New builds the area's handlers from the bureau's services.
func New(k *web.Kit, b *bureau.Bureau) *Handlers {
	return &Handlers{Kit: k, accounts: b.Accounts, policies: b.Policies, onestop: b.Onestop}
}

// Routes are the area's entries of the route list, with their access rules.
func (a *Handlers) Routes() []web.Route {
	return []web.Route{
		web.Get("/services", web.Entrepreneur, a.myServicesPage),
		web.Post("/services", web.Entrepreneur, a.serviceCreate),
		web.Get("/services/:id", web.SignedIn, a.servicePage),
		web.Post("/services/:id/cancel", web.Entrepreneur, a.serviceAct("cancel")),
		web.Post("/services/:id/assign", web.Staff, a.serviceAct("assign")),
		web.Post("/services/:id/start", web.Staff, a.serviceAct("start")),
		web.Post("/services/:id/complete", web.Staff, a.serviceAct("complete")),
		web.Get("/staff/services", web.Staff, a.queuePage),
		web.Post("/api/v1/services", web.Entrepreneur, a.apiCreateRequest, docCreateRequest),
		web.Get("/api/v1/me/services", web.Entrepreneur, a.apiRequests, docMyRequests),
		web.Get("/api/v1/services/:id", web.SignedIn, a.apiRequest, docRequest),
		web.Post("/api/v1/services/:id/cancel", web.Entrepreneur, a.apiAct("cancel"), docCancel),
		web.Get("/api/v1/staff/services", web.Staff, a.apiRequests, docQueue),
		web.Post("/api/v1/staff/services/:id/assign", web.Staff, a.apiAct("assign"), docAssign),
		web.Post("/api/v1/staff/services/:id/start", web.Staff, a.apiAct("start"), docStart),
		web.Post("/api/v1/staff/services/:id/complete", web.Staff, a.apiAct("complete"), docComplete),
	}
}

var (
	docCreateRequest = web.Doc("Request a one-stop service", "services", onestop.NewRequest{}, APIRequest{}, 201)
	docMyRequests    = web.Doc("The caller's service requests", "services", nil, web.ListResponse[apiRequestRow]{}, 200)
	docRequest       = web.Doc("One service request with its history", "services", nil, APIRequest{}, 200)
	docCancel        = web.Doc("Cancel one's own request before work starts", "services", actRequest{}, APIRequest{}, 200)
	docQueue         = web.Doc("The staff queue (status, type, overdue=1, mine=1)", "staff", nil, web.ListResponse[apiRequestRow]{}, 200)
	docAssign        = web.Doc("Assign a request (to the caller by default)", "staff", actRequest{}, APIRequest{}, 200)
	docStart         = web.Doc("Start work on a request", "staff", actRequest{}, APIRequest{}, 200)
	docComplete      = web.Doc("Complete a request (note required)", "staff", actRequest{}, APIRequest{}, 200)
)
