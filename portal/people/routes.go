// Package people holds the HTTP handlers of profiles, staff people search
// and number disputes: pages, API and the area's entries of the route list.
package people

import (
	policyweb "onestop/portal/policy"
	"onestop/portal/web"
	"onestop/services/bureau"
	"onestop/services/grants"
	"onestop/services/people"
	"onestop/services/policy"
	"onestop/services/timeline"
	"onestop/services/training"
)

// Handlers are the area's pages and API, on the shared kernel.
type Handlers struct {
	*web.Kit
	eligibility *policyweb.Handlers
	people      *people.Service
	policies    *policy.Catalogue
	training    *training.Service
	timeline    *timeline.Service
	grants      *grants.Service
}

// New builds the area's handlers from the bureau's services.
func New(k *web.Kit, b *bureau.Bureau) *Handlers {
	return &Handlers{Kit: k, eligibility: policyweb.New(k, b), people: b.People, policies: b.Policies, training: b.Training, timeline: b.Timeline, grants: b.Grants}
}

// Routes are the area's entries of the route list, with their access rules.
func (a *Handlers) Routes() []web.Route {
	return []web.Route{
		web.Get("/profile", web.Entrepreneur, a.profilePage),
		web.Post("/profile", web.Entrepreneur, a.profileSubmit),
		web.Get("/staff/people", web.Bureau, a.peoplePage),
		web.Post("/staff/people/search", web.Bureau, a.peopleSearch), // numbers go in the body (lookup.go)
		web.Get("/staff/people/:id", web.Bureau, a.personPage),
		web.Post("/staff/people/:id/reveal", web.Bureau, a.personReveal),
		web.Post("/staff/people/:id/facts/verify", web.CaseWork, a.factVerify),
		web.Post("/staff/people/:id/attachments", web.CaseWork, a.evidenceUpload), // /attachments: admitted past the body limit
		web.Get("/staff/people/:id/attachments/:att", web.CaseWork, a.evidenceDownload),
		web.Post("/staff/people/:id/recommendations", web.CaseWork, a.recommendationSubmit),
		web.Get("/staff/disputes", web.Staff, a.disputesPage),
		web.Post("/staff/disputes/:id/resolve", web.Staff, a.disputeResolve),
		web.Get("/api/v1/me/profile", web.Entrepreneur, a.apiMyProfile, docMyProfile),
		web.Put("/api/v1/me/profile", web.Entrepreneur, a.apiSaveProfile, docSaveProfile),
		web.Get("/api/v1/staff/people", web.Bureau, a.apiPeople, docPeople),
		web.Post("/api/v1/staff/people/search", web.Bureau, a.apiPeopleSearch, docPeopleSearch),
		web.Get("/api/v1/staff/people/:id", web.Bureau, a.apiPerson, docPerson),
		web.Post("/api/v1/staff/people/:id/reveal", web.Bureau, a.apiReveal, docReveal),
		web.Post("/api/v1/staff/people/:id/facts/verify", web.CaseWork, a.apiVerify, docVerify),
		web.Post("/api/v1/staff/people/:id/attachments", web.CaseWork, a.apiEvidenceUpload, docEvidenceUpload),
		web.Get("/api/v1/staff/people/:id/attachments/:att", web.CaseWork, a.evidenceDownload, docEvidenceDownload),
		web.Post("/api/v1/staff/people/:id/recommendations", web.CaseWork, a.apiRecommend, docRecommend),
		web.Get("/api/v1/staff/disputes", web.Staff, a.apiDisputes, docDisputes),
		web.Post("/api/v1/staff/disputes/:id/resolve", web.Staff, a.apiResolveDispute, docResolveDispute),
	}
}

var (
	docMyProfile        = web.Doc("The caller's profile (sensitive values masked)", "profile", nil, apiProfile{}, 200)
	docSaveProfile      = web.Doc("Save the caller's profile", "profile", people.Input{}, apiProfile{}, 200)
	docPeople           = web.Doc("List people (staff); q is a name or text: an ID or phone number in q is refused with 422, POST /api/v1/staff/people/search takes it", "staff", nil, web.ListResponse[apiPersonRow]{}, 200)
	docPeopleSearch     = web.Doc("Search people (staff) with q in the body: a full ID or phone number finds the person through the blind index, anything else is a text search", "staff", peopleSearchRequest{}, web.ListResponse[apiPersonRow]{}, 200)
	docPerson           = web.Doc("A person's profile, masked (staff), with the numbers awaiting a dispute's settlement", "staff", nil, apiStaffProfile{}, 200)
	docReveal           = web.Doc("Reveal a person's ID number and phone (audited)", "staff", nil, people.Revealed{}, 200)
	docVerify           = web.Doc("Verify one of a person's checked facts on evidence (case officers and administrators, never on their own profile; audited, the person told): the value found confirms or corrects theirs", "staff", verifyRequest{}, apiSource{}, 200)
	docEvidenceUpload   = web.Doc("File an evidence document on a person's record for a check to name (multipart: file; PDF, JPEG or PNG by content, at most 4 MiB, 20 files)", "staff", web.Upload{}, people.Evidence{}, 201)
	docEvidenceDownload = web.Doc("An evidence document of a person's record (audited)", "staff", nil, web.FileBytes{}, 200)
	docRecommend        = web.Doc("Record a training or job recommended to a person and their answer (case officers and administrators; the person told): the count of refusals follows, and three refusals of a land-expropriated farmer count as giving up placement", "staff", recommendationRequest{}, apiRecommendation{}, 201)
	docDisputes         = web.Doc("Number disputes (staff): profiles saved with an ID or phone number another profile holds; status=open (default), resolved, withdrawn or all", "staff", nil, web.ListResponse[apiDispute]{}, 200)
	docResolveDispute   = web.Doc("Settle a number dispute (staff) after checking with the real person: decision claimant or holder, and a note of how it was checked", "staff", resolveRequest{}, apiDispute{}, 200)
)
