package people

import (
	"io"
	"strings"

	"github.com/gofiber/fiber/v2"

	"onestop/portal/web"
	"onestop/services/core"
	"onestop/services/people"
)

// EvidenceUploadLimit is the largest body of an evidence upload: the file
// and the form around it. Its path ends in /attachments, which the server
// admits past the body limit as it does a loan file's documents.
const EvidenceUploadLimit = people.MaxEvidenceBytes + 64<<10

// readEvidence reads the multipart form of an evidence upload: at most one
// byte more than the limit of its file (so an oversized file is told apart
// from one at the limit, without reading the rest).
func readEvidence(c *fiber.Ctx) (name string, data []byte, err error) {
	fh, ferr := c.FormFile("file")
	if ferr != nil {
		return "", nil, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"file": "error.required"}}
	}
	f, err := fh.Open()
	if err != nil {
		return "", nil, core.Wrap(err, "open upload")
	}
	defer f.Close()
	data, err = io.ReadAll(io.LimitReader(f, people.MaxEvidenceBytes+1))
	if err != nil {
		return "", nil, core.Wrap(err, "read upload")
	}
	return fh.Filename, data, nil
}

func (a *Handlers) apiEvidenceUpload(c *fiber.Ctx) error {
	name, data, err := readEvidence(c)
	if err != nil {
		return err
	}
	e, err := a.people.AddEvidence(c.UserContext(), web.Principal(c), c.Params("id"), name, data, web.Meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(e)
}

func (a *Handlers) evidenceUpload(c *fiber.Ctx) error {
	name, data, err := readEvidence(c)
	if err == nil {
		_, err = a.people.AddEvidence(c.UserContext(), web.Principal(c), c.Params("id"), name, data, web.Meta(c))
	}
	if err != nil {
		if !web.FlashRefusal(c, err) {
			return err
		}
	} else {
		web.Flash(c, "evidence.added")
	}
	return c.Redirect("/staff/people/"+c.Params("id")+"#evidence", fiber.StatusSeeOther)
}

// evidenceDownload serves a document as a download no browser renders in
// the portal's origin, as a loan file's documents are served.
func (a *Handlers) evidenceDownload(c *fiber.Ctx) error {
	e, data, err := a.people.EvidenceFile(c.UserContext(), web.Principal(c), c.Params("id"), c.Params("att"), web.Meta(c))
	if err != nil {
		return err
	}
	return web.SendDocument(c, e.Name, e.Type, data)
}

// recommendationRequest is the body of POST
// /api/v1/staff/people/:id/recommendations: a training or a job
// recommended (a course of the catalogue by its id, or what it was), the
// day, and the person's answer.
type recommendationRequest struct {
	Kind     string `json:"kind"` // training, job
	CourseID string `json:"course_id,omitempty"`
	What     string `json:"what,omitempty"`
	On       string `json:"on"`     // YYYY-MM-DD
	Answer   string `json:"answer"` // accepted, refused
	Note     string `json:"note,omitempty"`
}

// apiRecommendation is a recorded recommendation and where the person
// stands after it.
type apiRecommendation struct {
	people.Recommendation
	TrainingRefusals int  `json:"training_refusals"`
	GaveUpPlacement  bool `json:"gave_up_placement"`
}

// recommend records a recommendation: a course named by its id is the
// catalogue's (its title is what was recommended); the day is read here,
// with its own message when it is no date.
func (a *Handlers) recommend(c *fiber.Ctx, in recommendationRequest) (*apiRecommendation, error) {
	var v core.Validation
	rin := people.RecommendationInput{Kind: in.Kind, CourseID: strings.TrimSpace(in.CourseID), What: in.What, Answer: in.Answer, Note: in.Note}
	if s := strings.TrimSpace(in.On); s != "" {
		d, err := core.ParseDate(s)
		v.Check(err == nil, "on", "error.date")
		rin.On = d
	}
	if rin.CourseID != "" && in.Kind == "training" {
		if course, err := a.training.Course(c.UserContext(), rin.CourseID); err == nil {
			rin.What = course.Title
		} else {
			v.Add("course_id", "error.not_found")
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	r, err := a.people.Recommend(c.UserContext(), web.Principal(c), c.Params("id"), rin, web.Meta(c))
	if err != nil {
		return nil, err
	}
	p, err := a.people.Get(c.UserContext(), web.Principal(c), c.Params("id"))
	if err != nil {
		return nil, err
	}
	return &apiRecommendation{Recommendation: *r, TrainingRefusals: refusals(p), GaveUpPlacement: p.GaveUpPlacement()}, nil
}

func (a *Handlers) apiRecommend(c *fiber.Ctx) error {
	var in recommendationRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	out, err := a.recommend(c, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

// recommendationSubmit records a recommendation from the person's page.
func (a *Handlers) recommendationSubmit(c *fiber.Ctx) error {
	in := recommendationRequest{Kind: c.FormValue("kind"), CourseID: c.FormValue("course_id"), What: c.FormValue("what"),
		On: c.FormValue("on"), Answer: c.FormValue("answer"), Note: c.FormValue("note")}
	out, err := a.recommend(c, in)
	if err == nil {
		key := "recommendations.recorded"
		if out.GaveUpPlacement && out.Answer == "refused" {
			key = "recommendations.recorded.gave_up"
		}
		web.Flash(c, key)
		return c.Redirect("/staff/people/"+c.Params("id")+"#recommendations", fiber.StatusSeeOther)
	}
	errs := web.FormErrors(err)
	if errs == nil {
		return err
	}
	c.Status(fiber.StatusUnprocessableEntity)
	return a.renderPerson(c, nil, personForm{name: "recommend", errs: errs, values: map[string]string{"kind": in.Kind, "course_id": in.CourseID,
		"what": in.What, "on": in.On, "answer": in.Answer, "note": in.Note}})
}
