package mentors

import (
	"onestop/portal/web"
	"onestop/services/core"
	"onestop/services/mentors"
	"time"

	"github.com/gofiber/fiber/v2"
)

// apiMentor is a mentor's public profile: no private contact data.
type apiMentor struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Title      string   `json:"title,omitempty"`
	Type       string   `json:"type"`
	Industries []string `json:"industries"`
	Topics     []string `json:"topics"`
	Bio        string   `json:"bio"`
	Languages  []string `json:"languages"`
	Rating     float64  `json:"rating"`
	Ratings    int      `json:"ratings"`
	Answered   int      `json:"answered"`
	Status     string   `json:"status"`
	// RejectReason says why the application was refused, while it stands
	// refused: only the applicant and administrators see such a mentor.
	RejectReason string `json:"reject_reason,omitempty"`
}

func toAPIMentor(m *mentors.Mentor) apiMentor {
	out := apiMentor{ID: m.ID, Name: m.Name, Title: m.Title, Type: m.Type, Industries: m.Industries, Topics: m.Topics, Bio: m.Bio,
		Languages: m.Languages, Rating: m.Rating(), Ratings: m.Ratings, Answered: m.Answered, Status: m.Status}
	if m.Status == mentors.Rejected {
		out.RejectReason = m.RejectReason
	}
	return out
}

func mentorQuery(c *fiber.Ctx) mentors.DirectoryQuery {
	return mentors.DirectoryQuery{Text: c.Query("q"), Type: c.Query("type"), Industry: c.Query("industry"), Topic: c.Query("topic"), Page: web.PageOf(c)}
}

func (a *Handlers) apiMentors(c *fiber.Ctx) error {
	r, p, err := a.mentors.Directory(c.UserContext(), mentorQuery(c))
	if err != nil {
		return err
	}
	out := web.ListResponse[apiMentor]{Items: []apiMentor{}, Total: r.Total, Page: p.Number, Size: p.Size}
	for _, h := range r.Hits {
		if m, err := a.mentors.Mentor(c.UserContext(), h.ID); err == nil {
			out.Items = append(out.Items, toAPIMentor(m))
		}
	}
	return c.JSON(out)
}

