package training

import (
	"onestop/portal/web"
	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/policy"
	"onestop/services/training"
	"strconv"
	"strings"
	"time"

	"onestop/services/reference"

	"github.com/gofiber/fiber/v2"
)

func (a *Handlers) trainingOptions() fiber.Map {
	return fiber.Map{"Kinds": training.Kinds, "Districts": a.Lists.Codes(reference.District), "Groups": policy.TargetGroups}
}

func (a *Handlers) trainingPage(c *fiber.Ctx) error {
	q := courseQuery(c)
	r, p, err := a.training.Catalogue(c.UserContext(), q)
	if err != nil {
		if fe := web.FormErrors(err); fe != nil {
			c.Status(fiber.StatusBadRequest)
			return a.Render(c, "pages/training", fiber.Map{"Title": "training.title", "Query": training.CatalogueQuery{}, "Options": a.trainingOptions(), "Errors": fe})
		}
		return err
	}
	var rows []APICourseRow
	for _, h := range r.Hits {
		rows = append(rows, CourseRow(h))
	}
	return a.Render(c, "pages/training", fiber.Map{"Title": "training.title", "Rows": rows, "Total": r.Total, "Query": q, "Options": a.trainingOptions(),
		"Pager": web.NewPager(c, p, r.Total)})
}

func (a *Handlers) coursePage(c *fiber.Ctx) error {
	x, err := a.training.Course(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	data := fiber.Map{"Title": "training.course", "Course": x, "SeatsLeft": x.Seats - x.Enrolled}
	if me := web.Principal(c); me.Role == accounts.Entrepreneur {
		for _, e := range must(a.training.Mine(c.UserContext(), me)) {
			if e.CourseID == x.ID && e.Status != training.Withdrawn {
				data["Mine"] = e
			}
		}
	}
	return a.Render(c, "pages/course", data)
}

// must drops an error for lists whose absence only hides a part of a page.
func must[T any](v T, _ error) T { return v }

func (a *Handlers) enrolSubmit(c *fiber.Ctx) error {
	if _, err := a.training.Enrol(c.UserContext(), web.Principal(c), c.Params("id"), "", web.Meta(c)); err != nil {
		if !web.FlashRefusal(c, err) {
			return err
		}
	} else {
		web.Flash(c, "training.enrolled")
	}
	return c.Redirect("/training/"+c.Params("id"), fiber.StatusSeeOther)
}

func (a *Handlers) withdrawSubmit(c *fiber.Ctx) error {
	if err := a.training.Withdraw(c.UserContext(), web.Principal(c), c.Params("id"), web.Meta(c)); err != nil {
		if !web.FlashRefusal(c, err) {
			return err
		}
	} else {
		web.Flash(c, "training.withdrawn")
	}
	return c.Redirect("/training/"+c.Params("id"), fiber.StatusSeeOther)
}

func (a *Handlers) myTrainingPage(c *fiber.Ctx) error {
	list, err := a.training.Mine(c.UserContext(), web.Principal(c))
	if err != nil {
		return err
	}
	return a.Render(c, "pages/my_training", fiber.Map{"Title": "training.mine", "Enrolments": list})
}

func (a *Handlers) certificatePage(c *fiber.Ctx) error {
	code := strings.ToUpper(strings.TrimSpace(c.Query("code")))
	data := fiber.Map{"Title": "training.verify", "Code": code}
	if code != "" {
		cert, err := a.training.Verify(c.UserContext(), code)
		if err != nil && !core.IsCode(err, core.NotFound) {
			return err
		}
		data["Cert"], data["Checked"] = cert, true
	}
	return a.Render(c, "pages/certificate", data)
}

// The provider console.

func (a *Handlers) providerPage(c *fiber.Ctx) error {
	return a.renderProvider(c, fiber.Map{"seats": "30", "min_attendance": "80"}, map[string]string{})
}

func (a *Handlers) renderProvider(c *fiber.Ctx, form fiber.Map, errs map[string]string) error {
	me := web.Principal(c)
	r, _, err := a.training.Catalogue(c.UserContext(), training.CatalogueQuery{Provider: me.ID, All: true, Page: core.Page{Size: 100}})
	if err != nil {
		return err
	}
	var rows []APICourseRow
	for _, h := range r.Hits {
		rows = append(rows, CourseRow(h))
	}
	claims, err := a.training.Claims(c.UserContext(), me)
	if err != nil {
		return err
	}
	listed := false
	for _, p := range must(a.training.Providers(c.UserContext())) {
		if p.ID == me.ID {
			listed = p.Listed
		}
	}
	if len(errs) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
	}
	return a.Render(c, "pages/provider", fiber.Map{"Title": "provider.title", "Courses": rows, "Claims": claims, "Listed": listed,
		"Form": form, "Errors": errs, "Options": a.trainingOptions()})
}

// parseSessions reads one session per line: "2026-12-01 09:00 3" (day,
// start in China time, hours).
func parseSessions(s string) ([]training.Session, bool) {
	var out []training.Session
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) != 3 {
			return nil, false
		}
		at, err := time.ParseInLocation("2006-01-02 15:04", f[0]+" "+f[1], core.CST)
		hours, herr := strconv.ParseFloat(f[2], 64)
		if err != nil || herr != nil {
			return nil, false
		}
		out = append(out, training.Session{StartsAt: at, Hours: hours})
	}
	return out, true
}

