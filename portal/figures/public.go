package figures

import (
	"context"
	"onestop/portal/web"

	"github.com/gofiber/fiber/v2"

	"onestop/services/accounts"
	"onestop/services/bases"
	"onestop/services/core"
	"onestop/services/figures"
)

func (a *Handlers) apiOpenData(c *fiber.Ctx) error {
	d, err := a.openFigures(c.UserContext(), web.Lang(c))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.JSON(d)
}

func (a *Handlers) openDataPage(c *fiber.Ctx) error {
	d, err := a.openFigures(c.UserContext(), web.Lang(c))
	if err != nil {
		return err
	}
	return a.Render(c, "pages/open_data", fiber.Map{"Title": "opendata.title", "D": d})
}

// OwnFigures is the small dashboard of a base's manager or a mentor: the
// figures filed under their own bases or their own name.
type OwnFigures struct {
	Name     string           `json:"name"`
	Seats    int              `json:"seats,omitempty"`
	Free     int              `json:"free_seats,omitempty"`
	Figures  []figures.Figure `json:"figures"`
	Computed string           `json:"-"`
}

// ownFigureList reads the span's figures for each base the manager runs,
// or for the mentor themself.
func (a *Handlers) ownFigureList(ctx context.Context, me accounts.Principal, l string, q figures.Query) ([]OwnFigures, error) {
	switch me.Role {
	case accounts.IncubatorManager, accounts.Admin:
		managed := a.bases.Managed
		if me.Role == accounts.Admin {
			managed = func(ctx context.Context, _ accounts.Principal) ([]*bases.Base, error) { return a.bases.Bases(ctx) } // the bureau sees every base's
		}
		mine, err := managed(ctx, me)
		if err != nil {
			return nil, err
		}
		var out []OwnFigures
		for _, b := range mine {
			fs, err := a.views.BaseFigures(ctx, q, b.ID)
			if err != nil {
				return nil, err
			}
			a.localizeFigures(l, fs)
			out = append(out, OwnFigures{Name: b.Name, Seats: b.Seats, Free: b.FreeSeats, Figures: fs})
		}
		return out, nil
	case accounts.Mentor:
		fs, err := a.views.MentorFigures(ctx, q, me.ID)
		if err != nil {
			return nil, err
		}
		a.localizeFigures(l, fs)
		return []OwnFigures{{Name: me.Name, Figures: fs}}, nil
	}
	return nil, core.Errorf(core.Forbidden, "error.forbidden")
}

// ownQuery is a span of months for one's own figures (the filter is
// always oneself).
func (a *Handlers) ownQuery(c *fiber.Ctx) (figures.Query, error) {
	now := core.DateOf(a.Clock.Now())
	return a.views.Parse(func(key string, def ...string) string {
		if key == "dim" || key == "value" || key == "filter" {
			return map[string]string{"dim": "all", "value": "", "filter": ""}[key]
		}
		return c.Query(key, def...)
	}, now)
}

func (a *Handlers) apiOwnFigures(c *fiber.Ctx) error {
	q, err := a.ownQuery(c)
	if err != nil {
		return err
	}
	list, err := a.ownFigureList(c.UserContext(), web.Principal(c), web.Lang(c), q)
	if err != nil {
		return err
	}
	if list == nil {
		list = []OwnFigures{}
	}
	return c.JSON(web.ListResponse[OwnFigures]{Items: list, Total: len(list), Page: 1, Size: len(list)})
}

func (a *Handlers) ownFiguresPage(c *fiber.Ctx) error {
	q, err := a.ownQuery(c)
	data := fiber.Map{"Title": "figures.own.title", "Query": q, "Errors": map[string]string{}}
	if err != nil {
		if fe := web.FormErrors(err); fe != nil {
			c.Status(fiber.StatusUnprocessableEntity)
			data["Errors"] = fe
			return a.Render(c, "pages/own_figures", data)
		}
		return err
	}
	list, err := a.ownFigureList(c.UserContext(), web.Principal(c), web.Lang(c), q)
	if err != nil {
		return err
	}
	data["List"] = list
	return a.Render(c, "pages/own_figures", data)
}
