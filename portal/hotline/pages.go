package hotline

import (
	"encoding/csv"
	"errors"
	"onestop/portal/web"
	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/hotline"
	"onestop/services/mentors"
	"onestop/services/onestop"
	"onestop/services/pii"
	"onestop/services/reference"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

func (a *Handlers) hotlineOptions() fiber.Map {
	return fiber.Map{"CallTypes": hotline.CallTypes, "CallTopics": hotline.CallTopics, "Outcomes": hotline.CallOutcomes,
		"Districts": a.Lists.Codes(reference.District), "MentorTopics": mentors.Topics, "ServiceTypes": onestop.Types,
		"ComplaintKinds": hotline.ComplaintKinds, "Against": hotline.Against, "Reasons": hotline.FailureReasons,
		"LoanStatuses": hotline.LoanStatuses, "Needs": hotline.CaseNeeds, "CaseOutcomes": hotline.Outcomes, "Channels": hotline.Channels}
}

// formInt reads a whole number; a bad one is a field error.
func formInt(c *fiber.Ctx, name string, errs map[string]string) int64 {
	s := strings.TrimSpace(c.FormValue(name))
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		errs[name] = "error.number"
	}
	return n
}

// The console: find a caller, or record a new one.

func (a *Handlers) hotlinePage(c *fiber.Ctx) error {
	q := strings.TrimSpace(c.Query("q"))
	if web.SensitiveQuery(q, a.Clock.Now()) {
		// A number in the link: no look-up, and the number is not echoed.
		return a.renderConsole(c, "", hotline.NewContact{}, map[string]string{"q": "search.number_in_link"})
	}
	return a.renderConsole(c, q, hotline.NewContact{}, map[string]string{})
}

// renderConsole shows the console, with the results of q when there is one
// (a name from the link, or anything posted by the search form).
func (a *Handlers) renderConsole(c *fiber.Ctx, q string, in hotline.NewContact, errs map[string]string) error {
	ctx, me := c.UserContext(), web.Principal(c)
	data := fiber.Map{"Title": "hotline.title", "Q": q, "Input": in, "Errors": errs, "Options": a.hotlineOptions()}
	if _, problem := pii.ParseID(q, a.Clock.Now()); problem == "" {
		data["Q"] = "" // an ID number is never echoed back into the page
	}
	if _, ok := hotline.ParseComplaintRef(q); ok {
		// A caller quoting a complaint's reference number: open it.
		x, err := a.hotline.ComplaintByRef(ctx, me, q)
		if err == nil {
			return c.Redirect("/complaints/"+x.ID, fiber.StatusSeeOther)
		}
		if !core.IsCode(err, core.NotFound) {
			return err
		}
		errs["q"], q = "error.complaint.ref", ""
	}
	if q != "" {
		found, err := a.hotline.Find(ctx, me, q)
		if fe := web.FormErrors(err); fe != nil {
			errs["q"] = fe["q"]
		} else if err != nil {
			return err
		}
		data["Found"], data["Searched"] = found, true
		if in.Name == "" && len(found) == 0 {
			// Start the new record from what was typed.
			if pii.NormalizeCallerPhone(q) != "" {
				in.Phone = q
			} else if !web.SensitiveQuery(q, a.Clock.Now()) {
				in.Name = q
			}
			data["Input"] = in
		}
	}
	counts := fiber.Map{}
	for _, queue := range []string{"due_today", "overdue", "unassigned"} {
		if _, n, _, err := a.hotline.Cases(ctx, me, hotline.CaseQuery{Queue: queue, Page: core.Page{Size: 1}}); err == nil {
			counts[queue] = n
		}
	}
	if _, n, _, err := a.hotline.Complaints(ctx, me, hotline.ComplaintQuery{Queue: "overdue", Page: core.Page{Size: 1}}); err == nil {
		counts["complaints_overdue"] = n
	}
	if _, n, _, err := a.hotline.StabilityDue(ctx, me, core.Page{Size: 1}); err == nil {
		counts["stability"] = n
	}
	if _, n, _, err := a.hotline.StabilityToVerify(ctx, me, core.Page{Size: 1}); err == nil {
		counts["to_verify"] = n
	}
	data["Counts"] = counts
	if len(errs) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
	}
	return a.Render(c, "pages/hotline", data)
}

