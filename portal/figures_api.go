package portal

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"onestop/services/core"
)

// apiFigures is one span's figures under one filter: every counter, the
// median and 90th percentile of each distribution (the upper bound of the
// bucket holding them), and the dashboard's view — its sections, tables
// and the venture cohorts.
type apiFigures struct {
	From     string             `json:"from"`
	To       string             `json:"to"`
	Dim      string             `json:"dim"`
	Value    string             `json:"value"`
	Counts   map[string]int64   `json:"counts"`
	Medians  map[string]float64 `json:"medians"`
	P90      map[string]float64 `json:"p90"`
	View     *figureView        `json:"view"`
	Computed time.Time          `json:"computed_at"`
}

// apiFiguresRead answers from the rollups only: one read by _id per month
// and dimension value.
func (a *App) apiFiguresRead(c *fiber.Ctx) error {
	q, err := parseFigureQuery(c.Query, core.DateOf(a.clock.Now()), a.reference)
	if err != nil {
		return err
	}
	f, err := a.readFigures(c.UserContext(), q)
	if err != nil {
		return err
	}
	v, err := a.figureView(c.UserContext(), lang(c), q)
	if err != nil {
		return err
	}
	out := apiFigures{From: q.From, To: q.To, Dim: q.Dim, Value: q.Value, Counts: f.Counts, Medians: map[string]float64{}, P90: map[string]float64{}, View: v, Computed: v.Computed}
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
