package workdays

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"onestop/portal/web"
	"onestop/services/core"
	"onestop/services/workdays"
)

// APIYear is one year's calendar as the API gives it.
type APIYear struct {
	Year int `json:"year"`
	// Set is false for a year nobody set: it counts Monday to Friday.
	Set         bool            `json:"set"`
	Version     int             `json:"version"`
	Holidays    []workdays.Span `json:"holidays"`
	WorkingDays []workdays.Span `json:"working_days"`
	Source      string          `json:"source"`
	UpdatedAt   time.Time       `json:"updated_at,omitzero"`
}

func toAPIYear(y *workdays.Year) APIYear {
	out := APIYear{Year: y.Year, Set: y.Set(), Version: y.Version, Holidays: y.Holidays, WorkingDays: y.WorkingDays, Source: y.Source, UpdatedAt: y.UpdatedAt}
	if out.Holidays == nil {
		out.Holidays = []workdays.Span{}
	}
	if out.WorkingDays == nil {
		out.WorkingDays = []workdays.Span{}
	}
	return out
}

// yearParam is the year a route names; anything but a year the calendar
// takes is not found.
func yearParam(c *fiber.Ctx) (int, error) {
	y, err := strconv.Atoi(c.Params("year"))
	if err != nil || y < workdays.FirstYear || y > workdays.LastYear {
		return 0, core.Errorf(core.NotFound, "error.not_found")
	}
	return y, nil
}

func (a *Handlers) apiWorkdays(c *fiber.Ctx) error {
	y, err := yearParam(c)
	if err != nil {
		return err
	}
	doc, err := a.calendar.Year(c.UserContext(), y)
	if err != nil {
		return err
	}
	return c.JSON(toAPIYear(doc))
}

func (a *Handlers) apiSetWorkdays(c *fiber.Ctx) error {
	y, err := yearParam(c)
	if err != nil {
		return err
	}
	var in workdays.Input
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	doc, err := a.calendar.Set(c.UserContext(), web.Principal(c), y, in, web.Meta(c))
	if err != nil {
		return err
	}
	return c.JSON(toAPIYear(doc))
}
