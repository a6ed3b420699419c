package audit

import (
	"onestop/portal/web"
	"onestop/search"
	"time"

	"github.com/gofiber/fiber/v2"
)

type apiAuditEvent struct {
	ID        string    `json:"id"`
	At        time.Time `json:"at"`
	Action    string    `json:"action"`
	Result    string    `json:"result"`
	ActorID   string    `json:"actor_id,omitempty"`
	ActorRole string    `json:"actor_role,omitempty"`
	ActorName string    `json:"actor_name,omitempty"`
	IP        string    `json:"ip,omitempty"`
	Target    string    `json:"target,omitempty"`
	Detail    string    `json:"detail,omitempty"`
}

func (a *Handlers) apiAudit(c *fiber.Ctx) error {
	res, p, err := a.audit.Search(c.UserContext(), auditQuery(c))
	if err != nil {
		return err
	}
	out := web.ListResponse[apiAuditEvent]{Items: make([]apiAuditEvent, 0, len(res.Hits)), Total: res.Total, Page: p.Number, Size: p.Size}
	for _, h := range res.Hits {
		out.Items = append(out.Items, auditEventOf(h))
	}
	return c.JSON(out)
}

func auditEventOf(h search.Hit) apiAuditEvent {
	return apiAuditEvent{ID: h.ID, At: h.Time("at"), Action: h.String("action"), Result: h.String("result"),
		ActorID: h.String("actor_id"), ActorRole: h.String("actor_role"), ActorName: h.String("actor_name"),
		IP: h.String("ip"), Target: h.String("target"), Detail: h.String("detail")}
}
