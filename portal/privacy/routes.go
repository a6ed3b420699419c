// Package privacy holds the HTTP handlers of personal data (export and
// deletion): pages, API and the area's entries of the route list.
package privacy

import (
	"onestop/portal/web"
	"onestop/services/accounts"
	"onestop/services/bureau"
	"onestop/services/privacy/rights"
)

// Handlers are the area's pages and API, on the shared kernel.
type Handlers struct {
	*web.Kit
	accounts *accounts.Service
	rights   *rights.Service
}

// New builds the area's handlers from the bureau's services.
func New(k *web.Kit, b *bureau.Bureau) *Handlers {
	return &Handlers{Kit: k, accounts: b.Accounts, rights: b.Rights}
}

// Routes are the area's entries of the route list, with their access rules.
func (a *Handlers) Routes() []web.Route {
	return []web.Route{
		web.Post("/account/export", web.SignedIn, a.exportSubmit),
		web.Post("/account/delete", web.SignedIn, a.deleteSubmit),
		web.Post("/api/v1/me/export", web.SignedIn, a.apiExport, docExport),
		web.Post("/api/v1/me/delete", web.SignedIn, a.apiDeleteAccount, docDelete),
	}
}

var (
	docExport = web.Doc("Download everything held about the caller (re-asks the password): a ZIP of one JSON file per area, the documents they gave and summary.html in their language", "privacy", passwordConfirm{}, web.ZIPArchive{}, 200)
	docDelete = web.Doc("Delete the caller's account (re-asks the password); 204 when done, 202 {status: under_way} when a step is being finished in the background", "privacy", passwordConfirm{}, nil, 204)
)
