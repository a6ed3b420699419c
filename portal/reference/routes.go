// Package reference holds the HTTP handlers of the bureau's reference
// lists (districts, industries of the local guidance catalogue, sectors):
// the administrators' editor and its API, and the public read of the
// lists. The lists themselves are services/reference's.
package reference

import (
	"onestop/portal/web"
	"onestop/services/bureau"
)

// Handlers are the area's pages and API, on the shared kernel; the lists
// are the kernel's (every area labels with them).
type Handlers struct {
	*web.Kit
}

// New builds the area's handlers.
func New(k *web.Kit, _ *bureau.Bureau) *Handlers { return &Handlers{Kit: k} }

// Routes are the area's entries of the route list, with their access rules.
func (a *Handlers) Routes() []web.Route {
	return []web.Route{
		web.Get("/admin/reference", web.Admin, a.adminReferencePage),
		web.Post("/admin/reference/:kind", web.Admin, a.adminReferenceAdd),
		web.Post("/admin/reference/:kind/:code", web.Admin, a.adminReferenceEdit("labels")),
		web.Post("/admin/reference/:kind/:code/status", web.Admin, a.adminReferenceEdit("status")),
		web.Post("/admin/reference/:kind/:code/move", web.Admin, a.adminReferenceEdit("move")),
		web.Get("/api/v1/reference", web.Public, a.apiReference, docReference),
		web.Get("/api/v1/admin/reference/:kind", web.Admin, a.apiAdminReference, docAdminReference),
		web.Post("/api/v1/admin/reference/:kind", web.Admin, a.apiAddReference, docAddReference),
		web.Patch("/api/v1/admin/reference/:kind/:code", web.Admin, a.apiUpdateReference, docUpdateReference),
		web.Put("/api/v1/admin/reference/:kind/order", web.Admin, a.apiReorderReference, docReorderReference),
	}
}

var (
	docReference        = web.Doc("The reference lists (district, industry of the local guidance catalogue, sector): each list's active entries in order, with labels in zh-Hant, zh-Hans and en. A field naming one takes the code or any label, in either script", "reference", nil, apiReferenceLists{}, 200)
	docAdminReference   = web.Doc("One reference list (kind: district, industry, sector) with its retired entries and its version", "admin", nil, apiReferenceList{}, 200)
	docAddReference     = web.Doc("Add an entry to a reference list: a new code (lowercase letters, digits and _; never one the list had) and its labels in zh-Hant, zh-Hans and en", "admin", referenceEntryRequest{}, apiReferenceList{}, 201)
	docUpdateReference  = web.Doc("Relabel an entry, or retire it (no longer offered nor taken for new records; records holding it keep it) or reactivate it; a code is never removed", "admin", referenceUpdateRequest{}, apiReferenceList{}, 200)
	docReorderReference = web.Doc("Put a reference list in a new order: codes names every entry, retired ones too, once", "admin", referenceOrderRequest{}, apiReferenceList{}, 200)
)
