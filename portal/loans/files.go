package loans

import (
	"io"
	"onestop/portal/web"
	"onestop/services/core"
	"onestop/services/loans"

	"github.com/gofiber/fiber/v2"
)

// UploadLimit is the largest body of a document upload: the file and the
// form around it. The server admits bodies up to it; every other request is
// held to the configured body limit.
const UploadLimit = loans.MaxFileBytes + 64<<10

// readUpload reads the multipart form of a document upload: its kind and
// at most one byte more than the limit of its file (so an oversized file is
// told apart from one at the limit, without reading the rest).
func readUpload(c *fiber.Ctx) (kind, name string, data []byte, err error) {
	kind = c.FormValue("kind")
	fh, ferr := c.FormFile("file")
	if ferr != nil {
		return kind, "", nil, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"file": "error.required"}}
	}
	f, err := fh.Open()
	if err != nil {
		return kind, "", nil, core.Wrap(err, "open upload")
	}
	defer f.Close()
	data, err = io.ReadAll(io.LimitReader(f, loans.MaxFileBytes+1))
	if err != nil {
		return kind, "", nil, core.Wrap(err, "read upload")
	}
	return kind, fh.Filename, data, nil
}

func (a *Handlers) apiLoanAttach(c *fiber.Ctx) error {
	kind, name, data, err := readUpload(c)
	if err != nil {
		return err
	}
	att, err := a.loans.Attach(c.UserContext(), web.Principal(c), c.Params("id"), kind, name, data, web.Meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(att)
}

func (a *Handlers) apiLoanDetach(c *fiber.Ctx) error {
	if err := a.loans.Detach(c.UserContext(), web.Principal(c), c.Params("id"), c.Params("att"), web.Meta(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// loanDownload serves an attachment to those who may read the file, as a
// download that no browser renders in the portal's origin: its type is the
// one found in its bytes, and the sandbox policy holds if it is opened.
func (a *Handlers) loanDownload(c *fiber.Ctx) error {
	att, data, err := a.loans.Download(c.UserContext(), web.Principal(c), c.Params("id"), c.Params("att"), web.Meta(c))
	if err != nil {
		return err
	}
	return web.SendDocument(c, att.Name, att.Type, data)
}

func (a *Handlers) loanAttachWeb(c *fiber.Ctx) error {
	kind, name, data, err := readUpload(c)
	if err == nil {
		_, err = a.loans.Attach(c.UserContext(), web.Principal(c), c.Params("id"), kind, name, data, web.Meta(c))
	}
	if err != nil {
		if !web.FlashRefusal(c, err) {
			return err
		}
	} else {
		web.Flash(c, "loans.attached")
	}
	return c.Redirect("/loans/"+c.Params("id")+"#documents", fiber.StatusSeeOther)
}

func (a *Handlers) loanDetachWeb(c *fiber.Ctx) error {
	if err := a.loans.Detach(c.UserContext(), web.Principal(c), c.Params("id"), c.Params("att"), web.Meta(c)); err != nil {
		if !web.FlashRefusal(c, err) {
			return err
		}
	} else {
		web.Flash(c, "loans.detached")
	}
	return c.Redirect("/loans/"+c.Params("id")+"#documents", fiber.StatusSeeOther)
}
