package portal_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"onestop/portal"
	"onestop/portal/portaltest"
	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/hotline"
	"onestop/services/onestop"
)

// Fuzz targets for the HTTP layer's parsers and neutralisers (S14). Only
// FuzzAuthenticate needs a database (one embedded store per process).

// FuzzDaysByKind: accepted time limits are 1–365 days for known kinds,
// written as plain decimal digits; anything else is named as bad.
func FuzzDaysByKind(f *testing.F) {
	for _, s := range []string{"financing=5,opening_guidance=3", "financing=5x", "financing=0x10", "financing=+5", "financing= 5", "financing=1e2",
		"financing=366", "financing=-1", "x=5", "=5", "financing", ",,", "financing=5,financing=6", "financing=05"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		var bad []string
		out := portal.DaysByKind(spec, onestop.Types, func(m string) { bad = append(bad, m) })
		for k, d := range out {
			if !slices.Contains(onestop.Types, k) || d < 1 || d > 365 {
				t.Fatalf("portal.DaysByKind(%q) accepted %s=%d", spec, k, d)
			}
		}
		for _, kv := range strings.Split(spec, ",") {
			kv = strings.TrimSpace(kv)
			k, v, ok := strings.Cut(kv, "=")
			if kv == "" || !ok || !slices.Contains(onestop.Types, k) {
				continue
			}
			if _, accepted := out[k]; accepted && len(bad) == 0 && !regexp.MustCompile(`^\s*[0-9]+\s*$`).MatchString(v) {
				t.Fatalf("portal.DaysByKind(%q) accepted %q as a number of days", spec, v)
			}
		}
	})
}

// FuzzLoadConfig: whatever the environment holds, LoadConfig either names
// a bad setting or yields a configuration within its documented bounds.
func FuzzLoadConfig(f *testing.F) {
	key := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	f.Add("1048576", "financing=5", "conduct=7,privacy=5", key, key, "10.0.0.0/8, ::1")
	f.Add("1048576abc", "financing=5 days", "privacy=0x7", "c2hvcnQ=", "!!", "10.0.0.1,not-a-cidr")
	f.Add("0x100000", "", "", base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{0xfb}, 40)), "", "")
	f.Add("1e6", ",", ",", key+"\n", key[:43], "0.0.0.0/0")
	f.Fuzz(func(t *testing.T, bodyLimit, serviceDays, complaintDays, jwtKey, dataKey, proxies string) {
		env := map[string]string{"PORTAL_BODY_LIMIT": bodyLimit, "PORTAL_SERVICE_DAYS": serviceDays, "PORTAL_COMPLAINT_DAYS": complaintDays,
			"PORTAL_JWT_KEY": jwtKey, "PORTAL_DATA_KEY": dataKey, "PORTAL_TRUSTED_PROXIES": proxies}
		c, err := portal.LoadConfig([]string{"-data", t.TempDir()}, func(k string) string { return env[k] }, io.Discard)
		if err != nil {
			return
		}
		if c.BodyLimit < 1024 || c.BodyLimit > 64<<20 || (strings.TrimSpace(bodyLimit) != "" && strconv.Itoa(c.BodyLimit) != strings.TrimSpace(bodyLimit)) {
			t.Fatalf("body limit %q read as %d", bodyLimit, c.BodyLimit)
		}
		if (c.JWTKey != nil && len(c.JWTKey) < 32) || (c.DataKey != nil && len(c.DataKey) != 32) {
			t.Fatalf("keys of %d and %d bytes accepted", len(c.JWTKey), len(c.DataKey))
		}
		for _, m := range []struct {
			days  map[string]int
			kinds []string
		}{{c.ServiceDays, onestop.Types}, {c.ComplaintDays, hotline.ComplaintKinds}} {
			for k, d := range m.days {
				if !slices.Contains(m.kinds, k) || d < 1 || d > 365 {
					t.Fatalf("accepted %s=%d", k, d)
				}
			}
		}
	})
}

