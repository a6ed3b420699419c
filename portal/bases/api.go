package bases

import (
	"context"
	"onestop/portal/web"
	"onestop/services/accounts"
	"onestop/services/bases"
	"onestop/services/matching"
	"time"

	"github.com/gofiber/fiber/v2"
)

// personFor describes a person to the matching scorer from their profile:
// venture industry and stage, district, target groups and needs.
func (a *Handlers) personFor(ctx context.Context, id string) matching.Person {
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

func baseFilter(c *fiber.Ctx) bases.Filter {
	return bases.Filter{District: c.Query("district"), Industry: c.Query("industry"), Level: c.Query("level"),
		Group: c.Query("target_group"), FreeOnly: c.Query("free") == "1"}
}

func (a *Handlers) apiBases(c *fiber.Ctx) error {
	list, err := a.bases.Directory(c.UserContext(), baseFilter(c))
	if err != nil {
		return err
	}
	out := web.ListResponse[*bases.Base]{Items: list, Total: len(list), Page: 1, Size: len(list)}
	if out.Items == nil {
		out.Items = []*bases.Base{}
	}
	return c.JSON(out)
}

func (a *Handlers) apiBase(c *fiber.Ctx) error {
	b, err := a.bases.Base(c.UserContext(), web.Principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(b)
}

func (a *Handlers) apiCreateBase(c *fiber.Ctx) error {
	var in bases.BaseInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	b, err := a.bases.CreateBase(c.UserContext(), web.Principal(c), in, web.Meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(b)
}

func (a *Handlers) apiUpdateBase(c *fiber.Ctx) error {
	var in bases.BaseInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	b, err := a.bases.UpdateBase(c.UserContext(), web.Principal(c), c.Params("id"), in, web.Meta(c))
	if err != nil {
		return err
	}
	return c.JSON(b)
}

func (a *Handlers) apiEditBase(c *fiber.Ctx) error {
	var in bases.BasePatch
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	b, err := a.bases.EditBase(c.UserContext(), web.Principal(c), c.Params("id"), in, web.Meta(c))
	if err != nil {
		return err
	}
	return c.JSON(b)
}

func (a *Handlers) apiBaseStatus(c *fiber.Ctx) error {
	var in web.StatusRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	if err := a.bases.SetStatus(c.UserContext(), web.Principal(c), c.Params("id"), in.Status, web.Meta(c)); err != nil {
		return err
	}
	return a.apiBase(c)
}

type managersRequest struct {
	ManagerIDs []string `json:"manager_ids"`
}

func (a *Handlers) apiBaseManagers(c *fiber.Ctx) error {
	var in managersRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	if err := a.bases.SetManagers(c.UserContext(), web.Principal(c), c.Params("id"), in.ManagerIDs, web.Meta(c)); err != nil {
		return err
	}
	return a.apiBase(c)
}

type apiRankedBase struct {
	Base  *bases.Base    `json:"base"`
	Score matching.Score `json:"score"`
	Why   []string       `json:"why"`
}

func (a *Handlers) rankedForMe(c *fiber.Ctx) ([]apiRankedBase, matching.Person, error) {
	me := a.personFor(c.UserContext(), web.Principal(c).ID)
	ranked, err := a.bases.ForPerson(c.UserContext(), me)
	if err != nil {
		return nil, me, err
	}
	out := make([]apiRankedBase, len(ranked))
	for i, r := range ranked {
		out[i] = apiRankedBase{Base: r.Base, Score: r.Score, Why: a.ExplainScore(web.Lang(c), r.Score)}
	}
	return out, me, nil
}

func (a *Handlers) apiBasesForMe(c *fiber.Ctx) error {
	out, _, err := a.rankedForMe(c)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": out, "total": len(out)})
}

type applyRequest struct {
	Choices []string `json:"choices"`
	Venture string   `json:"venture"`
}

// APIApplication is an application to a base, with its history.
type APIApplication struct {
	ID        string     `json:"id"`
	IntakeID  string     `json:"intake_id"`
	Applicant string     `json:"applicant_name"`
	BaseID    string     `json:"base_id"`
	BaseName  string     `json:"base_name"`
	Rank      int        `json:"rank"`
	Venture   string     `json:"venture"`
	Status    string     `json:"status"`
	Reason    string     `json:"reason,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	History   []web.Step `json:"history"`
}

func toAPIApplication(x *bases.Application) APIApplication {
	out := APIApplication{ID: x.ID, IntakeID: x.IntakeID, Applicant: x.ApplicantName, BaseID: x.BaseID, BaseName: x.BaseName,
		Rank: x.Rank, Venture: x.Venture, Status: x.Status, Reason: x.Reason, CreatedAt: x.CreatedAt, History: []web.Step{}}
	for _, s := range x.History {
		out.History = append(out.History, web.Step{At: s.At, ActorName: s.ActorName, Action: s.Action, To: s.To, Note: s.Note})
	}
	return out
}

func toAPIApplications(list []*bases.Application) web.ListResponse[APIApplication] {
	out := web.ListResponse[APIApplication]{Items: make([]APIApplication, 0, len(list)), Total: len(list), Page: 1, Size: len(list)}
	for _, x := range list {
		out.Items = append(out.Items, toAPIApplication(x))
	}
	return out
}

func (a *Handlers) apiApply(c *fiber.Ctx) error {
	var in applyRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	apps, err := a.bases.Apply(c.UserContext(), web.Principal(c), in.Choices, in.Venture, web.Meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toAPIApplications(apps))
}

func (a *Handlers) apiMyApplications(c *fiber.Ctx) error {
	list, err := a.bases.Mine(c.UserContext(), web.Principal(c), web.PageOf(c))
	if err != nil {
		return err
	}
	return c.JSON(toAPIApplications(list))
}

func (a *Handlers) apiApplication(c *fiber.Ctx) error {
	x, _, err := a.bases.Application(c.UserContext(), web.Principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(toAPIApplication(x))
}

type reasonRequest struct {
	Reason string `json:"reason"`
}

func (a *Handlers) apiApplicationStep(action string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in reasonRequest
		if len(c.Body()) > 0 {
			if err := web.DecodeJSON(c, &in); err != nil {
				return err
			}
		}
		x, err := a.bases.Act(c.UserContext(), web.Principal(c), c.Params("id"), action, in.Reason, web.Meta(c))
		if err != nil {
			return err
		}
		return c.JSON(toAPIApplication(x))
	}
}

func (a *Handlers) apiManagedBases(c *fiber.Ctx) error {
	list, err := a.bases.Managed(c.UserContext(), web.Principal(c))
	if err != nil {
		return err
	}
	return c.JSON(web.ListResponse[*bases.Base]{Items: append([]*bases.Base{}, list...), Total: len(list), Page: 1, Size: len(list)})
}

func (a *Handlers) apiBaseApplications(c *fiber.Ctx) error {
	list, err := a.bases.ForBase(c.UserContext(), web.Principal(c), c.Params("id"), c.Query("status"), web.PageOf(c))
	if err != nil {
		return err
	}
	return c.JSON(toAPIApplications(list))
}

type intakeRequest struct {
	Name string `json:"name"`
}

func (a *Handlers) apiOpenIntake(c *fiber.Ctx) error {
	var in intakeRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	it, err := a.bases.OpenIntake(c.UserContext(), web.Principal(c), in.Name, web.Meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(it)
}

func (a *Handlers) apiIntakes(c *fiber.Ctx) error {
	list, err := a.bases.Intakes(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(web.ListResponse[*bases.Intake]{Items: append([]*bases.Intake{}, list...), Total: len(list), Page: 1, Size: len(list)})
}

func (a *Handlers) apiAssignment(commit bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var pv *bases.Preview
		var err error
		if commit {
			pv, err = a.bases.CommitAssignment(c.UserContext(), web.Principal(c), c.Params("id"), a.personFor, web.Meta(c))
		} else {
			pv, _, _, err = a.bases.PreviewAssignment(c.UserContext(), web.Principal(c), c.Params("id"), a.personFor)
		}
		if err != nil {
			return err
		}
		return c.JSON(pv)
	}
}
