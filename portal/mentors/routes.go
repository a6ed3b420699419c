// Package mentors holds the HTTP handlers of mentors and consultations:
// pages, API and the area's entries of the route list.
package mentors

import (
	"onestop/portal/web"
	"onestop/services/accounts"
	"onestop/services/bureau"
	"onestop/services/hotline"
	"onestop/services/mentors"
)

// Handlers are the area's pages and API, on the shared kernel.
type Handlers struct {
	*web.Kit
	mentors *mentors.Service
	hotline *hotline.Service
}

// New builds the area's handlers from the bureau's services.
func New(k *web.Kit, b *bureau.Bureau) *Handlers {
	return &Handlers{Kit: k, mentors: b.Mentors, hotline: b.Hotline}
}

// consultationReaders: consultations are listed for those who ask, answer
// or route them.
var consultationReaders = web.Roles(accounts.Entrepreneur, accounts.Mentor, accounts.Hotline, accounts.Admin)

// Routes are the area's entries of the route list, with their access rules.
func (a *Handlers) Routes() []web.Route {
	return []web.Route{
		web.Get("/mentors", web.Public, a.mentorsPage),
		web.Get("/mentors/:id", web.Public, a.mentorPage),
		web.Get("/mentor/profile", web.Roles(accounts.Mentor), a.mentorProfilePage),
		web.Post("/mentor/profile", web.Roles(accounts.Mentor), a.mentorProfileSubmit),
		web.Get("/consultations", consultationReaders, a.consultationsPage),
		web.Get("/consultations/new", web.OnBehalf, a.askPage),
		web.Post("/consultations", web.OnBehalf, a.askSubmit),
		web.Get("/consultations/:id", web.SignedIn, a.consultationPage),
		web.Post("/consultations/:id/messages", web.SignedIn, a.consultStepWeb("reply")),
		web.Post("/consultations/:id/answered", web.Roles(accounts.Mentor), a.consultStepWeb("answered")),
		web.Post("/consultations/:id/decline", web.Roles(accounts.Mentor), a.consultStepWeb("decline")),
		web.Post("/consultations/:id/close", web.OnBehalf, a.consultStepWeb("close")),
		web.Post("/consultations/:id/reassign", web.OnBehalf, a.consultStepWeb("reassign")),
		web.Get("/admin/mentors", web.Admin, a.adminMentorsPage),
		web.Post("/admin/mentors/:id/status", web.Admin, a.adminMentorStatus),
		web.Post("/admin/mentors/:id/reject", web.Admin, a.adminMentorReject),
		web.Get("/api/v1/mentors", web.Public, a.apiMentors, docMentors),
		web.Get("/api/v1/mentors/:id", web.Public, a.apiMentor, docMentor),
		web.Put("/api/v1/me/mentor", web.Roles(accounts.Mentor), a.apiSaveMentor, docSaveMentor),
		web.Post("/api/v1/admin/mentors/:id/status", web.Admin, a.apiMentorStatus, docMentorStatus),
		web.Post("/api/v1/admin/mentors/:id/reject", web.Admin, a.apiMentorReject, docMentorReject),
		web.Post("/api/v1/consultations", web.OnBehalf, a.apiAsk, docAsk),
		web.Get("/api/v1/me/consultations", consultationReaders, a.apiConsultations, docConsultations),
		web.Get("/api/v1/consultations/:id", web.SignedIn, a.apiConsultation, docConsultation),
		web.Post("/api/v1/consultations/:id/messages", web.SignedIn, a.apiConsultStep("reply"), docConsultStep),
		web.Post("/api/v1/consultations/:id/answered", web.Roles(accounts.Mentor), a.apiConsultStep("answered"), docConsultStep),
		web.Post("/api/v1/consultations/:id/decline", web.Roles(accounts.Mentor), a.apiConsultStep("decline"), docConsultStep),
		web.Post("/api/v1/consultations/:id/close", web.OnBehalf, a.apiConsultStep("close"), docConsultStep),
		web.Post("/api/v1/consultations/:id/reassign", web.OnBehalf, a.apiConsultStep("reassign"), docConsultStep),
		web.Get("/api/v1/admin/consultations/overview", web.Admin, a.apiConsultOverview, docConsultOverview),
	}
}

var (
	docAsk             = web.Doc("Ask a question (hotline: for a caller, with contact_id); routed to a fitting mentor", "consultations", mentors.Question{}, APIConsultation{}, 201)
	docMentors         = web.Doc("Search active mentors (q, type, industry, topic)", "mentors", nil, web.ListResponse[apiMentor]{}, 200)
	docMentor          = web.Doc("A mentor's public profile", "mentors", nil, apiMentor{}, 200)
	docSaveMentor      = web.Doc("Write the caller's mentor profile (new profiles await approval)", "mentors", mentors.Profile{}, apiMentor{}, 200)
	docMentorStatus    = web.Doc("Approve (active), pause or retire a mentor", "admin", web.StatusRequest{}, apiMentor{}, 200)
	docMentorReject    = web.Doc("Refuse a mentor application awaiting approval, with the reason the applicant is told (5–500 characters); 409 unless it awaits approval", "admin", rejectRequest{}, apiMentor{}, 200)
	docConsultations   = web.Doc("The caller's consultations (status=waiting|answering|answered|closed|unassigned|overdue|rematched|mine)", "consultations", nil, web.ListResponse[apiConsultRow]{}, 200)
	docConsultation    = web.Doc("One consultation and its thread", "consultations", nil, APIConsultation{}, 200)
	docConsultStep     = web.Doc("A step: a message (text), answered, decline (reason), close (rating 1–5, comment), reassign (mentor_id)", "consultations", consultStep{}, APIConsultation{}, 200)
	docConsultOverview = web.Doc("Open, overdue and re-matched consultations, answer times, ratings by mentor", "admin", nil, mentors.Overview{}, 200)
)
