package people

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"onestop/portal/web"
	"onestop/services/core"
	"onestop/services/people"
)

// FactRow is one checked fact of a person as a page shows it: its value,
// where it came from, and what to bring to have it checked.
type FactRow struct {
	Key, ID   string // the fact; ID is Key made fit for an element id
	Label     string // a catalog key
	Kind      string // people.FactBool, FactNumber, FactDate
	Value     string // canonical (people.FactValue); "" unknown
	Shown     string // the value in the reader's language
	Source    people.FactSource
	Verified  bool // established, or confirmed by the fact that confirms it
	Protected bool
	// LapsedShown is the value a lapsed check found, in the reader's
	// language.
	LapsedShown string
	// Status is how the page says where the fact came from: its source
	// (verified, roster, record), "confirmed" (by the fact that confirms
	// it), "self", "none" when the person gave nothing, or "pending" for a
	// protected fact nobody has established yet.
	Status string
}

// factLabel is the catalog key naming a checked fact: a target group's
// label for belonging to it.
func factLabel(key string) string {
	if g, ok := strings.CutPrefix(key, "target_groups."); ok {
		return "group." + g
	}
	return "fact." + key
}

// factRows are a profile's checked facts, then the count of refusals;
// unless all, only those the person claims, someone established, or that
// a rule about them needs (a farmer's roster entry).
func (a *Handlers) factRows(c *fiber.Ctx, p *people.Profile, all bool) []FactRow {
	l := web.Lang(c)
	var out []FactRow
	// showFor is the target group whose members see the fact even unset
	// (a farmer's roster entry).
	add := func(key, kind string, protected bool, showFor string) {
		v := people.FactValue(&p.Facts, key)
		src := p.SourceOf(key)
		claimed := v != ""
		if strings.HasPrefix(key, "target_groups.") {
			claimed = v == "true" // a group the person does not claim waits for nothing
		}
		relevant := claimed || src.Source != people.SourceSelf || src.Lapsed != nil ||
			(showFor != "" && p.Facts.HasGroup(showFor))
		if !all && !relevant {
			return
		}
		r := FactRow{Key: key, ID: strings.ReplaceAll(key, ".", "-"), Label: factLabel(key), Kind: kind, Value: v,
			Shown: a.factText(l, kind, v), Source: src, Verified: p.Verified(key), Protected: protected}
		if src.Lapsed != nil {
			r.LapsedShown = a.factText(l, kind, src.Lapsed.Value)
		}
		switch {
		case src.Established():
			r.Status = src.Source
		case r.Verified:
			r.Status = "confirmed"
		case v == "" && protected:
			r.Status = "pending" // the person cannot give it: it waits for a check
		case v == "":
			r.Status = "none"
		default:
			r.Status = people.SourceSelf
		}
		out = append(out, r)
	}
	checked, err := a.people.AllCheckedFacts(c.UserContext())
	if err != nil {
		a.Log.WarnContext(c.UserContext(), "checked facts", "err", err) // the built-in ones still show
		checked = people.CheckedFacts
	}
	for _, cf := range checked {
		showFor := ""
		if cf.Protected && cf.PendingFor != "" {
			showFor = cf.PendingFor
		}
		add(cf.Key, cf.Kind, cf.Protected, showFor)
	}
	add("training_refusals", people.FactNumber, true, "land_expropriated_farmer")
	return out
}

// factText shows a canonical value in lang.
func (a *Handlers) factText(lang, kind, v string) string {
	switch {
	case v == "":
		return a.I18n.T(lang, "value.unknown")
	case kind == people.FactBool && v == "true":
		return a.I18n.T(lang, "value.yes")
	case kind == people.FactBool:
		return a.I18n.T(lang, "value.no")
	}
	return v
}

// locked are the facts the profile form shows read-only, with where they
// came from (the person may not set them).
func (a *Handlers) locked(c *fiber.Ctx, p *people.Profile) map[string]string {
	l := web.Lang(c)
	out := map[string]string{}
	for _, r := range a.factRows(c, p, true) {
		if !r.Protected {
			continue
		}
		out[r.Key] = r.Shown + " · " + a.sourceText(l, r)
	}
	return out
}

// sourceText says in a few words where a fact came from, as its owner
// reads it: never which staff member checked it.
func (a *Handlers) sourceText(lang string, r FactRow) string {
	on := r.Source.At.In(core.CST).Format(time.DateOnly)
	switch r.Status {
	case people.SourceVerified:
		return a.I18n.T(lang, "facts.source.verified.own", on)
	case people.SourceRoster:
		return a.I18n.T(lang, "facts.source.roster", r.Source.Roster, on)
	}
	return a.I18n.T(lang, "facts.source."+r.Status)
}

// verifyRequest is the body of POST /api/v1/staff/people/:id/facts/verify:
// the fact, the value found (true/false, a number, or a date as
// YYYY-MM-DD), what was checked, and a document filed on the record first.
type verifyRequest struct {
	Fact       string `json:"fact"`
	Value      any    `json:"value"`
	Note       string `json:"note"`
	DocumentID string `json:"document_id,omitempty"`
}

// valueString reads a JSON value as the text the service parses: a bool
// or a number as JSON writes it, a string as it is; anything else is no
// value (the service refuses it by the fact's kind).
func valueString(v any) string {
	switch x := v.(type) {
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		return x
	}
	return ""
}

// apiSource is where a fact came from, as staff read it.
type apiSource struct {
	people.FactSource
	Verified bool `json:"verified"`
}

func (a *Handlers) apiVerify(c *fiber.Ctx) error {
	var in verifyRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	src, err := a.people.Verify(c.UserContext(), web.Principal(c), c.Params("id"),
		people.VerifyInput{Fact: in.Fact, Value: valueString(in.Value), Note: in.Note, DocumentID: in.DocumentID}, web.Meta(c))
	if err != nil {
		return err
	}
	return c.JSON(apiSource{FactSource: *src, Verified: true})
}

// factVerify is a check posted from the person's page; a refusal shows
// the page again with the form open and its messages.
func (a *Handlers) factVerify(c *fiber.Ctx) error {
	in := people.VerifyInput{Fact: c.FormValue("fact"), Value: c.FormValue("value"), Note: c.FormValue("note"), DocumentID: c.FormValue("document_id")}
	_, err := a.people.Verify(c.UserContext(), web.Principal(c), c.Params("id"), in, web.Meta(c))
	if err == nil {
		web.Flash(c, "facts.verified")
		return c.Redirect("/staff/people/"+c.Params("id")+"#checked", fiber.StatusSeeOther)
	}
	errs := web.FormErrors(err)
	if errs == nil {
		return err
	}
	c.Status(fiber.StatusUnprocessableEntity)
	return a.renderPerson(c, nil, personForm{name: "verify:" + in.Fact, errs: errs, values: map[string]string{"value": in.Value, "note": in.Note}})
}
