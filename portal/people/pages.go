package people

import (
	policyweb "onestop/portal/policy"
	"onestop/portal/web"
	"onestop/services/people"

	"github.com/gofiber/fiber/v2"
)

// profileData is the profile page's data: p as shown (what was typed,
// when a save is refused), and stored, whose checked facts and their
// sources the page lists and whose protected facts it shows read-only.
func (a *Handlers) profileData(c *fiber.Ctx, p, stored *people.Profile, errs map[string]string) fiber.Map {
	return fiber.Map{
		"Title": "profile.title", "Profile": p, "Facts": p.Facts, "Errors": errs, "Notice": people.NoticeVersion,
		"Options": a.eligibility.FormOptions(c), "Locked": a.locked(c, stored), "Checked": a.factRows(c, stored, false),
		"Recommendations": stored.Recommendations, "GaveUp": stored.GaveUpPlacement(),
	}
}

func (a *Handlers) profilePage(c *fiber.Ctx) error {
	p, err := a.people.Get(c.UserContext(), web.Principal(c), web.Principal(c).ID)
	if err != nil {
		return err
	}
	if p.RealName == "" {
		p.RealName = web.Principal(c).Name
	}
	data := a.profileData(c, p, p, map[string]string{})
	// What the person answered in the self-check before registering fills
	// what the profile does not know yet; they check it and save.
	if answers, ok := a.eligibility.CheckAnswers(c); ok {
		facts := p.Facts
		facts.Fill(answers)
		data["Facts"], data["FromCheck"] = facts, true
	}
	return a.Render(c, "pages/profile", data)
}

func (a *Handlers) profileSubmit(c *fiber.Ctx) error {
	errs := map[string]string{}
	in := people.Input{
		RealName: c.FormValue("real_name"), IDNumber: c.FormValue("id_number"), Phone: c.FormValue("phone"),
		District: c.FormValue("district"), Education: c.FormValue("education"),
		Skills: web.SplitList(c.FormValue("skills")), Certificates: web.SplitList(c.FormValue("certificates")),
		Facts: policyweb.FactsForm(c, errs),
	}
	for _, n := range c.Request().PostArgs().PeekMulti("needs") {
		in.Needs = append(in.Needs, string(n))
	}
	if c.FormValue("consent") == "yes" {
		in.ConsentVersion = people.NoticeVersion
	}
	if len(errs) == 0 {
		if _, err := a.people.Save(c.UserContext(), web.Principal(c), in, "web", web.Meta(c)); err == nil {
			a.eligibility.ForgetCheckAnswers(c)
			web.Flash(c, "profile.saved")
			return c.Redirect("/supports", fiber.StatusSeeOther)
		} else if errs = web.FormErrors(err); errs == nil {
			return err
		}
	}
	// Re-show everything typed, so one mistake costs no retyping: the ID
	// number, phone and consent too — only in this answer to the person
	// who typed them (no-store, like every page), never from storage.
	old, err := a.people.Get(c.UserContext(), web.Principal(c), web.Principal(c).ID)
	if err != nil {
		return err
	}
	shown := *old
	shown.RealName, shown.District, shown.Education = in.RealName, in.District, in.Education
	shown.Skills, shown.Certs, shown.Needs, shown.Facts = in.Skills, in.Certificates, in.Needs, in.Facts
	data := a.profileData(c, &shown, old, errs)
	data["Typed"] = map[string]string{"id_number": in.IDNumber, "phone": in.Phone, "consent": c.FormValue("consent")}
	c.Status(fiber.StatusUnprocessableEntity)
	return a.Render(c, "pages/profile", data)
}
