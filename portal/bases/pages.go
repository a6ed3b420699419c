package bases

import (
	"errors"
	"onestop/portal/web"
	"onestop/services/accounts"
	"onestop/services/bases"
	"onestop/services/core"
	"onestop/services/matching"
	"onestop/services/policy"
	"onestop/services/reference"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
)

func (a *Handlers) baseOptions() fiber.Map {
	return fiber.Map{"Levels": bases.Levels, "Districts": a.Lists.Codes(reference.District), "Industries": a.Lists.Codes(reference.Industry),
		"Groups": policy.TargetGroups, "Stages": policy.Stages, "Services": bases.Services, "MoveOut": bases.MoveOutReasons}
}

func (a *Handlers) basesPage(c *fiber.Ctx) error {
	f := baseFilter(c)
	list, err := a.bases.Directory(c.UserContext(), f)
	if err != nil {
		return err
	}
	return a.Render(c, "pages/bases", fiber.Map{"Title": "bases.title", "Bases": list, "Filter": f, "Options": a.baseOptions()})
}

func (a *Handlers) basePage(c *fiber.Ctx) error {
	b, err := a.bases.Base(c.UserContext(), web.Principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return a.Render(c, "pages/base", fiber.Map{"Title": "bases.base", "Base": b})
}

func (a *Handlers) basesForMePage(c *fiber.Ctx) error {
	return a.renderForMe(c, map[string]string{}, fiber.Map{})
}

func (a *Handlers) renderForMe(c *fiber.Ctx, errs map[string]string, form fiber.Map) error {
	ranked, me, err := a.rankedForMe(c)
	if err != nil {
		return err
	}
	var fitting []apiRankedBase
	for _, r := range ranked {
		if !r.Score.Excluded {
			fitting = append(fitting, r)
		}
	}
	// The choices offer the best few first, then the rest that fit.
	top, rest := fitting, []apiRankedBase(nil)
	if len(fitting) > bases.MaxChoices {
		top, rest = fitting[:bases.MaxChoices], fitting[bases.MaxChoices:]
	}
	unknown := make([]string, 0, 5)
	for _, u := range me.Unknown() {
		unknown = append(unknown, a.I18n.T(web.Lang(c), "match.unknown."+u))
	}
	// The form offers the places still free in this intake, numbered as
	// the choices they become.
	slots, err := a.bases.FreeRanks(c.UserContext(), web.Principal(c))
	if err != nil && !core.IsCode(err, core.NotFound) {
		return err
	}
	if len(errs) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
	}
	return a.Render(c, "pages/bases_for_me", fiber.Map{"Title": "bases.for_me", "Ranked": ranked, "Fitting": fitting, "Top": top, "Rest": rest, "Excluded": len(ranked) - len(fitting),
		"Unknown": strings.Join(unknown, a.I18n.T(web.Lang(c), "list.sep")), "Slots": slots, "IntakeOpen": err == nil, "Errors": errs, "Form": form})
}

