// Package hotline holds the HTTP handlers of the hotline, complaints,
// follow-up cases and venture check-ins: pages, API and the area's entries
// of the route list.
package hotline

import (
	mentorsweb "onestop/portal/mentors"
	"onestop/portal/web"
	"onestop/services/accounts"
	"onestop/services/bureau"
	"onestop/services/hotline"
	"onestop/services/onestop"
	"onestop/services/people"
	"onestop/services/policy"
	"onestop/services/training"
)

// Handlers are the area's pages and API, on the shared kernel.
type Handlers struct {
	*web.Kit
	mentorPages *mentorsweb.Handlers
	accounts    *accounts.Service
	people      *people.Service
	policies    *policy.Catalogue
	hotline     *hotline.Service
	onestop     *onestop.Service
	training    *training.Service
}

// New builds the area's handlers from the bureau's services.
func New(k *web.Kit, b *bureau.Bureau) *Handlers {
	return &Handlers{Kit: k, mentorPages: mentorsweb.New(k, b), accounts: b.Accounts, people: b.People, policies: b.Policies, hotline: b.Hotline, onestop: b.Onestop, training: b.Training}
}

// Routes are the area's entries of the route list, with their access rules.
func (a *Handlers) Routes() []web.Route {
	caseUpdate, caseContact, caseSchedule, caseMentor, caseStaff, caseHelp, caseClose := a.caseSteps()
	return []web.Route{
		web.Get("/hotline", web.Staff, a.hotlinePage),
		web.Post("/hotline/find", web.Staff, a.hotlineFind), // numbers go in the body (lookup.go)
		web.Post("/hotline/contacts", web.Staff, a.contactCreate),
		web.Post("/hotline/accounts/:id/contact", web.Staff, a.accountContact),
		web.Get("/hotline/contacts/:id", web.Staff, a.contactPage),
		web.Post("/hotline/contacts/:id/link", web.Staff, a.contactLink),
		web.Post("/hotline/contacts/:id/reveal", web.Staff, a.contactReveal),
		web.Post("/hotline/contacts/:id/calls", web.Staff, a.callCreate),
		web.Post("/hotline/calls/:id/convert", web.Staff, a.callConvert),
		web.Get("/hotline/today", web.Staff, a.todayPage),
		web.Post("/hotline/calls/:id/callback", web.Staff, a.callbackDone),
		web.Get("/hotline/topics", web.Staff, a.topicsPage),
		web.Get("/hotline/cases", web.Staff, a.casesPage),
		web.Get("/hotline/cases.csv", web.Staff, a.casesCSV),
		web.Get("/hotline/stability", web.Staff, a.stabilityPage),
		web.Get("/hotline/stability/verify", web.Staff, a.stabilityVerifyPage),
		web.Get("/hotline/ventures/:id", web.Staff, a.staffVenturePage),
		web.Post("/admin/staff/reassign", web.Admin, a.reassignSubmit),
		web.Get("/complaints", web.SignedIn, a.complaintsPage),
		web.Get("/complaints.csv", web.Staff, a.complaintsCSV),
		web.Get("/complaints/new", web.OnBehalf, a.complaintNewPage),
		web.Post("/complaints", web.OnBehalf, a.complaintCreate),
		web.Get("/complaints/:id", web.SignedIn, a.complaintPage),
		web.Post("/complaints/:id/steps", web.SignedIn, a.complaintStepWeb),
		web.Get("/cases", web.SignedIn, a.casesPage),
		web.Get("/cases/new", web.Staff, a.caseNewPage),
		web.Post("/cases", web.Staff, a.caseCreate),
		web.Get("/cases/:id", web.SignedIn, a.casePage),
		web.Post("/cases/:id/contacts", web.Staff, a.caseStepWeb("contact")),
		web.Post("/cases/:id/schedule", web.Staff, a.caseStepWeb("schedule")),
		web.Post("/cases/:id/details", web.Staff, a.caseStepWeb("details")),
		web.Post("/cases/:id/mentor", web.Staff, a.caseStepWeb("mentor")),
		web.Post("/cases/:id/staff", web.Staff, a.caseStepWeb("staff")),
		web.Post("/cases/:id/help", web.Staff, a.caseStepWeb("help")),
		web.Post("/cases/:id/eligibility", web.Staff, a.caseStepWeb("eligibility")),
		web.Post("/cases/:id/close", web.Staff, a.caseStepWeb("close")),
		web.Post("/cases/:id/reopen", web.Staff, a.caseStepWeb("reopen")),
		web.Get("/me/venture", web.Entrepreneur, a.myVenturePage),
		web.Post("/ventures/:id/checkins", web.OnBehalf, a.stabilitySubmit),
		web.Post("/ventures/:id/reviews", web.Staff, a.stabilityReviewSubmit),
		web.Post("/ventures/:id/registration", web.Staff, a.registrationSubmit),
		web.Get("/api/v1/hotline/find", web.Staff, a.apiFind, docFind),
		web.Post("/api/v1/hotline/find", web.Staff, a.apiFindPost, docFindPost),
		web.Post("/api/v1/hotline/contacts", web.Staff, a.apiCreateContact, docCreateContact),
		web.Get("/api/v1/hotline/contacts/:id", web.Staff, a.apiContact, docContact),
		web.Post("/api/v1/hotline/contacts/:id/link", web.Staff, a.apiLinkContact, docLinkContact),
		web.Post("/api/v1/hotline/accounts/:id/contact", web.Staff, a.apiAccountContact, docAccountContact),
		web.Post("/api/v1/hotline/calls", web.Staff, a.apiLogCall, docLogCall),
		web.Get("/api/v1/hotline/calls", web.Staff, a.apiCalls, docCalls),
		web.Post("/api/v1/hotline/calls/:id/convert", web.Staff, a.apiConvertCall, docConvertCall),
		web.Get("/api/v1/hotline/today", web.Staff, a.apiWorkToday, docWorkToday),
		web.Post("/api/v1/hotline/calls/:id/callback", web.Staff, a.apiCallbackDone, docCallbackDone),
		web.Get("/api/v1/hotline/topics", web.Staff, a.apiTopics, docTopics),
		web.Get("/api/v1/hotline/stability", web.Staff, a.apiStabilityDue, docStabilityDue),
		web.Get("/api/v1/hotline/stability/verify", web.Staff, a.apiStabilityToVerify, docStabilityToVerify),
		web.Post("/api/v1/complaints", web.OnBehalf, a.apiFileComplaint, docFileComplaint),
		web.Get("/api/v1/complaints", web.SignedIn, a.apiComplaints, docComplaints),
		web.Get("/api/v1/complaints/:id", web.SignedIn, a.apiComplaint, docComplaint),
		web.Post("/api/v1/complaints/:id/steps", web.SignedIn, a.apiComplaintStep, docComplaintStep),
		web.Post("/api/v1/cases", web.Staff, a.apiOpenCase, docOpenCase),
		web.Get("/api/v1/cases", web.SignedIn, a.apiCases, docCases),
		web.Get("/api/v1/cases/:id", web.SignedIn, a.apiCase, docCase),
		web.Put("/api/v1/cases/:id", web.Staff, caseUpdate, docCaseUpdate),
		web.Post("/api/v1/cases/:id/contacts", web.Staff, caseContact, docCaseContact),
		web.Put("/api/v1/cases/:id/schedule", web.Staff, caseSchedule, docCaseSchedule),
		web.Post("/api/v1/cases/:id/mentor", web.Staff, caseMentor, docCaseMentor),
		web.Post("/api/v1/cases/:id/staff", web.Staff, caseStaff, docCaseStaff),
		web.Post("/api/v1/cases/:id/help", web.Staff, caseHelp, docCaseHelp),
		web.Post("/api/v1/cases/:id/eligibility", web.Staff, a.apiCaseEligibility, docCaseEligibility),
		web.Post("/api/v1/cases/:id/close", web.Staff, caseClose, docCaseClose),
		web.Post("/api/v1/cases/:id/reopen", web.Staff, a.apiReopenCase(), docCaseReopen),
		web.Post("/api/v1/admin/staff/reassign", web.Admin, a.apiReassign, docReassign),
		web.Get("/api/v1/me/venture", web.Entrepreneur, a.apiMyVenture, docMyVenture),
		web.Post("/api/v1/ventures/:id/checkins", web.OnBehalf, a.apiStabilityCheckin, docCheckin),
		web.Get("/api/v1/ventures/:id", web.Staff, a.apiVenture, docVenture),
		web.Post("/api/v1/ventures/:id/reviews", web.Staff, a.apiStabilityReview, docReviewCheckin),
		web.Post("/api/v1/ventures/:id/registration", web.Staff, a.apiCorrectRegistration, docCorrectRegistration),
	}
}

