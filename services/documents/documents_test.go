package documents_test

import (
	"bytes"
	"context"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/core"
	"onestop/services/documents"
	"onestop/services/pii"
	"onestop/services/store"
	"onestop/services/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func vault(t *testing.T, keys ...byte) *pii.Vault {
	t.Helper()
	var ring [][]byte
	for _, k := range keys {
		ring = append(ring, bytes.Repeat([]byte{k}, 32))
	}
	v, err := pii.NewVault(ring[0], ring[1:]...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestSealedAtRest: a file's bytes are kept sealed — the stored document
// holds no byte of them in clear — and open only for the record they
// belong to; bytes moved to another file's id do not open; bytes kept in
// clear before files were sealed still read.
func TestSealedAtRest(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t, store.Collection{Name: "grant_blobs"})
	files := documents.New(st, vault(t, 7), "grant_blobs")
	scan := []byte("%PDF-1.4\n身分證 440301199001011234\n%%EOF\n")
	if err := files.Put(ctx, "d1", "app1", scan); err != nil {
		t.Fatal(err)
	}
	var raw bson.Raw
	if err := st.Get(ctx, "grant_blobs", "d1", &raw); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("440301199001011234")) || bytes.Contains(raw, []byte("%PDF")) {
		t.Fatal("the stored document holds the file in clear")
	}
	got, err := files.Get(ctx, "d1", "app1")
	if err != nil || !bytes.Equal(got, scan) {
		t.Fatalf("read back: %q %v", got, err)
	}
	if _, err := files.Get(ctx, "d1", "app2"); !core.IsCode(err, core.NotFound) {
		t.Errorf("another record's file: %v", err)
	}
	// The ciphertext copied under another id is refused.
	var b struct {
		Key    string `bson:"key"`
		Sealed []byte `bson:"sealed"`
	}
	if err := bson.Unmarshal(raw, &b); err != nil {
		t.Fatal(err)
	}
	if _, err := st.C("grant_blobs").InsertOne(ctx, bson.D{{Key: "_id", Value: "d2"}, {Key: "application_id", Value: "app1"}, {Key: "key", Value: b.Key}, {Key: "sealed", Value: b.Sealed}}); err != nil {
		t.Fatal(err)
	}
	if _, err := files.Get(ctx, "d2", "app1"); err == nil {
		t.Error("bytes moved to another file's id opened")
	}
	if _, err := st.C("grant_blobs").InsertOne(ctx, bson.D{{Key: "_id", Value: "old"}, {Key: "application_id", Value: "app1"}, {Key: "data", Value: scan}}); err != nil {
		t.Fatal(err)
	}
	if got, err := files.Get(ctx, "old", "app1"); err != nil || !bytes.Equal(got, scan) {
		t.Errorf("a file kept in clear before: %q %v", got, err)
	}
	if err := files.Delete(ctx, "d1", "d1", "nothing"); err != nil {
		t.Fatal(err)
	}
	if _, err := files.Get(ctx, "d1", "app1"); !core.IsCode(err, core.NotFound) {
		t.Errorf("after the delete: %v", err)
	}
}

// TestCheck: an upload is there, within the limit, and a PDF, JPEG or PNG
// by its content, whatever its name says.
func TestCheck(t *testing.T) {
	for _, tt := range []struct {
		name string
		data []byte
		want string // the message, "" when accepted
	}{
		{"a PDF", []byte("%PDF-1.7\n"), ""},
		{"a PNG", []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0}, ""},
		{"nothing", nil, "error.required"},
		{"an SVG named .pdf", []byte("<svg onload=alert(1)>"), "error.file.type"},
		{"too large", append([]byte("%PDF-"), make([]byte, documents.MaxBytes)...), "error.file.size"},
	} {
		var v core.Validation
		documents.Check(&v, "file", tt.data)
		var e *core.Error
		got := ""
		if err := v.Err(); err != nil {
			e = err.(*core.Error)
			got = e.Fields["file"]
		}
		if got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
