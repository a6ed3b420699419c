package people

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/store"
)

// Limits of the evidence documents filed on a person's record.
const (
	MaxEvidenceBytes = 4 << 20 // a scanned certificate or a roster page as PDF
	MaxEvidence      = 20
)

// EvidenceCollection holds the documents' bytes, by the document's id, as
// a loan file's attachments are kept: in the database, never under the
// web root, served only to staff who may read the record.
var EvidenceCollection = store.Collection{Name: "fact_evidence"}

// Evidence is a document a case officer filed on a person's record as the
// evidence of a check: a scan of a certificate, the page of a roster.
type Evidence struct {
	ID     string    `bson:"id" json:"id"`
	Name   string    `bson:"name" json:"name"`
	Type   string    `bson:"type" json:"type"`
	Size   int64     `bson:"size" json:"size"`
	SHA256 string    `bson:"sha256" json:"sha256"`
	At     time.Time `bson:"at" json:"at"`
	ByID   string    `bson:"by_id" json:"by_id"`
	ByName string    `bson:"by_name" json:"by_name"`
}

// evidenceBlob holds a document's bytes.
type evidenceBlob struct {
	ID       string `bson:"_id"`
	PersonID string `bson:"person_id"`
	Data     []byte `bson:"data"`
}

// AddEvidence files a document on a person's record (a case officer or an
// administrator, never on their own): a PDF, JPEG or PNG by its content, at
// most MaxEvidenceBytes, at most MaxEvidence on a record. A check then
// names it (VerifyInput.DocumentID).
func (s *Service) AddEvidence(ctx context.Context, actor accounts.Principal, personID, name string, data []byte, m accounts.Meta) (*Evidence, error) {
	p, err := s.caseWork(ctx, actor, personID, "profile.evidence.add", m)
	if err != nil {
		return nil, err
	}
	var v core.Validation
	typ := core.SniffDocument(data)
	switch {
	case len(data) == 0:
		v.Add("file", "error.required")
	case len(data) > MaxEvidenceBytes:
		v.Add("file", "error.file.size")
	case typ == "":
		v.Add("file", "error.file.type")
	}
	v.Check(len(p.Evidence) < MaxEvidence, "file", "error.evidence.count")
	if err := v.Err(); err != nil {
		return nil, err
	}
	clean := core.CleanFileName(name, "evidence", typ)
	if holdsNumber(clean) {
		// A scan named after the person's ID number or phone would show
		// the number in clear to every reader of the record.
		clean = core.CleanFileName("", "evidence", typ)
	}
	sum := sha256.Sum256(data)
	e := Evidence{ID: core.IDFor(ctx, "evidence"), Name: clean, Type: typ, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]),
		At: s.clock.Now(), ByID: actor.ID, ByName: actor.Name}
	// The bytes first, then the entry on the record: a crash between leaves
	// an unreferenced blob, never an entry without its bytes.
	if i := slices.IndexFunc(p.Evidence, func(x Evidence) bool { return x.ID == e.ID }); i >= 0 {
		return &p.Evidence[i], nil // a retry (Idempotency-Key) of an upload that was filed
	}
	_, err = s.store.C(EvidenceCollection.Name).InsertOne(ctx, evidenceBlob{ID: e.ID, PersonID: p.ID, Data: data})
	if err != nil && !mongo.IsDuplicateKeyError(err) { // a duplicate: a retry of an upload whose entry a crash lost
		return nil, core.Wrap(err, "insert evidence")
	}
	err = s.updateProfile(ctx, p, bson.D{{Key: "$push", Value: bson.D{{Key: "evidence", Value: e}}},
		{Key: "$set", Value: bson.D{{Key: "updated_at", Value: e.At}}}})
	if err != nil {
		_, _ = s.store.C(EvidenceCollection.Name).DeleteOne(context.WithoutCancel(ctx), bson.D{{Key: "_id", Value: e.ID}})
		return nil, err
	}
	s.audit.Record(ctx, actor.Actor(m), "profile.evidence.add", audit.Success, p.ID, e.ID)
	return &e, nil
}

// EvidenceFile returns a document of a person's record and its bytes to
// case officers and administrators, who check facts on it; every read is
// audited (these are identity documents). Anyone else — the hotline too,
// which has no need of them — and an id not on the record get not found.
func (s *Service) EvidenceFile(ctx context.Context, actor accounts.Principal, personID, docID string, m accounts.Meta) (*Evidence, []byte, error) {
	if !actor.Role.Verifier() {
		return nil, nil, core.Errorf(core.NotFound, "error.not_found")
	}
	p, err := s.Get(ctx, actor, personID)
	if err != nil {
		return nil, nil, err
	}
	i := slices.IndexFunc(p.Evidence, func(e Evidence) bool { return e.ID == docID })
	if i < 0 {
		return nil, nil, core.Errorf(core.NotFound, "error.not_found")
	}
	var b evidenceBlob
	if err := s.store.Get(ctx, EvidenceCollection.Name, docID, &b); err != nil {
		return nil, nil, err
	}
	if b.PersonID != p.ID {
		return nil, nil, core.Errorf(core.NotFound, "error.not_found")
	}
	s.audit.Record(ctx, actor.Actor(m), "profile.evidence.read", audit.Success, p.ID, docID)
	return &p.Evidence[i], b.Data, nil
}

// eraseEvidence deletes the bytes of a record's documents (the record's
// erasure); one already gone is no error.
func (s *Service) eraseEvidence(ctx context.Context, p *Profile) error {
	for _, e := range p.Evidence {
		if _, err := s.store.C(EvidenceCollection.Name).DeleteOne(ctx, bson.D{{Key: "_id", Value: e.ID}}); err != nil {
			return core.Wrap(err, "erase evidence")
		}
	}
	return nil
}