func (a *Handlers) courseCreate(c *fiber.Ctx) error {
	form := fiber.Map{}
	for _, k := range []string{"title", "kind", "description", "place", "district", "seats", "fee_yuan", "subsidy_yuan", "certificate", "min_attendance", "sessions", "online", "skill_certificate"} {
		form[k] = c.FormValue(k)
	}
	errs := map[string]string{}
	num := func(k string) int64 {
		s := strings.TrimSpace(c.FormValue(k))
		if s == "" {
			return 0
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			errs[k] = "error.number"
		}
		return n
	}
	sessions, ok := parseSessions(c.FormValue("sessions"))
	if !ok {
		errs["sessions"] = "error.training.sessions"
	}
	in := training.NewCourse{Title: c.FormValue("title"), Kind: c.FormValue("kind"), Description: c.FormValue("description"), Place: c.FormValue("place"),
		District: c.FormValue("district"), Online: c.FormValue("online") == "yes", Seats: int(num("seats")), FeeYuan: num("fee_yuan"),
		SubsidyYuan: num("subsidy_yuan"), Certificate: c.FormValue("certificate"), SkillCert: c.FormValue("skill_certificate") == "yes",
		MinAttendance: int(num("min_attendance")), Sessions: sessions, TargetGroups: web.FormList(c, "target_groups")}
	form["target_groups"] = in.TargetGroups
	if len(errs) == 0 {
		x, err := a.training.CreateCourse(c.UserContext(), web.Principal(c), in, web.Meta(c))
		if err == nil {
			web.Flash(c, "provider.created")
			return c.Redirect("/provider/courses/"+x.ID, fiber.StatusSeeOther)
		}
		if errs = web.FormErrors(err); errs == nil {
			return err
		}
	}
	return a.renderProvider(c, form, errs)
}

func (a *Handlers) providerCoursePage(c *fiber.Ctx) error {
	x, list, err := a.training.Roster(c.UserContext(), web.Principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return a.Render(c, "pages/provider_course", fiber.Map{"Title": "provider.course", "Course": x, "Roster": list, "Now": a.Clock.Now()})
}

func (a *Handlers) providerStep(step string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, me, id, m := c.UserContext(), web.Principal(c), c.Params("id"), web.Meta(c)
		if step == "complete" && c.FormValue("confirm") != "yes" {
			// Completing closes the course and issues its certificates,
			// which cannot be taken back: the provider ticks that they mean
			// it (the API takes it as meant). Another's course is not found.
			if _, _, err := a.training.Roster(ctx, me, id); err != nil {
				return err
			}
			web.Flash(c, "error.course.complete_unconfirmed")
			return c.Redirect("/provider/courses/"+id, fiber.StatusSeeOther)
		}
		var err error
		switch step {
		case "attendance":
			err = a.training.RecordAttendance(ctx, me, id, c.FormValue("session_id"), web.FormList(c, "present"), m)
		case "complete":
			_, err = a.training.Complete(ctx, me, id, m)
		case "claim":
			_, err = a.training.CreateClaim(ctx, me, id, m)
		}
		if err != nil {
			if !web.FlashRefusal(c, err) {
				return err
			}
		} else {
			web.Flash(c, "provider.step."+step)
		}
		return c.Redirect("/provider/courses/"+id, fiber.StatusSeeOther)
	}
}

// The bureau's training console.

func (a *Handlers) adminTrainingPage(c *fiber.Ctx) error {
	ctx, me := c.UserContext(), web.Principal(c)
	stats, err := a.ProviderStats(ctx, me)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, s := range stats {
		known[s.Provider.ID] = true
	}
	var unlisted []accounts.Row
	for _, r := range must(a.accounts.Active(ctx, accounts.Provider)) {
		if !known[r.ID] {
			unlisted = append(unlisted, r)
		}
	}
	claims, err := a.training.Claims(ctx, me)
	if err != nil {
		return err
	}
	return a.Render(c, "pages/admin_training", fiber.Map{"Title": "admin.training.title", "Stats": stats, "New": unlisted, "Claims": claims})
}

func (a *Handlers) adminListProvider(c *fiber.Ctx) error {
	if _, err := a.training.SetListed(c.UserContext(), web.Principal(c), c.Params("id"), c.FormValue("listed") == "yes", web.Meta(c)); err != nil {
		if !web.FlashRefusal(c, err) {
			return err
		}
	} else {
		web.Flash(c, "admin.training.saved")
	}
	return c.Redirect("/admin/training", fiber.StatusSeeOther)
}

func (a *Handlers) adminReviewClaim(c *fiber.Ctx) error {
	if _, err := a.training.ReviewClaim(c.UserContext(), web.Principal(c), c.Params("id"), c.FormValue("action"), c.FormValue("note"), web.Meta(c)); err != nil {
		if !web.FlashRefusal(c, err) {
			return err
		}
	} else {
		web.Flash(c, "admin.training.saved")
	}
	return c.Redirect("/admin/training", fiber.StatusSeeOther)
}

// Staff act for a person: enrol them (a refused recommendation is recorded
// with the person's facts, in portal/people).

func (a *Handlers) personEnrol(c *fiber.Ctx) error {
	if _, err := a.training.Enrol(c.UserContext(), web.Principal(c), c.FormValue("course_id"), c.Params("id"), web.Meta(c)); err != nil {
		if !web.FlashRefusal(c, err) {
			return err
		}
	} else {
		web.Flash(c, "training.enrolled")
	}
	return c.Redirect("/staff/people/"+c.Params("id"), fiber.StatusSeeOther)
}
