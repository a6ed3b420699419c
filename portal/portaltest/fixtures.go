package portaltest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"os"
	"path/filepath"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/people"
)

// A valid ID number (check digit computed) and phone used as canaries: they
// must never appear in clear where they should not.
const (
	CanaryID    = "440301199001011234"
	CanaryPhone = "13912345670"
)

// GoodProfile is a complete profile (a college graduate preparing a
// venture) holding the canary ID number and phone.
func GoodProfile() map[string]any {
	return map[string]any{
		"real_name": "林美華", "id_number": CanaryID, "phone": CanaryPhone, "district": "dongcheng",
		"education": "bachelor", "consent_version": people.NoticeVersion,
		"target_groups": []string{"college_graduate"}, "graduation_date": "2025-07-01",
		"wants_training": true, "venture": map[string]any{"stage": "preparing", "form": "individual", "industry": "information_service"},
	}
}

// With is a copy of m with k set to v, or without k when v is nil.
func With(m map[string]any, k string, v any) map[string]any {
	out := map[string]any{}
	for kk, vv := range m {
		out[kk] = vv
	}
	if v == nil {
		delete(out, k)
	} else {
		out[k] = v
	}
	return out
}

// Str is m[k] as a string, or "" if it is not one.
func Str(m map[string]any, k string) string { s, _ := m[k].(string); return s }

// EachFile calls fn with every regular file under dir and its bytes (files
// that vanish meanwhile, like a closed WAL, are skipped).
func EachFile(dir string, fn func(path string, raw []byte)) {
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if raw, err := os.ReadFile(p); err == nil {
			fn(p, raw)
		}
		return nil
	})
}

// Multipart is the body of a document upload: a form of fields and, when
// filename is given, a file of data; it returns the body and its
// Content-Type.
func Multipart(t testing.TB, fields map[string]string, filename string, data []byte) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if filename != "" {
		fw, err := mw.CreateFormFile("file", filename)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	}
	mw.Close()
	return &buf, mw.FormDataContentType()
}

// Snapshot hashes the collections a rejected request must not touch.
// (Audit events and throttle counters are expected to grow.)
func (p *Portal) Snapshot() string {
	p.T.Helper()
	h := sha256.New()
	for _, c := range []string{"users", "keys", "sessions", "profiles", "service_requests", "policies", "policy_versions"} {
		cur, err := p.App.Store().C(c).Find(context.Background(), bson.D{})
		if err != nil {
			p.T.Fatal(err)
		}
		var docs []bson.Raw
		if err := cur.All(context.Background(), &docs); err != nil {
			p.T.Fatal(err)
		}
		fmt.Fprintf(h, "%s:%d;", c, len(docs))
		for _, d := range docs {
			h.Write(d)
		}
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}
