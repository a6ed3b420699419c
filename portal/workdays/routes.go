// Package workdays holds the HTTP handlers of the bureau's working-day
// calendar (工作日曆): the administrators' editor of each year's holidays
// and working weekends, and its API. The calendar itself, and the counting
// of time limits in it, are services/workdays'.
package workdays

import (
	"onestop/portal/web"
	"onestop/services/bureau"
	"onestop/services/workdays"
)

// Handlers are the area's pages and API, on the shared kernel.
type Handlers struct {
	*web.Kit
	calendar *workdays.Calendar
}

// New builds the area's handlers.
func New(k *web.Kit, b *bureau.Bureau) *Handlers { return &Handlers{Kit: k, calendar: b.Workdays} }

// Routes are the area's entries of the route list, with their access rules.
func (a *Handlers) Routes() []web.Route {
	return []web.Route{
		web.Get("/admin/workdays", web.Admin, a.adminWorkdaysPage),
		web.Post("/admin/workdays/:year", web.Admin, a.adminWorkdaysSave),
		web.Get("/api/v1/admin/workdays/:year", web.Admin, a.apiWorkdays, docWorkdays),
		web.Put("/api/v1/admin/workdays/:year", web.Admin, a.apiSetWorkdays, docSetWorkdays),
	}
}

var (
	docWorkdays = web.Doc("One year's working-day calendar: its days off (holidays, weekends within them included) and the weekend days worked instead (調休上班), as runs of days; set=false is a year nobody set, which counts Monday to Friday",
		"admin", nil, APIYear{}, 200)
	docSetWorkdays = web.Doc("Replace one year's working-day calendar. Every day must fall in the year, a run is at most 31 days, a day worked must be a Saturday or Sunday and not also a day off; version, when given, must be the version the edit started from (409 otherwise). New time limits count with it at once; existing deadlines stay",
		"admin", workdays.Input{}, APIYear{}, 200)
)
