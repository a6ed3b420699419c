// Package notify holds the HTTP handlers of notifications: pages, API and
// the area's entries of the route list.
package notify

import (
	"onestop/portal/web"
	"onestop/services/bureau"
	"onestop/services/notify"
	"onestop/services/policy"
)

// Handlers are the area's pages and API, on the shared kernel.
type Handlers struct {
	*web.Kit
	notify   *notify.Service
	policies *policy.Catalogue
}

// New builds the area's handlers from the bureau's services.
func New(k *web.Kit, b *bureau.Bureau) *Handlers {
	return &Handlers{Kit: k, notify: b.Notify, policies: b.Policies}
}

// Routes are the area's entries of the route list, with their access rules.
func (a *Handlers) Routes() []web.Route {
	return []web.Route{
		web.Get("/notifications", web.SignedIn, a.notificationsPage),
		web.Post("/notifications/read", web.SignedIn, a.notificationsRead),
		web.Get("/api/v1/me/notifications", web.SignedIn, a.apiNotifications, docNotifications),
		web.Get("/api/v1/me/notifications/unread", web.SignedIn, a.apiUnread, docUnread),
		web.Post("/api/v1/me/notifications/read", web.SignedIn, a.apiMarkRead, docMarkRead),
	}
}

var (
	docNotifications = web.Doc("The caller's notifications", "notifications", nil, web.ListResponse[apiNotification]{}, 200)
	docUnread        = web.Doc("How many of the caller's notifications are unread (the bell)", "notifications", nil, apiUnread{}, 200)
	docMarkRead      = web.Doc("Mark the caller's notifications read", "notifications", nil, apiUnread{}, 200)
)
