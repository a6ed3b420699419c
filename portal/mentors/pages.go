package mentors

import (
	"maps"
	"onestop/portal/web"
	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/matching"
	"onestop/services/mentors"
	"onestop/services/reference"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
)

func (a *Handlers) mentorOptions() fiber.Map {
	return fiber.Map{"Types": mentors.Types, "Topics": mentors.Topics, "Industries": a.Lists.Codes(reference.Industry), "Languages": mentors.Languages, "Contacts": mentors.Contacts}
}

func (a *Handlers) mentorsPage(c *fiber.Ctx) error {
	q := mentorQuery(c)
	r, p, err := a.mentors.Directory(c.UserContext(), q)
	if err != nil {
		if fe := web.FormErrors(err); fe != nil {
			c.Status(fiber.StatusBadRequest)
			return a.Render(c, "pages/mentors", fiber.Map{"Title": "mentors.title", "Query": mentors.DirectoryQuery{}, "Options": a.mentorOptions()})
		}
		return err
	}
	ids := make([]string, len(r.Hits))
	for i, h := range r.Hits {
		ids[i] = h.ID
	}
	found, err := a.mentors.Mentors(c.UserContext(), ids)
	if err != nil {
		return err
	}
	var list []apiMentor
	for _, m := range found {
		list = append(list, toAPIMentor(m))
	}
	return a.Render(c, "pages/mentors", fiber.Map{"Title": "mentors.title", "Mentors": list, "Total": r.Total, "Query": q,
		"Options": a.mentorOptions(), "Pager": web.NewPager(c, p, r.Total)})
}

