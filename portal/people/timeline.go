package people

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"onestop/portal/i18n"
	"onestop/portal/web"
	"onestop/services/timeline"
)

// TimelineRow is one entry of a person's timeline as the page shows it.
type TimelineRow struct {
	At                   time.Time
	Kind, Detail, Status string
	Path                 string // the record's page; empty when staff have none for it
}

// timelineLabels are, by kind, the catalog prefixes of a record's detail
// (empty: the detail is text people wrote) and status, and its page.
var timelineLabels = map[string]struct{ detail, status, path string }{
	"call":         {"calltopic.", "", ""},
	"complaint":    {"", "cpstatus.", "/complaints/"},
	"case":         {"outcome.", "casestatus.", "/cases/"},
	"service":      {"service.", "req.", "/services/"},
	"consultation": {"topic.", "cstatus.", "/consultations/"},
	"loan":         {"", "lstatus.", "/loans/"}, // the detail is the policy's id: named below
	"application":  {"", "app.", ""},
	"enrolment":    {"tkind.", "estatus.", ""},
}

// timelineRows labels a person's timeline in the reader's language.
func (a *Handlers) timelineRows(c *fiber.Ctx, entries []timeline.Entry) []TimelineRow {
	l := web.Lang(c)
	out := make([]TimelineRow, 0, len(entries))
	for _, e := range entries {
		lab := timelineLabels[e.Kind]
		r := TimelineRow{At: e.At, Kind: a.I18n.T(l, "timeline.kind."+e.Kind), Detail: i18n.Content(l, e.Detail)}
		if lab.detail != "" && e.Detail != "" {
			r.Detail = a.I18n.T(l, lab.detail+e.Detail)
		}
		if e.Kind == "loan" {
			if p, err := a.policies.Get(c.UserContext(), e.Detail); err == nil {
				r.Detail = i18n.Content(l, p.Name.In(l))
			}
		}
		if lab.status != "" && e.Status != "" {
			r.Status = a.I18n.T(l, lab.status+e.Status)
		}
		if lab.path != "" {
			r.Path = lab.path + e.ID
		}
		out = append(out, r)
	}
	return out
}