func (a *Handlers) applySubmit(c *fiber.Ctx) error {
	var choices []string
	for i := 1; i <= bases.MaxChoices; i++ {
		if v := c.FormValue("choice" + strconv.Itoa(i)); v != "" {
			choices = append(choices, v)
		}
	}
	venture := c.FormValue("venture")
	if _, err := a.bases.Apply(c.UserContext(), web.Principal(c), choices, venture, web.Meta(c)); err != nil {
		var ce *core.Error
		if errors.As(err, &ce) && (ce.Code == core.Invalid || ce.Code == core.Conflict) {
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
	web.Flash(c, "bases.applied")
	return c.Redirect("/applications", fiber.StatusSeeOther)
}

func (a *Handlers) applicationsPage(c *fiber.Ctx) error {
	list, err := a.bases.Mine(c.UserContext(), web.Principal(c), web.PageOf(c))
	if err != nil {
		return err
	}
	return a.Render(c, "pages/applications", fiber.Map{"Title": "applications.title", "Applications": list})
}

// applicationStep runs an applicant's or a manager's step from a form and
// comes back to the page it was sent from.
func (a *Handlers) applicationStep(action, back string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if action == "move_out" && c.FormValue("confirm") != "yes" {
			// Moving a tenant out ends the tenancy for good: the manager
			// ticks that they mean it (the API takes the step as meant).
			// An application the caller may not see is not found.
			if _, _, err := a.bases.Application(c.UserContext(), web.Principal(c), c.Params("id")); err != nil {
				return err
			}
			web.Flash(c, "error.move_out.unconfirmed")
			return c.Redirect(web.LocalBack(c.FormValue("back"), back, back), fiber.StatusSeeOther)
		}
		_, err := a.bases.Act(c.UserContext(), web.Principal(c), c.Params("id"), action, c.FormValue("reason"), web.Meta(c))
		if err != nil {
			if !web.FlashRefusal(c, err) {
				return err
			}
		} else {
			web.Flash(c, "applications.step."+action)
		}
		// A form may name a page of the same area to come back to (a
		// filtered console); anything else is the area's own page.
		return c.Redirect(web.LocalBack(c.FormValue("back"), back, back), fiber.StatusSeeOther)
	}
}

// managePage is the manager console: each base the caller manages, its free
// seats, its applications by status and its tenants.
func (a *Handlers) managePage(c *fiber.Ctx) error {
	managed, err := a.bases.Managed(c.UserContext(), web.Principal(c))
	if err != nil {
		return err
	}
	type scored struct {
		*bases.Application
		Score int
		Why   []string
	}
	type section struct {
		Base         *bases.Base
		Applications []scored
	}
	status := c.Query("status")
	if status != "" && !slices.Contains(manageStatuses, status) {
		return c.Redirect("/manage", fiber.StatusSeeOther) // not one of the console's filters
	}
	var sections []section
	for _, b := range managed {
		fresh, err := a.bases.Base(c.UserContext(), web.Principal(c), b.ID)
		if err != nil {
			return err
		}
		list, err := a.bases.ForBase(c.UserContext(), web.Principal(c), b.ID, status, core.Page{Size: 100})
		if err != nil {
			return err
		}
		// The scorer ranks the applicants for the base, as the intake does.
		sec := section{Base: fresh}
		for _, app := range list {
			sc := matching.ScoreBase(a.personFor(c.UserContext(), app.ApplicantID), fresh.MatchBase())
			sec.Applications = append(sec.Applications, scored{Application: app, Score: sc.Total, Why: a.ExplainScore(web.Lang(c), sc)})
		}
		slices.SortStableFunc(sec.Applications, func(x, y scored) int { return y.Score - x.Score })
		sections = append(sections, sec)
	}
	return a.Render(c, "pages/manage", fiber.Map{"Title": "manage.title", "Sections": sections, "Status": status, "Options": a.baseOptions(),
		"Statuses": manageStatuses})
}

// manageStatuses are the console's filters: the applications a manager
// acts on, and the tenants.
var manageStatuses = []string{bases.AppPending, bases.AppWaitlisted, bases.AppOffered, bases.AppTenant}

func (a *Handlers) adminBasesPage(c *fiber.Ctx) error {
	return a.renderAdminBases(c, bases.BaseInput{Level: "municipal", IntakeOpen: true}, map[string]string{})
}

func (a *Handlers) renderAdminBases(c *fiber.Ctx, in bases.BaseInput, errs map[string]string) error {
	all, err := a.bases.Bases(c.UserContext())
	if err != nil {
		return err
	}
	managers, _, _, err := a.accounts.List(c.UserContext(), web.Principal(c), accounts.ListQuery{Role: accounts.IncubatorManager, Status: "active", Page: core.Page{Size: 100}})
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
	}
	return a.Render(c, "pages/admin_bases", fiber.Map{"Title": "admin.bases.title", "Bases": all, "Managers": managers, "Input": in,
		"Errors": errs, "Options": a.baseOptions()})
}

func baseForm(c *fiber.Ctx) (bases.BaseInput, map[string]string) {
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
	in := bases.BaseInput{Name: c.FormValue("name"), Level: c.FormValue("level"), District: c.FormValue("district"),
		Address: c.FormValue("address"), Contact: c.FormValue("contact"), Seats: num("seats"), RentFreeMonths: num("rent_free_months"),
		Industries: multi("industries"), Groups: multi("target_groups"), Stages: multi("stages"), Services: multi("services"),
		IntakeOpen: c.FormValue("intake_open") == "yes"}
	return in, errs
}

func (a *Handlers) adminBaseCreate(c *fiber.Ctx) error {
	in, errs := baseForm(c)
	if len(errs) == 0 {
		_, err := a.bases.CreateBase(c.UserContext(), web.Principal(c), in, web.Meta(c))
		if err == nil {
			web.Flash(c, "admin.bases.created")
			return c.Redirect("/admin/bases", fiber.StatusSeeOther)
		}
		if errs = web.FormErrors(err); errs == nil {
			return err
		}
	}
	return a.renderAdminBases(c, in, errs)
}

