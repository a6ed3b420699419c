package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/portal"
	"onestop/portal/portaltest"
	"onestop/services/accounts"
	"onestop/services/hotline"
	"onestop/services/people"
	"onestop/services/pii"
)

const (
	rotPhone   = "13900139000" // an entrepreneur's login
	rotProfPh  = "13700137000" // the phone on their profile
	rotIDNo    = "11010519880512123X"
	rotCaller  = "13600136000" // a caller known only to the hotline
	rotStaffEm = "staff@test.cn"
)

// rotSeed lays down an entrepreneur registered by phone with a profile,
// a hotline member of staff and a caller; it returns the entrepreneur's id.
func rotSeed(t *testing.T, tp *portaltest.Portal) string {
	t.Helper()
	uid := tp.Register(map[string]any{"phone": rotPhone, "password": portaltest.Password, "name": "李秀英"}).User.ID
	tok := rotLogin(t, tp, rotPhone)
	if resp, body := tp.Do("PUT", "/api/v1/me/profile", map[string]any{"real_name": "李秀英", "consent_version": "2026-11", "id_number": rotIDNo, "phone": rotProfPh}, tok); resp.StatusCode != 200 {
		t.Fatalf("profile: %d %s", resp.StatusCode, body)
	}
	_, staff, _ := tp.Account(accounts.Hotline, rotStaffEm)
	if resp, body := tp.Do("POST", "/api/v1/hotline/contacts", map[string]any{"name": "來電者", "phone": rotCaller}, staff); resp.StatusCode != 201 {
		t.Fatalf("contact: %d %s", resp.StatusCode, body)
	}
	return uid
}

func rotLogin(t *testing.T, tp *portaltest.Portal, login string) string {
	t.Helper()
	resp, body := tp.Do("POST", "/api/v1/auth/login", map[string]any{"login": login, "password": portaltest.Password}, "")
	if resp.StatusCode != 200 {
		t.Fatalf("sign-in by %s: %d %s", login, resp.StatusCode, body)
	}
	return portaltest.Decode[map[string]any](t, body)["access_token"].(string)
}

// rotWorks checks through the API what a rotation must never break.
func rotWorks(t *testing.T, tp *portaltest.Portal, uid string) {
	t.Helper()
	rotLogin(t, tp, rotPhone)
	staff := tp.Login(rotStaffEm)
	resp, body := tp.Do("POST", "/api/v1/staff/people/"+uid+"/reveal", nil, staff)
	if r := portaltest.Decode[people.Revealed](t, body); resp.StatusCode != 200 || r.IDNumber != rotIDNo || r.Phone != rotProfPh {
		t.Errorf("reveal: %d %s", resp.StatusCode, body)
	}
	for q, want := range map[string]string{rotIDNo: uid, rotProfPh: uid, rotCaller: "來電者"} {
		resp, body := tp.Do("POST", "/api/v1/hotline/find", map[string]string{"q": q}, staff)
		found := portaltest.Decode[struct{ Items []hotline.Found }](t, body).Items
		if resp.StatusCode != 200 || len(found) != 1 || (found[0].AccountID != want && found[0].Name != want) {
			t.Errorf("find %s: %d %s", q, resp.StatusCode, body)
		}
	}
	// Registering the taken phone again is answered as usual, but the phone
	// is told it has an account: no code to open a second one.
	if resp, body := tp.Do("POST", "/api/v1/auth/register", map[string]any{"phone": rotPhone, "password": portaltest.Password, "name": "冒名"}, ""); resp.StatusCode != 202 {
		t.Errorf("register a taken phone: %d %s", resp.StatusCode, body)
	}
	if k := tp.LastMessage(rotPhone).Key; k != "register.message.taken" {
		t.Errorf("a taken phone was sent %s", k)
	}
}

