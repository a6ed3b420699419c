package portal

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/incubators"
	"onestop/services/reference"
)

// SmallCell is the fewest people a published figure may count: smaller
// counts (and shares over them) are withheld, so nobody can be picked out
// of an open table.
const SmallCell = 5

// openCell is a published number, or null when withheld.
type openCell = *int64

// openRow is one district's (or the city's) open figures.
type openRow struct {
	Area                string   `json:"area"`
	Name                string   `json:"name"`
	VenturesStarted     openCell `json:"ventures_started"`
	StabilityChecked    openCell `json:"stability_checked"`
	StillOperatingShare *float64 `json:"still_operating_share"`
	JobsAtCheckIns      openCell `json:"jobs_at_check_ins"`
	TrainingPassed      openCell `json:"training_passed"`
	LoansApproved       openCell `json:"loans_approved"`
	Consultations       openCell `json:"consultations"`
	Calls               openCell `json:"calls"`
}

// openData is the public, aggregate-only view of the figures. The
// check-in figures are the verified ones only (CheckIns says so): an
// official table is read as the city's, and an answer nobody checked
// (one account once reported 100,000 jobs) is not that; staff see the
// self-reported ones apart on the dashboard.
type openData struct {
	From            string    `json:"from"`
	To              string    `json:"to"`
	SuppressedBelow int       `json:"suppressed_below"`
	CheckIns        string    `json:"check_ins"` // "verified": recorded or verified by hotline staff
	Rows            []openRow `json:"rows"`
	Computed        time.Time `json:"computed_at"`
}

// cell publishes a count, or withholds one of 1 to SmallCell-1.
func cell(n int64) openCell {
	if n > 0 && n < SmallCell {
		return nil
	}
	return &n
}

// shareCell publishes a share when both its parts may be published.
func shareCell(n, of int64) *float64 {
	if of < SmallCell || (n > 0 && n < SmallCell) || (of-n > 0 && of-n < SmallCell) {
		return nil // a small remainder would reveal the few on the other side
	}
	s := float64(int64(1000*float64(n)/float64(of)+0.5)) / 10
	return &s
}

// openFigures are the last twelve months by district and for the city,
// from the rollups, with small cells withheld.
func (a *App) openFigures(ctx context.Context, l string) (*openData, error) {
	now := core.DateOf(a.clock.Now())
	out := &openData{From: now.AddMonths(-11).String()[:7], To: now.String()[:7], SuppressedBelow: SmallCell, CheckIns: "verified", Computed: a.clock.Now()}
	areas := append([]string{"all"}, a.reference.AllCodes(reference.District)...)
	for _, d := range areas {
		q := figureQuery{out.From, out.To, "district", d}
		name := a.reference.Label(reference.District, d, l)
		if d == "all" {
			q.Dim, name = "all", a.i18n.T(l, "figdim.all")
		}
		f, err := a.readFigures(ctx, q)
		if err != nil {
			return nil, err
		}
		n := f.Counts
		checked, operating, employed := n["stability_checked_verified"], n["stability_operating_verified"], n["stability_employees_verified"]
		jobs := cell(employed)
		if operating > 0 && operating < SmallCell {
			jobs = nil // a few ventures' head-counts would show one business's
		}
		out.Rows = append(out.Rows, openRow{Area: d, Name: name, VenturesStarted: cell(n["ventures_started"]), StabilityChecked: cell(checked),
			StillOperatingShare: shareCell(operating, checked), JobsAtCheckIns: jobs,
			TrainingPassed: cell(n["training_passed"]), LoansApproved: cell(n["loans_approved"]), Consultations: cell(n["consult_asked"]), Calls: cell(n["calls"])})
	}
	suppressComplements(out.Rows)
	return out, nil
}

// suppressComplements withholds a second district's cell wherever only one
// is withheld in a column: otherwise the city's total less the published
// districts gives the withheld one back.
func suppressComplements(rows []openRow) {
	columns := []func(r *openRow) *openCell{
		func(r *openRow) *openCell { return &r.VenturesStarted }, func(r *openRow) *openCell { return &r.StabilityChecked },
		func(r *openRow) *openCell { return &r.JobsAtCheckIns }, func(r *openRow) *openCell { return &r.TrainingPassed },
		func(r *openRow) *openCell { return &r.LoansApproved }, func(r *openRow) *openCell { return &r.Consultations },
		func(r *openRow) *openCell { return &r.Calls },
	}
	districts := rows[1:] // rows[0] is the city
	for _, col := range columns {
		withheld, smallest := 0, -1
		for i := range districts {
			c := *col(&districts[i])
			switch {
			case c == nil:
				withheld++
			case *c > 0 && (smallest < 0 || *c < **col(&districts[smallest])):
				smallest = i
			}
		}
		if withheld == 1 && smallest >= 0 {
			*col(&districts[smallest]) = nil
		}
	}
}

