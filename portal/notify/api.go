package notify

import (
	"context"
	"onestop/portal/i18n"
	"onestop/portal/web"
	"onestop/services/core"
	"onestop/services/notify"
	"onestop/services/reference"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

type apiNotification struct {
	Text string    `json:"text"`
	Link string    `json:"link,omitempty"`
	At   time.Time `json:"at"`
}

func (a *Handlers) notifications(c *fiber.Ctx) ([]apiNotification, int, core.Page, error) {
	p := web.PageOf(c)
	list, total, err := a.notify.List(c.UserContext(), web.Principal(c).ID, p)
	if err != nil {
		return nil, 0, p, err
	}
	out := make([]apiNotification, 0, len(list))
	for _, n := range list {
		out = append(out, apiNotification{Text: a.text(web.Lang(c), n), Link: n.Link, At: n.At})
	}
	return out, total, p, nil
}

// text puts a notification in the reader's language, its argument too
// when that is a word rather than a name (notify.Label, notify.Ref).
func (a *Handlers) text(lang string, n notify.Notification) string {
	arg := n.Arg
	if key, kind, code, ok := notify.Word(arg); ok {
		switch {
		case key != "":
			arg = a.I18n.T(lang, key)
		case kind == notify.PolicyKind:
			arg = a.I18n.T(lang, "notify.policy", a.policyName(lang, code))
		case kind == notify.PolicyUntilKind:
			id, last, _ := strings.Cut(code, "@")
			arg = a.I18n.T(lang, "notify.policy_until", a.policyName(lang, id), last)
		default:
			arg = a.Lists.Label(reference.Kind(kind), code, lang)
		}
	}
	return a.I18n.T(lang, n.Key, arg)
}

// policyName is a support's name in the reader's language (its id, should
// the catalogue have lost it).
func (a *Handlers) policyName(lang, id string) string {
	p, err := a.policies.Get(context.Background(), id)
	if err != nil {
		return id
	}
	return i18n.Content(lang, p.Name.In(lang))
}

type apiUnread struct {
	Unread int `json:"unread"`
}

func (a *Handlers) apiUnread(c *fiber.Ctx) error {
	n, err := a.notify.Unread(c.UserContext(), web.Principal(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(apiUnread{Unread: n})
}

func (a *Handlers) apiMarkRead(c *fiber.Ctx) error {
	if err := a.notify.MarkRead(c.UserContext(), web.Principal(c).ID); err != nil {
		return err
	}
	return c.JSON(apiUnread{Unread: 0})
}

func (a *Handlers) apiNotifications(c *fiber.Ctx) error {
	list, total, p, err := a.notifications(c)
	if err != nil {
		return err
	}
	return c.JSON(web.ListResponse[apiNotification]{Items: list, Total: total, Page: p.Number, Size: p.Size})
}
