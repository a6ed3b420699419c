package portal

import (
	"slices"

	"onestop/portal/accounts"
	"onestop/portal/audit"
	"onestop/portal/bases"
	"onestop/portal/figures"
	"onestop/portal/grants"
	"onestop/portal/hotline"
	"onestop/portal/loans"
	"onestop/portal/mentors"
	"onestop/portal/notify"
	"onestop/portal/onestop"
	"onestop/portal/orgs"
	"onestop/portal/people"
	"onestop/portal/policy"
	"onestop/portal/privacy"
	"onestop/portal/projects"
	"onestop/portal/reference"
	"onestop/portal/training"
	"onestop/portal/web"
	"onestop/portal/workdays"
)

// routeTable is every route of the portal: the site's own (operations,
// home, language, the API document) and each area's table. The
// access rules are part of each entry; the permission, ownership and
// field matrices (testdata/*.tsv) are checked against this list.
func (a *App) routeTable() []web.Route {
	b := a.bureau
	return slices.Concat(a.siteRoutes(),
		accounts.New(a.Kit, b).Routes(),
		audit.New(a.Kit, b).Routes(),
		privacy.New(a.Kit, b).Routes(),
		people.New(a.Kit, b).Routes(),
		policy.New(a.Kit, b).Routes(),
		onestop.New(a.Kit, b).Routes(),
		projects.New(a.Kit, b).Routes(),
		bases.New(a.Kit, b).Routes(),
		notify.New(a.Kit, b).Routes(),
		mentors.New(a.Kit, b).Routes(),
		hotline.New(a.Kit, b).Routes(),
		training.New(a.Kit, b).Routes(),
		loans.New(a.Kit, b).Routes(),
		figures.New(a.Kit, b).Routes(),
		reference.New(a.Kit, b).Routes(),
		workdays.New(a.Kit, b).Routes(),
		orgs.New(a.Kit, b).Routes(),
		grants.New(a.Kit, b).Routes(),
	)
}

// siteRoutes are the portal's own: operations, the home page and the
// language switch, and the API's document.
func (a *App) siteRoutes() []web.Route {
	return []web.Route{
		web.Get("/healthz", web.Public, a.healthz),
		web.Get("/readyz", web.Public, a.readyz),
		web.Get("/static/:hash/*", web.Public, a.Assets().Serve),
		web.Get("/favicon.ico", web.Public, a.Assets().Favicon),
		web.Get("/", web.Public, a.homePage),
		web.Post("/lang", web.Public, a.setLanguage),
		web.Get("/api/v1/openapi.json", web.Public, a.openAPI),
	}
}
