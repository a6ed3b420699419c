package figures

import (
	"onestop/portal/web"
	"time"

	"github.com/gofiber/fiber/v2"

	"onestop/services/core"
	"onestop/services/figures"
)

// APIFigures is one span's figures under one filter: every counter, the
// median and 90th percentile of each distribution (the upper bound of the
// bucket holding them), and the dashboard's view — its sections, tables
// and the venture cohorts.
type APIFigures struct {
	From     string             `json:"from"`
	To       string             `json:"to"`
	Dim      string             `json:"dim"`
	Value    string             `json:"value"`
	Counts   map[string]int64   `json:"counts"`
	Medians  map[string]float64 `json:"medians"`
	P90      map[string]float64 `json:"p90"`
	View     *figures.View      `json:"view"`
	Computed time.Time          `json:"computed_at"`
}

// apiFiguresRead answers from the rollups only: one read by _id per month
// and dimension value.
func (a *Handlers) apiFiguresRead(c *fiber.Ctx) error {
	q, err := a.views.Parse(c.Query, core.DateOf(a.Clock.Now()))
	if err != nil {
		return err
	}
	f, err := a.views.Read(c.UserContext(), q)
	if err != nil {
		return err
	}
	v, err := a.figureView(c.UserContext(), web.Lang(c), q)
	if err != nil {
		return err
	}
	out := APIFigures{From: q.From, To: q.To, Dim: q.Dim, Value: q.Value, Counts: f.Counts, Medians: map[string]float64{}, P90: map[string]float64{}, View: v, Computed: v.Computed}
	for name, h := range f.Hist {
		var n int64
		for _, x := range h {
			n += x
		}
		if n > 0 {
			out.Medians[name], out.P90[name] = f.Quantile(name, 0.5), f.Quantile(name, 0.9)
		}
	}
	return c.JSON(out)
}
