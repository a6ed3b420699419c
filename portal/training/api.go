package training

import (
	"context"
	"onestop/portal/web"
	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/training"
	"time"

	"github.com/gofiber/fiber/v2"
)

// APICourseRow is a course in a list.
type APICourseRow struct {
	ID           string    `json:"id"`
	Title        string    `json:"title"`
	ProviderName string    `json:"provider_name"`
	Kind         string    `json:"kind"`
	Status       string    `json:"status"`
	District     string    `json:"district,omitempty"`
	Online       bool      `json:"online"`
	FeeYuan      int64     `json:"fee_yuan"`
	SubsidyYuan  int64     `json:"subsidy_yuan"`
	SeatsLeft    int       `json:"seats_left"`
	StartsAt     time.Time `json:"starts_at"`
}

// CourseRow is a course of the catalogue's search index as a list row.
func CourseRow(h search.Hit) APICourseRow {
	return APICourseRow{ID: h.ID, Title: h.String("title"), ProviderName: h.String("provider_name"), Kind: h.String("kind"), Status: h.String("status"),
		District: h.String("district"), Online: h.String("online") == "yes", FeeYuan: int64(h.Number("fee")), SubsidyYuan: int64(h.Number("subsidy")),
		SeatsLeft: int(h.Number("seats_left")), StartsAt: h.Time("starts_at")}
}

func courseQuery(c *fiber.Ctx) training.CatalogueQuery {
	return training.CatalogueQuery{Text: c.Query("q"), Kind: c.Query("kind"), District: c.Query("district"), TargetGroup: c.Query("target_group"), Page: web.PageOf(c)}
}

type enrolRequest struct {
	// PersonID is set when hotline staff enrol a caller with an account.
	PersonID string `json:"person_id,omitempty"`
}

type attendanceRequest struct {
	SessionID string   `json:"session_id"`
	Present   []string `json:"present"`
}

type rosterResponse struct {
	Course     *training.Course      `json:"course"`
	Enrolments []*training.Enrolment `json:"enrolments"`
}

type listedRequest struct {
	Listed bool `json:"listed"`
}

type reviewRequest struct {
	Action string `json:"action"`
	Note   string `json:"note,omitempty"`
}

type apiProviderStat struct {
	ID             string  `json:"id"`
	Name           string  `json:"name"`
	Listed         bool    `json:"listed"`
	Courses        int     `json:"courses"`
	Enrolled       int     `json:"enrolled"`
	Passed         int     `json:"passed"`
	NotPassed      int     `json:"not_passed"`
	CompletionRate float64 `json:"completion_rate"`
	Complaints     int     `json:"complaints"` // -1 while the search engine cannot count them
	ClaimedYuan    int64   `json:"claimed_yuan"`
	PaidYuan       int64   `json:"paid_yuan"`
}

func (a *Handlers) apiCourses(c *fiber.Ctx) error {
	r, p, err := a.training.Catalogue(c.UserContext(), courseQuery(c))
	if err != nil {
		return err
	}
	out := web.ListResponse[APICourseRow]{Items: []APICourseRow{}, Total: r.Total, Page: p.Number, Size: p.Size}
	for _, h := range r.Hits {
		out.Items = append(out.Items, CourseRow(h))
	}
	return c.JSON(out)
}

