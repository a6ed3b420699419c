package portal

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"onestop/services/core"
)

// apiFigures is one span's figures under one dimension value: the
// counters, and the median and 90th percentile of each distribution (the
// upper bound of the bucket holding them).
type apiFigures struct {
	From     string             `json:"from"`
	To       string             `json:"to"`
	Dim      string             `json:"dim"`
	Value    string             `json:"value"`
	Counts   map[string]int64   `json:"counts"`
	Medians  map[string]float64 `json:"medians"`
	P90      map[string]float64 `json:"p90"`
	Computed time.Time          `json:"computed_at"`
}

// apiFiguresRead answers from the rollups only: one read by _id per month.
func (a *App) apiFiguresRead(c *fiber.Ctx) error {
	now := core.DateOf(a.clock.Now()).String()[:7]
	from, to := c.Query("from", now), c.Query("to", now)
	dim, value := c.Query("dim", "all"), c.Query("value", "all")
	if dim == "all" {
		value = "all"
	}
	f, err := a.figures.Read(c.UserContext(), from, to, dim, value)
	if err != nil {
		return err
	}
	out := apiFigures{From: from, To: to, Dim: dim, Value: value, Counts: f.Counts, Medians: map[string]float64{}, P90: map[string]float64{}, Computed: a.clock.Now()}
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
