package portal

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/incubators"
	"onestop/services/matching"
	"onestop/services/policy"
	"onestop/services/reference"
)

func (a *App) baseOptions() fiber.Map {
	return fiber.Map{"Levels": incubators.Levels, "Districts": a.reference.Codes(reference.District), "Industries": a.reference.Codes(reference.Industry),
		"Groups": policy.TargetGroups, "Stages": policy.Stages, "Services": incubators.Services, "MoveOut": incubators.MoveOutReasons}
}

func (a *App) basesPage(c *fiber.Ctx) error {
	f := baseFilter(c)
	list, err := a.bases.Directory(c.UserContext(), f)
	if err != nil {
		return err
	}
	return a.render(c, "pages/bases", fiber.Map{"Title": "bases.title", "Bases": list, "Filter": f, "Options": a.baseOptions()})
}

func (a *App) basePage(c *fiber.Ctx) error {
	b, err := a.bases.Base(c.UserContext(), principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return a.render(c, "pages/base", fiber.Map{"Title": "bases.base", "Base": b})
}

func (a *App) basesForMePage(c *fiber.Ctx) error {
	return a.renderForMe(c, map[string]string{}, fiber.Map{})
}

func (a *App) renderForMe(c *fiber.Ctx, errs map[string]string, form fiber.Map) error {
	ranked, err := a.rankedForMe(c)
	if err != nil {
		return err
	}
	var fitting []apiRankedBase
	for _, r := range ranked {
		if !r.Score.Excluded {
			fitting = append(fitting, r)
		}
	}
	_, intakeErr := a.bases.CurrentIntake(c.UserContext())
	if len(errs) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
	}
	return a.render(c, "pages/bases_for_me", fiber.Map{"Title": "bases.for_me", "Ranked": ranked, "Fitting": fitting,
		"Slots": []int{1, 2, 3, 4, 5}, "IntakeOpen": intakeErr == nil, "Errors": errs, "Form": form})
}

func (a *App) applySubmit(c *fiber.Ctx) error {
	var choices []string
	for i := 1; i <= incubators.MaxChoices; i++ {
		if v := c.FormValue("choice" + strconv.Itoa(i)); v != "" {
			choices = append(choices, v)
		}
	}
	venture := c.FormValue("venture")
	if _, err := a.bases.Apply(c.UserContext(), principal(c), choices, venture, meta(c)); err != nil {
		var ce *core.Error
		if asCore(err, &ce) && (ce.Code == core.Invalid || ce.Code == core.Conflict) {
			errs := ce.Fields
			if errs == nil {
				errs = map[string]string{"choices": ce.Message}
			}
			form := fiber.Map{"venture": venture}
			for i, ch := range choices {
				form["choice"+strconv.Itoa(i+1)] = ch
			}
			return a.renderForMe(c, errs, form)
		}
		return err
	}
	flash(c, "bases.applied")
	return c.Redirect("/applications", fiber.StatusSeeOther)
}

func (a *App) applicationsPage(c *fiber.Ctx) error {
	list, err := a.bases.Mine(c.UserContext(), principal(c), pageOf(c))
	if err != nil {
		return err
	}
	return a.render(c, "pages/applications", fiber.Map{"Title": "applications.title", "Applications": list})
}

// applicationStep runs an applicant's or a manager's step from a form and
// comes back to the page it was sent from.
func (a *App) applicationStep(action, back string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		_, err := a.bases.Act(c.UserContext(), principal(c), c.Params("id"), action, c.FormValue("reason"), meta(c))
		if err != nil {
			if !flashRefusal(c, err) {
				return err
			}
		} else {
			flash(c, "applications.step."+action)
		}
		// A form may name a page of the same area to come back to (a
		// filtered console); anything else is the area's own page.
		return c.Redirect(localBack(c.FormValue("back"), back, back), fiber.StatusSeeOther)
	}
}

