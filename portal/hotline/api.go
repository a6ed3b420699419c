package hotline

import (
	"onestop/portal/web"
	"onestop/services/core"
	"onestop/services/hotline"
	"onestop/services/policy"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// APIContact is a caller's record, masked.
type APIContact struct {
	ID            string         `json:"id"`
	Name          string         `json:"name"`
	PhoneMasked   string         `json:"phone_masked,omitempty"`
	IDMasked      string         `json:"id_masked,omitempty"`
	District      string         `json:"district,omitempty"`
	AccountID     string         `json:"account_id,omitempty"`
	LinkCandidate *hotline.Found `json:"link_candidate,omitempty"`
	CreatedAt     time.Time      `json:"created_at"`
}

func (a *Handlers) toAPIContact(c *fiber.Ctx, x *hotline.Contact) APIContact {
	out := APIContact{ID: x.ID, Name: x.Name, PhoneMasked: x.PhoneMasked, IDMasked: x.IDMasked, District: x.District, AccountID: x.AccountID, CreatedAt: x.CreatedAt}
	if f, ok := a.hotline.LinkCandidate(c.UserContext(), web.Principal(c), x); ok {
		out.LinkCandidate = &f
	}
	return out
}

// APICall is a logged call.
type APICall struct {
	ID          string         `json:"id"`
	ContactID   string         `json:"contact_id"`
	ContactName string         `json:"contact_name"`
	StaffName   string         `json:"staff_name"`
	Type        string         `json:"type"`
	Topic       string         `json:"topic"`
	Notes       string         `json:"notes"`
	Outcome     string         `json:"outcome"`
	Duration    int            `json:"duration_seconds"`
	NextStep    string         `json:"next_step,omitempty"`
	Week        string         `json:"week"`
	Links       []hotline.Link `json:"links"`
	// CallbackAt is when the caller is to be called back; CallbackDone
	// when that was done.
	CallbackAt   time.Time `json:"callback_at,omitzero"`
	CallbackDone time.Time `json:"callback_done,omitzero"`
	CreatedAt    time.Time `json:"created_at"`
}

func toAPICall(x *hotline.Call) APICall {
	return APICall{ID: x.ID, ContactID: x.ContactID, ContactName: x.ContactName, StaffName: x.StaffName, Type: x.Type, Topic: x.Topic,
		Notes: x.Notes, Outcome: x.Outcome, Duration: x.Duration, NextStep: x.NextStep, Week: x.Week, Links: x.Links,
		CallbackAt: x.CallbackAt, CallbackDone: x.CallbackDone, CreatedAt: x.CreatedAt}
}

type apiCallRow struct {
	ID          string    `json:"id"`
	ContactID   string    `json:"contact_id"`
	ContactName string    `json:"contact_name"`
	Type        string    `json:"type"`
	Topic       string    `json:"topic"`
	Outcome     string    `json:"outcome"`
	Notes       string    `json:"notes"`
	Duration    int       `json:"duration_seconds"`
	CreatedAt   time.Time `json:"created_at"`
}

// APIComplaint is a complaint with its steps and time limit.
type APIComplaint struct {
	ID           string    `json:"id"`
	Ref          string    `json:"ref,omitempty"` // the reference number (受理編號), TS-2026-000123
	ContactName  string    `json:"contact_name"`
	Kind         string    `json:"kind"`
	Subject      string    `json:"subject"`
	Against      string    `json:"against"`
	AgainstName  string    `json:"against_name,omitempty"`
	Details      string    `json:"details"`
	Desired      string    `json:"desired,omitempty"`
	Status       string    `json:"status"`
	AssigneeName string    `json:"assignee_name,omitempty"`
	DueAt        time.Time `json:"due_at"` // the close of DueOn, China time
	// DueOn is the deadline's day in China; LimitWorkdays the limit it
	// counts, in working days (absent on complaints from before).
	DueOn         core.Date          `json:"due_on"`
	LimitWorkdays int                `json:"limit_workdays,omitempty"`
	Overdue       bool               `json:"overdue"`
	Escalated     bool               `json:"escalated"`
	Answer        string             `json:"answer,omitempty"`
	AnsweredAt    time.Time          `json:"answered_at,omitzero"`
	History       []APIComplaintStep `json:"history"`
	CreatedAt     time.Time          `json:"created_at"`
}

// APIComplaintStep is a step of a complaint's history with who took it:
// the complainant, the bureau's staff, or the system (an escalation), so
// that "received" reads as the bureau's act, not the complainant's.
type APIComplaintStep struct {
	At        time.Time `json:"at"`
	ActorName string    `json:"actor_name"`
	By        string    `json:"by"` // complainant | bureau | system
	Action    string    `json:"action"`
	Note      string    `json:"note,omitempty"`
	Said      string    `json:"said,omitempty"`
}

func (a *Handlers) toAPIComplaint(x *hotline.Complaint) APIComplaint {
	steps := make([]APIComplaintStep, 0, len(x.History))
	for _, st := range x.History {
		steps = append(steps, APIComplaintStep{At: st.At, ActorName: st.ActorName, By: x.StepBy(st), Action: st.Action, Note: st.Note, Said: st.Said})
	}
	return APIComplaint{ID: x.ID, Ref: x.Ref, ContactName: x.ContactName, Kind: x.Kind, Subject: x.Subject, Against: x.Against, AgainstName: x.AgainstName,
		Details: x.Details, Desired: x.Desired, Status: x.Status, AssigneeName: x.AssigneeName, DueAt: x.DueAt, DueOn: core.DateOf(x.DueAt), LimitWorkdays: x.LimitDays,
		Overdue: x.Overdue(a.Clock.Now()), Escalated: !x.EscalatedAt.IsZero(), Answer: x.Answer, AnsweredAt: x.AnsweredAt, History: steps, CreatedAt: x.CreatedAt}
}

// apiComplaintRow is one complaint of a list. The assignee is named for
// staff, absent while nobody works on it and in a complainant's own list.
type apiComplaintRow struct {
	ID           string    `json:"id"`
	Ref          string    `json:"ref,omitempty"`
	Subject      string    `json:"subject"`
	ContactName  string    `json:"contact_name"`
	Kind         string    `json:"kind"`
	Against      string    `json:"against"`
	Status       string    `json:"status"`
	AssigneeID   string    `json:"assignee_id,omitempty"`
	AssigneeName string    `json:"assignee_name,omitempty"`
	DueAt        time.Time `json:"due_at"`
	DueOn        core.Date `json:"due_on"`
	// LimitWorkdays is the limit in working days (absent on complaints
	// from before limits were working days).
	LimitWorkdays int       `json:"limit_workdays,omitempty"`
	Overdue       bool      `json:"overdue"`
	Escalated     bool      `json:"escalated"`
	CreatedAt     time.Time `json:"created_at"`
}

// APICase is a follow-up case (跟蹤服務) of a venture that failed.
type APICase struct {
	ID         string             `json:"id"`
	PersonName string             `json:"person_name"`
	Source     string             `json:"source"`
	Status     string             `json:"status"`
	Reasons    []string           `json:"reasons"`
	DebtsYuan  int64              `json:"debts_yuan,omitempty"`
	LoanStatus string             `json:"loan_status,omitempty"`
	Situation  string             `json:"situation,omitempty"`
	Needs      []string           `json:"needs"`
	Plan       []hotline.PlanStep `json:"plan"`
	Checkins   []hotline.Checkin  `json:"checkins"`
	NextDue    core.Date          `json:"next_due,omitzero"`
	StaffName  string             `json:"staff_name,omitempty"`
	MentorName string             `json:"mentor_name,omitempty"`
	Links      []hotline.Link     `json:"links"`
	Outcome    string             `json:"outcome,omitempty"`
	OutcomeOn  core.Date          `json:"outcome_on,omitzero"`
	History    []hotline.Step     `json:"history"`
	CreatedAt  time.Time          `json:"created_at"`
}

func toAPICase(x *hotline.Case) APICase {
	return APICase{ID: x.ID, PersonName: x.PersonName, Source: x.Source, Status: x.Status, Reasons: x.Reasons, DebtsYuan: x.DebtsYuan,
		LoanStatus: x.LoanStatus, Situation: x.Situation, Needs: x.Needs, Plan: x.Plan, Checkins: x.Checkins, NextDue: x.NextDue,
		StaffName: x.StaffName, MentorName: x.MentorName, Links: x.Links, Outcome: x.Outcome, OutcomeOn: x.OutcomeOn, History: x.History, CreatedAt: x.CreatedAt}
}

type apiCaseRow struct {
	ID         string    `json:"id"`
	PersonName string    `json:"person_name"`
	Status     string    `json:"status"`
	Source     string    `json:"source"`
	Reasons    []string  `json:"reasons"`
	Outcome    string    `json:"outcome,omitempty"`
	NextDue    core.Date `json:"next_due,omitzero"`
	DueToday   bool      `json:"due_today"`
	Overdue    bool      `json:"overdue"`
	CreatedAt  time.Time `json:"created_at"`
}

type apiVenture struct {
	ID              string                   `json:"id"`
	Name            string                   `json:"name"`
	FirstRegistered core.Date                `json:"first_registered"`
	Status          string                   `json:"status"`
	Checks          []hotline.StabilityCheck `json:"checks"`
	NextDue         core.Date                `json:"next_due,omitzero"`
}

func toAPIVenture(v *hotline.Venture) apiVenture {
	return apiVenture{ID: v.ID, Name: v.Name, FirstRegistered: v.FirstRegistered, Status: v.Status, Checks: v.Checks, NextDue: v.NextDue}
}

type apiVentureRow struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	District string    `json:"district,omitempty"`
	Industry string    `json:"industry,omitempty"`
	NextDue  core.Date `json:"next_due"`
	Overdue  bool      `json:"overdue"`
}