func (a *Handlers) contactCreate(c *fiber.Ctx) error {
	in := hotline.NewContact{Name: c.FormValue("name"), Phone: c.FormValue("phone"), IDNumber: c.FormValue("id_number"), District: c.FormValue("district")}
	x, err := a.hotline.CreateContact(c.UserContext(), web.Principal(c), in, web.Meta(c))
	if err != nil {
		var ce *core.Error
		if errors.As(err, &ce) && (ce.Code == core.Invalid || ce.Code == core.Conflict) && len(ce.Fields) > 0 {
			in.IDNumber = "" // never echoed back into the page
			return a.renderConsole(c, "", in, ce.Fields)
		}
		return err
	}
	web.Flash(c, "hotline.contact.created")
	return c.Redirect("/hotline/contacts/"+x.ID, fiber.StatusSeeOther)
}

func (a *Handlers) accountContact(c *fiber.Ctx) error {
	x, err := a.hotline.ContactForAccount(c.UserContext(), web.Principal(c), c.Params("id"), web.Meta(c))
	if err != nil {
		return err
	}
	return c.Redirect("/hotline/contacts/"+x.ID, fiber.StatusSeeOther)
}

// The contact page: the caller, the call form and their history.

func (a *Handlers) contactPage(c *fiber.Ctx) error {
	return a.renderContact(c, hotline.NewCall{DurationMinutes: 3}, map[string]string{}, nil)
}

type revealedContact struct{ Phone, IDNumber string }

func (a *Handlers) renderContact(c *fiber.Ctx, call hotline.NewCall, errs map[string]string, revealed *revealedContact) error {
	ctx, me := c.UserContext(), web.Principal(c)
	x, err := a.hotline.Contact(ctx, me, c.Params("id"))
	if err != nil {
		return err
	}
	calls, _, _, err := a.hotline.Calls(ctx, me, hotline.CallQuery{ContactID: x.ID, Page: core.Page{Size: 50}})
	if err != nil {
		return err
	}
	cases, _, _, err := a.hotline.Cases(ctx, me, hotline.CaseQuery{ContactID: x.ID, Page: core.Page{Size: 50}})
	if err != nil {
		return err
	}
	complaints, _, _, err := a.hotline.Complaints(ctx, me, hotline.ComplaintQuery{ContactID: x.ID, Page: core.Page{Size: 50}})
	if err != nil {
		return err
	}
	data := fiber.Map{"Title": "hotline.contact", "Contact": x, "Call": call, "Errors": errs, "Options": a.hotlineOptions(), "Calls": calls,
		"Cases": cases, "Complaints": complaints, "Revealed": revealed, "MentorTopic": hotline.MentorTopic}
	if f, ok := a.hotline.LinkCandidate(ctx, me, x); ok {
		data["Candidate"] = f
	}
	if len(errs) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
	}
	return a.Render(c, "pages/contact", data)
}

func (a *Handlers) contactLink(c *fiber.Ctx) error {
	if _, err := a.hotline.Link(c.UserContext(), web.Principal(c), c.Params("id"), web.Meta(c)); err != nil {
		if !web.FlashRefusal(c, err) {
			return err
		}
	} else {
		web.Flash(c, "hotline.contact.linked")
	}
	return c.Redirect("/hotline/contacts/"+c.Params("id"), fiber.StatusSeeOther)
}

func (a *Handlers) contactReveal(c *fiber.Ctx) error {
	phone, idno, err := a.hotline.Reveal(c.UserContext(), web.Principal(c), c.Params("id"), web.Meta(c))
	if core.IsCode(err, core.Conflict) && core.ValidID(c.Params("id")) {
		web.FlashRefusal(c, err) // nothing to reveal: said, not pretended
		return c.Redirect("/hotline/contacts/"+c.Params("id"), fiber.StatusSeeOther)
	}
	if err != nil {
		return err
	}
	return a.renderContact(c, hotline.NewCall{DurationMinutes: 3}, map[string]string{}, &revealedContact{Phone: phone, IDNumber: idno})
}