// managePage is the manager console: each base the caller manages, its free
// seats, its applications by status and its tenants.
func (a *App) managePage(c *fiber.Ctx) error {
	bases, err := a.bases.Managed(c.UserContext(), principal(c))
	if err != nil {
		return err
	}
	type scored struct {
		*incubators.Application
		Score int
		Why   []string
	}
	type section struct {
		Base         *incubators.Base
		Applications []scored
	}
	status := c.Query("status")
	var sections []section
	for _, b := range bases {
		fresh, err := a.bases.Base(c.UserContext(), principal(c), b.ID)
		if err != nil {
			return err
		}
		list, err := a.bases.ForBase(c.UserContext(), principal(c), b.ID, status, core.Page{Size: 100})
		if err != nil {
			return err
		}
		// The scorer ranks the applicants for the base, as the intake does.
		sec := section{Base: fresh}
		for _, app := range list {
			sc := matching.ScoreBase(a.personFor(c.UserContext(), app.ApplicantID), fresh.MatchBase())
			sec.Applications = append(sec.Applications, scored{Application: app, Score: sc.Total, Why: a.explainScore(lang(c), sc)})
		}
		slices.SortStableFunc(sec.Applications, func(x, y scored) int { return y.Score - x.Score })
		sections = append(sections, sec)
	}
	return a.render(c, "pages/manage", fiber.Map{"Title": "manage.title", "Sections": sections, "Status": status, "Options": a.baseOptions(),
		"Statuses": []string{incubators.AppPending, incubators.AppWaitlisted, incubators.AppOffered, incubators.AppTenant}})
}

func (a *App) adminBasesPage(c *fiber.Ctx) error {
	return a.renderAdminBases(c, incubators.BaseInput{Level: "municipal", IntakeOpen: true}, map[string]string{})
}

func (a *App) renderAdminBases(c *fiber.Ctx, in incubators.BaseInput, errs map[string]string) error {
	all, err := a.bases.Bases(c.UserContext())
	if err != nil {
		return err
	}
	managers, _, _, err := a.accounts.List(c.UserContext(), principal(c), accounts.ListQuery{Role: accounts.IncubatorManager, Status: "active", Page: core.Page{Size: 100}})
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
	}
	return a.render(c, "pages/admin_bases", fiber.Map{"Title": "admin.bases.title", "Bases": all, "Managers": managers, "Input": in,
		"Errors": errs, "Options": a.baseOptions()})
}

func baseForm(c *fiber.Ctx) (incubators.BaseInput, map[string]string) {
	errs := map[string]string{}
	num := func(name string) int {
		n, err := strconv.Atoi(strings.TrimSpace(c.FormValue(name)))
		if err != nil {
			errs[name] = "error.number"
		}
		return n
	}
	multi := func(name string) []string {
		var out []string
		for _, v := range c.Request().PostArgs().PeekMulti(name) {
			out = append(out, string(v))
		}
		return out
	}
	in := incubators.BaseInput{Name: c.FormValue("name"), Level: c.FormValue("level"), District: c.FormValue("district"),
		Address: c.FormValue("address"), Contact: c.FormValue("contact"), Seats: num("seats"), RentFreeMonths: num("rent_free_months"),
		Industries: multi("industries"), Groups: multi("target_groups"), Stages: multi("stages"), Services: multi("services"),
		IntakeOpen: c.FormValue("intake_open") == "yes"}
	return in, errs
}

func (a *App) adminBaseCreate(c *fiber.Ctx) error {
	in, errs := baseForm(c)
	if len(errs) == 0 {
		_, err := a.bases.CreateBase(c.UserContext(), principal(c), in, meta(c))
		if err == nil {
			flash(c, "admin.bases.created")
			return c.Redirect("/admin/bases", fiber.StatusSeeOther)
		}
		if errs = formErrors(err); errs == nil {
			return err
		}
	}
	return a.renderAdminBases(c, in, errs)
}

func (a *App) adminBaseStatus(c *fiber.Ctx) error {
	if err := a.bases.SetStatus(c.UserContext(), principal(c), c.Params("id"), c.FormValue("status"), meta(c)); err != nil {
		return err
	}
	flash(c, "admin.bases.saved")
	return c.Redirect("/admin/bases", fiber.StatusSeeOther)
}

