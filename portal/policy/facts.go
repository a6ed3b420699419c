package policy

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"onestop/portal/web"
	"onestop/services/core"
	"onestop/services/policy"
)

// The facts an administrator defines (policy.DefinedFact): a list with a
// form to add one, and a page to relabel one. Conditions name a defined
// fact like a built-in one once it is saved.

func (a *Handlers) adminFactsPage(c *fiber.Ctx) error {
	return a.renderFacts(c, nil, map[string]string{"kind": policy.KindBool, "set_by": policy.SetByPerson}, nil)
}

func (a *Handlers) adminFactPage(c *fiber.Ctx) error {
	d, err := a.definedFact(c, c.Params("name"))
	if err != nil {
		return err
	}
	form := map[string]string{"name": d.Name, "kind": d.Kind, "set_by": d.SetBy, "version": strconv.Itoa(d.Version)}
	for _, l := range policy.Languages {
		form["label."+l] = d.Label[l]
	}
	return a.renderFacts(c, d, form, nil)
}

// renderFacts shows the defined facts and the form: a new fact's, or
// editing's (whose name and kind stay).
func (a *Handlers) renderFacts(c *fiber.Ctx, editing *policy.DefinedFact, form, errs map[string]string) error {
	list, err := a.policies.Defined(c.UserContext())
	if err != nil {
		return err
	}
	typed := fiber.Map{}
	for k, v := range form {
		typed[k] = v
	}
	return a.Render(c, "pages/admin_facts", fiber.Map{"Title": "admin.facts.title", "Facts": list, "Editing": editing, "Form": typed,
		"Errors": errs, "Kinds": policy.FactKinds, "SetBys": policy.SetBys, "Languages": policy.Languages})
}

func (a *Handlers) definedFact(c *fiber.Ctx, name string) (*policy.DefinedFact, error) {
	list, err := a.policies.Defined(c.UserContext())
	if err != nil {
		return nil, err
	}
	for _, d := range list {
		if d.Name == name {
			return d, nil
		}
	}
	return nil, core.Errorf(core.NotFound, "error.not_found")
}

// adminFactSave reads the form: a new fact (POST /admin/facts) or an edit
// of one (POST /admin/facts/:name, whose kind the form does not send).
func (a *Handlers) adminFactSave(c *fiber.Ctx) error {
	form := map[string]string{}
	for _, k := range []string{"name", "kind", "set_by", "version"} {
		form[k] = strings.TrimSpace(c.FormValue(k))
	}
	var editing *policy.DefinedFact
	if name := c.Params("name"); name != "" {
		old, err := a.definedFact(c, name)
		if err != nil {
			return err
		}
		editing, form["name"], form["kind"] = old, old.Name, old.Kind
	}
	d := &policy.DefinedFact{Name: form["name"], Kind: form["kind"], SetBy: form["set_by"], Label: policy.Text{}}
	for _, l := range policy.Languages {
		form["label."+l] = c.FormValue("label." + l)
		d.Label[l] = form["label."+l]
	}
	if editing != nil {
		v, err := strconv.Atoi(form["version"])
		if err != nil {
			return web.Fail(fiber.StatusBadRequest, "error.bad_request", nil)
		}
		d.Version = v
	}
	if err := a.policies.SaveFact(c.UserContext(), web.Principal(c), d, web.Meta(c)); err != nil {
		errs := web.FormErrors(err)
		if errs == nil {
			return err
		}
		if editing != nil {
			form["version"] = strconv.Itoa(editing.Version)
		}
		c.Status(fiber.StatusUnprocessableEntity)
		return a.renderFacts(c, editing, form, errs)
	}
	web.Flash(c, "admin.facts.saved")
	return c.Redirect("/admin/facts#fact-"+d.Name, fiber.StatusSeeOther)
}

func (a *Handlers) apiFacts(c *fiber.Ctx) error {
	list, err := a.policies.Defined(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(web.ListResponse[*policy.DefinedFact]{Items: list, Page: 1, Total: len(list), Size: len(list)})
}

// apiSaveFact defines a fact (version 0) or changes the one named (the
// version it was based on).
func (a *Handlers) apiSaveFact(c *fiber.Ctx) error {
	var d policy.DefinedFact
	if err := web.DecodeJSON(c, &d); err != nil {
		return err
	}
	if d.Name != "" && d.Name != c.Params("name") {
		return &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"name": "error.fact.name"}}
	}
	d.Name = c.Params("name")
	if err := a.policies.SaveFact(c.UserContext(), web.Principal(c), &d, web.Meta(c)); err != nil {
		return err
	}
	return c.JSON(&d)
}