func (a *Handlers) callCreate(c *fiber.Ctx) error {
	errs := map[string]string{}
	minutes, err := strconv.ParseFloat(strings.TrimSpace(c.FormValue("duration_minutes")), 64)
	if err != nil {
		errs["duration_minutes"] = "error.number"
	}
	in := hotline.NewCall{ContactID: c.Params("id"), Type: c.FormValue("type"), Topic: c.FormValue("topic"), Notes: c.FormValue("notes"),
		Outcome: c.FormValue("outcome"), DurationMinutes: minutes, NextStep: c.FormValue("next_step")}
	if v := strings.TrimSpace(c.FormValue("callback_at")); v != "" && in.Outcome == "callback" {
		at, err := time.ParseInLocation("2006-01-02T15:04", v, core.CST)
		if err != nil {
			errs["callback_at"] = "error.call.callback_at"
		}
		in.CallbackAt = at
	}
	if len(errs) == 0 {
		x, err := a.hotline.LogCall(c.UserContext(), web.Principal(c), in, web.Meta(c))
		if err == nil {
			web.Flash(c, "hotline.call.logged")
			return c.Redirect("/hotline/contacts/"+x.ContactID+"#call-"+x.ID, fiber.StatusSeeOther)
		}
		if errs = web.FormErrors(err); errs == nil {
			return err
		}
	}
	return a.renderContact(c, in, errs, nil)
}

// todayPage is the member of staff's work of the day: callbacks due, case
// contacts due, their open complaints and service requests, earliest first.
func (a *Handlers) todayPage(c *fiber.Ctx) error {
	ctx, me := c.UserContext(), web.Principal(c)
	work, err := a.hotline.WorkToday(ctx, me)
	if err != nil {
		return err
	}
	services, _, _, err := a.onestop.List(ctx, me, onestop.Query{AssigneeID: me.ID, Page: core.Page{Size: 100}})
	if err != nil {
		return err
	}
	services = slices.DeleteFunc(services, func(r onestop.Row) bool {
		return r.Status == onestop.Completed || r.Status == onestop.Cancelled
	})
	slices.SortStableFunc(services, func(x, y onestop.Row) int { return x.DueAt.Compare(y.DueAt) })
	return a.Render(c, "pages/today", fiber.Map{"Title": "today.title", "Work": work, "Services": services, "Now": a.Clock.Now()})
}

// callbackDone marks a call's callback made and goes back to the day's work.
func (a *Handlers) callbackDone(c *fiber.Ctx) error {
	if _, err := a.hotline.CallbackDone(c.UserContext(), web.Principal(c), c.Params("id"), web.Meta(c)); err != nil {
		if !web.FlashRefusal(c, err) {
			return err
		}
	} else {
		web.Flash(c, "today.callback_done")
	}
	return c.Redirect("/hotline/today", fiber.StatusSeeOther)
}

func (a *Handlers) callConvert(c *fiber.Ctx) error {
	in := hotline.Conversion{To: c.FormValue("to"), Topic: c.FormValue("topic"), Type: c.FormValue("type")}
	l, err := a.hotline.Convert(c.UserContext(), web.Principal(c), c.Params("id"), in, web.Meta(c))
	if err != nil {
		if !web.FlashRefusal(c, err) {
			return err
		}
		if call, err := a.hotline.Call(c.UserContext(), web.Principal(c), c.Params("id")); err == nil {
			return c.Redirect("/hotline/contacts/"+call.ContactID, fiber.StatusSeeOther)
		}
		return c.Redirect("/hotline", fiber.StatusSeeOther)
	}
	web.Flash(c, "hotline.call.converted."+l.Kind)
	return c.Redirect(web.LinkPath(l), fiber.StatusSeeOther)
}