var (
	docFileComplaint   = web.Doc("File a complaint (entrepreneur: own; staff: for a contact)", "complaints", hotline.NewComplaint{}, APIComplaint{}, 201)
	docCheckin         = web.Doc("Answer a stability check-in (the entrepreneur, or staff)", "cases", hotline.StabilityAnswer{}, apiVenture{}, 200)
	docFind            = web.Doc("Find a caller by name (staff); an ID or phone number in q is refused with 422, POST takes it", "hotline", nil, foundResponse{}, 200)
	docFindPost        = web.Doc("Find a caller by phone, ID number (blind index) or name, sent in the body (staff)", "hotline", findRequest{}, foundResponse{}, 200)
	docCreateContact   = web.Doc("Record a caller (staff); linked to an account whose profile has the same phone or ID number", "hotline", hotline.NewContact{}, APIContact{}, 201)
	docContact         = web.Doc("A caller's record, masked (staff)", "hotline", nil, APIContact{}, 200)
	docLinkContact     = web.Doc("Link a caller to the account whose profile has the same phone or ID number", "hotline", nil, APIContact{}, 200)
	docAccountContact  = web.Doc("The contact record of an entrepreneur's account, made on first use", "hotline", nil, APIContact{}, 200)
	docLogCall         = web.Doc("Log a call", "hotline", hotline.NewCall{}, APICall{}, 201)
	docCalls           = web.Doc("List calls (contact_id, staff_id, topic, week)", "hotline", nil, web.ListResponse[apiCallRow]{}, 200)
	docConvertCall     = web.Doc("Turn a call into a consultation or a service request", "hotline", hotline.Conversion{}, hotline.Link{}, 201)
	docTopics          = web.Doc("Calls per topic in each of the last 8 weeks", "hotline", nil, []hotline.WeekTopics{}, 200)
	docStabilityDue    = web.Doc("Ventures whose stability check-in is due", "hotline", nil, web.ListResponse[apiVentureRow]{}, 200)
	docComplaints      = web.Doc("The complaint board (staff) or one's own complaints; queue = open, overdue, escalated, mine or a status; q = words, or a reference number (TS-2026-000123) to find its complaint; kind = a complaint kind; against = whom it is about (department, base, mentor, provider, portal); assignee_id = a staff member's id, or none for the unassigned (staff only: it picks nothing out of one's own list); sort = due (earliest time limit first) or -due (latest first), newest first when absent (the overdue queue: earliest due); an unknown value is refused with 422 naming the field. Rows name the assignee for staff", "complaints", nil, web.ListResponse[apiComplaintRow]{}, 200)
	docComplaint       = web.Doc("One complaint with its history", "complaints", nil, APIComplaint{}, 200)
	docComplaintStep   = web.Doc("Act on a complaint: assign, start, answer (text: the answer the complainant reads), close, reopen (text: the reason, 5 to 1000 characters, required and read by both sides), note (staff: an internal note, 2 to 2000 characters, at any status; the complainant never sees it)", "complaints", hotline.ComplaintStep{}, APIComplaint{}, 200)
	docOpenCase        = web.Doc("Open a follow-up case for a failed venture", "cases", hotline.NewCase{}, APICase{}, 201)
	docCases           = web.Doc("Cases: queues for staff (due_today, overdue, mine, unassigned, open, closed; staff_id), assigned ones for a mentor, one's own for an entrepreneur", "cases", nil, web.ListResponse[apiCaseRow]{}, 200)
	docCase            = web.Doc("One case; staff see notes, others a summary", "cases", nil, APICase{}, 200)
	docCaseUpdate      = web.Doc("Edit a case's details and plan", "cases", hotline.CaseDetails{}, APICase{}, 200)
	docCaseContact     = web.Doc("Record a contact with the person", "cases", hotline.ContactRecord{}, APICase{}, 200)
	docCaseSchedule    = web.Doc("Replace the contacts still to make", "cases", scheduleRequest{}, APICase{}, 200)
	docCaseMentor      = web.Doc("Assign a mentor", "cases", mentorRequest{}, APICase{}, 200)
	docCaseStaff       = web.Doc("Assign the staff member following the case", "cases", staffRequest{}, APICase{}, 200)
	docCaseHelp        = web.Doc("Arrange a consultation or service request for the person, linked on the case", "cases", hotline.CaseHelp{}, APICase{}, 200)
	docCaseEligibility = web.Doc("Run a fresh eligibility check for the person and link it", "cases", nil, APICase{}, 200)
	docCaseClose       = web.Doc("Close a case with its outcome", "cases", closeCaseRequest{}, APICase{}, 200)
	docWorkToday       = web.Doc("The caller's work of the day: callbacks due by tonight, their case contacts due by today, their open complaints", "hotline", nil, apiToday{}, 200)
	docCallbackDone    = web.Doc("Record that a call's callback was made", "hotline", nil, APICall{}, 200)
	docCaseReopen      = web.Doc("Open a closed case again, with the reason (a next contact is planned a week on)", "cases", reopenCaseRequest{}, APICase{}, 200)
	docReassign        = web.Doc("Hand every open case and complaint of a leaving staff member to another", "admin", reassignRequest{}, hotline.Reassigned{}, 200)
	docMyVenture       = web.Doc("The caller's venture and its stability check-ins", "cases", nil, apiVenture{}, 200)
)
