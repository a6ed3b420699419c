package people

import (
	"context"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/documents"
	"onestop/services/store"
)

// Limits of the evidence documents filed on a person's record.
const (
	MaxEvidenceBytes = documents.MaxBytes // a scanned certificate or a roster page as PDF
	MaxEvidence      = 20
)

// EvidenceCollection holds the documents' bytes, sealed, by the document's
// id (services/documents): served only to staff who may read the record.
var EvidenceCollection = store.Collection{Name: "fact_evidence"}

// Evidence is a document a case officer filed on a person's record as the
// evidence of a check: a scan of a certificate, the page of a roster.
type Evidence struct {
	documents.File `bson:",inline"`
	ByID           string `bson:"by_id" json:"by_id"`
	ByName         string `bson:"by_name" json:"by_name"`
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
	documents.Check(&v, "file", data)
	v.Check(len(p.Evidence) < MaxEvidence, "file", "error.evidence.count")
	if err := v.Err(); err != nil {
		return nil, err
	}
	e := Evidence{File: documents.Describe(core.IDFor(ctx, "evidence"), name, "evidence", data, s.clock.Now()), ByID: actor.ID, ByName: actor.Name}
	if holdsNumber(e.Name) {
		// A scan named after the person's ID number or phone would show
		// the number in clear to every reader of the record.
		e.Name = documents.CleanName("", "evidence", e.Type)
	}
	// The bytes first, then the entry on the record: a crash between leaves
	// an unreferenced blob, never an entry without its bytes.
	if i := slices.IndexFunc(p.Evidence, func(x Evidence) bool { return x.ID == e.ID }); i >= 0 {
		return &p.Evidence[i], nil // a retry (Idempotency-Key) of an upload that was filed
	}
	err = s.files.Put(ctx, e.ID, p.ID, data)
	if err != nil && !mongo.IsDuplicateKeyError(err) { // a duplicate: a retry of an upload whose entry a crash lost
		return nil, core.Wrap(err, "insert evidence")
	}
	err = s.updateProfile(ctx, p, bson.D{{Key: "$push", Value: bson.D{{Key: "evidence", Value: e}}},
		{Key: "$set", Value: bson.D{{Key: "updated_at", Value: e.At}}}})
	if err != nil {
		_ = s.files.Delete(ctx, e.ID)
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
	data, err := s.files.Get(ctx, docID, p.ID)
	if err != nil {
		return nil, nil, err
	}
	s.audit.Record(ctx, actor.Actor(m), "profile.evidence.read", audit.Success, p.ID, docID)
	return &p.Evidence[i], data, nil
}

// eraseEvidence deletes the bytes of a record's documents (the record's
// erasure); one already gone is no error.
func (s *Service) eraseEvidence(ctx context.Context, p *Profile) error {
	for _, e := range p.Evidence {
		if err := s.files.Delete(ctx, e.ID); err != nil {
			return err
		}
	}
	return nil
}
