package portal

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/incubators"
	"onestop/services/matching"
	"onestop/services/reference"
)

// personFor describes a person to the matching scorer from their profile:
// venture industry and stage, district, target groups and needs.
func (a *App) personFor(ctx context.Context, id string) matching.Person {
	p, err := a.people.Get(ctx, accounts.Principal{ID: "system", Role: accounts.Admin}, id)
	if err != nil {
		return matching.Person{}
	}
	out := matching.Person{District: p.District, Groups: p.Facts.TargetGroups, Needs: p.Needs}
	if v := p.Facts.Venture; v != nil {
		out.Industry, out.Stage = v.Industry, v.Stage
	}
	return out
}

func baseFilter(c *fiber.Ctx) incubators.Filter {
	return incubators.Filter{District: c.Query("district"), Industry: c.Query("industry"), Level: c.Query("level"),
		Group: c.Query("target_group"), FreeOnly: c.Query("free") == "1"}
}

func (a *App) apiBases(c *fiber.Ctx) error {
	list, err := a.bases.Directory(c.UserContext(), baseFilter(c))
	if err != nil {
		return err
	}
	out := listResponse[*incubators.Base]{Items: list, Total: len(list), Page: 1, Size: len(list)}
	if out.Items == nil {
		out.Items = []*incubators.Base{}
	}
	return c.JSON(out)
}

