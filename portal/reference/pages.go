package reference

import (
	"errors"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"onestop/portal/web"
	"onestop/services/core"
	"onestop/services/reference"
)

// refKind is the list a route names; an unknown one is not found.
func refKind(c *fiber.Ctx) (reference.Kind, error) {
	k := reference.Kind(c.Params("kind"))
	if !slices.Contains(reference.Kinds, k) {
		return "", core.Errorf(core.NotFound, "error.not_found")
	}
	return k, nil
}

// Pages: the administrators' editor of the reference lists.

func (a *Handlers) adminReferencePage(c *fiber.Ctx) error {
	return a.renderReference(c, fiber.Map{}, map[string]string{})
}

func (a *Handlers) renderReference(c *fiber.Ctx, form fiber.Map, errs map[string]string) error {
	lists := make([]*reference.List, 0, len(reference.Kinds))
	for _, k := range reference.Kinds {
		l, err := a.Lists.Get(k)
		if err != nil {
			return err
		}
		lists = append(lists, l)
	}
	return a.Render(c, "pages/admin_reference", fiber.Map{"Title": "admin.reference.title", "Lists": lists,
		"Languages": reference.Languages, "Form": form, "Errors": errs})
}

// labelsForm reads the labels of an entry's form (label.zh-Hant …).
func labelsForm(c *fiber.Ctx) reference.Labels {
	out := reference.Labels{}
	for _, l := range reference.Languages {
		out[l] = c.FormValue("label." + l)
	}
	return out
}

func (a *Handlers) adminReferenceAdd(c *fiber.Ctx) error {
	kind, err := refKind(c)
	if err != nil {
		return err
	}
	e := reference.Entry{Code: strings.TrimSpace(c.FormValue("code")), Labels: labelsForm(c)}
	if err := a.Lists.Add(c.UserContext(), web.Principal(c), kind, e, web.Meta(c)); err != nil {
		var ce *core.Error
		if !errors.As(err, &ce) || (ce.Code != core.Invalid && ce.Code != core.Conflict) || ce.Fields == nil {
			return err
		}
		c.Status(fiber.StatusUnprocessableEntity)
		form := fiber.Map{"kind": string(kind), "code": e.Code}
		for l, s := range e.Labels {
			form["label."+l] = s
		}
		return a.renderReference(c, form, ce.Fields)
	}
	web.Flash(c, "admin.reference.added")
	return c.Redirect("/admin/reference#"+string(kind), fiber.StatusSeeOther)
}

// adminReferenceEdit runs one edit of an entry from its row: new labels,
// retire or reactivate, move up or down.
func (a *Handlers) adminReferenceEdit(step string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		kind, err := refKind(c)
		if err != nil {
			return err
		}
		ctx, p, code := c.UserContext(), web.Principal(c), c.Params("code")
		switch step {
		case "labels":
			err = a.Lists.Relabel(ctx, p, kind, code, labelsForm(c), web.Meta(c))
		case "status":
			if c.FormValue("retired") == "true" {
				err = a.Lists.Retire(ctx, p, kind, code, web.Meta(c))
			} else {
				err = a.Lists.Reactivate(ctx, p, kind, code, web.Meta(c))
			}
		case "move":
			err = a.Lists.Move(ctx, p, kind, code, map[string]int{"up": -1, "down": 1}[c.FormValue("dir")], web.Meta(c))
		}
		if err != nil && !web.FlashRefusal(c, err) {
			return err
		}
		if err == nil {
			web.Flash(c, "admin.reference.saved")
		}
		return c.Redirect("/admin/reference#"+string(kind), fiber.StatusSeeOther)
	}
}

// API.

// apiReferenceList is a list as the API gives it.
type apiReferenceList struct {
	Kind    reference.Kind    `json:"kind"`
	Version int               `json:"version"`
	Entries []reference.Entry `json:"entries"`
}

// apiReferenceLists is every list's active entries.
type apiReferenceLists struct {
	Lists []apiReferenceList `json:"lists"`
}

// apiReference gives every list's active entries, in order: the codes the
// API takes (a label in any language or script is taken too).
func (a *Handlers) apiReference(c *fiber.Ctx) error {
	out := apiReferenceLists{Lists: make([]apiReferenceList, 0, len(reference.Kinds))}
	for _, kind := range reference.Kinds {
		l := apiReferenceList{Kind: kind, Version: a.Lists.Version(kind), Entries: []reference.Entry{}}
		for _, e := range a.Lists.Entries(kind) {
			if !e.Retired {
				l.Entries = append(l.Entries, e)
			}
		}
		out.Lists = append(out.Lists, l)
	}
	return c.JSON(out)
}

// apiAdminReference is a whole list, retired entries too.
func (a *Handlers) apiAdminReference(c *fiber.Ctx) error {
	kind, err := refKind(c)
	if err != nil {
		return err
	}
	return a.referenceJSON(c, kind, fiber.StatusOK)
}

func (a *Handlers) referenceJSON(c *fiber.Ctx, kind reference.Kind, status int) error {
	l, err := a.Lists.Get(kind)
	if err != nil {
		return err
	}
	return c.Status(status).JSON(apiReferenceList{Kind: l.Kind, Version: l.Version, Entries: l.Entries})
}

// referenceEntryRequest adds an entry.
type referenceEntryRequest struct {
	Code   string           `json:"code"`
	Labels reference.Labels `json:"labels"`
}

func (a *Handlers) apiAddReference(c *fiber.Ctx) error {
	kind, err := refKind(c)
	if err != nil {
		return err
	}
	var in referenceEntryRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	if err := a.Lists.Add(c.UserContext(), web.Principal(c), kind, reference.Entry{Code: in.Code, Labels: in.Labels}, web.Meta(c)); err != nil {
		return err
	}
	return a.referenceJSON(c, kind, fiber.StatusCreated)
}

// referenceUpdateRequest changes an entry: new labels, retired or not;
// what is left out stays.
type referenceUpdateRequest struct {
	Labels  reference.Labels `json:"labels,omitempty"`
	Retired *bool            `json:"retired,omitempty"`
}

func (a *Handlers) apiUpdateReference(c *fiber.Ctx) error {
	kind, err := refKind(c)
	if err != nil {
		return err
	}
	var in referenceUpdateRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	ctx, p, code := c.UserContext(), web.Principal(c), c.Params("code")
	if !a.Lists.Has(kind, code) {
		return core.Errorf(core.NotFound, "error.not_found")
	}
	if in.Labels != nil {
		if err := a.Lists.Relabel(ctx, p, kind, code, in.Labels, web.Meta(c)); err != nil {
			return err
		}
	}
	switch {
	case in.Retired == nil:
	case *in.Retired:
		err = a.Lists.Retire(ctx, p, kind, code, web.Meta(c))
	default:
		err = a.Lists.Reactivate(ctx, p, kind, code, web.Meta(c))
	}
	if err != nil {
		return err
	}
	return a.referenceJSON(c, kind, fiber.StatusOK)
}

// referenceOrderRequest puts a list in a new order.
type referenceOrderRequest struct {
	Codes []string `json:"codes"`
}

func (a *Handlers) apiReorderReference(c *fiber.Ctx) error {
	kind, err := refKind(c)
	if err != nil {
		return err
	}
	var in referenceOrderRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	if err := a.Lists.Reorder(c.UserContext(), web.Principal(c), kind, in.Codes, web.Meta(c)); err != nil {
		return err
	}
	return a.referenceJSON(c, kind, fiber.StatusOK)
}
