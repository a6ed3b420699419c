// Package audit holds the HTTP handlers of the audit log: pages, API and the
// area's entries of the route list.
package audit

import (
	"onestop/portal/web"
	"onestop/services/audit"
	"onestop/services/bureau"
)

// Handlers are the area's pages and API, on the shared kernel.
type Handlers struct {
	*web.Kit
	audit *audit.Log
}

// New builds the area's handlers from the bureau's services.
func New(k *web.Kit, b *bureau.Bureau) *Handlers {
	return &Handlers{Kit: k, audit: b.Audit}
}

// Routes are the area's entries of the route list, with their access rules.
func (a *Handlers) Routes() []web.Route {
	return []web.Route{
		web.Get("/admin/audit", web.Admin, a.adminAuditPage),
		web.Get("/api/v1/admin/audit", web.Admin, a.apiAudit, docAudit),
	}
}

var (
	docAudit = web.Doc("List audit events", "admin", nil, web.ListResponse[apiAuditEvent]{}, 200)
)