type foundResponse struct {
	Items []hotline.Found `json:"items"`
}

type scheduleRequest struct {
	Days []core.Date `json:"days"`
}

type mentorRequest struct {
	MentorID string `json:"mentor_id"`
}

type staffRequest struct {
	StaffID string `json:"staff_id"`
}

type reopenCaseRequest struct {
	Reason string `json:"reason"`
}

func (a *Handlers) apiReopenCase() fiber.Handler {
	return apiCaseStep(a, func(c *fiber.Ctx, in reopenCaseRequest) (*hotline.Case, error) {
		return a.hotline.ReopenCase(c.UserContext(), web.Principal(c), c.Params("id"), in.Reason, web.Meta(c))
	})
}

type closeCaseRequest struct {
	Outcome string    `json:"outcome"`
	On      core.Date `json:"on"`
	Note    string    `json:"note,omitempty"`
}

type reassignRequest struct {
	FromID string `json:"from_id"`
	ToID   string `json:"to_id"`
}

func (a *Handlers) apiFind(c *fiber.Ctx) error {
	q := c.Query("q")
	if web.SensitiveQuery(q, a.Clock.Now()) {
		return web.NumberInURL() // POST /api/v1/hotline/find takes numbers
	}
	found, err := a.hotline.Find(c.UserContext(), web.Principal(c), q)
	if err != nil {
		return err
	}
	return c.JSON(foundResponse{Items: found})
}