// FuzzIdempotencyKey: a key is accepted only if it is visible ASCII (what
// an HTTP token may hold), so it never carries spaces, controls or bytes
// a log or a header could be broken with.
func FuzzIdempotencyKey(f *testing.F) {
	for _, s := range []string{"3f2b6a4e-1c9d-4e8f-a1b2-c3d4e5f6a7b8", "key with space", "x\r\ny", "長", "\x7f", "!~", ""} {
		f.Add(s)
	}
	visible := regexp.MustCompile(`^[!-~]*$`)
	f.Fuzz(func(t *testing.T, key string) {
		if portal.Printable(key) != visible.MatchString(key) {
			t.Fatalf("portal.Printable(%q) = %v", key, portal.Printable(key))
		}
	})
}

// FuzzAuthenticate: the JWT wrapper accepts a token only when it is, byte
// for byte in what is signed, one the portal issued — header and claims
// as issued, the same signature — so a token not signed with the portal's
// key (alg none, HS512, a changed claim, another key) is always refused.
func FuzzAuthenticate(f *testing.F) {
	tp := portaltest.New(f)
	_, access, _ := tp.Account(accounts.Entrepreneur, "fuzz@test.cn")
	parts := strings.Split(access, ".")
	b64 := base64.RawURLEncoding
	forge := func(header, claims string) string {
		return b64.EncodeToString([]byte(header)) + "." + b64.EncodeToString([]byte(claims))
	}
	payload, _ := b64.DecodeString(parts[1])
	f.Add(access)
	f.Add(parts[0] + "." + parts[1] + ".")
	f.Add(forge(`{"alg":"none","typ":"at+jwt"}`, string(payload)) + ".")
	f.Add(forge(`{"alg":"HS512","typ":"at+jwt"}`, string(payload)) + "." + parts[2])
	f.Add(forge(`{"alg":"HS256","typ":"JWT"}`, string(payload)) + "." + parts[2])
	f.Add(forge(`{"alg":"HS256","typ":"at+jwt"}`, strings.Replace(string(payload), `"role":"entrepreneur"`, `"role":"admin"`, 1)) + "." + parts[2])
	f.Add(parts[0] + "." + parts[1] + "." + parts[2] + "=")
	f.Add(strings.ToUpper(access))
	f.Add(access + "." + parts[2])
	f.Add("")
	issuedSig, _ := b64.DecodeString(parts[2])
	f.Fuzz(func(t *testing.T, token string) {
		p, err := tp.App.Bureau().Accounts.Authenticate(context.Background(), token)
		if err != nil {
			if !core.IsCode(err, core.Unauthenticated) {
				t.Fatalf("Authenticate(%q): %v", token, err)
			}
			return
		}
		got := strings.Split(token, ".")
		if len(got) != 3 || got[0] != parts[0] || got[1] != parts[1] {
			t.Fatalf("Authenticate accepted %q (as %+v), which the portal did not sign", token, p)
		}
		sig, err := base64.RawURLEncoding.DecodeString(got[2])
		if err != nil {
			sig, err = base64.URLEncoding.DecodeString(got[2])
		}
		if err != nil || !bytes.Equal(sig, issuedSig) {
			t.Fatalf("Authenticate accepted %q with another signature", token)
		}
	})
}

// Regressions found by the targets above.

// FuzzDaysByKind, FuzzLoadConfig: fmt.Sscan read "5x" as 5, "0x10" as 16 and
// "1e2" as 1, so a mistyped setting started the portal with another value.
func TestSettingsAreWholeNumbers(t *testing.T) {
	for _, v := range []string{"5x", "0x10", "+5", "1e2", "5 days"} {
		bad := 0
		if got := portal.DaysByKind("financing="+v, onestop.Types, func(string) { bad++ }); bad != 1 || len(got) != 0 {
			t.Errorf("financing=%s: %v, %d bad", v, got, bad)
		}
	}
	if got := portal.DaysByKind("financing= 5 ,opening_guidance=3", onestop.Types, func(m string) { t.Error(m) }); got["financing"] != 5 || got["opening_guidance"] != 3 {
		t.Errorf("got %v", got)
	}
	for _, v := range []string{"0x100000", "1048576abc", "1e6"} {
		if _, err := portal.LoadConfig([]string{"-data", t.TempDir(), "-body-limit", v}, func(string) string { return "" }, io.Discard); err == nil {
			t.Errorf("-body-limit %s accepted", v)
		}
	}
}
