package loans

import (
	"context"
	"log/slog"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/documents"
	"onestop/services/store"
)

// Limits of the documents an applicant uploads.
const (
	MaxFileBytes   = documents.MaxBytes // a scanned page or a business plan as PDF
	MaxAttachments = 12
)

// Attachment is one document file on a loan file. The bytes are kept
// sealed (services/documents) and served only to those who may read the
// file.
type Attachment struct {
	documents.File `bson:",inline"`
	Kind           string `bson:"kind" json:"kind"` // one of Documents
}

// editable: the applicant changes the documents until the bureau forwards
// the file; then the bank reads what the bureau checked.
func (s *Service) editable(ctx context.Context, actor accounts.Principal, id string) (*Loan, error) {
	l, err := s.Loan(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if actor.ID != l.PersonID {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	if l.Status != Submitted && l.Status != Returned {
		return nil, core.Errorf(core.Conflict, "error.loan.state")
	}
	return l, nil
}

// Attach adds a document file to the applicant's own file while the
// bureau has not yet forwarded it: one of the listed kinds, a PDF, JPEG or
// PNG by its content, at most MaxFileBytes, at most MaxAttachments files.
// The kind joins the file's list of documents.
func (s *Service) Attach(ctx context.Context, actor accounts.Principal, id, kind, name string, data []byte, m accounts.Meta) (*Attachment, error) {
	l, err := s.editable(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	var v core.Validation
	v.Check(slices.Contains(Documents, kind), "kind", "error.enum")
	documents.Check(&v, "file", data)
	v.Check(len(l.Attachments) < MaxAttachments, "file", "error.file.count")
	if err := v.Err(); err != nil {
		return nil, err
	}
	att := Attachment{File: documents.Describe(core.NewID(), name, kind, data, s.clock.Now()), Kind: kind}
	// The bytes first, then the entry on the file: a crash between leaves
	// an unreferenced blob, never an entry without its bytes.
	if err := s.files.Put(ctx, att.ID, l.ID, data); err != nil {
		return nil, core.Wrap(err, "insert attachment")
	}
	docs := l.Documents
	if !slices.Contains(docs, kind) {
		docs = append(slices.Clone(docs), kind)
	}
	err = s.update(ctx, l, bson.D{{Key: "$push", Value: bson.D{{Key: "attachments", Value: att}}}, {Key: "$set", Value: bson.D{{Key: "documents", Value: docs}}}})
	if err != nil {
		_ = s.files.Delete(ctx, att.ID)
		if core.IsCode(err, core.Conflict) {
			return nil, core.Errorf(core.Conflict, "error.stale")
		}
		return nil, err
	}
	s.audit.Record(ctx, actor.Actor(m), "loan.attach", audit.Success, l.ID, att.ID)
	return &att, nil
}

// Detach removes one of the applicant's files while they may still edit.
func (s *Service) Detach(ctx context.Context, actor accounts.Principal, id, attID string, m accounts.Meta) error {
	l, err := s.editable(ctx, actor, id)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(l.Attachments, func(a Attachment) bool { return a.ID == attID })
	if i < 0 {
		return core.Errorf(core.NotFound, "error.not_found")
	}
	rest := slices.Delete(slices.Clone(l.Attachments), i, i+1)
	if err := s.update(ctx, l, bson.D{{Key: "$set", Value: bson.D{{Key: "attachments", Value: rest}}}}); err != nil {
		if core.IsCode(err, core.Conflict) {
			return core.Errorf(core.Conflict, "error.stale")
		}
		return err
	}
	// The file no longer lists it: the removal happened. A blob left by a
	// failed delete is unreachable, and logged.
	s.audit.Record(ctx, actor.Actor(m), "loan.detach", audit.Success, l.ID, attID)
	if err := s.files.Delete(ctx, attID); err != nil {
		slog.Warn("delete attachment bytes", "loan", l.ID, "attachment", attID, "err", err)
	}
	return nil
}

// Download returns an attachment and its bytes to whoever may read the
// file; anyone else, and an id not on the file, get not found. Reads by
// the bureau and the bank are audited: these are identity documents.
func (s *Service) Download(ctx context.Context, actor accounts.Principal, id, attID string, m accounts.Meta) (*Attachment, []byte, error) {
	l, err := s.Loan(ctx, actor, id)
	if err != nil {
		return nil, nil, err
	}
	i := slices.IndexFunc(l.Attachments, func(a Attachment) bool { return a.ID == attID })
	if i < 0 {
		return nil, nil, core.Errorf(core.NotFound, "error.not_found")
	}
	data, err := s.files.Get(ctx, attID, l.ID)
	if err != nil {
		return nil, nil, err
	}
	if actor.ID != l.PersonID {
		s.audit.Record(ctx, actor.Actor(m), "loan.file.read", audit.Success, l.ID, attID)
	}
	return &l.Attachments[i], data, nil
}

// blobCollection is where the bytes live, sealed.
var blobCollection = store.Collection{Name: "loan_blobs"}