func (a *Handlers) apiMentor(c *fiber.Ctx) error {
	m, err := a.mentors.Visible(c.UserContext(), web.Principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(toAPIMentor(m))
}

func (a *Handlers) apiSaveMentor(c *fiber.Ctx) error {
	var in mentors.Profile
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	m, err := a.mentors.Save(c.UserContext(), web.Principal(c), in, web.Meta(c))
	if err != nil {
		return err
	}
	return c.JSON(toAPIMentor(m))
}

func (a *Handlers) apiMentorStatus(c *fiber.Ctx) error {
	var in web.StatusRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	if err := a.mentors.SetStatus(c.UserContext(), web.Principal(c), c.Params("id"), in.Status, web.Meta(c)); err != nil {
		return err
	}
	return a.apiMentor(c)
}

type rejectRequest struct {
	Reason string `json:"reason"`
}

func (a *Handlers) apiMentorReject(c *fiber.Ctx) error {
	var in rejectRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	m, err := a.mentors.Reject(c.UserContext(), web.Principal(c), c.Params("id"), in.Reason, web.Meta(c))
	if err != nil {
		return err
	}
	return c.JSON(toAPIMentor(m))
}

type apiMessage struct {
	At         time.Time `json:"at"`
	AuthorName string    `json:"author_name"`
	Role       string    `json:"role"`
	// Event is what a system message records (decline, overdue,
	// mentor_unavailable); Text is its detail.
	Event string `json:"event,omitempty"`
	Text  string `json:"text"`
}

// APIConsultation is a consultation with its messages.
type APIConsultation struct {
	ID            string       `json:"id"`
	AskerName     string       `json:"asker_name"`
	Topic         string       `json:"topic"`
	Industry      string       `json:"industry,omitempty"`
	Question      string       `json:"question"`
	Status        string       `json:"status"`
	MentorName    string       `json:"mentor_name,omitempty"`
	DueAt         time.Time    `json:"due_at,omitzero"`
	Overdue       bool         `json:"overdue"`
	FirstAnswerAt time.Time    `json:"first_answer_at,omitzero"`
	Rematches     int          `json:"rematches"`
	Rating        int          `json:"rating,omitempty"`
	RatingComment string       `json:"rating_comment,omitempty"`
	Messages      []apiMessage `json:"messages"`
	CreatedAt     time.Time    `json:"created_at"`
}

func (a *Handlers) toAPIConsultation(x *mentors.Consultation) APIConsultation {
	out := APIConsultation{ID: x.ID, AskerName: x.AskerName, Topic: x.Topic, Industry: x.Industry, Question: x.Question, Status: x.Status,
		MentorName: x.MentorName, DueAt: x.DueAt, Overdue: x.Overdue(a.Clock.Now()), FirstAnswerAt: x.FirstAnswerAt, Rematches: x.Rematches,
		Rating: x.Rating, RatingComment: x.RatingComment, Messages: []apiMessage{}, CreatedAt: x.CreatedAt}
	for _, m := range x.Messages {
		event, text := m.Said()
		out.Messages = append(out.Messages, apiMessage{At: m.At, AuthorName: m.AuthorName, Role: m.Role, Event: event, Text: text})
	}
	return out
}

func (a *Handlers) apiAsk(c *fiber.Ctx) error {
	var in mentors.Question
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	x, err := a.askFor(c, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(a.toAPIConsultation(x))
}

type apiConsultRow struct {
	ID        string    `json:"id"`
	Topic     string    `json:"topic"`
	Status    string    `json:"status"`
	Question  string    `json:"question"`
	Rematches int       `json:"rematches"`
	DueAt     time.Time `json:"due_at,omitzero"`
	Overdue   bool      `json:"overdue"`
	CreatedAt time.Time `json:"created_at"`
}

func (a *Handlers) apiConsultations(c *fiber.Ctx) error {
	rows, total, p, err := a.mentors.List(c.UserContext(), web.Principal(c), mentors.ListQuery{Status: c.Query("status"), Page: web.PageOf(c)})
	if err != nil {
		return err
	}
	out := web.ListResponse[apiConsultRow]{Items: make([]apiConsultRow, 0, len(rows)), Total: total, Page: p.Number, Size: p.Size}
	for _, r := range rows {
		out.Items = append(out.Items, apiConsultRow{ID: r.ID, Topic: r.Topic, Status: r.Status, Question: r.Question,
			Rematches: r.Rematches, DueAt: r.DueAt, Overdue: r.Overdue, CreatedAt: r.CreatedAt})
	}
	return c.JSON(out)
}

func (a *Handlers) apiConsultation(c *fiber.Ctx) error {
	x, err := a.mentors.Get(c.UserContext(), web.Principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(a.toAPIConsultation(x))
}

type consultStep struct {
	Text     string `json:"text"`
	Reason   string `json:"reason"`
	Rating   int    `json:"rating"`
	Comment  string `json:"comment"`
	MentorID string `json:"mentor_id"`
}

// consultAct runs one step of a consultation for the caller.
func (a *Handlers) consultAct(c *fiber.Ctx, step string, in consultStep) (*mentors.Consultation, error) {
	ctx, p, id, m := c.UserContext(), web.Principal(c), c.Params("id"), web.Meta(c)
	switch step {
	case "reply":
		return a.mentors.Reply(ctx, p, id, in.Text, m)
	case "answered":
		return a.mentors.MarkAnswered(ctx, p, id, m)
	case "decline":
		return a.mentors.Decline(ctx, p, id, in.Reason, m)
	case "close":
		return a.mentors.Close(ctx, p, id, in.Rating, in.Comment, m)
	case "reassign":
		return a.mentors.Reassign(ctx, p, id, in.MentorID, m)
	}
	return nil, core.Errorf(core.Invalid, "error.action")
}

func (a *Handlers) apiConsultStep(step string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in consultStep
		if len(c.Body()) > 0 {
			if err := web.DecodeJSON(c, &in); err != nil {
				return err
			}
		}
		x, err := a.consultAct(c, step, in)
		if err != nil {
			return err
		}
		return c.JSON(a.toAPIConsultation(x))
	}
}

func (a *Handlers) apiConsultOverview(c *fiber.Ctx) error {
	ov, err := a.mentors.Overview(c.UserContext(), web.Principal(c))
	if err != nil {
		return err
	}
	return c.JSON(ov)
}