func (a *Handlers) topicsPage(c *fiber.Ctx) error {
	weeks, err := a.hotline.TopicsByWeek(c.UserContext(), web.Principal(c), 8)
	if err != nil {
		return err
	}
	return a.Render(c, "pages/hotline_topics", fiber.Map{"Title": "hotline.topics", "Weeks": weeks, "Topics": hotline.CallTopics})
}

// Cases.

func (a *Handlers) casesPage(c *fiber.Ctx) error {
	q := caseQuery(c)
	rows, total, p, err := a.hotline.Cases(c.UserContext(), web.Principal(c), q)
	if err != nil {
		if fe := web.FormErrors(err); fe != nil {
			return c.Redirect(web.LocalPath(c.Path(), "/cases"), fiber.StatusSeeOther)
		}
		return err
	}
	data := fiber.Map{"Title": "cases.title", "Rows": rows, "Total": total, "Query": q, "Pager": web.NewPager(c, p, total)}
	if web.Principal(c).Role.Staff() {
		data["Queues"] = hotline.CaseQueues
		staff, err := a.accounts.Active(c.UserContext(), accounts.Hotline, accounts.Admin)
		if err != nil {
			return err
		}
		data["Staff"] = staff
	}
	return a.Render(c, "pages/cases", data)
}