// adminBaseEditPage shows a base's listing in the form that lists a new
// one, filled in, with the version it was read at.
func (a *Handlers) adminBaseEditPage(c *fiber.Ctx) error {
	b, err := a.bases.Base(c.UserContext(), web.Principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return a.renderBaseEdit(c, b, bases.InputOf(b), b.Version, map[string]string{})
}

func (a *Handlers) renderBaseEdit(c *fiber.Ctx, b *bases.Base, in bases.BaseInput, version int, errs map[string]string) error {
	return a.Render(c, "pages/admin_base_edit", fiber.Map{"Title": "admin.bases.edit_page", "Base": b, "Input": in, "Version": version,
		"Errors": errs, "Options": a.baseOptions()})
}

// adminBaseSave saves the edit form; refused, the form comes back with
// what was typed and every reason, or — another edit came first — says so
// and offers to read the listing afresh.
func (a *Handlers) adminBaseSave(c *fiber.Ctx) error {
	ctx, p, id := c.UserContext(), web.Principal(c), c.Params("id")
	b, err := a.bases.Base(ctx, p, id)
	if err != nil {
		return err
	}
	in, errs := baseForm(c)
	version, _ := strconv.Atoi(c.FormValue("version"))
	if version <= 0 {
		version = -1 // a form without its version cannot be checked: refused as stale
	}
	if len(errs) == 0 {
		_, err := a.bases.EditBase(ctx, p, id, bases.PatchOf(in, version), web.Meta(c))
		if err == nil {
			web.Flash(c, "admin.bases.updated")
			return c.Redirect("/admin/bases", fiber.StatusSeeOther)
		}
		if errs = editErrors(err); errs == nil {
			return err
		}
		status, _, _, _ := web.Classify(err)
		c.Status(status)
	} else {
		c.Status(fiber.StatusUnprocessableEntity)
	}
	return a.renderBaseEdit(c, b, in, version, errs)
}

// editErrors are the form's messages for a refused edit: the fields at
// fault, or the stale version; nil for a failure the error page shows.
func editErrors(err error) map[string]string {
	var ce *core.Error
	if !errors.As(err, &ce) || (ce.Code != core.Invalid && ce.Code != core.Conflict) {
		return nil
	}
	if len(ce.Fields) > 0 {
		return ce.Fields
	}
	return map[string]string{"version": ce.Message}
}

func (a *Handlers) adminBaseStatus(c *fiber.Ctx) error {
	if err := a.bases.SetStatus(c.UserContext(), web.Principal(c), c.Params("id"), c.FormValue("status"), web.Meta(c)); err != nil {
		return err
	}
	web.Flash(c, "admin.bases.saved")
	return c.Redirect("/admin/bases", fiber.StatusSeeOther)
}

func (a *Handlers) adminBaseManagers(c *fiber.Ctx) error {
	var ids []string
	for _, v := range c.Request().PostArgs().PeekMulti("manager_ids") {
		ids = append(ids, string(v))
	}
	if err := a.bases.SetManagers(c.UserContext(), web.Principal(c), c.Params("id"), ids, web.Meta(c)); err != nil {
		if fe := web.FormErrors(err); fe != nil {
			web.Flash(c, "error.base.manager")
			return c.Redirect("/admin/bases", fiber.StatusSeeOther)
		}
		return err
	}
	web.Flash(c, "admin.bases.saved")
	return c.Redirect("/admin/bases", fiber.StatusSeeOther)
}

func (a *Handlers) intakesPage(c *fiber.Ctx) error {
	return a.renderIntakes(c, nil, "")
}

func (a *Handlers) renderIntakes(c *fiber.Ctx, pv *bases.Preview, previewID string) error {
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
	return a.Render(c, "pages/admin_intakes", fiber.Map{"Title": "admin.intakes.title", "Intakes": list, "Preview": pv,
		"PreviewID": previewID, "BaseNames": names})
}

func (a *Handlers) intakeOpen(c *fiber.Ctx) error {
	if _, err := a.bases.OpenIntake(c.UserContext(), web.Principal(c), c.FormValue("name"), web.Meta(c)); err != nil {
		if fe := web.FormErrors(err); fe != nil {
			web.Flash(c, "error.text.length")
			return c.Redirect("/admin/intakes", fiber.StatusSeeOther)
		}
		return err
	}
	web.Flash(c, "admin.intakes.opened")
	return c.Redirect("/admin/intakes", fiber.StatusSeeOther)
}

func (a *Handlers) intakeAssignment(commit bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id := c.Params("id")
		var pv *bases.Preview
		var err error
		if commit {
			pv, err = a.bases.CommitAssignment(c.UserContext(), web.Principal(c), id, a.personFor, web.Meta(c))
		} else {
			pv, _, _, err = a.bases.PreviewAssignment(c.UserContext(), web.Principal(c), id, a.personFor)
		}
		if core.IsCode(err, core.Conflict) {
			web.Flash(c, "error.intake.empty")
			return c.Redirect("/admin/intakes", fiber.StatusSeeOther)
		}
		if err != nil {
			return err
		}
		if commit {
			web.Flash(c, "admin.intakes.committed")
		}
		return a.renderIntakes(c, pv, id)
	}
}
