package portal

import (
	"onestop/portal/web"
	"time"

	"github.com/gofiber/fiber/v2"

	"onestop/services/people"
	"onestop/services/policy"
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

func (a *App) apiMyProfile(c *fiber.Ctx) error {
	p, err := a.people.Get(c.UserContext(), web.Principal(c), web.Principal(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(toAPIProfile(p))
}

func (a *App) apiSaveProfile(c *fiber.Ctx) error {
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

func (a *App) apiPeople(c *fiber.Ctx) error {
	q := peopleQuery(c)
	if web.SensitiveQuery(q.Text, a.Clock.Now()) {
		return web.NumberInURL() // POST /api/v1/staff/people/search takes numbers
	}
	return a.writePeople(c, q)
}

// writePeople answers a list of people, from the GET list or a posted search.
func (a *App) writePeople(c *fiber.Ctx, q people.ListQuery) error {
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

func (a *App) apiPerson(c *fiber.Ctx) error {
	p, err := a.people.Get(c.UserContext(), web.Principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(apiStaffProfile{apiProfile: toAPIProfile(p), PendingVerification: p.Pending})
}

func (a *App) apiReveal(c *fiber.Ctx) error {
	r, err := a.people.Reveal(c.UserContext(), web.Principal(c), c.Params("id"), web.Meta(c))
	if err != nil {
		return err
	}
	return c.JSON(r)
}

type passwordConfirm struct {
	Password string `json:"password"`
}

func (a *App) apiExport(c *fiber.Ctx) error {
	var in passwordConfirm
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	if err := a.accounts.VerifyPassword(c.UserContext(), web.Principal(c), in.Password, web.Meta(c)); err != nil {
		return err
	}
	return a.sendExport(c)
}

// deleteAccount erases the caller's personal data in every area
// (rights.Erase): what is still open is withdrawn, kept records are
// pseudonymised, the account is anonymised and signed out. done is false
// when a step failed after the erasure began: it is under way, and the
// rights worker finishes it.
func (a *App) deleteAccount(c *fiber.Ctx, password string) (done bool, err error) {
	if err := a.accounts.VerifyPassword(c.UserContext(), web.Principal(c), password, web.Meta(c)); err != nil {
		return false, err
	}
	return a.rights.Erase(c.UserContext(), web.Principal(c).Actor(web.Meta(c)))
}

// erasureUnderWay answers a deletion that began but did not finish at
// once: 202, and the worker completes it.
type erasureUnderWay struct {
	Status  string `json:"status"` // "under_way"
	Message string `json:"message"`
}

func (a *App) apiDeleteAccount(c *fiber.Ctx) error {
	var in passwordConfirm
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	done, err := a.deleteAccount(c, in.Password)
	if err != nil {
		return err
	}
	if !done {
		return c.Status(fiber.StatusAccepted).JSON(erasureUnderWay{Status: "under_way", Message: a.I18n.T(web.Lang(c), "account.deletion_under_way")})
	}
	return c.SendStatus(fiber.StatusNoContent)
}
