// Package documents keeps the files people upload — identity documents,
// certificates, labour contracts, the pages of a roster — for every area
// that asks for them (a loan file's attachments, an application's
// evidence, the documents of a check): known by their content, named
// safely, and kept in the database sealed under the data key (pii.Vault),
// never under the web root. The data-key rotation re-seals them
// (services/rekey).
package documents

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"path"
	"strings"
	"time"
	"unicode"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/core"
	"onestop/services/pii"
	"onestop/services/store"
)

// MaxBytes bounds one file: a scanned page, a certificate or a business
// plan as PDF.
const MaxBytes = 4 << 20

// Types are the kinds of file kept, known by their first bytes, never by
// the name or the type the browser claims; with the extension a kept
// file's name ends in.
var Types = map[string]struct {
	Magic     []byte
	Extension string
}{
	"application/pdf": {[]byte("%PDF-"), ".pdf"},
	"image/jpeg":      {[]byte{0xFF, 0xD8, 0xFF}, ".jpg"},
	"image/png":       {[]byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}, ".png"},
}

// Sniff names the type of data from its first bytes ("" when it is none
// of Types).
func Sniff(data []byte) string {
	for typ, d := range Types {
		if bytes.HasPrefix(data, d.Magic) {
			return typ
		}
	}
	return ""
}

// CleanName keeps the last element of an uploaded file's name, of
// letters, digits and a few marks only, so it can never be a path, a header
// break or markup; fallback stands for a name with nothing left. It always
// ends in the extension of the type found.
func CleanName(name, fallback, typ string) string {
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
		base = fallback
	}
	return base + Types[typ].Extension
}

// Check validates an upload for field: there, at most MaxBytes, and a PDF,
// JPEG or PNG by its content. It returns the type found.
func Check(v *core.Validation, field string, data []byte) string {
	typ := Sniff(data)
	switch {
	case len(data) == 0:
		v.Add(field, "error.required")
	case len(data) > MaxBytes:
		v.Add(field, "error.file.size")
	case typ == "":
		v.Add(field, "error.file.type")
	}
	return typ
}

// File is what a record lists of a kept file; the bytes are the Store's.
// Areas embed it in their own entries (with the kind of document, who
// filed it), so its fields keep their names there.
type File struct {
	ID     string    `bson:"id" json:"id"`
	Name   string    `bson:"name" json:"name"`
	Type   string    `bson:"type" json:"type"`
	Size   int64     `bson:"size" json:"size"`
	SHA256 string    `bson:"sha256" json:"sha256"`
	At     time.Time `bson:"at" json:"at"`
}

// Describe is the entry of a checked upload: its name made safe (fallback
// for a name with nothing left), its type, size and digest.
func Describe(id, name, fallback string, data []byte, at time.Time) File {
	typ := Sniff(data)
	sum := sha256.Sum256(data)
	return File{ID: id, Name: CleanName(name, fallback, typ), Type: typ, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), At: at}
}

// Store keeps one area's files in a collection of its own, each under the
// record it belongs to (a loan file, an application, a person).
type Store struct {
	store *store.Store
	vault *pii.Vault
	coll  string
	owner string // the bson name of the owning record's id
}

// Collections are the stores the areas keep, with the bson name each
// keeps the owner's id under; the data-key rotation walks them all.
var Collections = map[string]string{"loan_blobs": "loan_id", "grant_blobs": "application_id", "fact_evidence": "person_id"}

// New returns the store of coll (one of Collections).
func New(st *store.Store, vault *pii.Vault, coll string) *Store {
	owner, ok := Collections[coll]
	if !ok {
		panic("documents: unknown collection " + coll) // a programming error, met at start-up
	}
	return &Store{store: st, vault: vault, coll: coll, owner: owner}
}

// blob is a file's bytes as kept: sealed under the key named, bound to the
// collection and the file's id. Data holds bytes kept in clear before
// files were sealed; the data-key rotation seals them.
type blob struct {
	ID     string `bson:"_id"`
	Key    string `bson:"key,omitempty"`
	Sealed []byte `bson:"sealed,omitempty"`
	Data   []byte `bson:"data,omitempty"`
}

// Context is what a file's ciphertext is bound to.
func Context(coll, id string) string { return "document:" + coll + "/" + id }

// Put seals and keeps the bytes of file id under its owner. A file with
// that id kept already is a duplicate-key error (a retried upload).
func (s *Store) Put(ctx context.Context, id, owner string, data []byte) error {
	key, sealed := s.vault.SealBytes(Context(s.coll, id), data)
	_, err := s.store.C(s.coll).InsertOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: s.owner, Value: owner}, {Key: "key", Value: key}, {Key: "sealed", Value: sealed}})
	return err
}

// Get opens the bytes of file id, which must belong to owner: anything
// else is not found.
func (s *Store) Get(ctx context.Context, id, owner string) ([]byte, error) {
	var raw bson.Raw
	if err := s.store.Get(ctx, s.coll, id, &raw); err != nil {
		return nil, err
	}
	if got, _ := raw.Lookup(s.owner).StringValueOK(); got != owner {
		return nil, core.Errorf(core.NotFound, "error.not_found")
	}
	var b blob
	if err := bson.Unmarshal(raw, &b); err != nil {
		return nil, core.Wrap(err, "read document")
	}
	if b.Key == "" {
		return b.Data, nil
	}
	data, err := s.vault.OpenBytes(Context(s.coll, id), b.Key, b.Sealed)
	return data, core.Wrap(err, "open document")
}

// Delete removes files' bytes; one already gone is no error.
func (s *Store) Delete(ctx context.Context, ids ...string) error {
	for _, id := range ids {
		if _, err := s.store.C(s.coll).DeleteOne(context.WithoutCancel(ctx), bson.D{{Key: "_id", Value: id}}); err != nil {
			return core.Wrap(err, "delete document")
		}
	}
	return nil
}