func (a *Handlers) mentorPage(c *fiber.Ctx) error {
	m, err := a.mentors.Visible(c.UserContext(), web.Principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return a.Render(c, "pages/mentor", fiber.Map{"Title": "mentors.mentor", "Mentor": toAPIMentor(m)})
}

func (a *Handlers) mentorProfilePage(c *fiber.Ctx) error {
	m, err := a.mentors.Mentor(c.UserContext(), web.Principal(c).ID)
	in := mentors.Profile{Capacity: 5, Languages: []string{"zh"}}
	status, refusal := "", ""
	if err == nil {
		in = mentors.Profile{Title: m.Title, Type: m.Type, Industries: m.Industries, Topics: m.Topics, Bio: m.Bio, Languages: m.Languages, Capacity: m.Capacity, Contact: m.Contact}
		if !m.OnLeaveTo.IsZero() {
			in.OnLeaveTo = core.DateOf(m.OnLeaveTo)
		}
		status, refusal = m.Status, toAPIMentor(m).RejectReason
	}
	return a.Render(c, "pages/mentor_profile", fiber.Map{"Title": "mentors.profile", "Input": in, "Status": status, "RejectReason": refusal,
		"Errors": map[string]string{}, "Options": a.mentorOptions()})
}

func (a *Handlers) mentorProfileSubmit(c *fiber.Ctx) error {
	multi := func(name string) []string {
		var out []string
		for _, v := range c.Request().PostArgs().PeekMulti(name) {
			out = append(out, string(v))
		}
		return out
	}
	errs := map[string]string{}
	capacity, err := strconv.Atoi(strings.TrimSpace(c.FormValue("capacity")))
	if err != nil {
		errs["capacity"] = "error.number"
	}
	in := mentors.Profile{Title: c.FormValue("title"), Type: c.FormValue("type"), Industries: multi("industries"), Topics: multi("topics"), Bio: c.FormValue("bio"),
		Languages: multi("languages"), Capacity: capacity, Contact: multi("contact")}
	if s := strings.TrimSpace(c.FormValue("on_leave_to")); s != "" {
		d, err := core.ParseDate(s)
		if err != nil {
			errs["on_leave_to"] = "error.date"
		}
		in.OnLeaveTo = d
	}
	if len(errs) == 0 {
		if _, err := a.mentors.Save(c.UserContext(), web.Principal(c), in, web.Meta(c)); err == nil {
			web.Flash(c, "mentors.saved")
			return c.Redirect("/mentor/profile", fiber.StatusSeeOther)
		} else if errs = web.FormErrors(err); errs == nil {
			return err
		}
	}
	status, refusal := "", ""
	if m, err := a.mentors.Mentor(c.UserContext(), web.Principal(c).ID); err == nil {
		status, refusal = m.Status, toAPIMentor(m).RejectReason
	}
	c.Status(fiber.StatusUnprocessableEntity)
	return a.Render(c, "pages/mentor_profile", fiber.Map{"Title": "mentors.profile", "Input": in, "Status": status, "RejectReason": refusal,
		"Errors": errs, "Options": a.mentorOptions()})
}

func (a *Handlers) consultationsPage(c *fiber.Ctx) error {
	status := c.Query("status")
	rows, total, p, err := a.mentors.List(c.UserContext(), web.Principal(c), mentors.ListQuery{Status: status, Page: web.PageOf(c)})
	if err != nil {
		return err
	}
	return a.Render(c, "pages/consultations", fiber.Map{"Title": "consult.title", "Rows": rows, "Total": total, "Status": status,
		"Pager": web.NewPager(c, p, total), "Filters": consultationFilters[web.Principal(c).Role]})
}

// consultationFilters are the quick filters of each role's list, those
// that make sense for it: an asker follows their questions through their
// states; a mentor works the ones assigned to them ("mine") and what is
// late; the hotline follows up on the callers' questions, late or passed
// on; administrators watch everything.
var consultationFilters = map[accounts.Role][]string{
	accounts.Entrepreneur: {"unassigned", "waiting", "answering", "answered", "closed"},
	accounts.Mentor:       {"mine", "overdue", "waiting", "answering", "answered", "closed"},
	accounts.Hotline:      {"overdue", "unassigned", "waiting", "answering", "answered", "closed", "rematched"},
	accounts.Admin:        {"overdue", "unassigned", "waiting", "answering", "answered", "closed", "rematched"},
}

func (a *Handlers) askPage(c *fiber.Ctx) error {
	// A page may start the question (a project's industry, a mentor).
	return a.renderAsk(c, mentors.Question{ContactID: c.Query("contact"), Topic: c.Query("topic"), Industry: c.Query("industry"),
		MentorID: c.Query("mentor")}, map[string]string{})
}

// renderAsk shows the ask form; hotline staff ask for a caller, whose
// contact record the console passed along.
func (a *Handlers) renderAsk(c *fiber.Ctx, q mentors.Question, errs map[string]string) error {
	if len(errs) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
	}
	data := fiber.Map{"Title": "consult.ask", "Input": q, "Errors": errs, "Options": a.mentorOptions(), "ForCaller": web.Principal(c).Role.Staff()}
	// Asked from a mentor's page: the question goes to them, on a topic
	// they cover.
	if q.MentorID != "" {
		mt, err := a.mentors.Visible(c.UserContext(), web.Principal(c), q.MentorID)
		if err != nil {
			return err
		}
		data["Mentor"] = mt
		opts := a.mentorOptions()
		opts["Topics"] = mt.Topics
		data["Options"] = opts
	}
	if web.Principal(c).Role.Staff() && q.ContactID != "" {
		if ct, err := a.hotline.Contact(c.UserContext(), web.Principal(c), q.ContactID); err == nil {
			data["Contact"] = ct
		}
	}
	return a.Render(c, "pages/ask", data)
}

func (a *Handlers) askSubmit(c *fiber.Ctx) error {
	q := mentors.Question{Topic: c.FormValue("topic"), Industry: c.FormValue("industry"), Question: c.FormValue("question"),
		ContactID: c.FormValue("contact_id"), MentorID: c.FormValue("mentor_id")}
	x, err := a.askFor(c, q)
	if err != nil {
		if fe := web.FormErrors(err); fe != nil {
			return a.renderAsk(c, q, fe)
		}
		return err
	}
	web.Flash(c, "consult.asked")
	return c.Redirect("/consultations/"+x.ID, fiber.StatusSeeOther)
}

func (a *Handlers) consultationPage(c *fiber.Ctx) error {
	x, err := a.mentors.Get(c.UserContext(), web.Principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	me := web.Principal(c)
	asker := (x.AskerID != "" && x.AskerID == me.ID) || (x.LoggedBy != "" && x.LoggedBy == me.ID)
	data := fiber.Map{"Title": "consult.thread", "C": a.toAPIConsultation(x), "Raw": x, "IsMentor": me.ID == x.MentorID,
		"IsAsker": asker, "IsAdmin": me.Role == accounts.Admin}
	if (asker || me.Role == accounts.Admin) && (x.Status == mentors.Waiting || x.Status == mentors.Unassigned) {
		ranked, err := a.mentors.Suggestions(c.UserContext(), x)
		if err != nil {
			return err
		}
		data["Suggestions"] = a.Suggestions(c, ranked)
	}
	return a.Render(c, "pages/consultation", data)
}

func (a *Handlers) consultStepWeb(step string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rating, _ := strconv.Atoi(c.FormValue("rating"))
		in := consultStep{Text: c.FormValue("text"), Reason: c.FormValue("reason"), Rating: rating, Comment: c.FormValue("comment"), MentorID: c.FormValue("mentor_id")}
		if _, err := a.consultAct(c, step, in); err != nil {
			if !web.FlashRefusal(c, err) {
				return err
			}
		} else {
			web.Flash(c, "consult.step."+step)
		}
		return c.Redirect("/consultations/"+c.Params("id"), fiber.StatusSeeOther)
	}
}