// sealedUnder checks every stored ciphertext carries the key id.
func sealedUnder(t *testing.T, tp *portaltest.Portal, keyID string) {
	t.Helper()
	ctx := context.Background()
	n := 0
	for coll, fields := range map[string][]string{"users": {"phone_sealed"}, "profiles": {"id_sealed", "phone_sealed"}, "contacts": {"phone_sealed", "id_sealed"}} {
		cur, err := tp.App.Bureau().Store().C(coll).Find(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		for cur.Next(ctx) {
			for _, f := range fields {
				if v, ok := cur.Current.Lookup(f).StringValueOK(); ok && v != "" {
					n++
					if !strings.HasPrefix(v, keyID+":") {
						t.Errorf("%s.%s = %.12s…, want key %s", coll, f, v, keyID)
					}
				}
			}
		}
		cur.Close(ctx)
	}
	if n != 4 {
		t.Errorf("%d sealed values, want 4", n)
	}
}

func keyFile(t *testing.T, data, name string) []byte {
	t.Helper()
	k, err := portal.ReadKeyFile(filepath.Join(data, "keys", name))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func rotRun(t *testing.T, wantCode int, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := Main(context.Background(), append([]string{"rotate-data-key"}, args...), &out, &errb); code != wantCode {
		t.Fatalf("rotate-data-key %v: exit %d\n%s%s", args, code, out.String(), errb.String())
	}
	return out.String() + errb.String()
}

// TestRotateDataKeyGenerated rotates the embedded default's generated key
// file, interrupted once, then runs it again.
func TestRotateDataKeyGenerated(t *testing.T) {
	data := t.TempDir()
	tp := startApp(t, data)
	uid := rotSeed(t, tp)
	closeApp(t, tp)
	old := keyFile(t, data, portal.DataKeyFile)

	// Interrupted after one record: both keys on file, and the portal works.
	out := rotRun(t, 0, "-generate", "-limit", "1", "-data", data)
	if !strings.Contains(out, "stopped at -limit") || !bytes.Equal(keyFile(t, data, portal.PreviousKeyFile), old) || bytes.Equal(keyFile(t, data, portal.DataKeyFile), old) {
		t.Fatalf("limited run:\n%s", out)
	}
	next := keyFile(t, data, portal.DataKeyFile)
	tp = startApp(t, data)
	rotWorks(t, tp, uid)
	closeApp(t, tp)

	// Run again (with -generate, as an operator repeating the command
	// would): it resumes with the same new key and finishes.
	out = rotRun(t, 0, "-generate", "-data", data)
	if !strings.Contains(out, "resuming") || !strings.Contains(out, "profiles: 1 records, 1 re-encrypted") || !strings.Contains(out, "contacts: 1 records, 1 re-encrypted") || !strings.Contains(out, "retired to") {
		t.Fatalf("second run:\n%s", out)
	}
	if !bytes.Equal(keyFile(t, data, portal.DataKeyFile), next) || keyFile(t, data, portal.PreviousKeyFile) != nil {
		t.Fatal("the new key changed, or the old one was not retired")
	}
	retired, _ := filepath.Glob(filepath.Join(data, "keys", portal.RetiredKeyDir, portal.DataKeyFile+".*"))
	if len(retired) != 1 || !bytes.Equal(keyFile(t, data, filepath.Join(portal.RetiredKeyDir, filepath.Base(retired[0]))), old) {
		t.Fatalf("retired keys %v", retired)
	}
	if st, err := os.Stat(retired[0]); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("retired key file: %v %v", st, err)
	}

	// Only the new key now: every value opens, everything is found.
	tp = startApp(t, data)
	v, _ := pii.NewVault(next)
	sealedUnder(t, tp, v.KeyID())
	rotWorks(t, tp, uid)
	closeApp(t, tp)

	if out := rotRun(t, 0, "-data", data); !strings.Contains(out, "0 records re-encrypted") {
		t.Errorf("a run with nothing to do:\n%s", out)
	}
}

// TestRotateDataKeySettings rotates keys given as settings, as replicas
// do: the new key current, the old one previous; then without it.
func TestRotateDataKeySettings(t *testing.T) {
	keyA := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))
	keyB := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{2}, 32))
	keyC := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{3}, 32))
	data := t.TempDir()
	tp := startApp(t, data, "-data-key", keyA)
	uid := rotSeed(t, tp)
	closeApp(t, tp)

	// The new key rolled out with the old as previous: all works before
	// the rotation has run.
	tp = startApp(t, data, "-data-key", keyB, "-data-key-previous", keyC+","+keyA)
	rotWorks(t, tp, uid)
	closeApp(t, tp)

	// A key that sealed nothing is no help: the run fails naming what it
	// could not open, and changes nothing it cannot finish.
	if out := rotRun(t, 1, "-data", data, "-data-key", keyB, "-data-key-previous", keyC); !strings.Contains(out, "could not be re-keyed") || !strings.Contains(out, "-data-key-previous") {
		t.Fatalf("run without the old key:\n%s", out)
	}
	out := rotRun(t, 0, "-data", data, "-data-key", keyB, "-data-key-previous", keyA)
	if !strings.Contains(out, "users: 2 records, 1 re-encrypted") || !strings.Contains(out, "remove PORTAL_DATA_KEY_PREVIOUS") || strings.Contains(out, keyA) {
		t.Fatalf("rotation:\n%s", out)
	}
	if out := rotRun(t, 0, "-data", data, "-data-key", keyB, "-data-key-previous", keyA); !strings.Contains(out, "0 records re-encrypted") {
		t.Errorf("second run:\n%s", out)
	}
	if keyFile(t, data, portal.DataKeyFile) != nil {
		t.Error("a key file was written although keys are settings")
	}
	if out := rotRun(t, 1, "-generate", "-data", data, "-data-key", keyB); !strings.Contains(out, "-generate rotates the generated key file") {
		t.Errorf("-generate with a key setting:\n%s", out)
	}
	tp = startApp(t, data, "-data-key", keyB)
	defer closeApp(t, tp)
	vb, _ := pii.NewVault(bytes.Repeat([]byte{2}, 32))
	sealedUnder(t, tp, vb.KeyID())
	rotWorks(t, tp, uid)
}
