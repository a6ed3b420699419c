package loans

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"path"
	"slices"
	"strings"
	"time"
	"unicode"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/store"
)

// Limits of the documents an applicant uploads.
const (
	MaxFileBytes   = 4 << 20 // a scanned page or a business plan as PDF
	MaxAttachments = 12
)

// FileTypes are the kinds of file accepted, known by their first bytes
// (never by the name or the type the browser claims).
var FileTypes = map[string][]byte{
	"application/pdf": []byte("%PDF-"),
	"image/jpeg":      {0xFF, 0xD8, 0xFF},
	"image/png":       {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'},
}

var extensions = map[string]string{"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}

// Attachment is one document file on a loan file. The bytes live in the
// database, never under the web root, and are served only to those who may
// read the file.
type Attachment struct {
	ID     string    `bson:"id" json:"id"`
	Kind   string    `bson:"kind" json:"kind"` // one of Documents
	Name   string    `bson:"name" json:"name"`
	Type   string    `bson:"type" json:"type"`
	Size   int64     `bson:"size" json:"size"`
	SHA256 string    `bson:"sha256" json:"sha256"`
	At     time.Time `bson:"at" json:"at"`
}

// blob holds an attachment's bytes, by the attachment's id.
type blob struct {
	ID     string `bson:"_id"`
	LoanID string `bson:"loan_id"`
	Data   []byte `bson:"data"`
}

// sniff names the type of data from its first bytes ("" when not accepted).
func sniff(data []byte) string {
	for typ, magic := range FileTypes {
		if bytes.HasPrefix(data, magic) {
			return typ
		}
	}
	return ""
}

// cleanName keeps the last element of an uploaded file's name, of letters,
// digits and a few marks only, so it can never be a path, a header break or
// markup; it always ends in the extension of the type found.
func cleanName(name, kind, typ string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.TrimSuffix(name, path.Ext(name))
	var b strings.Builder
	for _, r := range name {
		if b.Len() >= 120 {
			break
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(" -_()（）", r) {
			b.WriteRune(r)
		}
	}
	base := strings.TrimSpace(b.String())
	if base == "" || base == "." {
		base = kind
	}
	return base + extensions[typ]
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
	typ := sniff(data)
	switch {
	case len(data) == 0:
		v.Add("file", "error.required")
	case len(data) > MaxFileBytes:
		v.Add("file", "error.file.size")
	case typ == "":
		v.Add("file", "error.file.type")
	}
	v.Check(len(l.Attachments) < MaxAttachments, "file", "error.file.count")
	if err := v.Err(); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	att := Attachment{ID: core.NewID(), Kind: kind, Name: cleanName(name, kind, typ), Type: typ, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), At: s.clock.Now()}
	// The bytes first, then the entry on the file: a crash between leaves
	// an unreferenced blob, never an entry without its bytes.
	if _, err := s.store.C("loan_blobs").InsertOne(ctx, blob{ID: att.ID, LoanID: l.ID, Data: data}); err != nil {
		return nil, core.Wrap(err, "insert attachment")
	}
	docs := l.Documents
	if !slices.Contains(docs, kind) {
		docs = append(slices.Clone(docs), kind)
	}
	err = s.update(ctx, l, bson.D{{Key: "$push", Value: bson.D{{Key: "attachments", Value: att}}}, {Key: "$set", Value: bson.D{{Key: "documents", Value: docs}}}})
	if err != nil {
		_, _ = s.store.C("loan_blobs").DeleteOne(context.WithoutCancel(ctx), bson.D{{Key: "_id", Value: att.ID}})
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
	if _, err := s.store.C("loan_blobs").DeleteOne(context.WithoutCancel(ctx), bson.D{{Key: "_id", Value: attID}}); err != nil {
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
	var b blob
	if err := s.store.Get(ctx, "loan_blobs", attID, &b); err != nil {
		return nil, nil, err
	}
	if b.LoanID != l.ID {
		return nil, nil, core.Errorf(core.NotFound, "error.not_found")
	}
	if actor.ID != l.PersonID {
		s.audit.Record(ctx, actor.Actor(m), "loan.file.read", audit.Success, l.ID, attID)
	}
	return &l.Attachments[i], b.Data, nil
}

// blobCollection is where the bytes live.
var blobCollection = store.Collection{Name: "loan_blobs"}