func (a *Handlers) apiCreateContact(c *fiber.Ctx) error {
	var in hotline.NewContact
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	x, err := a.hotline.CreateContact(c.UserContext(), web.Principal(c), in, web.Meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(a.toAPIContact(c, x))
}

func (a *Handlers) apiContact(c *fiber.Ctx) error {
	x, err := a.hotline.Contact(c.UserContext(), web.Principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(a.toAPIContact(c, x))
}

func (a *Handlers) apiLinkContact(c *fiber.Ctx) error {
	x, err := a.hotline.Link(c.UserContext(), web.Principal(c), c.Params("id"), web.Meta(c))
	if err != nil {
		return err
	}
	return c.JSON(a.toAPIContact(c, x))
}

func (a *Handlers) apiAccountContact(c *fiber.Ctx) error {
	x, err := a.hotline.ContactForAccount(c.UserContext(), web.Principal(c), c.Params("id"), web.Meta(c))
	if err != nil {
		return err
	}
	return c.JSON(a.toAPIContact(c, x))
}

func (a *Handlers) apiLogCall(c *fiber.Ctx) error {
	var in hotline.NewCall
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	x, err := a.hotline.LogCall(c.UserContext(), web.Principal(c), in, web.Meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toAPICall(x))
}

func callQuery(c *fiber.Ctx) hotline.CallQuery {
	return hotline.CallQuery{ContactID: c.Query("contact_id"), StaffID: c.Query("staff_id"), Topic: c.Query("topic"), Week: c.Query("week"), Page: web.PageOf(c)}
}

func (a *Handlers) apiCalls(c *fiber.Ctx) error {
	rows, total, p, err := a.hotline.Calls(c.UserContext(), web.Principal(c), callQuery(c))
	if err != nil {
		return err
	}
	out := web.ListResponse[apiCallRow]{Items: make([]apiCallRow, 0, len(rows)), Total: total, Page: p.Number, Size: p.Size}
	for _, r := range rows {
		out.Items = append(out.Items, apiCallRow{ID: r.ID, ContactID: r.ContactID, ContactName: r.ContactName, Type: r.Type, Topic: r.Topic,
			Outcome: r.Outcome, Notes: r.Notes, Duration: r.Duration, CreatedAt: r.CreatedAt})
	}
	return c.JSON(out)
}

func (a *Handlers) apiConvertCall(c *fiber.Ctx) error {
	var in hotline.Conversion
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	l, err := a.hotline.Convert(c.UserContext(), web.Principal(c), c.Params("id"), in, web.Meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(l)
}

func (a *Handlers) apiTopics(c *fiber.Ctx) error {
	weeks, err := a.hotline.TopicsByWeek(c.UserContext(), web.Principal(c), 8)
	if err != nil {
		return err
	}
	return c.JSON(weeks)
}

func (a *Handlers) apiFileComplaint(c *fiber.Ctx) error {
	var in hotline.NewComplaint
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	x, err := a.hotline.FileComplaint(c.UserContext(), web.Principal(c), in, web.Meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(a.toAPIComplaint(x))
}

func complaintQuery(c *fiber.Ctx) hotline.ComplaintQuery {
	return hotline.ComplaintQuery{Queue: c.Query("queue"), AgainstID: c.Query("about"), Kind: c.Query("kind"), Against: c.Query("against"),
		AssigneeID: c.Query("assignee_id"), Sort: c.Query("sort"), Text: strings.TrimSpace(c.Query("q")), Page: web.PageOf(c)}
}

func toAPIComplaintRow(r hotline.ComplaintRow) apiComplaintRow {
	return apiComplaintRow{ID: r.ID, Ref: r.Ref, Subject: r.Subject, ContactName: r.ContactName, Kind: r.Kind, Against: r.Against, Status: r.Status,
		AssigneeID: r.AssigneeID, AssigneeName: r.AssigneeName, DueAt: r.DueAt, DueOn: core.DateOf(r.DueAt), LimitWorkdays: r.LimitDays,
		Overdue: r.Overdue, Escalated: r.Escalated, CreatedAt: r.CreatedAt}
}

func (a *Handlers) apiComplaints(c *fiber.Ctx) error {
	rows, total, p, err := a.hotline.Complaints(c.UserContext(), web.Principal(c), complaintQuery(c))
	if err != nil {
		return err
	}
	out := web.ListResponse[apiComplaintRow]{Items: make([]apiComplaintRow, 0, len(rows)), Total: total, Page: p.Number, Size: p.Size}
	for _, r := range rows {
		out.Items = append(out.Items, toAPIComplaintRow(r))
	}
	return c.JSON(out)
}

func (a *Handlers) apiComplaint(c *fiber.Ctx) error {
	x, err := a.hotline.Complaint(c.UserContext(), web.Principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(a.toAPIComplaint(x))
}

func (a *Handlers) apiComplaintStep(c *fiber.Ctx) error {
	var in hotline.ComplaintStep
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	x, err := a.hotline.ActOnComplaint(c.UserContext(), web.Principal(c), c.Params("id"), in, web.Meta(c))
	if err != nil {
		return err
	}
	return c.JSON(a.toAPIComplaint(x))
}

func (a *Handlers) apiOpenCase(c *fiber.Ctx) error {
	var in hotline.NewCase
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	x, err := a.hotline.OpenCase(c.UserContext(), web.Principal(c), in, web.Meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toAPICase(x))
}

func caseQuery(c *fiber.Ctx) hotline.CaseQuery {
	return hotline.CaseQuery{Queue: c.Query("queue"), StaffID: c.Query("staff_id"), Text: strings.TrimSpace(c.Query("q")), Page: web.PageOf(c)}
}

func toAPICaseRow(r hotline.CaseRow) apiCaseRow {
	return apiCaseRow{ID: r.ID, PersonName: r.PersonName, Status: r.Status, Source: r.Source, Reasons: r.Reasons, Outcome: r.Outcome,
		NextDue: r.NextDue, DueToday: r.DueToday, Overdue: r.Overdue, CreatedAt: r.CreatedAt}
}

func (a *Handlers) apiCases(c *fiber.Ctx) error {
	rows, total, p, err := a.hotline.Cases(c.UserContext(), web.Principal(c), caseQuery(c))
	if err != nil {
		return err
	}
	out := web.ListResponse[apiCaseRow]{Items: make([]apiCaseRow, 0, len(rows)), Total: total, Page: p.Number, Size: p.Size}
	for _, r := range rows {
		out.Items = append(out.Items, toAPICaseRow(r))
	}
	return c.JSON(out)
}

func (a *Handlers) apiCase(c *fiber.Ctx) error {
	x, err := a.hotline.Case(c.UserContext(), web.Principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(toAPICase(x))
}

// apiCaseStep decodes a body of type T and applies one change to a case.
func apiCaseStep[T any](a *Handlers, do func(c *fiber.Ctx, in T) (*hotline.Case, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in T
		if err := web.DecodeJSON(c, &in); err != nil {
			return err
		}
		x, err := do(c, in)
		if err != nil {
			return err
		}
		return c.JSON(toAPICase(x))
	}
}

func (a *Handlers) caseSteps() (update, contact, schedule, mentor, staff, help, close fiber.Handler) {
	id := func(c *fiber.Ctx) string { return c.Params("id") }
	update = apiCaseStep(a, func(c *fiber.Ctx, in hotline.CaseDetails) (*hotline.Case, error) {
		return a.hotline.Update(c.UserContext(), web.Principal(c), id(c), in, web.Meta(c))
	})
	contact = apiCaseStep(a, func(c *fiber.Ctx, in hotline.ContactRecord) (*hotline.Case, error) {
		return a.hotline.RecordContact(c.UserContext(), web.Principal(c), id(c), in, web.Meta(c))
	})
	schedule = apiCaseStep(a, func(c *fiber.Ctx, in scheduleRequest) (*hotline.Case, error) {
		return a.hotline.Schedule(c.UserContext(), web.Principal(c), id(c), in.Days, web.Meta(c))
	})
	mentor = apiCaseStep(a, func(c *fiber.Ctx, in mentorRequest) (*hotline.Case, error) {
		return a.hotline.AssignMentor(c.UserContext(), web.Principal(c), id(c), in.MentorID, web.Meta(c))
	})
	staff = apiCaseStep(a, func(c *fiber.Ctx, in staffRequest) (*hotline.Case, error) {
		return a.hotline.AssignStaff(c.UserContext(), web.Principal(c), id(c), in.StaffID, web.Meta(c))
	})
	help = apiCaseStep(a, func(c *fiber.Ctx, in hotline.CaseHelp) (*hotline.Case, error) {
		return a.hotline.Help(c.UserContext(), web.Principal(c), id(c), in, web.Meta(c))
	})
	close = apiCaseStep(a, func(c *fiber.Ctx, in closeCaseRequest) (*hotline.Case, error) {
		return a.hotline.CloseCase(c.UserContext(), web.Principal(c), id(c), in.Outcome, in.On, in.Note, web.Meta(c))
	})
	return
}

// caseEligibility runs a fresh eligibility check on the case's person and
// records it on the case with the policies met.
func (a *Handlers) caseEligibility(c *fiber.Ctx) (*hotline.Case, error) {
	ctx, me := c.UserContext(), web.Principal(c)
	x, err := a.hotline.Case(ctx, me, c.Params("id"))
	if err != nil {
		return nil, err
	}
	if x.PersonID == "" {
		return nil, core.Errorf(core.Conflict, "error.case.no_account")
	}
	p, err := a.people.Get(ctx, me, x.PersonID)
	if err != nil {
		return nil, err
	}
	rs, err := a.policies.Check(ctx, &p.Facts, core.DateOf(a.Clock.Now()))
	if err != nil {
		return nil, err
	}
	var met []string
	for _, r := range rs {
		if r.Status == policy.Eligible {
			met = append(met, r.Policy.ID)
		}
	}
	return a.hotline.AddLink(ctx, me, x.ID, hotline.Link{Kind: "eligibility", ID: x.PersonID, Note: strings.Join(met, ",")}, web.Meta(c))
}

func (a *Handlers) apiCaseEligibility(c *fiber.Ctx) error {
	x, err := a.caseEligibility(c)
	if err != nil {
		return err
	}
	return c.JSON(toAPICase(x))
}

func (a *Handlers) apiReassign(c *fiber.Ctx) error {
	var in reassignRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	out, err := a.hotline.ReassignAll(c.UserContext(), web.Principal(c), in.FromID, in.ToID, web.Meta(c))
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (a *Handlers) apiStabilityDue(c *fiber.Ctx) error {
	rows, total, p, err := a.hotline.StabilityDue(c.UserContext(), web.Principal(c), web.PageOf(c))
	if err != nil {
		return err
	}
	out := web.ListResponse[apiVentureRow]{Items: make([]apiVentureRow, 0, len(rows)), Total: total, Page: p.Number, Size: p.Size}
	for _, r := range rows {
		out.Items = append(out.Items, apiVentureRow{ID: r.ID, Name: r.Name, District: r.District, Industry: r.Industry, NextDue: r.NextDue, Overdue: r.Overdue})
	}
	return c.JSON(out)
}

func (a *Handlers) apiMyVenture(c *fiber.Ctx) error {
	v, err := a.hotline.Venture(c.UserContext(), web.Principal(c), web.Principal(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(toAPIVenture(v))
}

func (a *Handlers) apiStabilityCheckin(c *fiber.Ctx) error {
	var in hotline.StabilityAnswer
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	v, err := a.hotline.RecordStability(c.UserContext(), web.Principal(c), c.Params("id"), in, web.Meta(c))
	if err != nil {
		return err
	}
	return c.JSON(toAPIVenture(v))
}

// apiToday is the caller's work of the day.
type apiToday struct {
	Callbacks  []apiCallback     `json:"callbacks"`
	Cases      []apiCaseRow      `json:"cases"`
	Complaints []apiComplaintRow `json:"complaints"`
}

type apiCallback struct {
	CallID      string    `json:"call_id"`
	ContactID   string    `json:"contact_id"`
	ContactName string    `json:"contact_name"`
	Topic       string    `json:"topic"`
	At          time.Time `json:"at"`
	Overdue     bool      `json:"overdue"`
}

func (a *Handlers) apiWorkToday(c *fiber.Ctx) error {
	w, err := a.hotline.WorkToday(c.UserContext(), web.Principal(c))
	if err != nil {
		return err
	}
	out := apiToday{Callbacks: []apiCallback{}, Cases: []apiCaseRow{}, Complaints: []apiComplaintRow{}}
	for _, cb := range w.Callbacks {
		out.Callbacks = append(out.Callbacks, apiCallback{CallID: cb.CallID, ContactID: cb.ContactID, ContactName: cb.ContactName, Topic: cb.Topic, At: cb.At, Overdue: cb.Overdue})
	}
	for _, r := range w.Cases {
		out.Cases = append(out.Cases, toAPICaseRow(r))
	}
	for _, r := range w.Complaints {
		out.Complaints = append(out.Complaints, toAPIComplaintRow(r))
	}
	return c.JSON(out)
}

func (a *Handlers) apiCallbackDone(c *fiber.Ctx) error {
	x, err := a.hotline.CallbackDone(c.UserContext(), web.Principal(c), c.Params("id"), web.Meta(c))
	if err != nil {
		return err
	}
	return c.JSON(toAPICall(x))
}
