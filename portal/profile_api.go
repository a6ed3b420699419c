package portal

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/onestop"
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
	p, err := a.people.Get(c.UserContext(), principal(c), principal(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(toAPIProfile(p))
}

func (a *App) apiSaveProfile(c *fiber.Ctx) error {
	var in people.Input
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p, err := a.people.Save(c.UserContext(), principal(c), in, "api", meta(c))
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
	return people.ListQuery{Text: c.Query("q"), District: c.Query("district"), Page: pageOf(c)}
}

func (a *App) apiPeople(c *fiber.Ctx) error {
	q := peopleQuery(c)
	if sensitiveQuery(q.Text, a.clock.Now()) {
		return numberInURL() // POST /api/v1/staff/people/search takes numbers
	}
	return a.writePeople(c, q)
}

// writePeople answers a list of people, from the GET list or a posted search.
func (a *App) writePeople(c *fiber.Ctx, q people.ListQuery) error {
	rows, total, p, err := a.people.List(c.UserContext(), principal(c), q)
	if err != nil {
		return err
	}
	out := listResponse[apiPersonRow]{Items: make([]apiPersonRow, 0, len(rows)), Total: total, Page: p.Number, Size: p.Size}
	for _, r := range rows {
		out.Items = append(out.Items, apiPersonRow(r))
	}
	return c.JSON(out)
}

func (a *App) apiPerson(c *fiber.Ctx) error {
	p, err := a.people.Get(c.UserContext(), principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(toAPIProfile(p))
}

func (a *App) apiReveal(c *fiber.Ctx) error {
	r, err := a.people.Reveal(c.UserContext(), principal(c), c.Params("id"), meta(c))
	if err != nil {
		return err
	}
	return c.JSON(r)
}

type passwordConfirm struct {
	Password string `json:"password"`
}

// export is everything the portal holds about the caller (PIPL Art. 45):
// the account, the profile with their own ID number and phone in clear,
// consents, service requests and the audit events about them.
type export struct {
	ExportedAt time.Time          `json:"exported_at"`
	Account    apiUser            `json:"account"`
	Profile    *apiProfile        `json:"profile,omitempty"`
	Sensitive  *people.Revealed   `json:"sensitive,omitempty"`
	Requests   []*onestop.Request `json:"service_requests"`
	Audit      []apiAuditEvent    `json:"audit_events"`
}

func (a *App) buildExport(c *fiber.Ctx) (*export, error) {
	ctx, p := c.UserContext(), principal(c)
	u, err := a.accounts.Get(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	ex := &export{ExportedAt: a.clock.Now(), Account: toAPIUser(u), Requests: []*onestop.Request{}, Audit: []apiAuditEvent{}}
	if p.Role == accounts.Entrepreneur {
		prof, rev, err := a.people.Own(ctx, p)
		if err != nil {
			return nil, err
		}
		ap := toAPIProfile(prof)
		ex.Profile, ex.Sensitive = &ap, rev
		if ex.Requests, err = a.onestop.Mine(ctx, p); err != nil {
			return nil, err
		}
	}
	// Events the person did, and events done to their records (a reveal
	// by hotline staff, say).
	seen := map[string]bool{}
	for _, q := range []audit.Query{{ActorID: p.ID}, {Target: p.ID}} {
		for page := 1; page <= 20; page++ {
			q.Page = core.Page{Number: page, Size: 100}
			res, _, err := a.audit.Search(ctx, q)
			if err != nil {
				return nil, err
			}
			for _, h := range res.Hits {
				if !seen[h.ID] {
					seen[h.ID] = true
					ex.Audit = append(ex.Audit, auditEventOf(h))
				}
			}
			if len(res.Hits) < 100 {
				break
			}
		}
	}
	return ex, nil
}

func (a *App) apiExport(c *fiber.Ctx) error {
	var in passwordConfirm
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := a.accounts.VerifyPassword(c.UserContext(), principal(c), in.Password, meta(c)); err != nil {
		return err
	}
	ex, err := a.buildExport(c)
	if err != nil {
		return err
	}
	a.audit.Record(c.UserContext(), principal(c).Actor(meta(c)), "privacy.export", "success", principal(c).ID, "")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="my-data.json"`)
	return c.JSON(ex)
}

// deleteAccount erases the caller's personal data: the profile goes, kept
// records are pseudonymised, the account is anonymised and signed out.
func (a *App) deleteAccount(c *fiber.Ctx, password string) error {
	ctx, p := c.UserContext(), principal(c)
	if err := a.accounts.VerifyPassword(ctx, p, password, meta(c)); err != nil {
		return err
	}
	if p.Role == accounts.Entrepreneur {
		if err := a.people.Erase(ctx, p); err != nil && !core.IsCode(err, core.NotFound) {
			return err
		}
		if err := a.onestop.Pseudonymise(ctx, p.ID, accounts.Pseudonym(p.ID)); err != nil {
			return err
		}
	}
	return a.accounts.Anonymise(ctx, p, meta(c))
}

func (a *App) apiDeleteAccount(c *fiber.Ctx) error {
	var in passwordConfirm
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := a.deleteAccount(c, in.Password); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
