package people

import (
	"onestop/portal/web"
	"onestop/services/people"
	"onestop/services/policy"
	"time"

	"github.com/gofiber/fiber/v2"
)

// apiProfile is a profile as the API shows it: the ID number and phone
// masked, never in clear.
type apiProfile struct {
	ID            string           `json:"id"`
	RealName      string           `json:"real_name"`
	IDNumber      string           `json:"id_number_masked,omitempty"`
	Phone         string           `json:"phone_masked,omitempty"`
	District      string           `json:"district,omitempty"`
	Education     string           `json:"education,omitempty"`
	Skills        []string         `json:"skills,omitempty"`
	Certificates  []string         `json:"certificates,omitempty"`
	Needs         []string         `json:"needs,omitempty"`
	Consents      []people.Consent `json:"consents"`
	NoticeVersion string           `json:"notice_version"`
	UpdatedAt     time.Time        `json:"updated_at,omitzero"`
	policy.Facts
}

func toAPIProfile(p *people.Profile) apiProfile {
	out := apiProfile{ID: p.ID, RealName: p.RealName, IDNumber: p.IDMasked, Phone: p.PhoneMasked, District: p.District,
		Education: p.Education, Skills: p.Skills, Certificates: p.Certs, Needs: p.Needs, Consents: p.Consents,
		NoticeVersion: people.NoticeVersion, UpdatedAt: p.UpdatedAt, Facts: p.Facts}
	if out.Consents == nil {
		out.Consents = []people.Consent{}
	}
	return out
}

func (a *Handlers) apiMyProfile(c *fiber.Ctx) error {
	p, err := a.people.Get(c.UserContext(), web.Principal(c), web.Principal(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(toAPIProfile(p))
}

func (a *Handlers) apiSaveProfile(c *fiber.Ctx) error {
	var in people.Input
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	p, err := a.people.Save(c.UserContext(), web.Principal(c), in, "api", web.Meta(c))
	if err != nil {
		return err
	}
	return c.JSON(toAPIProfile(p))
}

type apiPersonRow struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	District    string    `json:"district,omitempty"`
	Stage       string    `json:"stage,omitempty"`
	IDMasked    string    `json:"id_number_masked,omitempty"`
	PhoneMasked string    `json:"phone_masked,omitempty"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func peopleQuery(c *fiber.Ctx) people.ListQuery {
	return people.ListQuery{Text: c.Query("q"), District: c.Query("district"), Page: web.PageOf(c)}
}

func (a *Handlers) apiPeople(c *fiber.Ctx) error {
	q := peopleQuery(c)
	if web.SensitiveQuery(q.Text, a.Clock.Now()) {
		return web.NumberInURL() // POST /api/v1/staff/people/search takes numbers
	}
	return a.writePeople(c, q)
}

// writePeople answers a list of people, from the GET list or a posted search.
func (a *Handlers) writePeople(c *fiber.Ctx, q people.ListQuery) error {
	rows, total, p, err := a.people.List(c.UserContext(), web.Principal(c), q)
	if err != nil {
		return err
	}
	out := web.ListResponse[apiPersonRow]{Items: make([]apiPersonRow, 0, len(rows)), Total: total, Page: p.Number, Size: p.Size}
	for _, r := range rows {
		out.Items = append(out.Items, apiPersonRow(r))
	}
	return c.JSON(out)
}

// apiStaffProfile is a profile as staff read it: what the owner sees, and
// which of its numbers await a dispute's settlement (people.Dispute) —
// something the owner is never told.
type apiStaffProfile struct {
	apiProfile
	PendingVerification []string `json:"pending_verification,omitempty"`
}

func (a *Handlers) apiPerson(c *fiber.Ctx) error {
	p, err := a.people.Get(c.UserContext(), web.Principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(apiStaffProfile{apiProfile: toAPIProfile(p), PendingVerification: p.Pending})
}

func (a *Handlers) apiReveal(c *fiber.Ctx) error {
	r, err := a.people.Reveal(c.UserContext(), web.Principal(c), c.Params("id"), web.Meta(c))
	if err != nil {
		return err
	}
	return c.JSON(r)
}
