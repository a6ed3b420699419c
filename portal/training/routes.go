// Package training holds the HTTP handlers of training courses, enrolments
// and subsidy claims: pages, API and the area's entries of the route list.
package training

import (
	"onestop/portal/web"
	"onestop/services/accounts"
	"onestop/services/bureau"
	"onestop/services/hotline"
	"onestop/services/people"
	"onestop/services/training"
)

// Handlers are the area's pages and API, on the shared kernel.
type Handlers struct {
	*web.Kit
	accounts *accounts.Service
	people   *people.Service
	hotline  *hotline.Service
	training *training.Service
}

// New builds the area's handlers from the bureau's services.
func New(k *web.Kit, b *bureau.Bureau) *Handlers {
	return &Handlers{Kit: k, accounts: b.Accounts, people: b.People, hotline: b.Hotline, training: b.Training}
}

// Routes are the area's entries of the route list, with their access rules.
func (a *Handlers) Routes() []web.Route {
	return []web.Route{
		web.Get("/training", web.Public, a.trainingPage),
		web.Get("/training/:id", web.Public, a.coursePage),
		web.Post("/training/:id/enrol", web.Entrepreneur, a.enrolSubmit),
		web.Post("/training/:id/withdraw", web.Entrepreneur, a.withdrawSubmit),
		web.Get("/me/training", web.Entrepreneur, a.myTrainingPage),
		web.Get("/certificates", web.Public, a.certificatePage),
		web.Get("/provider", web.Provider, a.providerPage),
		web.Post("/provider/courses", web.Provider, a.courseCreate),
		web.Get("/provider/courses/:id", web.Provider, a.providerCoursePage),
		web.Post("/provider/courses/:id/attendance", web.Provider, a.providerStep("attendance")),
		web.Post("/provider/courses/:id/complete", web.Provider, a.providerStep("complete")),
		web.Post("/provider/courses/:id/claim", web.Provider, a.providerStep("claim")),
		web.Get("/admin/training", web.Admin, a.adminTrainingPage),
		web.Post("/admin/training/providers/:id", web.Admin, a.adminListProvider),
		web.Post("/admin/training/claims/:id", web.Admin, a.adminReviewClaim),
		web.Post("/staff/people/:id/enrol", web.Staff, a.personEnrol),
		web.Get("/api/v1/courses", web.Public, a.apiCourses, docCourses),
		web.Get("/api/v1/courses/:id", web.Public, a.apiCourse, docCourse),
		web.Post("/api/v1/courses", web.Provider, a.apiCreateCourse, docCreateCourse),
		web.Post("/api/v1/courses/:id/enrolments", web.OnBehalf, a.apiEnrol, docEnrol),
		web.Post("/api/v1/courses/:id/withdraw", web.Entrepreneur, a.apiWithdraw, docWithdraw),
		web.Get("/api/v1/me/trainings", web.Entrepreneur, a.apiMyTrainings, docMyTrainings),
		web.Get("/api/v1/certificates/:code", web.Public, a.apiCertificate, docCertificate),
		web.Get("/api/v1/courses/:id/roster", web.Roles(accounts.Provider, accounts.Hotline, accounts.Admin), a.apiRoster, docRoster),
		web.Post("/api/v1/courses/:id/attendance", web.Provider, a.apiAttendance, docAttendance),
		web.Post("/api/v1/courses/:id/complete", web.Provider, a.apiCompleteCourse, docCompleteCourse),
		web.Post("/api/v1/courses/:id/claim", web.Provider, a.apiCreateClaim, docCreateClaim),
		web.Get("/api/v1/claims", web.Roles(accounts.Provider, accounts.Hotline, accounts.Admin), a.apiClaims, docClaims),
		web.Post("/api/v1/admin/claims/:id/review", web.Admin, a.apiReviewClaim, docReviewClaim),
		web.Get("/api/v1/admin/providers", web.Admin, a.apiProviders, docProviders),
		web.Post("/api/v1/admin/providers/:id", web.Admin, a.apiSetListed, docSetListed),
	}
}

var (
	docEnrol          = web.Doc("Enrol (an entrepreneur themselves; hotline staff for person_id)", "training", enrolRequest{}, training.Enrolment{}, 201)
	docRoster         = web.Doc("A course's roster with attendance (its provider; staff)", "training", nil, rosterResponse{}, 200)
	docClaims         = web.Doc("Subsidy claims (a provider's own; all for staff)", "training", nil, web.ListResponse[*training.Claim]{}, 200)
	docCourses        = web.Doc("The course catalogue (q, kind, district, target_group)", "training", nil, web.ListResponse[APICourseRow]{}, 200)
	docCourse         = web.Doc("One course with its sessions", "training", nil, training.Course{}, 200)
	docCreateCourse   = web.Doc("Open a course (a listed training provider)", "training", training.NewCourse{}, training.Course{}, 201)
	docWithdraw       = web.Doc("Withdraw from a course not yet finished", "training", nil, nil, 204)
	docMyTrainings    = web.Doc("The caller's enrolments and certificates", "training", nil, web.ListResponse[*training.Enrolment]{}, 200)
	docCertificate    = web.Doc("Verify a certificate by its code (public; the name masked)", "training", nil, training.Certificate{}, 200)
	docAttendance     = web.Doc("Record who attended a session (replaces that session's marks)", "training", attendanceRequest{}, rosterResponse{}, 200)
	docCompleteCourse = web.Doc("Close a course: pass under the attendance rule, certificates, profiles updated", "training", nil, training.Completion{}, 200)
	docCreateClaim    = web.Doc("Generate the subsidy claim of a completed course", "training", nil, training.Claim{}, 201)
	docReviewClaim    = web.Doc("Approve, reject (with a reason) or mark paid a claim", "admin", reviewRequest{}, training.Claim{}, 200)
	docProviders      = web.Doc("Training providers with completion and claims", "admin", nil, web.ListResponse[apiProviderStat]{}, 200)
	docSetListed      = web.Doc("Put a provider on the published list, or take it off", "admin", listedRequest{}, training.Provider{}, 200)
)
