package web

import (
	"slices"

	"github.com/gofiber/fiber/v2"

	"onestop/services/accounts"
	"onestop/services/core"
)

// Access says who may call a route. Every route declares one; a test fails
// when a registered route has none.
type Access struct {
	Public bool            // anyone, signed in or not
	Roles  []accounts.Role // empty and not public: any signed-in account
}

// The access rules most routes use.
var (
	Public   = Access{Public: true}
	SignedIn = Access{}
	Admin    = Roles(accounts.Admin)
	Staff    = Roles(accounts.Hotline, accounts.Admin)
	// Bureau is any of the bureau's own staff, case officers included:
	// who may read people's profiles (accounts.Role.Bureau).
	Bureau = Roles(accounts.Hotline, accounts.CaseOfficer, accounts.Admin)
	// CaseWork is who verifies a person's facts and records what was
	// recommended to them: case officers and administrators, never the
	// hotline (accounts.Role.Verifier).
	CaseWork = Roles(accounts.CaseOfficer, accounts.Admin)
	// Entrepreneur is a person with a profile: the one who starts a venture.
	Entrepreneur = Roles(accounts.Entrepreneur)
	Reviewer     = Roles(accounts.Mentor, accounts.Admin)
	Manager      = Roles(accounts.IncubatorManager, accounts.Admin)
	Provider     = Roles(accounts.Provider)
	// OnBehalf is a person acting for themselves, or staff acting for them.
	OnBehalf = Roles(accounts.Entrepreneur, accounts.Hotline, accounts.Admin)
)

// Roles allows the signed-in accounts of the given roles.
func Roles(r ...accounts.Role) Access { return Access{Roles: r} }

// Allows reports whether p may call a route with this rule.
func (ac Access) Allows(p accounts.Principal) bool {
	if ac.Public {
		return true
	}
	if p.Guest() {
		return false
	}
	return len(ac.Roles) == 0 || slices.Contains(ac.Roles, p.Role)
}

// Route is one entry of the route list; Doc describes API routes for the
// OpenAPI document.
type Route struct {
	Method, Path string
	Access       Access
	Handler      fiber.Handler
	Doc          *APIDoc
}

// APIDoc describes an API route for the OpenAPI document. Request and
// response schemas are derived from the Go types the handler uses, so the
// document cannot drift from the code.
type APIDoc struct {
	Summary  string
	Tag      string
	Request  any // a zero value of the request type, or nil
	Response any // a zero value of the 2xx response type, or nil for 204
	Status   int
	// Query are the query parameters the handler reads (WithQuery), from
	// the same lists its validation uses, so a generated client can call
	// it.
	Query []Param
}

// Param is one query parameter: its name, what it is, its type ("string",
// "integer"), its pattern and the values it takes, when they are a list.
type Param struct {
	Name, Description, Type, Pattern string
	Enum                             []string
	Minimum                          *int
}

// WithQuery returns d documenting the query parameters ps.
func (d *APIDoc) WithQuery(ps ...Param) *APIDoc {
	d.Query = append(d.Query, ps...)
	return d
}

// PageParams are the paging parameters of a list.
func PageParams() []Param {
	one := 1
	return []Param{
		{Name: "page", Description: "page number, from 1", Type: "integer", Minimum: &one},
		{Name: "per_page", Description: "items per page (also size): 20 unless given, 100 at most", Type: "integer", Minimum: &one},
	}
}

// Upload documents a multipart upload (a document kind and a file);
// FileBytes a response that is the file itself; ZIPArchive one that is a
// ZIP file.
type (
	Upload     struct{}
	FileBytes  struct{}
	ZIPArchive struct{}
)

// ListResponse is a page of a list.
type ListResponse[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
	Page  int `json:"page"`
	Size  int `json:"size"`
}

// Guard enforces a route's access rule: guests get 401 (the web sends them
// to the login page), signed-in people without the role get 403.
func (a *Kit) Guard(r Route) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := Principal(c)
		if r.Access.Allows(p) {
			return c.Next()
		}
		if p.Guest() {
			return core.Errorf(core.Unauthenticated, "error.unauthenticated")
		}
		a.audit.Record(c.UserContext(), p.Actor(Meta(c)), "authz_fail", "denied", r.Method+" "+r.Path, "")
		return core.Errorf(core.Forbidden, "error.forbidden")
	}
}

// Get, Post, Put, Patch and Delete are the entries of a route table; an
// API route adds its document.
func Get(path string, ac Access, h fiber.Handler, doc ...*APIDoc) Route {
	return route(fiber.MethodGet, path, ac, h, doc)
}

// Post is a POST route (see Get).
func Post(path string, ac Access, h fiber.Handler, doc ...*APIDoc) Route {
	return route(fiber.MethodPost, path, ac, h, doc)
}

// Put is a PUT route (see Get).
func Put(path string, ac Access, h fiber.Handler, doc ...*APIDoc) Route {
	return route(fiber.MethodPut, path, ac, h, doc)
}

// Patch is a PATCH route (see Get).
func Patch(path string, ac Access, h fiber.Handler, doc ...*APIDoc) Route {
	return route(fiber.MethodPatch, path, ac, h, doc)
}

// Delete is a DELETE route (see Get).
func Delete(path string, ac Access, h fiber.Handler, doc ...*APIDoc) Route {
	return route(fiber.MethodDelete, path, ac, h, doc)
}

func route(method, path string, ac Access, h fiber.Handler, doc []*APIDoc) Route {
	r := Route{Method: method, Path: path, Access: ac, Handler: h}
	if len(doc) > 0 {
		r.Doc = doc[0]
	}
	return r
}

// Doc describes an API route: what it does, its tag in the document, zero
// values of its request (nil: none) and 2xx response (nil: 204) types, and
// its success status.
func Doc(summary, tag string, request, response any, status int) *APIDoc {
	return &APIDoc{Summary: summary, Tag: tag, Request: request, Response: response, Status: status}
}
