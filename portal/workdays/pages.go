package workdays

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"onestop/portal/web"
	"onestop/services/core"
	"onestop/services/workdays"
)

// adminWorkdaysPage shows one year's calendar for editing: the year asked
// for, else the first one time limits reach that nobody has set, else this
// year.
func (a *Handlers) adminWorkdaysPage(c *fiber.Ctx) error {
	y := core.DateOf(a.Clock.Now()).Time().Year()
	if unset := a.calendar.Unset(a.Clock.Now()); len(unset) > 0 {
		y = unset[0]
	}
	if q := c.Query("year"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil || n < workdays.FirstYear || n > workdays.LastYear {
			return core.Errorf(core.NotFound, "error.not_found")
		}
		y = n
	}
	doc, err := a.calendar.Year(c.UserContext(), y)
	if err != nil {
		return err
	}
	form := fiber.Map{"holidays": workdays.FormatSpans(doc.Holidays), "working_days": workdays.FormatSpans(doc.WorkingDays),
		"source": doc.Source, "version": strconv.Itoa(doc.Version)}
	return a.renderWorkdays(c, doc, form, map[string]string{}, "")
}

func (a *Handlers) renderWorkdays(c *fiber.Ctx, doc *workdays.Year, form fiber.Map, errs map[string]string, atFault string) error {
	this := core.DateOf(a.Clock.Now()).Time().Year()
	years := []int{this - 1, this, this + 1}
	if doc.Year < this-1 || doc.Year > this+1 {
		years = append(years, doc.Year)
	}
	return a.Render(c, "pages/admin_workdays", fiber.Map{"Title": "admin.workdays.title", "Doc": doc, "Years": years,
		"DaysOff": workdays.Days(doc.Holidays), "DaysWorked": workdays.Days(doc.WorkingDays),
		// The seeded year was written down from memory: the bureau checks it.
		"Unchecked": doc.UpdatedBy == "seed", "Form": form, "Errors": errs, "AtFault": atFault})
}

// adminWorkdaysSave saves a year from the editor's text: one run of days a
// line. A form with a mistake is shown again as typed, with the line or
// day at fault; one saved over another administrator's newer version is
// shown again too, against the version now stored.
func (a *Handlers) adminWorkdaysSave(c *fiber.Ctx) error {
	y, err := yearParam(c)
	if err != nil {
		return err
	}
	form := fiber.Map{"holidays": c.FormValue("holidays"), "working_days": c.FormValue("working_days"),
		"source": c.FormValue("source"), "version": c.FormValue("version")}
	errs, atFault := map[string]string{}, ""
	holidays, bad := workdays.ParseSpans(c.FormValue("holidays"))
	if holidays == nil {
		errs["holidays"], atFault = "error.workdays.line", bad
	}
	worked, bad := workdays.ParseSpans(c.FormValue("working_days"))
	if worked == nil {
		errs["working_days"] = "error.workdays.line"
		if atFault == "" {
			atFault = bad
		}
	}
	if len(errs) == 0 {
		version, _ := strconv.Atoi(c.FormValue("version"))
		in := workdays.Input{Holidays: holidays, WorkingDays: worked, Source: c.FormValue("source"), Version: version}
		_, err = a.calendar.Set(c.UserContext(), web.Principal(c), y, in, web.Meta(c))
		if err == nil {
			web.Flash(c, "admin.workdays.saved")
			return c.Redirect("/admin/workdays?year="+strconv.Itoa(y), fiber.StatusSeeOther)
		}
		var ce *core.Error
		switch {
		case !errors.As(err, &ce):
			return err
		case ce.Code == core.Invalid && ce.Fields != nil:
			errs, atFault = ce.Fields, ce.Detail
			c.Status(fiber.StatusUnprocessableEntity)
		case ce.Code == core.Conflict:
			errs = map[string]string{"version": "admin.workdays.stale"}
			c.Status(fiber.StatusConflict)
		default:
			return err
		}
	} else {
		c.Status(fiber.StatusUnprocessableEntity)
	}
	doc, err := a.calendar.Year(c.UserContext(), y)
	if err != nil {
		return err
	}
	if errs["version"] != "" {
		form["version"] = strconv.Itoa(doc.Version) // saving again is over what is stored now
	}
	return a.renderWorkdays(c, doc, form, errs, atFault)
}