func (a *App) apiOpenData(c *fiber.Ctx) error {
	d, err := a.openFigures(c.UserContext(), lang(c))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.JSON(d)
}

func (a *App) openDataPage(c *fiber.Ctx) error {
	d, err := a.openFigures(c.UserContext(), lang(c))
	if err != nil {
		return err
	}
	return a.render(c, "pages/open_data", fiber.Map{"Title": "opendata.title", "D": d})
}

// ownFigures is the small dashboard of a base's manager or a mentor: the
// figures filed under their own bases or their own name.
type ownFigures struct {
	Name     string   `json:"name"`
	Seats    int      `json:"seats,omitempty"`
	Free     int      `json:"free_seats,omitempty"`
	Figures  []figure `json:"figures"`
	Computed string   `json:"-"`
}

// ownFigureList reads the span's figures for each base the manager runs,
// or for the mentor themself.
func (a *App) ownFigureList(ctx context.Context, me accounts.Principal, l string, q figureQuery) ([]ownFigures, error) {
	switch me.Role {
	case accounts.IncubatorManager, accounts.Admin:
		managed := a.bases.Managed
		if me.Role == accounts.Admin {
			managed = func(ctx context.Context, _ accounts.Principal) ([]*incubators.Base, error) { return a.bases.Bases(ctx) } // the bureau sees every base's
		}
		bases, err := managed(ctx, me)
		if err != nil {
			return nil, err
		}
		var out []ownFigures
		for _, b := range bases {
			f, err := a.readFigures(ctx, figureQuery{q.From, q.To, "base", b.ID})
			if err != nil {
				return nil, err
			}
			n := f.Counts
			out = append(out, ownFigures{Name: b.Name, Seats: b.Seats, Free: b.FreeSeats, Figures: []figure{
				tally("figures.match_applications", n["match_applications"]),
				a.noted(l, tally("figures.match_offers", n["match_offers"]), n["match_decided"]),
				tally("figures.match_placements", n["match_placements"]),
				quantile("figures.match_days", f, "match_days", 0.5),
			}})
		}
		return out, nil
	case accounts.Mentor:
		f, err := a.readFigures(ctx, figureQuery{q.From, q.To, "mentor", me.ID})
		if err != nil {
			return nil, err
		}
		n := f.Counts
		answer := quantile("figures.answer_minutes", f, "answer_minutes", 0.5)
		if p90 := quant(f, "answer_minutes", 0.9); p90 != "—" {
			answer.Note = a.i18n.T(l, "figures.answer_minutes.of", p90)
		}
		return []ownFigures{{Name: me.Name, Figures: []figure{
			tally("figures.consult_answered", n["consult_answered"]),
			share("figures.consult_on_time", n["consult_on_time"], n["consult_answered"]),
			answer,
			a.noted(l, figure{Key: "figures.rating", Value: ratio(n["consult_rating_sum"], n["consult_rated"]), N: n["consult_rating_sum"], Of: n["consult_rated"]}, n["consult_rated"]),
		}}}, nil
	}
	return nil, core.Errorf(core.Forbidden, "error.forbidden")
}

// ownQuery is a span of months for one's own figures (the filter is
// always oneself).
func (a *App) ownQuery(c *fiber.Ctx) (figureQuery, error) {
	now := core.DateOf(a.clock.Now())
	return parseFigureQuery(func(key string, def ...string) string {
		if key == "dim" || key == "value" || key == "filter" {
			return map[string]string{"dim": "all", "value": "", "filter": ""}[key]
		}
		return c.Query(key, def...)
	}, now, a.reference)
}

func (a *App) apiOwnFigures(c *fiber.Ctx) error {
	q, err := a.ownQuery(c)
	if err != nil {
		return err
	}
	list, err := a.ownFigureList(c.UserContext(), principal(c), lang(c), q)
	if err != nil {
		return err
	}
	if list == nil {
		list = []ownFigures{}
	}
	return c.JSON(listResponse[ownFigures]{Items: list, Total: len(list), Page: 1, Size: len(list)})
}

func (a *App) ownFiguresPage(c *fiber.Ctx) error {
	q, err := a.ownQuery(c)
	data := fiber.Map{"Title": "figures.own.title", "Query": q, "Errors": map[string]string{}}
	if err != nil {
		if fe := formErrors(err); fe != nil {
			c.Status(fiber.StatusUnprocessableEntity)
			data["Errors"] = fe
			return a.render(c, "pages/own_figures", data)
		}
		return err
	}
	list, err := a.ownFigureList(c.UserContext(), principal(c), lang(c), q)
	if err != nil {
		return err
	}
	data["List"] = list
	return a.render(c, "pages/own_figures", data)
}
