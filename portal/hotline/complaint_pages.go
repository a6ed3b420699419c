package hotline

import (
	"encoding/csv"
	"net/url"
	"slices"

	"github.com/gofiber/fiber/v2"

	"onestop/portal/web"
	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/hotline"
	"onestop/services/training"
)

// complaintQueues are the board's chips, in the order staff work them.
var complaintQueues = []string{"open", "overdue", "escalated", "mine", "received", "in_progress", "answered", "closed", "reopened"}

// complaintLink is the board's address (or its export's) for q from its
// first page: the chips, the export and "clear" keep what was chosen.
func complaintLink(path string, q hotline.ComplaintQuery) string {
	v := url.Values{}
	for k, s := range map[string]string{"queue": q.Queue, "q": q.Text, "about": q.AgainstID, "kind": q.Kind, "against": q.Against,
		"assignee_id": q.AssigneeID, "sort": q.Sort} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// complaintChip is a queue of the board, keeping the filters chosen.
type complaintChip struct{ Queue, Href string }

func (a *Handlers) complaintsPage(c *fiber.Ctx) error {
	ctx, me := c.UserContext(), web.Principal(c)
	q := complaintQuery(c)
	data := fiber.Map{"Title": "complaints.title", "Query": q, "Kinds": hotline.ComplaintKinds, "Against": hotline.Against,
		"Filtered": q.Kind != "" || q.Against != "" || q.AssigneeID != "", "Errors": map[string]string{}}
	rows, total, p, err := a.hotline.Complaints(ctx, me, q)
	if fe := web.FormErrors(err); fe != nil {
		// A value no option offers (an edited or outdated link): said at
		// its field, rather than a list that only looks filtered.
		data["Errors"] = fe
		c.Status(fiber.StatusUnprocessableEntity)
	} else if err != nil {
		return err
	}
	data["Rows"], data["Total"], data["Pager"] = rows, total, web.NewPager(c, p, total)
	if me.Role.Staff() {
		staff, err := a.accounts.Active(ctx, accounts.Hotline, accounts.Admin)
		if err != nil {
			return err
		}
		chips := []complaintChip{}
		for _, queue := range append([]string{""}, complaintQueues...) {
			x := q
			x.Queue, x.Text = queue, ""
			chips = append(chips, complaintChip{Queue: queue, Href: complaintLink("/complaints", x)})
		}
		reset := hotline.ComplaintQuery{Queue: q.Queue, Text: q.Text}
		data["Staff"], data["Chips"], data["CSV"], data["Clear"] = staff, chips, complaintLink("/complaints.csv", q), complaintLink("/complaints", reset)
	}
	return a.Render(c, "pages/complaints", data)
}

func (a *Handlers) complaintNewPage(c *fiber.Ctx) error {
	return a.renderComplaintForm(c, hotline.NewComplaint{ContactID: c.Query("contact"), CallID: c.Query("call"), Against: "department"}, map[string]string{})
}

func (a *Handlers) renderComplaintForm(c *fiber.Ctx, in hotline.NewComplaint, errs map[string]string) error {
	data := fiber.Map{"Title": "complaints.new", "Input": in, "Errors": errs, "Options": a.hotlineOptions(), "Days": a.complaintDays()}
	provs, err := a.training.Providers(c.UserContext())
	if err != nil {
		return err
	}
	data["Providers"] = slices.DeleteFunc(provs, func(p *training.Provider) bool { return !p.Listed })
	if web.Principal(c).Role.Staff() && in.ContactID != "" {
		if ct, err := a.hotline.Contact(c.UserContext(), web.Principal(c), in.ContactID); err == nil {
			data["Contact"] = ct
			if in.Details == "" && in.CallID != "" {
				if call, err := a.hotline.Call(c.UserContext(), web.Principal(c), in.CallID); err == nil {
					in.Details = call.Notes
					data["Input"] = in
				}
			}
		}
	}
	if len(errs) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
	}
	return a.Render(c, "pages/complaint_new", data)
}

func (a *Handlers) complaintDays() map[string]int {
	out := map[string]int{}
	for _, k := range hotline.ComplaintKinds {
		out[k] = a.hotline.ComplaintDays(k)
	}
	return out
}

func (a *Handlers) complaintCreate(c *fiber.Ctx) error {
	in := hotline.NewComplaint{ContactID: c.FormValue("contact_id"), CallID: c.FormValue("call_id"), Kind: c.FormValue("kind"), Subject: c.FormValue("subject"),
		Against: c.FormValue("against"), AgainstName: c.FormValue("against_name"), AgainstID: c.FormValue("against_id"), Details: c.FormValue("details"), Desired: c.FormValue("desired")}
	x, err := a.hotline.FileComplaint(c.UserContext(), web.Principal(c), in, web.Meta(c))
	if err != nil {
		if fe := web.FormErrors(err); fe != nil {
			return a.renderComplaintForm(c, in, fe)
		}
		return err
	}
	web.Flash(c, "complaints.filed")
	return c.Redirect("/complaints/"+x.ID, fiber.StatusSeeOther)
}