func (a *Handlers) adminMentorsPage(c *fiber.Ctx) error {
	return a.renderAdminMentors(c, rejecting{})
}

// rejecting is a refusal of an application sent back: whose, the reason
// typed and what is wrong with it.
type rejecting struct {
	ID, Reason string
	Errors     map[string]string
}

func (a *Handlers) renderAdminMentors(c *fiber.Ctx, r rejecting) error {
	ov, err := a.mentors.Overview(c.UserContext(), web.Principal(c))
	if err != nil {
		return err
	}
	pending, err := a.mentors.Pending(c.UserContext(), web.Principal(c))
	if err != nil {
		return err
	}
	// The mentors' records, a page at a time: the pool runs to hundreds.
	p := web.PageOf(c)
	total := len(ov.Mentors)
	ov.Mentors = ov.Mentors[min(p.Offset(), total):min(p.Offset()+p.Size, total)]
	return a.Render(c, "pages/admin_mentors", fiber.Map{"Title": "admin.mentors.title", "Overview": ov, "Pending": pending, "Rejecting": r,
		"Pager": web.NewPager(c, p, total)})
}

// adminMentorReject refuses an application with its reason; the
// administrator ticks that they mean it (the API takes it as meant).
// Refused, the page comes back with the form open, the reason typed and
// every message at once.
func (a *Handlers) adminMentorReject(c *fiber.Ctx) error {
	id, reason := c.Params("id"), c.FormValue("reason")
	if c.FormValue("confirm") != "yes" {
		if _, err := a.mentors.Visible(c.UserContext(), web.Principal(c), id); err != nil {
			return err
		}
		errs := map[string]string{"confirm": "error.mentor.reject_unconfirmed"}
		if _, err := mentors.CheckRejectReason(reason); err != nil {
			maps.Copy(errs, web.FormErrors(err))
		}
		c.Status(fiber.StatusUnprocessableEntity)
		return a.renderAdminMentors(c, rejecting{ID: id, Reason: reason, Errors: errs})
	}
	_, err := a.mentors.Reject(c.UserContext(), web.Principal(c), id, reason, web.Meta(c))
	switch fe := web.FormErrors(err); {
	case err == nil:
		web.Flash(c, "admin.mentors.rejected")
	case fe != nil:
		c.Status(fiber.StatusUnprocessableEntity)
		return a.renderAdminMentors(c, rejecting{ID: id, Reason: reason, Errors: fe})
	case !web.FlashRefusal(c, err):
		return err // not found, forbidden
	}
	return c.Redirect("/admin/mentors", fiber.StatusSeeOther)
}

func (a *Handlers) adminMentorStatus(c *fiber.Ctx) error {
	if err := a.mentors.SetStatus(c.UserContext(), web.Principal(c), c.Params("id"), c.FormValue("status"), web.Meta(c)); err != nil {
		if !web.FlashRefusal(c, err) {
			return err
		}
	} else {
		web.Flash(c, "admin.mentors.saved")
	}
	return c.Redirect("/admin/mentors", fiber.StatusSeeOther)
}

// Suggestion is a mentor the scorer proposes, with the reasons, and the
// title that tells them apart from another of their name.
type Suggestion struct {
	ID, Name, Title string
	Total           int
	Why             []string
}

// Suggestions explains the five best fitting mentors of a ranking.
func (a *Handlers) Suggestions(c *fiber.Ctx, ranked []matching.RankedMentor) []Suggestion {
	var out []Suggestion
	for _, r := range ranked {
		if r.Score.Excluded || len(out) == 5 {
			continue
		}
		if m, err := a.mentors.Mentor(c.UserContext(), r.Mentor.ID); err == nil {
			out = append(out, Suggestion{ID: m.ID, Name: m.Name, Title: m.Title, Total: r.Score.Total, Why: a.ExplainScore(web.Lang(c), r.Score)})
		}
	}
	return out
}
