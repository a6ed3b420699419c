package web

import (
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"onestop/services/core"
	"onestop/services/matching"
	"onestop/services/reference"
)

// FormList is a multi-valued form field (checkboxes, a multi-select).
func FormList(c *fiber.Ctx, name string) []string {
	var out []string
	for _, v := range c.Request().PostArgs().PeekMulti(name) {
		out = append(out, string(v))
	}
	return out
}

// FormDate reads a YYYY-MM-DD field; a bad one is noted in errs.
func FormDate(c *fiber.Ctx, name string, errs map[string]string) core.Date {
	s := strings.TrimSpace(c.FormValue(name))
	if s == "" {
		return core.Date{}
	}
	d, err := core.ParseDate(s)
	if err != nil {
		errs[name] = "error.date"
	}
	return d
}

// NumberInURL is the API's answer to a GET carrying a number in q.
func NumberInURL() error {
	return &core.Error{Code: core.Invalid, Message: "error.query.in_url", Fields: map[string]string{"q": "error.query.in_url"}}
}

// SplitList splits a typed list on commas (either width), the enumeration
// comma 、 and line breaks.
func SplitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == '\n' })
}

// Step is one entry of a record's history in the API.
type Step struct {
	At        time.Time `json:"at"`
	ActorName string    `json:"actor_name"`
	Action    string    `json:"action"`
	From      string    `json:"from,omitempty"`
	To        string    `json:"to"`
	Note      string    `json:"note,omitempty"`
}

// StatusRequest sets a record's status (bases, mentors).
type StatusRequest struct {
	Status string `json:"status"`
}

// ExplainScore renders a score's parts in the user's language:
// "行業：科技型 +30", "沒有空餘工位（排除）".
func (a *Kit) ExplainScore(l string, s matching.Score) []string {
	out := make([]string, 0, len(s.Parts))
	for _, p := range s.Parts {
		value := p.Value
		switch p.Key {
		case "match.industry", "match.industry.other":
			if value != "" {
				value = a.Lists.Label(reference.Industry, value, l)
			}
		case "match.district", "match.district.other":
			if value != "" {
				value = a.Lists.Label(reference.District, value, l)
			}
		case "match.group":
			value = a.I18n.T(l, "group."+value)
		case "match.stage", "match.stage.not_accepted":
			if value != "" {
				value = a.I18n.T(l, "stage."+value)
			}
		case "match.need":
			value = a.I18n.T(l, "need."+value)
		case "match.mentor.topic", "match.mentor.no_expertise":
			value = a.I18n.T(l, "topic."+value)
		case "match.mentor.industry":
			value = a.Lists.Label(reference.Industry, value, l)
		case "match.mentor.language":
			value = a.I18n.T(l, "mlang."+value)
		}
		// What the base takes, when a hard rule keeps the person out.
		accepts := make([]string, len(p.Accepts))
		for i, v := range p.Accepts {
			switch {
			case strings.HasPrefix(p.Key, "match.group."):
				accepts[i] = a.I18n.T(l, "group."+v)
			case strings.HasPrefix(p.Key, "match.stage."):
				accepts[i] = a.I18n.T(l, "stage."+v)
			}
		}
		text := a.I18n.T(l, p.Key, value, strings.Join(accepts, a.I18n.T(l, "list.sep")))
		if p.Excludes {
			out = append(out, a.I18n.T(l, "match.excluded", text))
		} else {
			out = append(out, a.I18n.T(l, "match.points", text, p.Points))
		}
	}
	return out
}

// SendDocument serves an uploaded document (a loan's attachment, a
// person's evidence, an application's) as a download that no browser
// renders in the portal's origin: its type is the one found in its bytes,
// its name is given in ASCII and in UTF-8, and the sandbox policy holds if
// it is opened anyway.
func SendDocument(c *fiber.Ctx, name, typ string, data []byte) error {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, name)
	c.Set(fiber.HeaderContentType, typ)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+ascii+`"; filename*=UTF-8''`+url.PathEscape(name))
	c.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	return c.Send(data)
}