// casesCSV exports a queue (up to 5,000 rows) for staff.
func (a *Handlers) casesCSV(c *fiber.Ctx) error {
	q := caseQuery(c)
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="cases-`+csvName(q.Queue)+`.csv"`)
	w := csv.NewWriter(c.Response().BodyWriter())
	l := web.Lang(c)
	_ = w.Write([]string{"id", a.I18n.T(l, "cases.person"), a.I18n.T(l, "field.status"), a.I18n.T(l, "cases.next_due"),
		a.I18n.T(l, "cases.reasons"), a.I18n.T(l, "cases.source"), a.I18n.T(l, "cases.outcome"), a.I18n.T(l, "field.created")})
	for page := 1; page <= 50; page++ {
		q.Page = core.Page{Number: page, Size: 100}
		rows, _, _, err := a.hotline.Cases(c.UserContext(), web.Principal(c), q)
		if err != nil {
			return err
		}
		for _, r := range rows {
			var reasons []string
			for _, x := range r.Reasons {
				reasons = append(reasons, a.I18n.T(l, "freason."+x))
			}
			outcome := ""
			if r.Outcome != "" {
				outcome = a.I18n.T(l, "outcome."+r.Outcome)
			}
			_ = w.Write([]string{r.ID, web.CSVSafe(r.PersonName), a.I18n.T(l, "casestatus."+r.Status), r.NextDue.String(), strings.Join(reasons, a.I18n.T(l, "list.sep")),
				a.I18n.T(l, "csource."+r.Source), outcome, r.CreatedAt.In(core.CST).Format("2006-01-02 15:04")})
		}
		if len(rows) < 100 {
			break
		}
	}
	w.Flush()
	return w.Error()
}

// csvName names an export after its queue; the queue comes from the query
// string and is checked only later, so anything but a plain word is "all"
// (a quote would break out of the Content-Disposition header).
func csvName(queue string) string {
	if queue == "" || len(queue) > 40 || strings.ContainsFunc(queue, func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' && r != '-'
	}) {
		return "all"
	}
	return queue
}

func (a *Handlers) caseNewPage(c *fiber.Ctx) error {
	return a.renderCaseForm(c, hotline.NewCase{ContactID: c.Query("contact"), CallID: c.Query("call"), LoanStatus: "none"}, map[string]string{})
}

func (a *Handlers) renderCaseForm(c *fiber.Ctx, in hotline.NewCase, errs map[string]string) error {
	data := fiber.Map{"Title": "cases.new", "Input": in, "Errors": errs, "Options": a.hotlineOptions()}
	if ct, err := a.hotline.Contact(c.UserContext(), web.Principal(c), in.ContactID); err == nil {
		data["Contact"] = ct
	}
	if len(errs) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
	}
	return a.Render(c, "pages/case_new", data)
}

func (a *Handlers) caseCreate(c *fiber.Ctx) error {
	errs := map[string]string{}
	in := hotline.NewCase{ContactID: c.FormValue("contact_id"), CallID: c.FormValue("call_id"), Reasons: web.FormList(c, "reasons"),
		DebtsYuan: formInt(c, "debts_yuan", errs), LoanStatus: c.FormValue("loan_status"), Situation: c.FormValue("situation"), Needs: web.FormList(c, "needs")}
	if len(errs) == 0 {
		x, err := a.hotline.OpenCase(c.UserContext(), web.Principal(c), in, web.Meta(c))
		if err == nil {
			web.Flash(c, "cases.opened")
			return c.Redirect("/cases/"+x.ID, fiber.StatusSeeOther)
		}
		if errs = web.FormErrors(err); errs == nil {
			return err
		}
	}
	return a.renderCaseForm(c, in, errs)
}

func (a *Handlers) casePage(c *fiber.Ctx) error { return a.renderCase(c, "", nil) }

// renderCase shows a case; a step refused on its fields comes back with
// its messages at its form and what was typed in it.
func (a *Handlers) renderCase(c *fiber.Ctx, step string, errs map[string]string) error {
	ctx, me := c.UserContext(), web.Principal(c)
	x, err := a.hotline.Case(ctx, me, c.Params("id"))
	if err != nil {
		return err
	}
	data := fiber.Map{"Title": "cases.case", "Case": x, "Staff": me.Role.Staff(), "Options": a.hotlineOptions(), "Today": core.DateOf(a.Clock.Now()).String(),
		"Step": step, "Errors": errs, "Typed": map[string]string{}}
	if errs != nil {
		typed := map[string]string{}
		for _, k := range []string{"on", "note", "days", "situation", "text", "reason"} {
			typed[k] = c.FormValue(k)
		}
		data["Typed"] = typed
		c.Status(fiber.StatusUnprocessableEntity)
	}
	if me.Role.Staff() && x.Status == hotline.CaseOpen {
		ranked, err := a.hotline.MentorSuggestions(ctx, me, x)
		if err != nil {
			return err
		}
		data["Suggestions"] = a.mentorPages.Suggestions(c, ranked)
		staff, err := a.accounts.Active(ctx, accounts.Hotline, accounts.Admin)
		if err != nil {
			return err
		}
		data["StaffList"] = staff
		var dates []string
		for _, k := range x.Checkins {
			if !k.Done {
				dates = append(dates, k.DueOn.String())
			}
		}
		// The form shows each planned contact as a date, and two empty ones
		// to add; a refused form shows what was typed.
		if step == "schedule" {
			dates = nil
			for _, v := range c.Request().PostArgs().PeekMulti("days") {
				dates = append(dates, string(v))
			}
		}
		data["Schedule"] = append(dates, "", "")
	}
	return a.Render(c, "pages/case", data)
}

// caseStepWeb applies one form on the case page and returns to it: a
// refused step shows as a message there.
func (a *Handlers) caseStepWeb(step string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, me, id, m := c.UserContext(), web.Principal(c), c.Params("id"), web.Meta(c)
		errs := map[string]string{}
		var err error
		switch step {
		case "contact":
			in := hotline.ContactRecord{CheckinID: c.FormValue("checkin_id"), On: web.FormDate(c, "on", errs), Channel: c.FormValue("channel"), Note: c.FormValue("note")}
			if len(errs) == 0 {
				_, err = a.hotline.RecordContact(ctx, me, id, in, m)
			}
		case "schedule":
			// One date per field (an emptied field drops that contact);
			// a field may also hold several, as the form once did.
			var days []core.Date
			for _, v := range c.Request().PostArgs().PeekMulti("days") {
				for _, f := range strings.FieldsFunc(string(v), func(r rune) bool { return r == '\n' || r == ',' || r == ' ' || r == '\r' }) {
					d, perr := core.ParseDate(strings.TrimSpace(f))
					if perr != nil {
						errs["days"] = "error.date"
					}
					days = append(days, d)
				}
			}
			if len(errs) == 0 {
				_, err = a.hotline.Schedule(ctx, me, id, days, m)
			}
		case "details":
			in := hotline.CaseDetails{Reasons: web.FormList(c, "reasons"), DebtsYuan: formInt(c, "debts_yuan", errs), LoanStatus: c.FormValue("loan_status"),
				Situation: c.FormValue("situation"), Needs: web.FormList(c, "needs")}
			done := web.FormList(c, "plan_done")
			for i, t := range web.FormList(c, "plan") {
				in.Plan = append(in.Plan, hotline.PlanStep{Text: t, Done: slices.Contains(done, strconv.Itoa(i))})
			}
			if len(errs) == 0 {
				_, err = a.hotline.Update(ctx, me, id, in, m)
			}
		case "mentor":
			_, err = a.hotline.AssignMentor(ctx, me, id, c.FormValue("mentor_id"), m)
		case "staff":
			_, err = a.hotline.AssignStaff(ctx, me, id, c.FormValue("staff_id"), m)
		case "help":
			_, err = a.hotline.Help(ctx, me, id, hotline.CaseHelp{Kind: c.FormValue("kind"), Topic: c.FormValue("topic"), Type: c.FormValue("type"), Question: c.FormValue("text")}, m)
		case "eligibility":
			_, err = a.caseEligibility(c)
		case "reopen":
			_, err = a.hotline.ReopenCase(ctx, me, id, c.FormValue("reason"), m)
		case "close":
			on := web.FormDate(c, "on", errs)
			if len(errs) == 0 {
				_, err = a.hotline.CloseCase(ctx, me, id, c.FormValue("outcome"), on, c.FormValue("note"), m)
			}
		}
		if len(errs) > 0 {
			err = &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: errs}
		}
		if fe := web.FormErrors(err); fe != nil && slices.Contains([]string{"contact", "schedule", "details", "close", "reopen"}, step) {
			// The form again: its messages at it, what was typed kept.
			return a.renderCase(c, step, fe)
		}
		if err != nil {
			if !web.FlashRefusal(c, err) {
				return err
			}
		} else {
			web.Flash(c, "cases.step."+step)
		}
		if !core.ValidID(id) {
			return core.Errorf(core.NotFound, "error.not_found") // never into a Location header
		}
		return c.Redirect("/cases/"+id, fiber.StatusSeeOther)
	}
}

func (a *Handlers) reassignSubmit(c *fiber.Ctx) error {
	out, err := a.hotline.ReassignAll(c.UserContext(), web.Principal(c), c.FormValue("from_id"), c.FormValue("to_id"), web.Meta(c))
	if err != nil {
		if !web.FlashRefusal(c, err) {
			return err
		}
	} else {
		web.Flash(c, "cases.reassigned")
		a.Log.InfoContext(c.UserContext(), "reassigned", "cases", out.Cases, "complaints", out.Complaints)
	}
	return c.Redirect("/hotline/cases", fiber.StatusSeeOther)
}

// Stability check-ins.

func (a *Handlers) stabilityPage(c *fiber.Ctx) error {
	rows, total, p, err := a.hotline.StabilityDue(c.UserContext(), web.Principal(c), web.PageOf(c))
	if err != nil {
		return err
	}
	type row struct {
		hotline.VentureRow
		Month int
	}
	var out []row
	for _, r := range rows {
		v, err := a.hotline.Venture(c.UserContext(), web.Principal(c), r.ID)
		if err != nil {
			continue
		}
		for _, k := range v.Checks {
			if !k.Done {
				out = append(out, row{r, k.Month})
				break
			}
		}
	}
	return a.Render(c, "pages/stability", fiber.Map{"Title": "stability.title", "Rows": out, "Total": total, "Pager": web.NewPager(c, p, total),
		"Today": core.DateOf(a.Clock.Now()).String(), "Max": hotline.MaxStaffEmployees})
}

func (a *Handlers) myVenturePage(c *fiber.Ctx) error {
	return a.renderMyVenture(c, map[string]string{}, nil)
}

// checkinForm is the next check-in of a person's venture as their page
// offers it: answerable from AnswerAhead days before its day, with the
// figure they gave last (or their profile's) as the starting value.
type checkinForm struct {
	hotline.StabilityCheck
	Open      bool
	Employees string
	Operating string
}

// renderMyVenture shows the person's check-ins; a refused answer comes
// back with its field errors and everything typed.
func (a *Handlers) renderMyVenture(c *fiber.Ctx, errs map[string]string, typed *checkinForm) error {
	ctx, me := c.UserContext(), web.Principal(c)
	v, err := a.hotline.Venture(ctx, me, me.ID)
	if core.IsCode(err, core.NotFound) {
		v, err = nil, nil
	}
	if err != nil {
		return err
	}
	cases, _, _, err := a.hotline.Cases(ctx, me, hotline.CaseQuery{})
	if err != nil {
		return err
	}
	today := core.DateOf(a.Clock.Now())
	var next *checkinForm
	if v != nil && v.Status == hotline.Tracking {
		next = a.nextCheckin(c, v, today, typed)
	}
	return a.Render(c, "pages/venture", fiber.Map{"Title": "venture.title", "Venture": v, "Cases": cases, "Today": today,
		"Next": next, "Errors": errs, "Max": hotline.MaxSelfEmployees})
}

func (a *Handlers) nextCheckin(c *fiber.Ctx, v *hotline.Venture, today core.Date, typed *checkinForm) *checkinForm {
	i := slices.IndexFunc(v.Checks, func(k hotline.StabilityCheck) bool { return !k.Done })
	if i < 0 {
		return nil
	}
	f := &checkinForm{StabilityCheck: v.Checks[i], Open: !today.Before(v.Checks[i].OpensOn())}
	if typed != nil {
		f.Employees, f.Operating = typed.Employees, typed.Operating
		return f
	}
	for _, k := range v.Checks[:i] {
		if k.Done && k.Operating {
			f.Employees = strconv.Itoa(k.Employees)
		}
	}
	if f.Employees == "" {
		if p, err := a.people.Get(c.UserContext(), web.Principal(c), v.ID); err == nil && p.Facts.Venture != nil && p.Facts.Venture.Employees != nil {
			f.Employees = strconv.Itoa(*p.Facts.Venture.Employees)
		}
	}
	return f
}

func (a *Handlers) stabilitySubmit(c *fiber.Ctx) error {
	errs := map[string]string{}
	month, _ := strconv.Atoi(c.FormValue("month"))
	in := hotline.StabilityAnswer{Month: month, On: web.FormDate(c, "on", errs), Employees: int(formInt(c, "employees", errs))}
	switch c.FormValue("operating") {
	case "yes":
		in.Operating = new(true)
	case "no":
		in.Operating = new(false)
	}
	var err error
	var v *hotline.Venture
	if len(errs) > 0 {
		err = &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: errs}
	} else {
		v, err = a.hotline.RecordStability(c.UserContext(), web.Principal(c), c.Params("id"), in, web.Meta(c))
	}
	back := "/hotline/stability"
	self := web.Principal(c).ID == c.Params("id")
	if self {
		back = "/me/venture"
	}
	if fe := web.FormErrors(err); fe != nil && self {
		c.Status(fiber.StatusUnprocessableEntity)
		return a.renderMyVenture(c, fe, &checkinForm{Employees: c.FormValue("employees"), Operating: c.FormValue("operating")})
	}
	switch {
	case err != nil:
		if !web.FlashRefusal(c, err) {
			return err
		}
	case slices.ContainsFunc(v.Checks, func(k hotline.StabilityCheck) bool { return k.Month == month && k.Review == hotline.ToVerify }):
		web.Flash(c, "stability.recorded_to_verify") // it counts once staff have looked
	default:
		web.Flash(c, "stability.recorded")
	}
	return c.Redirect(back, fiber.StatusSeeOther)
}
