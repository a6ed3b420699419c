// Package projects holds the HTTP handlers of the project library: pages,
// API and the area's entries of the route list.
package projects

import (
	"onestop/portal/web"
	"onestop/services/accounts"
	"onestop/services/bureau"
	"onestop/services/projects"
)

// Handlers are the area's pages and API, on the shared kernel.
type Handlers struct {
	*web.Kit
	accounts *accounts.Service
	projects *projects.Service
}

// New builds the area's handlers from the bureau's services.
func New(k *web.Kit, b *bureau.Bureau) *Handlers {
	return &Handlers{Kit: k, accounts: b.Accounts, projects: b.Projects}
}

// Routes are the area's entries of the route list, with their access rules.
func (a *Handlers) Routes() []web.Route {
	return []web.Route{
		web.Get("/projects", web.Public, a.libraryPage),
		web.Get("/projects/new", web.SignedIn, a.projectNewPage),
		web.Post("/projects", web.SignedIn, a.projectCreate),
		web.Get("/projects/:id", web.Public, a.projectPage),
		web.Get("/projects/:id/edit", web.SignedIn, a.projectEditPage),
		web.Post("/projects/:id", web.SignedIn, a.projectUpdate),
		web.Post("/projects/:id/submit", web.SignedIn, a.projectStep("submit")),
		web.Post("/projects/:id/reviewers", web.Admin, a.projectStep("reviewers")),
		web.Post("/projects/:id/reviews", web.Reviewer, a.projectStep("review")),
		web.Post("/projects/:id/decision", web.Admin, a.projectStep("decision")),
		web.Post("/projects/:id/archive", web.Admin, a.projectStep("archive")),
		web.Get("/me/projects", web.SignedIn, a.projectListPage("mine")),
		web.Get("/reviews", web.Reviewer, a.projectListPage("review")),
		web.Get("/admin/projects", web.Admin, a.projectListPage("board")),
		web.Get("/api/v1/projects", web.Public, a.apiProjects(""), docProjects),
		web.Post("/api/v1/projects", web.SignedIn, a.apiCreateProject, docCreateProject),
		web.Get("/api/v1/projects/:id", web.Public, a.apiProject, docProject),
		web.Put("/api/v1/projects/:id", web.SignedIn, a.apiUpdateProject, docUpdateProject),
		web.Post("/api/v1/projects/:id/submit", web.SignedIn, a.apiProjectStep("submit"), docSubmitProject),
		web.Post("/api/v1/projects/:id/reviewers", web.Admin, a.apiProjectStep("reviewers"), docAssignReviewers),
		web.Post("/api/v1/projects/:id/reviews", web.Reviewer, a.apiProjectStep("review"), docReviewProject),
		web.Post("/api/v1/projects/:id/decision", web.Admin, a.apiProjectStep("decision"), docDecideProject),
		web.Post("/api/v1/projects/:id/archive", web.Admin, a.apiProjectStep("archive"), docArchiveProject),
		web.Get("/api/v1/me/projects", web.SignedIn, a.apiProjects("mine"), docMyProjects),
		web.Get("/api/v1/reviews/projects", web.Reviewer, a.apiProjects("review"), docReviewQueue),
		web.Get("/api/v1/admin/projects", web.Admin, a.apiProjects("board"), docBoard),
	}
}

var (
	docProjects        = web.Doc("Search recommended projects", "projects", nil, APILibrary{}, 200).WithQuery(libraryParams()...)
	docCreateProject   = web.Doc("Submit a project (submit=false keeps a draft)", "projects", projectRequest{}, APIProject{}, 201)
	docProject         = web.Doc("One project", "projects", nil, APIProject{}, 200)
	docUpdateProject   = web.Doc("Revise a project (submitter or admin)", "projects", projects.Input{}, APIProject{}, 200)
	docSubmitProject   = web.Doc("Submit a draft, or resubmit once after revision", "projects", nil, APIProject{}, 200)
	docAssignReviewers = web.Doc("Assign two or more reviewers", "projects", reviewersRequest{}, APIProject{}, 200)
	docReviewProject   = web.Doc("Score a project as an assigned reviewer", "projects", projects.ReviewInput{}, APIProject{}, 200)
	docDecideProject   = web.Doc("Record the consensus outcome", "projects", decisionRequest{}, APIProject{}, 200)
	docArchiveProject  = web.Doc("Archive an evaluated project", "projects", nil, APIProject{}, 200)
	docMyProjects      = web.Doc("The caller's projects", "projects", nil, APILibrary{}, 200)
	docReviewQueue     = web.Doc("Projects awaiting the caller's review", "projects", nil, APILibrary{}, 200)
	docBoard           = web.Doc("Evaluation board (stage=needs_reviewers|in_review|awaiting_consensus|<status>)", "projects", nil, APILibrary{}, 200)
)
