package portal

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"onestop/services/core"
	"onestop/services/hotline"
	"onestop/services/incubators"
	"onestop/services/loans"
	"onestop/services/mentors"
	"onestop/services/onestop"
	"onestop/services/people"
	"onestop/services/policy"
	"onestop/services/projects"
	"onestop/services/training"
)

// apiDoc describes an API route for the OpenAPI document. Request and
// response schemas are derived from the Go types the handler uses, so the
// document cannot drift from the code.
// uploadForm documents a multipart upload (a document kind and a file);
// fileBytes a response that is the file itself.
type (
	uploadForm struct{}
	fileBytes  struct{}
)

type apiDoc struct {
	summary  string
	tag      string
	request  any // a zero value of the request type, or nil
	response any // a zero value of the 2xx response type, or nil for 204
	status   int
}

var (
	docRegister   = &apiDoc{"Register as an entrepreneur (or mentor applicant): 202 whether or not the login has an account; the address gets a 6-digit code (valid 15 minutes, 5 tries), or a note to sign in instead", "auth", registerRequest{}, registerResponse{}, 202}
	docConfirm    = &apiDoc{"Confirm a registration with the code sent to the login: opens the account and signs in", "auth", confirmRequest{}, tokenResponse{}, 200}
	docLogin      = &apiDoc{"Sign in; send the device_token of the last sign-in so failed guesses elsewhere do not hold this client up", "auth", loginRequest{}, tokenResponse{}, 200}
	docRefresh    = &apiDoc{"Trade a refresh token for new tokens", "auth", refreshRequest{}, tokenResponse{}, 200}
	docLogout     = &apiDoc{"Sign out everywhere", "auth", refreshRequest{}, nil, 204}
	docMe         = &apiDoc{"The signed-in account", "auth", nil, apiUser{}, 200}
	docPassword   = &apiDoc{"Change the password", "auth", passwordRequest{}, tokenResponse{}, 200}
	docUsers      = &apiDoc{"List accounts", "admin", nil, listResponse[apiUserRow]{}, 200}
	docCreateUser = &apiDoc{"Create an account of any role", "admin", createUserRequest{}, apiUser{}, 201}
	docUser       = &apiDoc{"Read an account", "admin", nil, apiUser{}, 200}
	docUpdateUser = &apiDoc{"Change an account's role or disable it", "admin", updateUserRequest{}, apiUser{}, 200}
	docAudit      = &apiDoc{"List audit events", "admin", nil, listResponse[apiAuditEvent]{}, 200}

	docReference        = &apiDoc{"The reference lists (district, industry of the local guidance catalogue, sector): each list's active entries in order, with labels in zh-Hant, zh-Hans and en. A field naming one takes the code or any label, in either script", "reference", nil, apiReferenceLists{}, 200}
	docAdminReference   = &apiDoc{"One reference list (kind: district, industry, sector) with its retired entries and its version", "admin", nil, apiReferenceList{}, 200}
	docAddReference     = &apiDoc{"Add an entry to a reference list: a new code (lowercase letters, digits and _; never one the list had) and its labels in zh-Hant, zh-Hans and en", "admin", referenceEntryRequest{}, apiReferenceList{}, 201}
	docUpdateReference  = &apiDoc{"Relabel an entry, or retire it (no longer offered nor taken for new records; records holding it keep it) or reactivate it; a code is never removed", "admin", referenceUpdateRequest{}, apiReferenceList{}, 200}
	docReorderReference = &apiDoc{"Put a reference list in a new order: codes names every entry, retired ones too, once", "admin", referenceOrderRequest{}, apiReferenceList{}, 200}

	docPolicies        = &apiDoc{"The policy catalogue", "policies", nil, listResponse[policy.Policy]{}, 200}
	docPolicy          = &apiDoc{"One policy with its conditions", "policies", nil, policy.Policy{}, 200}
	docSavePolicy      = &apiDoc{"Edit a policy (version = the version edited)", "admin", policy.Policy{}, policy.Policy{}, 200}
	docCheck           = &apiDoc{"Check a described profile against every policy", "eligibility", checkRequest{}, checkResponse{}, 200}
	docMyEligibility   = &apiDoc{"Check the caller's profile", "eligibility", nil, checkResponse{}, 200}
	docMyProfile       = &apiDoc{"The caller's profile (sensitive values masked)", "profile", nil, apiProfile{}, 200}
	docSaveProfile     = &apiDoc{"Save the caller's profile", "profile", people.Input{}, apiProfile{}, 200}
	docExport          = &apiDoc{"Download everything held about the caller (re-asks the password): a ZIP of one JSON file per area, the documents they gave and summary.html in their language", "privacy", passwordConfirm{}, zipArchive{}, 200}
	docDelete          = &apiDoc{"Delete the caller's account (re-asks the password); 204 when done, 202 {status: under_way} when a step is being finished in the background", "privacy", passwordConfirm{}, nil, 204}
	docPeople          = &apiDoc{"List people (staff); q is a name or text: an ID or phone number in q is refused with 422, POST /api/v1/staff/people/search takes it", "staff", nil, listResponse[apiPersonRow]{}, 200}
	docPeopleSearch    = &apiDoc{"Search people (staff) with q in the body: a full ID or phone number finds the person through the blind index, anything else is a text search", "staff", peopleSearchRequest{}, listResponse[apiPersonRow]{}, 200}
	docPerson          = &apiDoc{"A person's profile, masked (staff), with the numbers awaiting a dispute's settlement", "staff", nil, apiStaffProfile{}, 200}
	docDisputes        = &apiDoc{"Number disputes (staff): profiles saved with an ID or phone number another profile holds; status=open (default), resolved, withdrawn or all", "staff", nil, listResponse[apiDispute]{}, 200}
	docResolveDispute  = &apiDoc{"Settle a number dispute (staff) after checking with the real person: decision claimant or holder, and a note of how it was checked", "staff", resolveRequest{}, apiDispute{}, 200}
	docReveal          = &apiDoc{"Reveal a person's ID number and phone (audited)", "staff", nil, people.Revealed{}, 200}
	docFind            = &apiDoc{"Find a caller by name (staff); an ID or phone number in q is refused with 422, POST takes it", "hotline", nil, foundResponse{}, 200}
	docFindPost        = &apiDoc{"Find a caller by phone, ID number (blind index) or name, sent in the body (staff)", "hotline", findRequest{}, foundResponse{}, 200}
	docCreateContact   = &apiDoc{"Record a caller (staff); linked to an account whose profile has the same phone or ID number", "hotline", hotline.NewContact{}, apiContact{}, 201}
	docContact         = &apiDoc{"A caller's record, masked (staff)", "hotline", nil, apiContact{}, 200}
	docLinkContact     = &apiDoc{"Link a caller to the account whose profile has the same phone or ID number", "hotline", nil, apiContact{}, 200}
	docAccountContact  = &apiDoc{"The contact record of an entrepreneur's account, made on first use", "hotline", nil, apiContact{}, 200}
	docLogCall         = &apiDoc{"Log a call", "hotline", hotline.NewCall{}, apiCall{}, 201}
	docCalls           = &apiDoc{"List calls (contact_id, staff_id, topic, week)", "hotline", nil, listResponse[apiCallRow]{}, 200}
	docConvertCall     = &apiDoc{"Turn a call into a consultation or a service request", "hotline", hotline.Conversion{}, hotline.Link{}, 201}
	docTopics          = &apiDoc{"Calls per topic in each of the last 8 weeks", "hotline", nil, []hotline.WeekTopics{}, 200}
	docStabilityDue    = &apiDoc{"Ventures whose stability check-in is due", "hotline", nil, listResponse[apiVentureRow]{}, 200}
	docFileComplaint   = &apiDoc{"File a complaint (entrepreneur: own; staff: for a contact)", "complaints", hotline.NewComplaint{}, apiComplaint{}, 201}
	docComplaints      = &apiDoc{"The complaint board (staff) or one's own complaints; queue = open, overdue, escalated, mine or a status", "complaints", nil, listResponse[apiComplaintRow]{}, 200}
	docComplaint       = &apiDoc{"One complaint with its history", "complaints", nil, apiComplaint{}, 200}
	docComplaintStep   = &apiDoc{"Act on a complaint: assign, start, answer, close, reopen", "complaints", hotline.ComplaintStep{}, apiComplaint{}, 200}
	docOpenCase        = &apiDoc{"Open a follow-up case for a failed venture", "cases", hotline.NewCase{}, apiCase{}, 201}
	docCases           = &apiDoc{"Cases: queues for staff (due_today, overdue, mine, unassigned, open, closed; staff_id), assigned ones for a mentor, one's own for an entrepreneur", "cases", nil, listResponse[apiCaseRow]{}, 200}
	docCase            = &apiDoc{"One case; staff see notes, others a summary", "cases", nil, apiCase{}, 200}
	docCaseUpdate      = &apiDoc{"Edit a case's details and plan", "cases", hotline.CaseDetails{}, apiCase{}, 200}
	docCaseContact     = &apiDoc{"Record a contact with the person", "cases", hotline.ContactRecord{}, apiCase{}, 200}
	docCaseSchedule    = &apiDoc{"Replace the contacts still to make", "cases", scheduleRequest{}, apiCase{}, 200}
	docCaseMentor      = &apiDoc{"Assign a mentor", "cases", mentorRequest{}, apiCase{}, 200}
	docCaseStaff       = &apiDoc{"Assign the staff member following the case", "cases", staffRequest{}, apiCase{}, 200}
	docCaseHelp        = &apiDoc{"Arrange a consultation or service request for the person, linked on the case", "cases", hotline.CaseHelp{}, apiCase{}, 200}
	docCaseEligibility = &apiDoc{"Run a fresh eligibility check for the person and link it", "cases", nil, apiCase{}, 200}
	docCaseClose       = &apiDoc{"Close a case with its outcome", "cases", closeCaseRequest{}, apiCase{}, 200}
	docReassign        = &apiDoc{"Hand every open case and complaint of a leaving staff member to another", "admin", reassignRequest{}, hotline.Reassigned{}, 200}
	docMyVenture       = &apiDoc{"The caller's venture and its stability check-ins", "cases", nil, apiVenture{}, 200}
	docCheckin         = &apiDoc{"Answer a stability check-in (the entrepreneur, or staff)", "cases", hotline.StabilityAnswer{}, apiVenture{}, 200}
	docCourses         = &apiDoc{"The course catalogue (q, kind, district, target_group)", "training", nil, listResponse[apiCourseRow]{}, 200}
	docCourse          = &apiDoc{"One course with its sessions", "training", nil, training.Course{}, 200}
	docCreateCourse    = &apiDoc{"Open a course (a listed training provider)", "training", training.NewCourse{}, training.Course{}, 201}
	docEnrol           = &apiDoc{"Enrol (an entrepreneur themselves; hotline staff for person_id)", "training", enrolRequest{}, training.Enrolment{}, 201}
	docWithdraw        = &apiDoc{"Withdraw from a course not yet finished", "training", nil, nil, 204}
	docMyTrainings     = &apiDoc{"The caller's enrolments and certificates", "training", nil, listResponse[*training.Enrolment]{}, 200}
	docCertificate     = &apiDoc{"Verify a certificate by its code (public; the name masked)", "training", nil, training.Certificate{}, 200}
	docRoster          = &apiDoc{"A course's roster with attendance (its provider; staff)", "training", nil, rosterResponse{}, 200}
	docAttendance      = &apiDoc{"Record who attended a session (replaces that session's marks)", "training", attendanceRequest{}, rosterResponse{}, 200}
	docCompleteCourse  = &apiDoc{"Close a course: pass under the attendance rule, certificates, profiles updated", "training", nil, training.Completion{}, 200}
	docCreateClaim     = &apiDoc{"Generate the subsidy claim of a completed course", "training", nil, training.Claim{}, 201}
	docClaims          = &apiDoc{"Subsidy claims (a provider's own; all for staff)", "training", nil, listResponse[*training.Claim]{}, 200}
	docReviewClaim     = &apiDoc{"Approve, reject (with a reason) or mark paid a claim", "admin", reviewRequest{}, training.Claim{}, 200}
	docProviders       = &apiDoc{"Training providers with completion and claims", "admin", nil, listResponse[apiProviderStat]{}, 200}
	docSetListed       = &apiDoc{"Put a provider on the published list, or take it off", "admin", listedRequest{}, training.Provider{}, 200}
	docRefusal         = &apiDoc{"Count a refused training recommendation (staff)", "staff", nil, refusalResponse{}, 200}
	docBanks           = &apiDoc{"The partner banks", "loans", nil, listResponse[*loans.Bank]{}, 200}
	docCreateBank      = &apiDoc{"Add a partner bank", "admin", bankRequest{}, loans.Bank{}, 201}
	docBankOfficers    = &apiDoc{"Name a bank's officers (bank-officer accounts, one bank each)", "admin", officersRequest{}, loans.Bank{}, 200}
	docApplyLoan       = &apiDoc{"Apply for a guaranteed loan under a policy one is eligible for", "loans", loans.Application{}, apiLoan{}, 201}
	docLoans           = &apiDoc{"Loan files: one's own; the bureau's queue (status to filter); a bank's", "loans", nil, listResponse[apiLoanRow]{}, 200}
	docLoan            = &apiDoc{"One file: timeline, whom it waits on, schedule with the interest subsidy", "loans", nil, apiLoan{}, 200}
	docLoanStep        = &apiDoc{"Act on a file: forward, return, resubmit, withdraw, approve, decline, disburse, repay", "loans", loans.StepInput{}, apiLoan{}, 200}
	docLoanAttach      = &apiDoc{"Upload a document to one's own file before it is forwarded (multipart: kind, file; PDF, JPEG or PNG by content, at most 4 MiB, 12 files)", "loans", uploadForm{}, loans.Attachment{}, 201}
	docLoanDetach      = &apiDoc{"Remove a document from one's own file before it is forwarded", "loans", nil, nil, 204}
	docLoanDownload    = &apiDoc{"Download a document of a file one may read (audited for bureau and bank)", "loans", nil, fileBytes{}, 200}
	docFigures         = &apiDoc{"Figures from the rollups: from, to (YYYY-MM, at most 120 months), dim (all, district, industry, group, topic, service_type, call_topic, complaint_kind, case_outcome, bank, provider, base, mentor) and value", "admin", nil, apiFigures{}, 200}
	docOpenData        = &apiDoc{"Open data: the last twelve months by district, aggregates only, counts under 5 withheld (null)", "public", nil, openData{}, 200}
	docOwnFigures      = &apiDoc{"One's own figures: a base manager's bases, a mentor's consultations (from, to)", "figures", nil, listResponse[ownFigures]{}, 200}
	docCreateRequest   = &apiDoc{"Request a one-stop service", "services", onestop.NewRequest{}, apiRequest{}, 201}
	docMyRequests      = &apiDoc{"The caller's service requests", "services", nil, listResponse[apiRequestRow]{}, 200}
	docRequest         = &apiDoc{"One service request with its history", "services", nil, apiRequest{}, 200}
	docCancel          = &apiDoc{"Cancel one's own request before work starts", "services", actRequest{}, apiRequest{}, 200}
	docQueue           = &apiDoc{"The staff queue (status, type, overdue=1, mine=1)", "staff", nil, listResponse[apiRequestRow]{}, 200}
	docAssign          = &apiDoc{"Assign a request (to the caller by default)", "staff", actRequest{}, apiRequest{}, 200}
	docStart           = &apiDoc{"Start work on a request", "staff", actRequest{}, apiRequest{}, 200}
	docComplete        = &apiDoc{"Complete a request (note required)", "staff", actRequest{}, apiRequest{}, 200}

	docProjects         = &apiDoc{"Search recommended projects (q, industry, district, risk, target_group, min_investment, max_investment, sort, page, per_page)", "projects", nil, apiLibrary{}, 200}
	docCreateProject    = &apiDoc{"Submit a project (submit=false keeps a draft)", "projects", projectRequest{}, apiProject{}, 201}
	docProject          = &apiDoc{"One project", "projects", nil, apiProject{}, 200}
	docUpdateProject    = &apiDoc{"Revise a project (submitter or admin)", "projects", projects.Input{}, apiProject{}, 200}
	docSubmitProject    = &apiDoc{"Submit a draft, or resubmit once after revision", "projects", nil, apiProject{}, 200}
	docAssignReviewers  = &apiDoc{"Assign two or more reviewers", "projects", reviewersRequest{}, apiProject{}, 200}
	docReviewProject    = &apiDoc{"Score a project as an assigned reviewer", "projects", projects.ReviewInput{}, apiProject{}, 200}
	docDecideProject    = &apiDoc{"Record the consensus outcome", "projects", decisionRequest{}, apiProject{}, 200}
	docArchiveProject   = &apiDoc{"Archive an evaluated project", "projects", nil, apiProject{}, 200}
	docMyProjects       = &apiDoc{"The caller's projects", "projects", nil, apiLibrary{}, 200}
	docReviewQueue      = &apiDoc{"Projects awaiting the caller's review", "projects", nil, apiLibrary{}, 200}
	docBases            = &apiDoc{"Approved bases with live free seats (district, industry, level, target_group, free=1)", "bases", nil, listResponse[incubators.Base]{}, 200}
	docBase             = &apiDoc{"One base", "bases", nil, incubators.Base{}, 200}
	docUpdateBase       = &apiDoc{"Edit a base (its managers or an admin)", "bases", incubators.BaseInput{}, incubators.Base{}, 200}
	docCreateBase       = &apiDoc{"List a new base (pending until approved)", "admin", incubators.BaseInput{}, incubators.Base{}, 201}
	docBaseStatus       = &apiDoc{"Approve, suspend or return a base to pending", "admin", baseStatusRequest{}, incubators.Base{}, 200}
	docBaseManagers     = &apiDoc{"Name a base's managers", "admin", managersRequest{}, incubators.Base{}, 200}
	docBasesForMe       = &apiDoc{"Bases ranked for the caller, with the parts of each score", "bases", nil, nil, 200}
	docApply            = &apiDoc{"Apply to up to five bases, most wanted first", "applications", applyRequest{}, listResponse[apiApplication]{}, 201}
	docMyApplications   = &apiDoc{"The caller's applications", "applications", nil, listResponse[apiApplication]{}, 200}
	docApplication      = &apiDoc{"One application (applicant, the base's managers, admins)", "applications", nil, apiApplication{}, 200}
	docAppStep          = &apiDoc{"Withdraw, or accept or decline an offer", "applications", reasonRequest{}, apiApplication{}, 200}
	docManagedBases     = &apiDoc{"The bases the caller manages", "manage", nil, listResponse[incubators.Base]{}, 200}
	docBaseApplications = &apiDoc{"A base's applications (status=…)", "manage", nil, listResponse[apiApplication]{}, 200}
	docManageStep       = &apiDoc{"Accept (makes an offer holding a seat), decline (reason), wait-list, or end a tenancy (reason)", "manage", reasonRequest{}, apiApplication{}, 200}
	docIntakes          = &apiDoc{"Intakes", "admin", nil, listResponse[incubators.Intake]{}, 200}
	docOpenIntake       = &apiDoc{"Open an intake", "admin", intakeRequest{}, incubators.Intake{}, 201}
	docPreview          = &apiDoc{"Preview the intake's assignment", "admin", nil, incubators.Preview{}, 200}
	docCommit           = &apiDoc{"Commit the intake's assignment as offers", "admin", nil, incubators.Preview{}, 200}
	docNotifications    = &apiDoc{"The caller's notifications", "notifications", nil, listResponse[apiNotification]{}, 200}
	docUnread           = &apiDoc{"How many of the caller's notifications are unread (the bell)", "notifications", nil, apiUnread{}, 200}
	docMarkRead         = &apiDoc{"Mark the caller's notifications read", "notifications", nil, apiUnread{}, 200}
	docMentors          = &apiDoc{"Search active mentors (q, type, industry, topic)", "mentors", nil, listResponse[apiMentor]{}, 200}
	docMentor           = &apiDoc{"A mentor's public profile", "mentors", nil, apiMentor{}, 200}
	docSaveMentor       = &apiDoc{"Write the caller's mentor profile (new profiles await approval)", "mentors", mentors.Profile{}, apiMentor{}, 200}
	docMentorStatus     = &apiDoc{"Approve (active), pause or retire a mentor", "admin", baseStatusRequest{}, apiMentor{}, 200}
	docAsk              = &apiDoc{"Ask a question (hotline: for a caller, with contact_id); routed to a fitting mentor", "consultations", mentors.Question{}, apiConsultation{}, 201}
	docConsultations    = &apiDoc{"The caller's consultations (status=waiting|answering|answered|closed|unassigned|overdue|rematched|mine)", "consultations", nil, listResponse[apiConsultRow]{}, 200}
	docConsultation     = &apiDoc{"One consultation and its thread", "consultations", nil, apiConsultation{}, 200}
	docConsultStep      = &apiDoc{"A step: a message (text), answered, decline (reason), close (rating 1–5, comment), reassign (mentor_id)", "consultations", consultStep{}, apiConsultation{}, 200}
	docConsultOverview  = &apiDoc{"Open, overdue and re-matched consultations, answer times, ratings by mentor", "admin", nil, mentors.Overview{}, 200}
	docBoard            = &apiDoc{"Evaluation board (stage=needs_reviewers|in_review|awaiting_consensus|<status>)", "projects", nil, apiLibrary{}, 200}
)