func (a *Handlers) apiCourse(c *fiber.Ctx) error {
	x, err := a.training.Course(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(x)
}

func (a *Handlers) apiCreateCourse(c *fiber.Ctx) error {
	var in training.NewCourse
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	x, err := a.training.CreateCourse(c.UserContext(), web.Principal(c), in, web.Meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(x)
}

func (a *Handlers) apiEnrol(c *fiber.Ctx) error {
	var in enrolRequest
	if len(c.Body()) > 0 {
		if err := web.DecodeJSON(c, &in); err != nil {
			return err
		}
	}
	e, err := a.training.Enrol(c.UserContext(), web.Principal(c), c.Params("id"), in.PersonID, web.Meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(e)
}

func (a *Handlers) apiWithdraw(c *fiber.Ctx) error {
	if err := a.training.Withdraw(c.UserContext(), web.Principal(c), c.Params("id"), web.Meta(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (a *Handlers) apiMyTrainings(c *fiber.Ctx) error {
	list, err := a.training.Mine(c.UserContext(), web.Principal(c))
	if err != nil {
		return err
	}
	out := web.ListResponse[*training.Enrolment]{Items: list, Total: len(list), Page: 1, Size: len(list)}
	if out.Items == nil {
		out.Items = []*training.Enrolment{}
	}
	return c.JSON(out)
}

func (a *Handlers) apiCertificate(c *fiber.Ctx) error {
	cert, err := a.training.Verify(c.UserContext(), c.Params("code"))
	if err != nil {
		return err
	}
	return c.JSON(cert)
}

func (a *Handlers) apiRoster(c *fiber.Ctx) error {
	x, list, err := a.training.Roster(c.UserContext(), web.Principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	if list == nil {
		list = []*training.Enrolment{}
	}
	return c.JSON(rosterResponse{Course: x, Enrolments: list})
}

func (a *Handlers) apiAttendance(c *fiber.Ctx) error {
	var in attendanceRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	if err := a.training.RecordAttendance(c.UserContext(), web.Principal(c), c.Params("id"), in.SessionID, in.Present, web.Meta(c)); err != nil {
		return err
	}
	return a.apiRoster(c)
}

func (a *Handlers) apiCompleteCourse(c *fiber.Ctx) error {
	out, err := a.training.Complete(c.UserContext(), web.Principal(c), c.Params("id"), web.Meta(c))
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (a *Handlers) apiCreateClaim(c *fiber.Ctx) error {
	cl, err := a.training.CreateClaim(c.UserContext(), web.Principal(c), c.Params("id"), web.Meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(cl)
}

func (a *Handlers) apiClaims(c *fiber.Ctx) error {
	list, err := a.training.Claims(c.UserContext(), web.Principal(c))
	if err != nil {
		return err
	}
	if list == nil {
		list = []*training.Claim{}
	}
	return c.JSON(web.ListResponse[*training.Claim]{Items: list, Total: len(list), Page: 1, Size: len(list)})
}

func (a *Handlers) apiReviewClaim(c *fiber.Ctx) error {
	var in reviewRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	cl, err := a.training.ReviewClaim(c.UserContext(), web.Principal(c), c.Params("id"), in.Action, in.Note, web.Meta(c))
	if err != nil {
		return err
	}
	return c.JSON(cl)
}

func (a *Handlers) apiSetListed(c *fiber.Ctx) error {
	var in listedRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	p, err := a.training.SetListed(c.UserContext(), web.Principal(c), c.Params("id"), in.Listed, web.Meta(c))
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (a *Handlers) apiProviders(c *fiber.Ctx) error {
	stats, err := a.ProviderStats(c.UserContext(), web.Principal(c))
	if err != nil {
		return err
	}
	out := web.ListResponse[apiProviderStat]{Items: []apiProviderStat{}, Total: len(stats), Page: 1, Size: len(stats)}
	for _, s := range stats {
		out.Items = append(out.Items, apiProviderStat{ID: s.Provider.ID, Name: s.Provider.Name, Listed: s.Provider.Listed, Courses: s.Courses,
			Enrolled: s.Enrolled, Passed: s.Passed, NotPassed: s.Failed, CompletionRate: s.CompletionRate, ClaimedYuan: s.ClaimedYuan, PaidYuan: s.PaidYuan, Complaints: s.Complaints})
	}
	return c.JSON(out)
}

// ProviderStats is each provider's record for the bureau, with the
// complaints about it from the hotline's.
func (a *Handlers) ProviderStats(ctx context.Context, me accounts.Principal) ([]training.ProviderStat, error) {
	stats, err := a.training.Stats(ctx, me)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(stats))
	for i, s := range stats {
		ids[i] = s.Provider.ID
	}
	about, err := a.hotline.ComplaintsAbout(ctx, "provider", ids)
	for i := range stats {
		stats[i].Complaints = about[stats[i].Provider.ID]
		if err != nil {
			stats[i].Complaints = -1 // unknown while search is away; the rest stands
		}
	}
	if err != nil {
		a.Log.WarnContext(ctx, "complaints about providers", "err", err)
	}
	return stats, nil
}
