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
	staff := roles(accounts.Hotline, accounts.Admin)
	entrepreneur := roles(accounts.Entrepreneur)
	reviewer := roles(accounts.Mentor, accounts.Admin)
	manager := roles(accounts.IncubatorManager, accounts.Admin)
	// Consultations are listed for those who ask, answer or route them.
	consultationReaders := roles(accounts.Entrepreneur, accounts.Mentor, accounts.Hotline, accounts.Admin)
	provider := roles(accounts.Provider)
	caseUpdate, caseContact, caseSchedule, caseMentor, caseStaff, caseHelp, caseClose := a.caseSteps()
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
		{"GET", "/register/confirm", public, a.registerConfirmPage, nil},
		{"POST", "/register/confirm", public, a.registerConfirmSubmit, nil},
		{"GET", "/login", public, a.loginPage, nil},
		{"POST", "/login", public, a.loginSubmit, nil},
		{"POST", "/logout", signedIn, a.logoutSubmit, nil},
		{"GET", "/account", signedIn, a.accountPage, nil},
		{"POST", "/account/password", signedIn, a.passwordSubmit, nil},

		// Pages: supports and the profile.
		{"GET", "/policies", public, a.policiesPage, nil},
		{"GET", "/policies/:id", public, a.policyPage, nil},
		{"GET", "/check", public, a.checkPage, nil},
		{"POST", "/check", public, a.checkSubmit, nil},
		{"GET", "/profile", entrepreneur, a.profilePage, nil},
		{"POST", "/profile", entrepreneur, a.profileSubmit, nil},
		{"GET", "/supports", entrepreneur, a.supportsPage, nil},
		{"POST", "/account/export", signedIn, a.exportSubmit, nil},
		{"POST", "/account/delete", signedIn, a.deleteSubmit, nil},

		// Pages: one-stop services.
		{"GET", "/services", entrepreneur, a.myServicesPage, nil},
		{"POST", "/services", entrepreneur, a.serviceCreate, nil},
		{"GET", "/services/:id", signedIn, a.servicePage, nil},
		{"POST", "/services/:id/cancel", entrepreneur, a.serviceAct("cancel"), nil},
		{"POST", "/services/:id/assign", staff, a.serviceAct("assign"), nil},
		{"POST", "/services/:id/start", staff, a.serviceAct("start"), nil},
		{"POST", "/services/:id/complete", staff, a.serviceAct("complete"), nil},

		// Pages: the project library.
		{"GET", "/projects", public, a.libraryPage, nil},
		{"GET", "/projects/new", signedIn, a.projectNewPage, nil},
		{"POST", "/projects", signedIn, a.projectCreate, nil},
		{"GET", "/projects/:id", public, a.projectPage, nil},
		{"GET", "/projects/:id/edit", signedIn, a.projectEditPage, nil},
		{"POST", "/projects/:id", signedIn, a.projectUpdate, nil},
		{"POST", "/projects/:id/submit", signedIn, a.projectStep("submit"), nil},
		{"POST", "/projects/:id/reviewers", admin, a.projectStep("reviewers"), nil},
		{"POST", "/projects/:id/reviews", reviewer, a.projectStep("review"), nil},
		{"POST", "/projects/:id/decision", admin, a.projectStep("decision"), nil},
		{"POST", "/projects/:id/archive", admin, a.projectStep("archive"), nil},
		{"GET", "/me/projects", signedIn, a.projectListPage("mine"), nil},
		{"GET", "/reviews", reviewer, a.projectListPage("review"), nil},
		{"GET", "/admin/projects", admin, a.projectListPage("board"), nil},

		// Pages: incubation bases.
		{"GET", "/bases", public, a.basesPage, nil},
		{"GET", "/bases/for-me", entrepreneur, a.basesForMePage, nil},
		{"GET", "/bases/:id", public, a.basePage, nil},
		{"GET", "/applications", entrepreneur, a.applicationsPage, nil},
		{"POST", "/applications", entrepreneur, a.applySubmit, nil},
		{"POST", "/applications/:id/withdraw", entrepreneur, a.applicationStep("withdraw", "/applications"), nil},
		{"POST", "/applications/:id/accept-offer", entrepreneur, a.applicationStep("accept_offer", "/applications"), nil},
		{"POST", "/applications/:id/decline-offer", entrepreneur, a.applicationStep("decline_offer", "/applications"), nil},
		{"GET", "/manage", manager, a.managePage, nil},
		{"POST", "/manage/applications/:id/accept", manager, a.applicationStep("accept", "/manage"), nil},
		{"POST", "/manage/applications/:id/decline", manager, a.applicationStep("decline", "/manage"), nil},
		{"POST", "/manage/applications/:id/waitlist", manager, a.applicationStep("waitlist", "/manage"), nil},
		{"POST", "/manage/applications/:id/move-out", manager, a.applicationStep("move_out", "/manage"), nil},
		{"GET", "/admin/bases", admin, a.adminBasesPage, nil},
		{"POST", "/admin/bases", admin, a.adminBaseCreate, nil},
		{"POST", "/admin/bases/:id/status", admin, a.adminBaseStatus, nil},
		{"POST", "/admin/bases/:id/managers", admin, a.adminBaseManagers, nil},
		{"GET", "/admin/intakes", admin, a.intakesPage, nil},
		{"POST", "/admin/intakes", admin, a.intakeOpen, nil},
		{"POST", "/admin/intakes/:id/preview", admin, a.intakeAssignment(false), nil},
		{"POST", "/admin/intakes/:id/commit", admin, a.intakeAssignment(true), nil},
		{"GET", "/notifications", signedIn, a.notificationsPage, nil},
		{"POST", "/notifications/read", signedIn, a.notificationsRead, nil},

		// Pages: mentors and consultations.
		{"GET", "/mentors", public, a.mentorsPage, nil},
		{"GET", "/mentors/:id", public, a.mentorPage, nil},
		{"GET", "/mentor/profile", roles(accounts.Mentor), a.mentorProfilePage, nil},
		{"POST", "/mentor/profile", roles(accounts.Mentor), a.mentorProfileSubmit, nil},
		{"GET", "/consultations", consultationReaders, a.consultationsPage, nil},
		{"GET", "/consultations/new", roles(accounts.Entrepreneur, accounts.Hotline, accounts.Admin), a.askPage, nil},
		{"POST", "/consultations", roles(accounts.Entrepreneur, accounts.Hotline, accounts.Admin), a.askSubmit, nil},
		{"GET", "/consultations/:id", signedIn, a.consultationPage, nil},
		{"POST", "/consultations/:id/messages", signedIn, a.consultStepWeb("reply"), nil},
		{"POST", "/consultations/:id/answered", roles(accounts.Mentor), a.consultStepWeb("answered"), nil},
		{"POST", "/consultations/:id/decline", roles(accounts.Mentor), a.consultStepWeb("decline"), nil},
		{"POST", "/consultations/:id/close", roles(accounts.Entrepreneur, accounts.Hotline, accounts.Admin), a.consultStepWeb("close"), nil},
		{"POST", "/consultations/:id/reassign", roles(accounts.Entrepreneur, accounts.Hotline, accounts.Admin), a.consultStepWeb("reassign"), nil},
		{"GET", "/admin/mentors", admin, a.adminMentorsPage, nil},
		{"POST", "/admin/mentors/:id/status", admin, a.adminMentorStatus, nil},

		// Pages: the hotline, complaints, follow-up cases, stability.
		{"GET", "/hotline", staff, a.hotlinePage, nil},
		{"POST", "/hotline/find", staff, a.hotlineFind, nil}, // numbers go in the body (lookup.go)
		{"POST", "/hotline/contacts", staff, a.contactCreate, nil},
		{"POST", "/hotline/accounts/:id/contact", staff, a.accountContact, nil},
		{"GET", "/hotline/contacts/:id", staff, a.contactPage, nil},
		{"POST", "/hotline/contacts/:id/link", staff, a.contactLink, nil},
		{"POST", "/hotline/contacts/:id/reveal", staff, a.contactReveal, nil},
		{"POST", "/hotline/contacts/:id/calls", staff, a.callCreate, nil},
		{"POST", "/hotline/calls/:id/convert", staff, a.callConvert, nil},
		{"GET", "/hotline/topics", staff, a.topicsPage, nil},
		{"GET", "/hotline/cases", staff, a.casesPage, nil},
		{"GET", "/hotline/cases.csv", staff, a.casesCSV, nil},
		{"GET", "/hotline/stability", staff, a.stabilityPage, nil},
		{"GET", "/hotline/stability/verify", staff, a.stabilityVerifyPage, nil},
		{"GET", "/hotline/ventures/:id", staff, a.staffVenturePage, nil},
		{"POST", "/admin/staff/reassign", admin, a.reassignSubmit, nil},
		{"GET", "/complaints", signedIn, a.complaintsPage, nil},
		{"GET", "/complaints.csv", staff, a.complaintsCSV, nil},
		{"GET", "/complaints/new", roles(accounts.Entrepreneur, accounts.Hotline, accounts.Admin), a.complaintNewPage, nil},
		{"POST", "/complaints", roles(accounts.Entrepreneur, accounts.Hotline, accounts.Admin), a.complaintCreate, nil},
		{"GET", "/complaints/:id", signedIn, a.complaintPage, nil},
		{"POST", "/complaints/:id/steps", signedIn, a.complaintStepWeb, nil},
		{"GET", "/cases", signedIn, a.casesPage, nil},
		{"GET", "/cases/new", staff, a.caseNewPage, nil},
		{"POST", "/cases", staff, a.caseCreate, nil},
		{"GET", "/cases/:id", signedIn, a.casePage, nil},
		{"POST", "/cases/:id/contacts", staff, a.caseStepWeb("contact"), nil},
		{"POST", "/cases/:id/schedule", staff, a.caseStepWeb("schedule"), nil},
		{"POST", "/cases/:id/details", staff, a.caseStepWeb("details"), nil},
		{"POST", "/cases/:id/mentor", staff, a.caseStepWeb("mentor"), nil},
		{"POST", "/cases/:id/staff", staff, a.caseStepWeb("staff"), nil},
		{"POST", "/cases/:id/help", staff, a.caseStepWeb("help"), nil},
		{"POST", "/cases/:id/eligibility", staff, a.caseStepWeb("eligibility"), nil},
		{"POST", "/cases/:id/close", staff, a.caseStepWeb("close"), nil},
		{"GET", "/me/venture", entrepreneur, a.myVenturePage, nil},
		{"POST", "/ventures/:id/checkins", roles(accounts.Entrepreneur, accounts.Hotline, accounts.Admin), a.stabilitySubmit, nil},
		{"POST", "/ventures/:id/reviews", staff, a.stabilityReviewSubmit, nil},
		{"POST", "/ventures/:id/registration", staff, a.registrationSubmit, nil},

		// Pages: training.
		{"GET", "/training", public, a.trainingPage, nil},
		{"GET", "/training/:id", public, a.coursePage, nil},
		{"POST", "/training/:id/enrol", entrepreneur, a.enrolSubmit, nil},
		{"POST", "/training/:id/withdraw", entrepreneur, a.withdrawSubmit, nil},
		{"GET", "/me/training", entrepreneur, a.myTrainingPage, nil},
		{"GET", "/certificates", public, a.certificatePage, nil},
		{"GET", "/provider", provider, a.providerPage, nil},
		{"POST", "/provider/courses", provider, a.courseCreate, nil},
		{"GET", "/provider/courses/:id", provider, a.providerCoursePage, nil},
		{"POST", "/provider/courses/:id/attendance", provider, a.providerStep("attendance"), nil},
		{"POST", "/provider/courses/:id/complete", provider, a.providerStep("complete"), nil},
		{"POST", "/provider/courses/:id/claim", provider, a.providerStep("claim"), nil},
		{"GET", "/admin/training", admin, a.adminTrainingPage, nil},
		{"POST", "/admin/training/providers/:id", admin, a.adminListProvider, nil},
		{"POST", "/admin/training/claims/:id", admin, a.adminReviewClaim, nil},
		{"POST", "/staff/people/:id/enrol", staff, a.personEnrol, nil},
		{"POST", "/staff/people/:id/training-refusals", staff, a.personRefusal, nil},

		// Pages: guaranteed loans.
		{"GET", "/loans", loanRoles, a.loansPage, nil},
		{"GET", "/loans/new", entrepreneur, a.loanNewPage, nil},
		{"POST", "/loans", entrepreneur, a.loanCreate, nil},
		{"GET", "/loans/:id", loanRoles, a.loanPage, nil},
		{"POST", "/loans/:id/steps", loanRoles, a.loanStepWeb, nil},
		{"POST", "/loans/:id/attachments", entrepreneur, a.loanAttachWeb, nil},
		{"POST", "/loans/:id/attachments/:att/delete", entrepreneur, a.loanDetachWeb, nil},
		{"GET", "/loans/:id/attachments/:att", loanRoles, a.loanDownload, nil},
		{"GET", "/admin/banks", admin, a.adminBanksPage, nil},
		{"POST", "/admin/banks", admin, a.adminBankCreate, nil},
		{"POST", "/admin/banks/:id/officers", admin, a.adminBankOfficers, nil},

		// Pages: staff.
		{"GET", "/staff/services", staff, a.queuePage, nil},
		{"GET", "/staff/people", staff, a.peoplePage, nil},
		{"POST", "/staff/people/search", staff, a.peopleSearch, nil}, // numbers go in the body (lookup.go)
		{"GET", "/staff/people/:id", staff, a.personPage, nil},
		{"POST", "/staff/people/:id/reveal", staff, a.personReveal, nil},
		{"GET", "/staff/disputes", staff, a.disputesPage, nil},
		{"POST", "/staff/disputes/:id/resolve", staff, a.disputeResolve, nil},

		// Pages: administration.
		{"GET", "/admin/policies", admin, a.adminPoliciesPage, nil},
		{"GET", "/admin/policies/:id", admin, a.adminPolicyPage, nil},
		{"POST", "/admin/policies/:id", admin, a.adminPolicySave, nil},
		{"GET", "/admin/users", admin, a.adminUsersPage, nil},
		{"POST", "/admin/users", admin, a.adminUserCreate, nil},
		{"GET", "/admin/users/:id", admin, a.adminUserPage, nil},
		{"POST", "/admin/users/:id/role", admin, a.adminUserRole, nil},
		{"POST", "/admin/users/:id/status", admin, a.adminUserStatus, nil},
		{"GET", "/admin/audit", admin, a.adminAuditPage, nil},
		{"GET", "/admin/reference", admin, a.adminReferencePage, nil},
		{"POST", "/admin/reference/:kind", admin, a.adminReferenceAdd, nil},
		{"POST", "/admin/reference/:kind/:code", admin, a.adminReferenceEdit("labels"), nil},
		{"POST", "/admin/reference/:kind/:code/status", admin, a.adminReferenceEdit("status"), nil},
		{"POST", "/admin/reference/:kind/:code/move", admin, a.adminReferenceEdit("move"), nil},
		{"GET", "/admin/figures", admin, a.figuresPage, nil},
		{"GET", "/admin/figures.csv", admin, a.figuresExport("csv"), nil},
		{"GET", "/admin/figures.xlsx", admin, a.figuresExport("xlsx"), nil},
		{"GET", "/open-data", public, a.openDataPage, nil},
		{"GET", "/manage/figures", manager, a.ownFiguresPage, nil},
		{"GET", "/mentor/figures", roles(accounts.Mentor), a.ownFiguresPage, nil},

		// API: accounts.
		{"GET", "/api/v1/openapi.json", public, a.openAPI, nil},
		{"POST", "/api/v1/auth/register", public, a.apiRegister, docRegister},
		{"POST", "/api/v1/auth/register/confirm", public, a.apiRegisterConfirm, docConfirm},
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

		// API: reference lists (districts, industries).
		{"GET", "/api/v1/reference", public, a.apiReference, docReference},
		{"GET", "/api/v1/admin/reference/:kind", admin, a.apiAdminReference, docAdminReference},
		{"POST", "/api/v1/admin/reference/:kind", admin, a.apiAddReference, docAddReference},
		{"PATCH", "/api/v1/admin/reference/:kind/:code", admin, a.apiUpdateReference, docUpdateReference},
		{"PUT", "/api/v1/admin/reference/:kind/order", admin, a.apiReorderReference, docReorderReference},

		// API: policies and eligibility.
		{"GET", "/api/v1/policies", public, a.apiPolicies, docPolicies},
		{"GET", "/api/v1/policies/:id", public, a.apiPolicy, docPolicy},
		{"PUT", "/api/v1/admin/policies/:id", admin, a.apiSavePolicy, docSavePolicy},
		{"POST", "/api/v1/eligibility/check", public, a.apiCheck, docCheck},
		{"GET", "/api/v1/me/eligibility", entrepreneur, a.apiMyEligibility, docMyEligibility},

		// API: profiles and personal data.
		{"GET", "/api/v1/me/profile", entrepreneur, a.apiMyProfile, docMyProfile},
		{"PUT", "/api/v1/me/profile", entrepreneur, a.apiSaveProfile, docSaveProfile},
		{"POST", "/api/v1/me/export", signedIn, a.apiExport, docExport},
		{"POST", "/api/v1/me/delete", signedIn, a.apiDeleteAccount, docDelete},
		{"GET", "/api/v1/staff/people", staff, a.apiPeople, docPeople},
		{"POST", "/api/v1/staff/people/search", staff, a.apiPeopleSearch, docPeopleSearch},
		{"GET", "/api/v1/staff/people/:id", staff, a.apiPerson, docPerson},
		{"POST", "/api/v1/staff/people/:id/reveal", staff, a.apiReveal, docReveal},
		{"GET", "/api/v1/staff/disputes", staff, a.apiDisputes, docDisputes},
		{"POST", "/api/v1/staff/disputes/:id/resolve", staff, a.apiResolveDispute, docResolveDispute},

		// API: the project library.
		{"GET", "/api/v1/projects", public, a.apiProjects(""), docProjects},
		{"POST", "/api/v1/projects", signedIn, a.apiCreateProject, docCreateProject},
		{"GET", "/api/v1/projects/:id", public, a.apiProject, docProject},
		{"PUT", "/api/v1/projects/:id", signedIn, a.apiUpdateProject, docUpdateProject},
		{"POST", "/api/v1/projects/:id/submit", signedIn, a.apiProjectStep("submit"), docSubmitProject},
		{"POST", "/api/v1/projects/:id/reviewers", admin, a.apiProjectStep("reviewers"), docAssignReviewers},
		{"POST", "/api/v1/projects/:id/reviews", reviewer, a.apiProjectStep("review"), docReviewProject},
		{"POST", "/api/v1/projects/:id/decision", admin, a.apiProjectStep("decision"), docDecideProject},
		{"POST", "/api/v1/projects/:id/archive", admin, a.apiProjectStep("archive"), docArchiveProject},
		{"GET", "/api/v1/me/projects", signedIn, a.apiProjects("mine"), docMyProjects},
		{"GET", "/api/v1/reviews/projects", reviewer, a.apiProjects("review"), docReviewQueue},
		{"GET", "/api/v1/admin/projects", admin, a.apiProjects("board"), docBoard},

		// API: incubation bases, applications and intakes.
		{"GET", "/api/v1/bases", public, a.apiBases, docBases},
		{"GET", "/api/v1/bases/:id", public, a.apiBase, docBase},
		{"PUT", "/api/v1/bases/:id", manager, a.apiUpdateBase, docUpdateBase},
		{"POST", "/api/v1/admin/bases", admin, a.apiCreateBase, docCreateBase},
		{"POST", "/api/v1/admin/bases/:id/status", admin, a.apiBaseStatus, docBaseStatus},
		{"POST", "/api/v1/admin/bases/:id/managers", admin, a.apiBaseManagers, docBaseManagers},
		{"GET", "/api/v1/me/bases", entrepreneur, a.apiBasesForMe, docBasesForMe},
		{"POST", "/api/v1/applications", entrepreneur, a.apiApply, docApply},
		{"GET", "/api/v1/me/applications", entrepreneur, a.apiMyApplications, docMyApplications},
		{"GET", "/api/v1/applications/:id", signedIn, a.apiApplication, docApplication},
		{"POST", "/api/v1/applications/:id/withdraw", entrepreneur, a.apiApplicationStep("withdraw"), docAppStep},
		{"POST", "/api/v1/applications/:id/accept-offer", entrepreneur, a.apiApplicationStep("accept_offer"), docAppStep},
		{"POST", "/api/v1/applications/:id/decline-offer", entrepreneur, a.apiApplicationStep("decline_offer"), docAppStep},
		{"GET", "/api/v1/manage/bases", manager, a.apiManagedBases, docManagedBases},
		{"GET", "/api/v1/manage/bases/:id/applications", manager, a.apiBaseApplications, docBaseApplications},
		{"POST", "/api/v1/manage/applications/:id/accept", manager, a.apiApplicationStep("accept"), docManageStep},
		{"POST", "/api/v1/manage/applications/:id/decline", manager, a.apiApplicationStep("decline"), docManageStep},
		{"POST", "/api/v1/manage/applications/:id/waitlist", manager, a.apiApplicationStep("waitlist"), docManageStep},
		{"POST", "/api/v1/manage/applications/:id/move-out", manager, a.apiApplicationStep("move_out"), docManageStep},
		{"GET", "/api/v1/admin/intakes", admin, a.apiIntakes, docIntakes},
		{"POST", "/api/v1/admin/intakes", admin, a.apiOpenIntake, docOpenIntake},
		{"POST", "/api/v1/admin/intakes/:id/assignment/preview", admin, a.apiAssignment(false), docPreview},
		{"POST", "/api/v1/admin/intakes/:id/assignment/commit", admin, a.apiAssignment(true), docCommit},
		{"GET", "/api/v1/me/notifications", signedIn, a.apiNotifications, docNotifications},
		{"GET", "/api/v1/me/notifications/unread", signedIn, a.apiUnread, docUnread},
		{"POST", "/api/v1/me/notifications/read", signedIn, a.apiMarkRead, docMarkRead},

		// API: mentors and consultations.
		{"GET", "/api/v1/mentors", public, a.apiMentors, docMentors},
		{"GET", "/api/v1/mentors/:id", public, a.apiMentor, docMentor},
		{"PUT", "/api/v1/me/mentor", roles(accounts.Mentor), a.apiSaveMentor, docSaveMentor},
		{"POST", "/api/v1/admin/mentors/:id/status", admin, a.apiMentorStatus, docMentorStatus},
		{"POST", "/api/v1/consultations", roles(accounts.Entrepreneur, accounts.Hotline, accounts.Admin), a.apiAsk, docAsk},
		{"GET", "/api/v1/me/consultations", consultationReaders, a.apiConsultations, docConsultations},
		{"GET", "/api/v1/consultations/:id", signedIn, a.apiConsultation, docConsultation},
		{"POST", "/api/v1/consultations/:id/messages", signedIn, a.apiConsultStep("reply"), docConsultStep},
		{"POST", "/api/v1/consultations/:id/answered", roles(accounts.Mentor), a.apiConsultStep("answered"), docConsultStep},
		{"POST", "/api/v1/consultations/:id/decline", roles(accounts.Mentor), a.apiConsultStep("decline"), docConsultStep},
		{"POST", "/api/v1/consultations/:id/close", roles(accounts.Entrepreneur, accounts.Hotline, accounts.Admin), a.apiConsultStep("close"), docConsultStep},
		{"POST", "/api/v1/consultations/:id/reassign", roles(accounts.Entrepreneur, accounts.Hotline, accounts.Admin), a.apiConsultStep("reassign"), docConsultStep},
		{"GET", "/api/v1/admin/consultations/overview", admin, a.apiConsultOverview, docConsultOverview},

		// API: the hotline, complaints, follow-up cases, stability.
		{"GET", "/api/v1/hotline/find", staff, a.apiFind, docFind},
		{"POST", "/api/v1/hotline/find", staff, a.apiFindPost, docFindPost},
		{"POST", "/api/v1/hotline/contacts", staff, a.apiCreateContact, docCreateContact},
		{"GET", "/api/v1/hotline/contacts/:id", staff, a.apiContact, docContact},
		{"POST", "/api/v1/hotline/contacts/:id/link", staff, a.apiLinkContact, docLinkContact},
		{"POST", "/api/v1/hotline/accounts/:id/contact", staff, a.apiAccountContact, docAccountContact},
		{"POST", "/api/v1/hotline/calls", staff, a.apiLogCall, docLogCall},
		{"GET", "/api/v1/hotline/calls", staff, a.apiCalls, docCalls},
		{"POST", "/api/v1/hotline/calls/:id/convert", staff, a.apiConvertCall, docConvertCall},
		{"GET", "/api/v1/hotline/topics", staff, a.apiTopics, docTopics},
		{"GET", "/api/v1/hotline/stability", staff, a.apiStabilityDue, docStabilityDue},
		{"GET", "/api/v1/hotline/stability/verify", staff, a.apiStabilityToVerify, docStabilityToVerify},
		{"POST", "/api/v1/complaints", roles(accounts.Entrepreneur, accounts.Hotline, accounts.Admin), a.apiFileComplaint, docFileComplaint},
		{"GET", "/api/v1/complaints", signedIn, a.apiComplaints, docComplaints},
		{"GET", "/api/v1/complaints/:id", signedIn, a.apiComplaint, docComplaint},
		{"POST", "/api/v1/complaints/:id/steps", signedIn, a.apiComplaintStep, docComplaintStep},
		{"POST", "/api/v1/cases", staff, a.apiOpenCase, docOpenCase},
		{"GET", "/api/v1/cases", signedIn, a.apiCases, docCases},
		{"GET", "/api/v1/cases/:id", signedIn, a.apiCase, docCase},
		{"PUT", "/api/v1/cases/:id", staff, caseUpdate, docCaseUpdate},
		{"POST", "/api/v1/cases/:id/contacts", staff, caseContact, docCaseContact},
		{"PUT", "/api/v1/cases/:id/schedule", staff, caseSchedule, docCaseSchedule},
		{"POST", "/api/v1/cases/:id/mentor", staff, caseMentor, docCaseMentor},
		{"POST", "/api/v1/cases/:id/staff", staff, caseStaff, docCaseStaff},
		{"POST", "/api/v1/cases/:id/help", staff, caseHelp, docCaseHelp},
		{"POST", "/api/v1/cases/:id/eligibility", staff, a.apiCaseEligibility, docCaseEligibility},
		{"POST", "/api/v1/cases/:id/close", staff, caseClose, docCaseClose},
		{"POST", "/api/v1/admin/staff/reassign", admin, a.apiReassign, docReassign},
		{"GET", "/api/v1/me/venture", entrepreneur, a.apiMyVenture, docMyVenture},
		{"POST", "/api/v1/ventures/:id/checkins", roles(accounts.Entrepreneur, accounts.Hotline, accounts.Admin), a.apiStabilityCheckin, docCheckin},
		{"GET", "/api/v1/ventures/:id", staff, a.apiVenture, docVenture},
		{"POST", "/api/v1/ventures/:id/reviews", staff, a.apiStabilityReview, docReviewCheckin},
		{"POST", "/api/v1/ventures/:id/registration", staff, a.apiCorrectRegistration, docCorrectRegistration},

		// API: training.
		{"GET", "/api/v1/courses", public, a.apiCourses, docCourses},
		{"GET", "/api/v1/courses/:id", public, a.apiCourse, docCourse},
		{"POST", "/api/v1/courses", provider, a.apiCreateCourse, docCreateCourse},
		{"POST", "/api/v1/courses/:id/enrolments", roles(accounts.Entrepreneur, accounts.Hotline, accounts.Admin), a.apiEnrol, docEnrol},
		{"POST", "/api/v1/courses/:id/withdraw", entrepreneur, a.apiWithdraw, docWithdraw},
		{"GET", "/api/v1/me/trainings", entrepreneur, a.apiMyTrainings, docMyTrainings},
		{"GET", "/api/v1/certificates/:code", public, a.apiCertificate, docCertificate},
		{"GET", "/api/v1/courses/:id/roster", roles(accounts.Provider, accounts.Hotline, accounts.Admin), a.apiRoster, docRoster},
		{"POST", "/api/v1/courses/:id/attendance", provider, a.apiAttendance, docAttendance},
		{"POST", "/api/v1/courses/:id/complete", provider, a.apiCompleteCourse, docCompleteCourse},
		{"POST", "/api/v1/courses/:id/claim", provider, a.apiCreateClaim, docCreateClaim},
		{"GET", "/api/v1/claims", roles(accounts.Provider, accounts.Hotline, accounts.Admin), a.apiClaims, docClaims},
		{"POST", "/api/v1/admin/claims/:id/review", admin, a.apiReviewClaim, docReviewClaim},
		{"GET", "/api/v1/admin/providers", admin, a.apiProviders, docProviders},
		{"POST", "/api/v1/admin/providers/:id", admin, a.apiSetListed, docSetListed},
		{"POST", "/api/v1/staff/people/:id/training-refusals", staff, a.apiTrainingRefusal, docRefusal},

		// API: guaranteed loans.
		{"GET", "/api/v1/banks", signedIn, a.apiBanks, docBanks},
		{"POST", "/api/v1/admin/banks", admin, a.apiCreateBank, docCreateBank},
		{"POST", "/api/v1/admin/banks/:id/officers", admin, a.apiBankOfficers, docBankOfficers},
		{"POST", "/api/v1/loans", entrepreneur, a.apiApplyLoan, docApplyLoan},
		{"GET", "/api/v1/loans", loanRoles, a.apiLoans, docLoans},
		{"GET", "/api/v1/loans/:id", loanRoles, a.apiLoan, docLoan},
		{"POST", "/api/v1/loans/:id/steps", loanRoles, a.apiLoanStep, docLoanStep},
		{"POST", "/api/v1/loans/:id/attachments", entrepreneur, a.apiLoanAttach, docLoanAttach},
		{"DELETE", "/api/v1/loans/:id/attachments/:att", entrepreneur, a.apiLoanDetach, docLoanDetach},
		{"GET", "/api/v1/loans/:id/attachments/:att", loanRoles, a.loanDownload, docLoanDownload},

		// API: figures.
		{"GET", "/api/v1/admin/figures", admin, a.apiFiguresRead, docFigures},
		{"GET", "/api/v1/open-data", public, a.apiOpenData, docOpenData},
		{"GET", "/api/v1/me/figures", roles(accounts.IncubatorManager, accounts.Mentor), a.apiOwnFigures, docOwnFigures},

		// API: one-stop service requests.
		{"POST", "/api/v1/services", entrepreneur, a.apiCreateRequest, docCreateRequest},
		{"GET", "/api/v1/me/services", entrepreneur, a.apiRequests, docMyRequests},
		{"GET", "/api/v1/services/:id", signedIn, a.apiRequest, docRequest},
		{"POST", "/api/v1/services/:id/cancel", entrepreneur, a.apiAct("cancel"), docCancel},
		{"GET", "/api/v1/staff/services", staff, a.apiRequests, docQueue},
		{"POST", "/api/v1/staff/services/:id/assign", staff, a.apiAct("assign"), docAssign},
		{"POST", "/api/v1/staff/services/:id/start", staff, a.apiAct("start"), docStart},
		{"POST", "/api/v1/staff/services/:id/complete", staff, a.apiAct("complete"), docComplete},
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
