// Package figures holds the HTTP handlers of the figures the policy is
// judged by: the bureau's dashboard and its exports, open data, and a base
// manager's or mentor's own figures. The views and the disclosure rules
// are services/figures'; this package reads them and puts them in the
// reader's language.
package figures

import (
	"onestop/portal/web"
	"onestop/services/accounts"
	"onestop/services/bases"
	"onestop/services/bureau"
	"onestop/services/figures"
	"onestop/services/loans"
	"onestop/services/policy"
	"onestop/services/training"
)

// Handlers are the area's pages and API, on the shared kernel.
type Handlers struct {
	*web.Kit
	views    *figures.Views
	policies *policy.Catalogue
	bases    *bases.Service
	training *training.Service
	loans    *loans.Service
}

// New builds the area's handlers from the bureau's services.
func New(k *web.Kit, b *bureau.Bureau) *Handlers {
	return &Handlers{Kit: k, views: b.Views, policies: b.Policies, bases: b.Bases, training: b.Training, loans: b.Loans}
}

// Routes are the area's entries of the route list, with their access rules.
func (a *Handlers) Routes() []web.Route {
	return []web.Route{
		web.Get("/admin/figures", web.Admin, a.figuresPage),
		web.Get("/admin/figures.csv", web.Admin, a.figuresExport("csv")),
		web.Get("/admin/figures.xlsx", web.Admin, a.figuresExport("xlsx")),
		web.Get("/open-data", web.Public, a.openDataPage),
		web.Get("/manage/figures", web.Manager, a.ownFiguresPage),
		web.Get("/mentor/figures", web.Roles(accounts.Mentor), a.ownFiguresPage),
		web.Get("/api/v1/admin/figures", web.Admin, a.apiFiguresRead, docFigures),
		web.Get("/api/v1/open-data", web.Public, a.apiOpenData, docOpenData),
		web.Get("/api/v1/me/figures", web.Roles(accounts.IncubatorManager, accounts.Mentor), a.apiOwnFigures, docOwnFigures),
	}
}

var (
	docFigures = web.Doc("Figures from the rollups over a span of months, under one filter", "admin", nil, APIFigures{}, 200).WithQuery(
		web.Param{Name: "from", Description: "first month (YYYY-MM); eleven months before this one when absent", Pattern: `^\d{4}-\d{2}$`},
		web.Param{Name: "to", Description: "last month (YYYY-MM), at most 120 months after from; this month when absent", Pattern: `^\d{4}-\d{2}$`},
		web.Param{Name: "dim", Description: "the filter's dimension; all for the whole city", Enum: figures.Dimensions},
		web.Param{Name: "value", Description: "the dimension's value: a district or industry code, a target group, or a record's id"},
		web.Param{Name: "filter", Description: "dim:value in one, instead of dim and value"})
	docOpenData   = web.Doc("Open data: the last twelve months by district (and, for figures recorded without a district, for the city only: city_only), aggregates only, counts under 5 withheld (null)", "public", nil, figures.OpenData{}, 200)
	docOwnFigures = web.Doc("One's own figures: a base manager's bases, a mentor's consultations (from, to)", "figures", nil, web.ListResponse[OwnFigures]{}, 200)
)
