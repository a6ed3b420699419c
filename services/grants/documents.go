package grants

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

// Limits of the evidence an applicant uploads.
const (
	MaxFileBytes = documents.MaxBytes // a scanned certificate or a list of contracts as PDF
	MaxDocuments = 12
)

// blobCollection holds the documents' bytes, sealed (services/documents).
var blobCollection = store.Collection{Name: "grant_blobs"}

// Document is one evidence file on an application.
type Document struct {
	documents.File `bson:",inline"`
	Kind           string `bson:"kind" json:"kind"` // one of policy.EvidenceKinds
}

// Upload is a file as the applicant sent it.
type Upload struct {
	Kind string
	Name string
	Data []byte
}

// checkUpload validates one upload against the kinds the policy asks for.
func checkUpload(v *core.Validation, field string, u Upload, kinds []string) {
	v.Check(slices.Contains(kinds, u.Kind), field, "error.enum")
	documents.Check(v, field, u.Data)
}

// keep writes the bytes of checked uploads and returns their entries; a
// failure removes what it wrote.
func (s *Service) keep(ctx context.Context, applicationID string, ups []Upload) ([]Document, error) {
	docs := make([]Document, 0, len(ups))
	for _, u := range ups {
		d := Document{File: documents.Describe(core.NewID(), u.Name, u.Kind, u.Data, s.clock.Now()), Kind: u.Kind}
		if err := s.files.Put(ctx, d.ID, applicationID, u.Data); err != nil {
			s.drop(ctx, docs)
			return nil, core.Wrap(err, "insert document")
		}
		docs = append(docs, d)
	}
	return docs, nil
}

// drop deletes documents' bytes (a failed write, a removal, an erasure).
func (s *Service) drop(ctx context.Context, docs []Document) {
	for _, d := range docs {
		if err := s.files.Delete(ctx, d.ID); err != nil {
			slog.Warn("delete document bytes", "document", d.ID, "err", err)
		}
	}
}

// Attach adds an evidence file to one's own application while the bureau
// has not decided it: one of the kinds the policy asks for, a PDF, JPEG or
// PNG by its content, at most MaxFileBytes, MaxDocuments in all.
func (s *Service) Attach(ctx context.Context, actor accounts.Principal, id string, u Upload, m accounts.Meta) (*Document, error) {
	a, pol, err := s.editable(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	var v core.Validation
	checkUpload(&v, "file", u, pol.Apply.Documents)
	v.Check(len(a.Documents) < MaxDocuments, "file", "error.file.count")
	if err := v.Err(); err != nil {
		return nil, err
	}
	docs, err := s.keep(ctx, a.ID, []Upload{u})
	if err != nil {
		return nil, err
	}
	if err := s.update(ctx, a, bson.D{{Key: "$push", Value: bson.D{{Key: "documents", Value: docs[0]}}}}); err != nil {
		s.drop(ctx, docs)
		return nil, err
	}
	s.audit.Record(ctx, actor.Actor(m), "grant.attach", audit.Success, a.ID, docs[0].ID)
	return &docs[0], nil
}

// Detach removes one of the applicant's files while they may still edit.
func (s *Service) Detach(ctx context.Context, actor accounts.Principal, id, docID string, m accounts.Meta) error {
	a, _, err := s.editable(ctx, actor, id)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(a.Documents, func(d Document) bool { return d.ID == docID })
	if i < 0 {
		return core.Errorf(core.NotFound, "error.not_found")
	}
	gone := a.Documents[i]
	rest := slices.Delete(slices.Clone(a.Documents), i, i+1)
	if err := s.update(ctx, a, bson.D{{Key: "$set", Value: bson.D{{Key: "documents", Value: rest}}}}); err != nil {
		return err
	}
	s.audit.Record(ctx, actor.Actor(m), "grant.detach", audit.Success, a.ID, docID)
	s.drop(ctx, []Document{gone})
	return nil
}

// Download returns a document and its bytes to whoever may read the
// application; reads by the bureau are audited: these are identity and
// employment documents.
func (s *Service) Download(ctx context.Context, actor accounts.Principal, id, docID string, m accounts.Meta) (*Document, []byte, error) {
	a, err := s.Get(ctx, actor, id)
	if err != nil {
		return nil, nil, err
	}
	i := slices.IndexFunc(a.Documents, func(d Document) bool { return d.ID == docID })
	if i < 0 {
		return nil, nil, core.Errorf(core.NotFound, "error.not_found")
	}
	data, err := s.files.Get(ctx, docID, a.ID)
	if err != nil {
		return nil, nil, err
	}
	if !s.applies(ctx, actor, a) {
		s.audit.Record(ctx, actor.Actor(m), "grant.file.read", audit.Success, a.ID, docID)
	}
	return &a.Documents[i], data, nil
}
