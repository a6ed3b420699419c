package people

import (
	"onestop/portal/web"
	"onestop/services/core"
	"onestop/services/people"
	"onestop/services/policy"
	"slices"
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
	// FactSources says where each checked fact came from: the facts
	// established by a check or a roster, which the person cannot set,
	// and those still their own word.
	FactSources     []apiOwnSource         `json:"fact_sources"`
	Recommendations []apiOwnRecommendation `json:"recommendations,omitempty"`
	policy.Facts
}

// apiOwnSource is where a checked fact came from, as its owner reads it:
// by whom it was checked stays with the bureau.
type apiOwnSource struct {
	Fact     string    `json:"fact"`
	Source   string    `json:"source"` // self, verified, roster, record
	Verified bool      `json:"verified"`
	At       time.Time `json:"at,omitzero"`
	Roster   string    `json:"roster,omitempty"`
	// Lapsed: a check of the fact lapsed when the person changed it.
	Lapsed bool `json:"lapsed,omitempty"`
}

// apiOwnRecommendation is a recommendation recorded, as its person reads
// it.
type apiOwnRecommendation struct {
	Kind   string    `json:"kind"`
	What   string    `json:"what"`
	On     core.Date `json:"on"`
	Answer string    `json:"answer"`
}

func toAPIProfile(p *people.Profile) apiProfile {
	out := apiProfile{ID: p.ID, RealName: p.RealName, IDNumber: p.IDMasked, Phone: p.PhoneMasked, District: p.District,
		Education: p.Education, Skills: p.Skills, Certificates: p.Certs, Needs: p.Needs, Consents: p.Consents,
		NoticeVersion: people.NoticeVersion, UpdatedAt: p.UpdatedAt, Facts: p.Facts, FactSources: []apiOwnSource{}}
	if out.Consents == nil {
		out.Consents = []people.Consent{}
	}
	for _, key := range sourceKeys(p) {
		src := p.SourceOf(key)
		out.FactSources = append(out.FactSources, apiOwnSource{Fact: key, Source: src.Source, Verified: p.Verified(key), At: src.At,
			Roster: src.Roster, Lapsed: src.Lapsed != nil})
	}
	for _, r := range p.Recommendations {
		out.Recommendations = append(out.Recommendations, apiOwnRecommendation{Kind: r.Kind, What: r.What, On: r.On, Answer: r.Answer})
	}
	return out
}

// sourceKeys are the checked facts a profile holds a value or a source
// of, then the count of refusals: the facts whose source answers list.
func sourceKeys(p *people.Profile) []string {
	var keys []string
	for _, c := range people.CheckedFacts {
		if people.FactValue(&p.Facts, c.Key) != "" || p.SourceOf(c.Key).Source != people.SourceSelf || p.SourceOf(c.Key).Lapsed != nil {
			keys = append(keys, c.Key)
		}
	}
	if people.FactValue(&p.Facts, "training_refusals") != "" {
		keys = append(keys, "training_refusals")
	}
	// The facts an administrator defined that the profile holds a value or
	// a source of.
	var defined []string
	for name := range p.Facts.Extra {
		defined = append(defined, name)
	}
	for _, src := range p.Sources {
		if _, builtin := people.Checked(src.Fact); !builtin && src.Fact != "training_refusals" && !slices.Contains(defined, src.Fact) {
			defined = append(defined, src.Fact)
		}
	}
	slices.Sort(defined)
	return append(keys, defined...)
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
	// FactSources are where the checked facts came from, with who checked
	// them, how, and the checks that lapsed.
	FactSources     []apiSource             `json:"fact_sources"`
	Recommendations []people.Recommendation `json:"recommendations,omitempty"`
	Evidence        []people.Evidence       `json:"evidence,omitempty"`
	// GaveUpPlacement: a land-expropriated farmer who refused three
	// recommendations, which counts as giving up placement (視同放棄安置).
	GaveUpPlacement bool `json:"gave_up_placement"`
}

func (a *Handlers) apiPerson(c *fiber.Ctx) error {
	p, err := a.people.Get(c.UserContext(), web.Principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	out := apiStaffProfile{apiProfile: toAPIProfile(p), PendingVerification: p.Pending, FactSources: []apiSource{},
		Recommendations: p.Recommendations, Evidence: p.Evidence, GaveUpPlacement: p.GaveUpPlacement()}
	for _, key := range sourceKeys(p) {
		out.FactSources = append(out.FactSources, apiSource{FactSource: p.SourceOf(key), Verified: p.Verified(key)})
	}
	return c.JSON(out)
}

func (a *Handlers) apiReveal(c *fiber.Ctx) error {
	r, err := a.people.Reveal(c.UserContext(), web.Principal(c), c.Params("id"), web.Meta(c))
	if err != nil {
		return err
	}
	return c.JSON(r)
}