func (a *App) apiBase(c *fiber.Ctx) error {
	b, err := a.bases.Base(c.UserContext(), principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(b)
}

func (a *App) apiCreateBase(c *fiber.Ctx) error {
	var in incubators.BaseInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	b, err := a.bases.CreateBase(c.UserContext(), principal(c), in, meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(b)
}

func (a *App) apiUpdateBase(c *fiber.Ctx) error {
	var in incubators.BaseInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	b, err := a.bases.UpdateBase(c.UserContext(), principal(c), c.Params("id"), in, meta(c))
	if err != nil {
		return err
	}
	return c.JSON(b)
}

type baseStatusRequest struct {
	Status string `json:"status"`
}

func (a *App) apiBaseStatus(c *fiber.Ctx) error {
	var in baseStatusRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := a.bases.SetStatus(c.UserContext(), principal(c), c.Params("id"), in.Status, meta(c)); err != nil {
		return err
	}
	return a.apiBase(c)
}

type managersRequest struct {
	ManagerIDs []string `json:"manager_ids"`
}

func (a *App) apiBaseManagers(c *fiber.Ctx) error {
	var in managersRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := a.bases.SetManagers(c.UserContext(), principal(c), c.Params("id"), in.ManagerIDs, meta(c)); err != nil {
		return err
	}
	return a.apiBase(c)
}

type apiRankedBase struct {
	Base  *incubators.Base `json:"base"`
	Score matching.Score   `json:"score"`
	Why   []string         `json:"why"`
}

// explainScore renders a score's parts in the user's language:
// "行業：科技型 +30", "沒有空餘工位（排除）".
func (a *App) explainScore(l string, s matching.Score) []string {
	out := make([]string, 0, len(s.Parts))
	for _, p := range s.Parts {
		value := p.Value
		switch p.Key {
		case "match.industry", "match.industry.other":
			if value != "" {
				value = a.reference.Label(reference.Industry, value, l)
			}
		case "match.district", "match.district.other":
			if value != "" {
				value = a.reference.Label(reference.District, value, l)
			}
		case "match.group":
			value = a.i18n.T(l, "group."+value)
		case "match.stage", "match.stage.not_accepted":
			if value != "" {
				value = a.i18n.T(l, "stage."+value)
			}
		case "match.need":
			value = a.i18n.T(l, "need."+value)
		case "match.mentor.topic", "match.mentor.no_expertise":
			value = a.i18n.T(l, "topic."+value)
		case "match.mentor.industry":
			value = a.reference.Label(reference.Industry, value, l)
		case "match.mentor.language":
			value = a.i18n.T(l, "mlang."+value)
		}
		text := a.i18n.T(l, p.Key, value)
		if p.Excludes {
			out = append(out, a.i18n.T(l, "match.excluded", text))
		} else {
			out = append(out, a.i18n.T(l, "match.points", text, p.Points))
		}
	}
	return out
}

func (a *App) rankedForMe(c *fiber.Ctx) ([]apiRankedBase, error) {
	ranked, err := a.bases.ForPerson(c.UserContext(), a.personFor(c.UserContext(), principal(c).ID))
	if err != nil {
		return nil, err
	}
	out := make([]apiRankedBase, len(ranked))
	for i, r := range ranked {
		out[i] = apiRankedBase{Base: r.Base, Score: r.Score, Why: a.explainScore(lang(c), r.Score)}
	}
	return out, nil
}

func (a *App) apiBasesForMe(c *fiber.Ctx) error {
	out, err := a.rankedForMe(c)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": out, "total": len(out)})
}

type applyRequest struct {
	Choices []string `json:"choices"`
	Venture string   `json:"venture"`
}

type apiApplication struct {
	ID        string    `json:"id"`
	IntakeID  string    `json:"intake_id"`
	Applicant string    `json:"applicant_name"`
	BaseID    string    `json:"base_id"`
	BaseName  string    `json:"base_name"`
	Rank      int       `json:"rank"`
	Venture   string    `json:"venture"`
	Status    string    `json:"status"`
	Reason    string    `json:"reason,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	History   []apiStep `json:"history"`
}

func toAPIApplication(x *incubators.Application) apiApplication {
	out := apiApplication{ID: x.ID, IntakeID: x.IntakeID, Applicant: x.ApplicantName, BaseID: x.BaseID, BaseName: x.BaseName,
		Rank: x.Rank, Venture: x.Venture, Status: x.Status, Reason: x.Reason, CreatedAt: x.CreatedAt, History: []apiStep{}}
	for _, s := range x.History {
		out.History = append(out.History, apiStep{At: s.At, ActorName: s.ActorName, Action: s.Action, To: s.To, Note: s.Note})
	}
	return out
}

func toAPIApplications(list []*incubators.Application) listResponse[apiApplication] {
	out := listResponse[apiApplication]{Items: make([]apiApplication, 0, len(list)), Total: len(list), Page: 1, Size: len(list)}
	for _, x := range list {
		out.Items = append(out.Items, toAPIApplication(x))
	}
	return out
}

func (a *App) apiApply(c *fiber.Ctx) error {
	var in applyRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	apps, err := a.bases.Apply(c.UserContext(), principal(c), in.Choices, in.Venture, meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toAPIApplications(apps))
}

func (a *App) apiMyApplications(c *fiber.Ctx) error {
	list, err := a.bases.Mine(c.UserContext(), principal(c), pageOf(c))
	if err != nil {
		return err
	}
	return c.JSON(toAPIApplications(list))
}

func (a *App) apiApplication(c *fiber.Ctx) error {
	x, _, err := a.bases.Application(c.UserContext(), principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(toAPIApplication(x))
}

type reasonRequest struct {
	Reason string `json:"reason"`
}

func (a *App) apiApplicationStep(action string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in reasonRequest
		if len(c.Body()) > 0 {
			if err := decodeJSON(c, &in); err != nil {
				return err
			}
		}
		x, err := a.bases.Act(c.UserContext(), principal(c), c.Params("id"), action, in.Reason, meta(c))
		if err != nil {
			return err
		}
		return c.JSON(toAPIApplication(x))
	}
}

func (a *App) apiManagedBases(c *fiber.Ctx) error {
	list, err := a.bases.Managed(c.UserContext(), principal(c))
	if err != nil {
		return err
	}
	return c.JSON(listResponse[*incubators.Base]{Items: append([]*incubators.Base{}, list...), Total: len(list), Page: 1, Size: len(list)})
}

func (a *App) apiBaseApplications(c *fiber.Ctx) error {
	list, err := a.bases.ForBase(c.UserContext(), principal(c), c.Params("id"), c.Query("status"), pageOf(c))
	if err != nil {
		return err
	}
	return c.JSON(toAPIApplications(list))
}

type intakeRequest struct {
	Name string `json:"name"`
}

func (a *App) apiOpenIntake(c *fiber.Ctx) error {
	var in intakeRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	it, err := a.bases.OpenIntake(c.UserContext(), principal(c), in.Name, meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(it)
}

func (a *App) apiIntakes(c *fiber.Ctx) error {
	list, err := a.bases.Intakes(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(listResponse[*incubators.Intake]{Items: append([]*incubators.Intake{}, list...), Total: len(list), Page: 1, Size: len(list)})
}

func (a *App) apiAssignment(commit bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var pv *incubators.Preview
		var err error
		if commit {
			pv, err = a.bases.CommitAssignment(c.UserContext(), principal(c), c.Params("id"), a.personFor, meta(c))
		} else {
			pv, _, _, err = a.bases.PreviewAssignment(c.UserContext(), principal(c), c.Params("id"), a.personFor)
		}
		if err != nil {
			return err
		}
		return c.JSON(pv)
	}
}

type apiNotification struct {
	Text string    `json:"text"`
	Link string    `json:"link,omitempty"`
	At   time.Time `json:"at"`
}

func (a *App) notifications(c *fiber.Ctx) ([]apiNotification, int, core.Page, error) {
	p := pageOf(c)
	list, total, err := a.notify.List(c.UserContext(), principal(c).ID, p)
	if err != nil {
		return nil, 0, p, err
	}
	out := make([]apiNotification, 0, len(list))
	for _, n := range list {
		out = append(out, apiNotification{Text: a.i18n.T(lang(c), n.Key, n.Arg), Link: n.Link, At: n.At})
	}
	return out, total, p, nil
}

type apiUnread struct {
	Unread int `json:"unread"`
}

func (a *App) apiUnread(c *fiber.Ctx) error {
	n, err := a.notify.Unread(c.UserContext(), principal(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(apiUnread{Unread: n})
}

func (a *App) apiMarkRead(c *fiber.Ctx) error {
	if err := a.notify.MarkRead(c.UserContext(), principal(c).ID); err != nil {
		return err
	}
	return c.JSON(apiUnread{Unread: 0})
}

func (a *App) apiNotifications(c *fiber.Ctx) error {
	list, total, p, err := a.notifications(c)
	if err != nil {
		return err
	}
	return c.JSON(listResponse[apiNotification]{Items: list, Total: total, Page: p.Number, Size: p.Size})
}
