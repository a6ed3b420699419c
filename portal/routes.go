package portal

import (
	"slices"

	"github.com/gofiber/fiber/v2"

	"onestop/services/accounts"
	"onestop/services/core"
)

// access says who may call a route. Every route declares one; a test fails
// when a registered route has none.
type access struct {
	public bool            // anyone, signed in or not
	roles  []accounts.Role // empty and not public: any signed-in account
}

var (
	public   = access{public: true}
	signedIn = access{}
)

func roles(r ...accounts.Role) access { return access{roles: r} }

func (ac access) allows(p accounts.Principal) bool {
	if ac.public {
		return true
	}
	if p.Guest() {
		return false
	}
	return len(ac.roles) == 0 || slices.Contains(ac.roles, p.Role)
}

// route is one entry of the route list; doc describes API routes for the
// OpenAPI document.
type route struct {
	method, path string
	access       access
	handler      fiber.Handler
	doc          *apiDoc
}

// routeTable is every route of the portal, grouped by area.
func (a *App) routeTable() []route {
	admin := roles(accounts.Admin)
	return []route{
		// Operations.
		{"GET", "/healthz", public, a.healthz, nil},
		{"GET", "/readyz", public, a.readyz, nil},
		{"GET", "/static/:hash/*", public, a.static, nil},

		// Pages: home, language, sign-in.
		{"GET", "/", public, a.homePage, nil},
		{"POST", "/lang", public, a.setLanguage, nil},
		{"GET", "/register", public, a.registerPage, nil},
		{"POST", "/register", public, a.registerSubmit, nil},
		{"GET", "/login", public, a.loginPage, nil},
		{"POST", "/login", public, a.loginSubmit, nil},
		{"POST", "/logout", signedIn, a.logoutSubmit, nil},
		{"GET", "/account", signedIn, a.accountPage, nil},
		{"POST", "/account/password", signedIn, a.passwordSubmit, nil},

		// Pages: administration.
		{"GET", "/admin/users", admin, a.adminUsersPage, nil},
		{"POST", "/admin/users", admin, a.adminUserCreate, nil},
		{"GET", "/admin/users/:id", admin, a.adminUserPage, nil},
		{"POST", "/admin/users/:id/role", admin, a.adminUserRole, nil},
		{"POST", "/admin/users/:id/status", admin, a.adminUserStatus, nil},
		{"GET", "/admin/audit", admin, a.adminAuditPage, nil},

		// API: accounts.
		{"GET", "/api/v1/openapi.json", public, a.openAPI, nil},
		{"POST", "/api/v1/auth/register", public, a.apiRegister, docRegister},
		{"POST", "/api/v1/auth/login", public, a.apiLogin, docLogin},
		{"POST", "/api/v1/auth/refresh", public, a.apiRefresh, docRefresh},
		{"POST", "/api/v1/auth/logout", signedIn, a.apiLogout, docLogout},
		{"GET", "/api/v1/me", signedIn, a.apiMe, docMe},
		{"POST", "/api/v1/me/password", signedIn, a.apiPassword, docPassword},

		// API: administration.
		{"GET", "/api/v1/admin/users", admin, a.apiUsers, docUsers},
		{"POST", "/api/v1/admin/users", admin, a.apiCreateUser, docCreateUser},
		{"GET", "/api/v1/admin/users/:id", admin, a.apiUser, docUser},
		{"PATCH", "/api/v1/admin/users/:id", admin, a.apiUpdateUser, docUpdateUser},
		{"GET", "/api/v1/admin/audit", admin, a.apiAudit, docAudit},
	}
}

// guard enforces a route's access rule: guests get 401 (the web sends them
// to the login page), signed-in people without the role get 403.
func (a *App) guard(r route) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := principal(c)
		if r.access.allows(p) {
			return c.Next()
		}
		if p.Guest() {
			return core.Errorf(core.Unauthenticated, "error.unauthenticated")
		}
		a.audit.Record(c.UserContext(), p.Actor(meta(c)), "authz_fail", "denied", r.method+" "+r.path, "")
		return core.Errorf(core.Forbidden, "error.forbidden")
	}
}