func (a *App) adminBaseManagers(c *fiber.Ctx) error {
	var ids []string
	for _, v := range c.Request().PostArgs().PeekMulti("manager_ids") {
		ids = append(ids, string(v))
	}
	if err := a.bases.SetManagers(c.UserContext(), principal(c), c.Params("id"), ids, meta(c)); err != nil {
		if fe := formErrors(err); fe != nil {
			flash(c, "error.base.manager")
			return c.Redirect("/admin/bases", fiber.StatusSeeOther)
		}
		return err
	}
	flash(c, "admin.bases.saved")
	return c.Redirect("/admin/bases", fiber.StatusSeeOther)
}

func (a *App) intakesPage(c *fiber.Ctx) error {
	return a.renderIntakes(c, nil, "")
}

func (a *App) renderIntakes(c *fiber.Ctx, pv *incubators.Preview, previewID string) error {
	list, err := a.bases.Intakes(c.UserContext())
	if err != nil {
		return err
	}
	names := map[string]string{}
	if pv != nil {
		for _, b := range pv.Bases {
			names[b.ID] = b.Name
		}
	}
	return a.render(c, "pages/admin_intakes", fiber.Map{"Title": "admin.intakes.title", "Intakes": list, "Preview": pv,
		"PreviewID": previewID, "BaseNames": names})
}

func (a *App) intakeOpen(c *fiber.Ctx) error {
	if _, err := a.bases.OpenIntake(c.UserContext(), principal(c), c.FormValue("name"), meta(c)); err != nil {
		if fe := formErrors(err); fe != nil {
			flash(c, "error.text.length")
			return c.Redirect("/admin/intakes", fiber.StatusSeeOther)
		}
		return err
	}
	flash(c, "admin.intakes.opened")
	return c.Redirect("/admin/intakes", fiber.StatusSeeOther)
}

func (a *App) intakeAssignment(commit bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id := c.Params("id")
		var pv *incubators.Preview
		var err error
		if commit {
			pv, err = a.bases.CommitAssignment(c.UserContext(), principal(c), id, a.personFor, meta(c))
		} else {
			pv, _, _, err = a.bases.PreviewAssignment(c.UserContext(), principal(c), id, a.personFor)
		}
		if core.IsCode(err, core.Conflict) {
			flash(c, "error.intake.empty")
			return c.Redirect("/admin/intakes", fiber.StatusSeeOther)
		}
		if err != nil {
			return err
		}
		if commit {
			flash(c, "admin.intakes.committed")
		}
		return a.renderIntakes(c, pv, id)
	}
}

func (a *App) notificationsPage(c *fiber.Ctx) error {
	list, total, p, err := a.notifications(c)
	if err != nil {
		return err
	}
	// Seeing the list reads them, but a GET changes nothing: the page's
	// form (posted by its script at once, or by hand) marks read up to the
	// newest it shows, so one that came meanwhile stays unread.
	var upTo int64
	if p.Number == 1 && len(list) > 0 {
		upTo = list[0].At.UnixMilli()
	}
	return a.render(c, "pages/notifications", fiber.Map{"Title": "notifications.title", "Items": list, "Pager": newPager(c, p, total), "UpTo": upTo})
}

// notificationsRead marks read up to the newest notification the page
// showed (the form's upto, in Unix milliseconds), then shows the page again.
func (a *App) notificationsRead(c *fiber.Ctx) error {
	ms, err := strconv.ParseInt(c.FormValue("upto"), 10, 64)
	if err != nil || ms <= 0 {
		return &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"upto": "error.invalid"}}
	}
	upTo := time.UnixMilli(ms)
	if now := a.clock.Now(); upTo.After(now) {
		upTo = now
	}
	if err := a.notify.MarkSeen(c.UserContext(), principal(c).ID, upTo); err != nil {
		return err
	}
	return c.Redirect("/notifications", fiber.StatusSeeOther)
}
