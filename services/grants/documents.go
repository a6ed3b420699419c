package grants

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/store"
)

// Limits of the evidence an applicant uploads.
const (
	MaxFileBytes = 4 << 20 // a scanned certificate or a list of contracts as PDF
	MaxDocuments = 12
)

// blobCollection holds the documents' bytes, by the document's id: in the
// database, never under the web root, served only to those who may read
// the application.
var blobCollection = store.Collection{Name: "grant_blobs"}

// Document is one evidence file on an application.
type Document struct {
	ID     string    `bson:"id" json:"id"`
	Kind   string    `bson:"kind" json:"kind"` // one of policy.EvidenceKinds
	Name   string    `bson:"name" json:"name"`
	Type   string    `bson:"type" json:"type"`
	Size   int64     `bson:"size" json:"size"`
	SHA256 string    `bson:"sha256" json:"sha256"`
	At     time.Time `bson:"at" json:"at"`
}

type blob struct {
	ID            string `bson:"_id"`
	ApplicationID string `bson:"application_id"`
	Data          []byte `bson:"data"`
}

// Upload is a file as the applicant sent it.
type Upload struct {
	Kind string
	Name string
	Data []byte
}

// checkUpload validates one upload against the kinds the policy asks for.
func checkUpload(v *core.Validation, field string, u Upload, kinds []string) string {
	v.Check(slices.Contains(kinds, u.Kind), field, "error.enum")
	typ := core.SniffDocument(u.Data)
	switch {
	case len(u.Data) == 0:
		v.Add(field, "error.required")
	case len(u.Data) > MaxFileBytes:
		v.Add(field, "error.file.size")
	case typ == "":
		v.Add(field, "error.file.type")
	}
	return typ
}

// keep writes the bytes of checked uploads and returns their entries; a
// failure removes what it wrote.
func (s *Service) keep(ctx context.Context, applicationID string, ups []Upload) ([]Document, error) {
	docs := make([]Document, 0, len(ups))
	for _, u := range ups {
		typ := core.SniffDocument(u.Data)
		sum := sha256.Sum256(u.Data)
		d := Document{ID: core.NewID(), Kind: u.Kind, Name: core.CleanFileName(u.Name, u.Kind, typ), Type: typ, Size: int64(len(u.Data)),
			SHA256: hex.EncodeToString(sum[:]), At: s.clock.Now()}
		if _, err := s.store.C(blobCollection.Name).InsertOne(ctx, blob{ID: d.ID, ApplicationID: applicationID, Data: u.Data}); err != nil {
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
		if _, err := s.store.C(blobCollection.Name).DeleteOne(context.WithoutCancel(ctx), bson.D{{Key: "_id", Value: d.ID}}); err != nil {
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
	var b blob
	if err := s.store.Get(ctx, blobCollection.Name, docID, &b); err != nil {
		return nil, nil, err
	}
	if b.ApplicationID != a.ID {
		return nil, nil, core.Errorf(core.NotFound, "error.not_found")
	}
	if !s.applies(ctx, actor, a) {
		s.audit.Record(ctx, actor.Actor(m), "grant.file.read", audit.Success, a.ID, docID)
	}
	return &a.Documents[i], b.Data, nil
}