var pathParam = regexp.MustCompile(`:([a-zA-Z_]+)`)

func (a *App) openAPIDocument() fiber.Map {
	paths := fiber.Map{}
	for _, r := range a.routes {
		if r.doc == nil {
			continue
		}
		p := pathParam.ReplaceAllString(r.path, "{$1}")
		op := fiber.Map{"summary": r.doc.summary, "tags": []string{r.doc.tag}, "operationId": strings.ToLower(r.method) + strings.ReplaceAll(strings.ReplaceAll(p, "/", "_"), "{", "")}
		var params []fiber.Map
		for _, m := range pathParam.FindAllStringSubmatch(r.path, -1) {
			params = append(params, fiber.Map{"name": m[1], "in": "path", "required": true, "schema": fiber.Map{"type": "string"}})
		}
		if r.doc.status == 201 {
			params = append(params, fiber.Map{"name": "Idempotency-Key", "in": "header", "schema": fiber.Map{"type": "string", "maxLength": 200},
				"description": "a retry with the same key and body returns the first answer (Idempotent-Replayed: true) and creates nothing"})
		}
		if r.method == "GET" && r.doc.tag == "admin" && !strings.Contains(r.path, ":") {
			for _, q := range []string{"q", "page", "size", "role", "status", "action", "result"} {
				params = append(params, fiber.Map{"name": q, "in": "query", "schema": fiber.Map{"type": "string"}})
			}
		}
		if params != nil {
			op["parameters"] = params
		}
		switch r.doc.request.(type) {
		case nil:
		case uploadForm:
			op["requestBody"] = fiber.Map{"required": true, "content": fiber.Map{"multipart/form-data": fiber.Map{"schema": fiber.Map{"type": "object", "required": []string{"kind", "file"},
				"properties": fiber.Map{"kind": fiber.Map{"type": "string", "enum": loans.Documents}, "file": fiber.Map{"type": "string", "format": "binary", "description": "PDF, JPEG or PNG, at most 4 MiB"}}}}}}
		default:
			op["requestBody"] = fiber.Map{"required": true, "content": fiber.Map{"application/json": fiber.Map{"schema": schemaOf(reflect.TypeOf(r.doc.request))}}}
		}
		resp := fiber.Map{"description": "success"}
		if _, ok := r.doc.response.(fileBytes); ok {
			bin := fiber.Map{"schema": fiber.Map{"type": "string", "format": "binary"}}
			resp["content"] = fiber.Map{"application/pdf": bin, "image/jpeg": bin, "image/png": bin}
		} else if _, ok := r.doc.response.(zipArchive); ok {
			resp["content"] = fiber.Map{"application/zip": fiber.Map{"schema": fiber.Map{"type": "string", "format": "binary"}}}
		} else if r.doc.response != nil {
			resp["content"] = fiber.Map{"application/json": fiber.Map{"schema": schemaOf(reflect.TypeOf(r.doc.response))}}
		}
		problem := fiber.Map{"description": "problem", "content": fiber.Map{"application/problem+json": fiber.Map{"schema": schemaOf(reflect.TypeOf(problemBody{}))}}}
		op["responses"] = fiber.Map{itoa(r.doc.status): resp, "default": problem}
		if !r.access.public {
			op["security"] = []fiber.Map{{"bearer": []string{}}}
		}
		item, _ := paths[p].(fiber.Map)
		if item == nil {
			item = fiber.Map{}
			paths[p] = item
		}
		item[strings.ToLower(r.method)] = op
	}
	return fiber.Map{
		"openapi": "3.1.0",
		"info":    fiber.Map{"title": "創業一站式服務平台 API", "version": "1"},
		"paths":   paths,
		"components": fiber.Map{"securitySchemes": fiber.Map{
			"bearer": fiber.Map{"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
		}},
	}
}

var (
	timeType = reflect.TypeOf(time.Time{})
	dateType = reflect.TypeOf(core.Date{})
	rawType  = reflect.TypeOf(json.RawMessage{})
)

// schemaOf derives a JSON Schema from a Go type and its json tags.
func schemaOf(t reflect.Type) fiber.Map {
	if t.Kind() == reflect.Pointer {
		return schemaOf(t.Elem())
	}
	switch {
	case t == timeType:
		return fiber.Map{"type": "string", "format": "date-time"}
	case t == dateType:
		return fiber.Map{"type": "string", "format": "date"}
	case t == rawType || t.Kind() == reflect.Interface:
		return fiber.Map{}
	case t.Kind() == reflect.Map:
		return fiber.Map{"type": "object", "additionalProperties": schemaOf(t.Elem())}
	case t.Kind() == reflect.String:
		return fiber.Map{"type": "string"}
	case t.Kind() == reflect.Bool:
		return fiber.Map{"type": "boolean"}
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		return fiber.Map{"type": "integer"}
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		return fiber.Map{"type": "number"}
	case t.Kind() == reflect.Slice:
		return fiber.Map{"type": "array", "items": schemaOf(t.Elem())}
	case t.Kind() == reflect.Struct:
		props := fiber.Map{}
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if f.Anonymous && name == "" {
				// Embedded structs' fields are promoted, as encoding/json does.
				inner := schemaOf(f.Type)
				if ip, ok := inner["properties"].(fiber.Map); ok {
					for k, v := range ip {
						props[k] = v
					}
				}
				continue
			}
			if name == "" || name == "-" || !f.IsExported() {
				continue
			}
			props[name] = schemaOf(f.Type)
		}
		return fiber.Map{"type": "object", "properties": props, "additionalProperties": false}
	}
	return fiber.Map{}
}

func (a *App) openAPI(c *fiber.Ctx) error {
	return c.JSON(a.openAPIDocument())
}