func (a *Handlers) complaintPage(c *fiber.Ctx) error { return a.renderComplaint(c, "", nil) }

// renderComplaint shows a complaint; a step refused on its text comes back
// with its messages at its form and what was typed in it.
func (a *Handlers) renderComplaint(c *fiber.Ctx, step string, errs map[string]string) error {
	ctx, me := c.UserContext(), web.Principal(c)
	x, err := a.hotline.Complaint(ctx, me, c.Params("id"))
	if err != nil {
		return err
	}
	view := a.toAPIComplaint(x)
	data := fiber.Map{"Title": "complaints.complaint", "C": view, "Raw": x, "IsOwner": x.ComplainantID == me.ID,
		"Step": step, "Errors": errs, "Typed": ""}
	if errs != nil {
		data["Typed"] = c.FormValue("text")
		c.Status(fiber.StatusUnprocessableEntity)
	}
	if me.Role.Staff() {
		staff, err := a.accounts.Active(ctx, accounts.Hotline, accounts.Admin)
		if err != nil {
			return err
		}
		// The internal notes: the note steps, and what staff noted with
		// other steps (whom it was assigned to, a note on closing).
		var notes []APIComplaintStep
		for _, st := range view.History {
			if st.Note != "" {
				notes = append(notes, st)
			}
		}
		data["Staff"], data["Notes"] = staff, notes
	}
	return a.Render(c, "pages/complaint", data)
}

// complaintTextSteps are the complaint forms with text to keep when they
// are refused: re-shown with their messages rather than a flash.
var complaintTextSteps = []string{"answer", hotline.NoteAction, "reopen", "close"}

func (a *Handlers) complaintStepWeb(c *fiber.Ctx) error {
	in := hotline.ComplaintStep{Action: c.FormValue("action"), Text: c.FormValue("text"), AssigneeID: c.FormValue("assignee_id")}
	_, err := a.hotline.ActOnComplaint(c.UserContext(), web.Principal(c), c.Params("id"), in, web.Meta(c))
	if fe := web.FormErrors(err); fe != nil && slices.Contains(complaintTextSteps, in.Action) {
		return a.renderComplaint(c, in.Action, fe)
	}
	if err != nil {
		if !web.FlashRefusal(c, err) {
			return err
		}
	} else {
		web.Flash(c, "complaints.step."+in.Action)
	}
	if !core.ValidID(c.Params("id")) {
		return core.Errorf(core.NotFound, "error.not_found") // never into a Location header
	}
	return c.Redirect("/complaints/"+c.Params("id"), fiber.StatusSeeOther)
}

// complaintsCSV exports the board as filtered (up to 5,000 rows) for
// staff. The first page is read before anything is written, so a filter
// refused comes back as a page with its message, not a broken file.
func (a *Handlers) complaintsCSV(c *fiber.Ctx) error {
	q := complaintQuery(c)
	q.Page = core.Page{Number: 1, Size: 100}
	rows, _, _, err := a.hotline.Complaints(c.UserContext(), web.Principal(c), q)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="complaints-`+csvName(q.Queue)+`.csv"`)
	w := csv.NewWriter(c.Response().BodyWriter())
	l := web.Lang(c)
	_ = w.Write([]string{"id", a.I18n.T(l, "complaints.ref"), a.I18n.T(l, "complaints.subject"), a.I18n.T(l, "complaints.complainant"), a.I18n.T(l, "complaints.kind"),
		a.I18n.T(l, "complaints.against"), a.I18n.T(l, "services.assignee"), a.I18n.T(l, "field.status"), a.I18n.T(l, "complaints.due"),
		a.I18n.T(l, "services.overdue"), a.I18n.T(l, "field.created")})
	for page := 1; ; page++ {
		for _, r := range rows {
			overdue := ""
			if r.Overdue {
				overdue = a.I18n.T(l, "value.yes")
			}
			_ = w.Write([]string{r.ID, r.Ref, web.CSVSafe(r.Subject), web.CSVSafe(r.ContactName), a.I18n.T(l, "ckind."+r.Kind), a.I18n.T(l, "against."+r.Against),
				web.CSVSafe(r.AssigneeName), a.I18n.T(l, "cpstatus."+r.Status), r.DueAt.In(core.CST).Format("2006-01-02"), overdue, r.CreatedAt.In(core.CST).Format("2006-01-02 15:04")})
		}
		if len(rows) < 100 || page == 50 {
			break
		}
		q.Page.Number = page + 1
		if rows, _, _, err = a.hotline.Complaints(c.UserContext(), web.Principal(c), q); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}
