package portal_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/portal/portaltest"
	"onestop/services/accounts"
)

// dbSnapshot hashes every collection of the portal's database but the
// excepted ones, one hash per collection, so that a change names where it
// happened.
func dbSnapshot(t *testing.T, tp *portaltest.Portal, except ...string) map[string]string {
	t.Helper()
	ctx := context.Background()
	colls, err := tp.App.Store().Collections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, c := range colls {
		if slices.Contains(except, c) {
			continue
		}
		cur, err := tp.App.Store().C(c).Find(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		var docs []bson.Raw
		if err := cur.All(ctx, &docs); err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		for _, d := range docs {
			h.Write(d)
		}
		out[c] = fmt.Sprintf("%d:%x", len(docs), h.Sum(nil))
	}
	return out
}

// snapshotDiff names the collections that differ.
func snapshotDiff(before, after map[string]string) []string {
	var out []string
	for c, h := range after {
		if before[c] != h {
			out = append(out, c)
		}
	}
	for c := range before {
		if _, ok := after[c]; !ok {
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

// csrfAudited: a refused form is recorded as an authorization failure,
// the one write a refusal makes (with the outbox note that puts it in the
// audit's search index, removed a moment later).
var csrfAudited = []string{"audit", "outbox"}

// TestCSRFEveryForm extends TestWebCSRFAndOrigin (the sign-in form) to
// every form of the route table: each page POST route is sent, in a
// signed-in session of a role the route lets in, with no token, with a
// valid token of another signed-in session, with its own token but a
// foreign Origin, and with its own token but a foreign Referer and no
// Origin; each is refused with 403 error.csrf, and nothing but the audit
// record of the refusal is written.
func TestCSRFEveryForm(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	w, _ := newSmallWorld(t, tp)
	ent := w.token(t, "entrepreneur@sweep.test.cn")
	tp.MustDo(t, "POST", "/api/v1/services", map[string]any{"type": "financing", "details": "想了解創業擔保貸款的申請流程"}, ent)
	tp.MustDo(t, "POST", "/api/v1/consultations", map[string]any{"topic": "financing", "question": "怎樣申請創業擔保貸款？"}, ent)
	_, otherTok, _ := tp.Account(accounts.Entrepreneur, "other@csrf.test.cn")

	// A session is its cookie and the CSRF seed cookie the portal set;
	// the page forms carry the token of the seed.
	type session struct{ token, seed string }
	sessions := map[accounts.Role]session{}
	for _, s := range w.subjects {
		if s.name != "guest" {
			sessions[s.role] = session{s.token, "seed-" + s.name}
		}
	}
	other := session{otherTok, "seed-other"}
	if tp.App.CSRFToken(other.seed) == tp.App.CSRFToken(sessions[accounts.Entrepreneur].seed) {
		t.Fatal("two sessions share a token")
	}

	send := func(path string, s session, form url.Values, hdr ...string) answer {
		req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/problem+json")
		req.Header.Set("Cookie", tp.App.CookieName("session")+"="+s.token+"; "+tp.App.CookieName("csrf")+"="+s.seed)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := tp.App.HTTP().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		var p struct {
			Code string `json:"code"`
		}
		_ = json.Unmarshal(raw, &p)
		return answer{resp.StatusCode, p.Code}
	}

	before := dbSnapshot(t, tp, csrfAudited...)
	start := time.Now()
	forms, requests := 0, 0
	for _, r := range tp.App.Routes() {
		if r.Method != "POST" || strings.HasPrefix(r.Path, "/api/") {
			continue
		}
		i := slices.IndexFunc(accounts.Roles, func(role accounts.Role) bool { return r.Access.Allows(accounts.Principal{ID: "x", Role: role}) })
		if i < 0 {
			t.Errorf("POST %s lets no role in", r.Path)
			continue
		}
		role := accounts.Roles[i]
		own := sessions[role]
		path := randomIDs(r.Path)
		form := func(csrf string) url.Values {
			v := url.Values{"note": {"跨站請求"}, "status": {"active"}, "password": {portaltest.Password}, "confirm": {"yes"}}
			if csrf != "" {
				v.Set("_csrf", csrf)
			}
			return v
		}
		forms++
		for _, c := range []struct {
			name string
			got  answer
		}{
			{"no token", send(path, own, form(""))},
			{"another session's token", send(path, own, form(tp.App.CSRFToken(other.seed)))},
			{"a foreign Origin", send(path, own, form(tp.App.CSRFToken(own.seed)), "Origin", "https://evil.example")},
			{"a foreign Referer", send(path, own, form(tp.App.CSRFToken(own.seed)), "Referer", "https://evil.example/form")},
		} {
			requests++
			if c.got.status != 403 || c.got.code != "error.csrf" {
				t.Errorf("POST %s as %s with %s: %d %q, want 403 error.csrf", r.Path, role, c.name, c.got.status, c.got.code)
			}
		}
	}
	if changed := snapshotDiff(before, dbSnapshot(t, tp, csrfAudited...)); len(changed) > 0 {
		t.Errorf("refused forms changed %v", changed)
	}
	if n := tp.App.CSRFRefusals(); n != int64(requests) { // the onestop_csrf_refusals_total metric
		t.Errorf("%d refusals counted for %d refused requests", n, requests)
	}
	// The same session with its own token gets past the check (the
	// refusals above are the token's and the origin's, not the role's).
	if got := send("/lang", sessions[accounts.Entrepreneur], url.Values{"lang": {"en"}, "_csrf": {tp.App.CSRFToken(sessions[accounts.Entrepreneur].seed)}}); got.status == 403 {
		t.Errorf("a form with its own token: %d %s", got.status, got.code)
	}
	t.Logf("%d forms, %d refused requests in %s", forms, requests, time.Since(start).Round(time.Millisecond))
	t.Run("GET", func(t *testing.T) { getChangesNothing(t, tp, w) })
}

// getWrites are the collections any GET may write: the audit log records
// reads of personal data and refused requests, and the outbox keeps the
// audit's search index in step (its notes are removed a moment after they
// are applied, so a snapshot may catch them coming or going).
var getWrites = []string{"audit", "outbox"}

// getWritesOf are the documented writes of particular GET routes: none.
// (The notifications page marks read through its form's POST.)
var getWritesOf = map[string][]string{}

// getChangesNothing (the second half of the CSRF property): every GET
// route, pages and API, read as a guest and as every role — with real ids
// where records exist, random ones as well — leaves every collection but
// getWrites as it was.
func getChangesNothing(t *testing.T, tp *portaltest.Portal, w *sweepWorld) {
	tp.MustDo(t, "PUT", "/api/v1/me/profile", portaltest.GoodProfile(), w.token(t, "entrepreneur@sweep.test.cn"))
	if err := tp.App.Bureau().Outbox.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	before := dbSnapshot(t, tp, getWrites...)
	start := time.Now()
	n := 0
	for _, r := range tp.App.Routes() {
		if r.Method != "GET" || sweepSkip(r.Path) {
			continue
		}
		for _, s := range w.subjects {
			targets := []string{randomIDs(r.Path)}
			if strings.Contains(r.Path, ":") {
				targets = append(targets, w.targets(t, r, s, 1)...)
			} else {
				targets = w.targets(t, r, s, 1)
			}
			for _, target := range targets {
				resp, body := w.get(t, target, s)
				n++
				if resp.StatusCode >= 500 {
					t.Errorf("GET %s as %s: %d %.200s", target, s.name, resp.StatusCode, body)
				}
			}
		}
		after := dbSnapshot(t, tp, getWrites...)
		for _, c := range snapshotDiff(before, after) {
			if !slices.Contains(getWritesOf[r.Path], c) {
				t.Errorf("GET %s changed %s", r.Path, c)
			}
		}
		before = after
	}
	t.Logf("%d GET requests in %s", n, time.Since(start).Round(time.Millisecond))
}

// TestFormAfterQuietRenewal: a page that renewed an expired access token
// (and so rotated the CSRF seed) carries the new seed's token, and its form
// goes through. It carried the old seed's, and the form answered 403.
func TestFormAfterQuietRenewal(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	tp.Account(accounts.Entrepreneur, "ent@test.cn")
	b := tp.Browser()
	_, doc := b.Get("/login")
	b.Post("/login", url.Values{"login": {"ent@test.cn"}, "password": {portaltest.Password}}, portaltest.CSRF(doc))
	tp.Advance(20 * time.Minute) // past the access token, within the session's idle time
	resp, doc := b.Get("/services")
	if resp.StatusCode != 200 || doc.Find(`a[href="/logout"], form[action="/logout"]`).Length() == 0 {
		t.Fatalf("the session was not renewed: %d", resp.StatusCode)
	}
	resp, _ = b.Post("/services", url.Values{"type": {"financing"}, "details": {"想了解貸款"}}, portaltest.CSRF(doc))
	if resp.StatusCode != 303 {
		t.Fatalf("the form after a renewal answered %d, want 303", resp.StatusCode)
	}
}
