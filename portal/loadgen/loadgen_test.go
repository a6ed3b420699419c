package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	for _, tc := range []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one value", ms(7), 99, 7 * time.Millisecond},
		{"median of odd", ms(1, 2, 3, 4, 5), 50, 3 * time.Millisecond},
		{"median of even: the lower", ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"p0 is the minimum", ms(3, 9), 0, 3 * time.Millisecond},
		{"p100 is the maximum", ms(3, 9), 100, 9 * time.Millisecond},
		{"p95 of 1..100", ms(hundred...), 95, 95 * time.Millisecond},
		{"p99 of 1..100", ms(hundred...), 99, 99 * time.Millisecond},
		{"p99 of 10 values is the largest", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 99, 10 * time.Millisecond},
		{"p90 of 10 values", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 90, 9 * time.Millisecond},
	} {
		if got := Percentile(tc.sorted, tc.p); got != tc.want {
			t.Errorf("%s: Percentile(p%.0f) = %v, want %v", tc.name, tc.p, got, tc.want)
		}
	}
}

func TestClassify(t *testing.T) {
	for code, want := range map[int]outcome{0: transport, 200: ok, 201: ok, 303: ok, 404: status4xx, 422: status4xx, 429: status429, 500: status5xx, 503: status5xx} {
		if got := classify(code); got != want {
			t.Errorf("classify(%d) = %v, want %v", code, got, want)
		}
	}
}

// fakePortal answers the URLs the load uses the way the portal does (a
// CSRF form token, a session cookie, bearer tokens, JSON lists), fails
// some on purpose, and counts what it received.
type fakePortal struct {
	mu       sync.Mutex
	got      map[string]int // by outcome class: ok, 5xx, 4xx, 429
	byPath   map[string]int
	signIns  int
	signedIn int // sessions opened: each then loads "/" once for its form token, unmeasured
	badCSRF  int
	noBearer int
	// district filters: the portal's own listed district, and any other
	listed, unlisted int
}

func (f *fakePortal) count(kind, path string) {
	f.mu.Lock()
	f.got[kind]++
	f.byPath[path]++
	f.mu.Unlock()
}

func (f *fakePortal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	signedIn := false
	if c, err := r.Cookie("session"); err == nil && c.Value == "ok" {
		signedIn = true
	}
	page := func() {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<form method="post"><input type="hidden" name="_csrf" value="tok-1"></form>`))
	}
	if d := r.URL.Query().Get("district"); d != "" {
		f.mu.Lock()
		if d == "fakecity" {
			f.listed++
		} else {
			f.unlisted++
		}
		f.mu.Unlock()
	}
	switch {
	case p == "/login" && r.Method == http.MethodGet:
		page()
		return
	case p == "/api/v1/reference":
		json.NewEncoder(w).Encode(map[string]any{"lists": []map[string]any{
			{"kind": "district", "entries": []map[string]string{{"code": "fakecity"}}},
			{"kind": "industry", "entries": []map[string]string{{"code": "technology"}}}}})
		return
	case p == "/login":
		f.mu.Lock()
		f.signIns++
		f.mu.Unlock()
		if r.FormValue("_csrf") != "tok-1" || r.FormValue("password") != "pw" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		f.mu.Lock()
		f.signedIn++
		f.mu.Unlock()
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "ok", Path: "/"})
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	case p == "/api/v1/auth/login":
		json.NewEncoder(w).Encode(map[string]any{"access_token": "at", "refresh_token": "rt", "expires_in": 900})
		return
	case p == "/api/v1/projects" && r.URL.Query().Get("q") == "":
		json.NewEncoder(w).Encode(map[string]any{"hits": []map[string]string{{"id": "p1"}, {"id": "p2"}}})
		return
	case p == "/api/v1/bases" || p == "/api/v1/mentors" || p == "/api/v1/staff/people":
		json.NewEncoder(w).Encode(map[string]any{"items": []map[string]string{{"id": "x1"}}})
		return
	case p == "/api/v1/me/profile" && r.Method == http.MethodGet:
		json.NewEncoder(w).Encode(map[string]any{"id": "me", "real_name": "王偉", "district": "dongcheng", "notice_version": "2026-11"})
		return
	case p == "/api/v1/hotline/contacts":
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]string{"id": "c1"})
		return
	}
	// The measured requests.
	if strings.HasPrefix(p, "/api/") {
		if r.Header.Get("Authorization") == "" && r.Method != http.MethodGet {
			f.mu.Lock()
			f.noBearer++
			f.mu.Unlock()
		}
	} else if r.Method == http.MethodPost && (r.FormValue("_csrf") != "tok-1" || !signedIn) {
		f.mu.Lock()
		f.badCSRF++
		f.mu.Unlock()
	}
	switch p {
	case "/training":
		f.count("5xx", p)
		w.WriteHeader(http.StatusServiceUnavailable)
	case "/policies":
		f.count("429", p)
		w.WriteHeader(http.StatusTooManyRequests)
	case "/mentors":
		f.count("4xx", p)
		w.WriteHeader(http.StatusNotFound)
	default:
		f.count("ok", p)
		if r.Method == http.MethodPost && !strings.HasPrefix(p, "/api/") {
			http.Redirect(w, r, "/", http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost {
			w.WriteHeader(http.StatusCreated)
			w.Write([]byte(`{"id":"r1"}`))
			return
		}
		page()
	}
}

func TestRunCountsAndReports(t *testing.T) {
	fp := &fakePortal{got: map[string]int{}, byPath: map[string]int{}}
	srv := httptest.NewServer(fp)
	defer srv.Close()
	const budget = 600
	rep, err := Run(context.Background(), Config{
		BaseURL: srv.URL, Users: 12, Requests: budget, Seed: 7, Settle: time.Millisecond, MetricsURL: "",
		Accounts: []Account{{"e1@x.cn", "pw", RoleEntrepreneur}, {"e2@x.cn", "pw", RoleEntrepreneur}, {"h@x.cn", "pw", RoleHotline}, {"a@x.cn", "pw", RoleAdmin}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Requests != budget {
		t.Errorf("requests = %d, want the budget %d", rep.Requests, budget)
	}
	fp.mu.Lock()
	defer fp.mu.Unlock()
	if got := fp.got["ok"] + fp.got["5xx"] + fp.got["4xx"] + fp.got["429"] - fp.signedIn; got != budget {
		t.Errorf("the portal saw %d measured requests, want %d", got, budget)
	}
	e := rep.Errors
	if e.Status5xx != fp.got["5xx"] || e.Status429 != fp.got["429"] || e.Status4xx != fp.got["4xx"] || e.Transport != 0 {
		t.Errorf("errors = %+v, the portal answered 5xx %d, 429 %d, 4xx %d", e, fp.got["5xx"], fp.got["429"], fp.got["4xx"])
	}
	if fp.got["5xx"] == 0 || fp.got["429"] == 0 || fp.got["4xx"] == 0 {
		t.Errorf("the mix never reached a failing page: %v", fp.got)
	}
	if want := float64(e.Total()-e.Status429) / budget; rep.ErrorRate != want {
		t.Errorf("error rate = %v, want %v (429 apart)", rep.ErrorRate, want)
	}
	if fp.listed == 0 || fp.unlisted > 0 {
		t.Errorf("district filters: %d on the portal's listed district, %d on others", fp.listed, fp.unlisted)
	}
	if fp.badCSRF > 0 || fp.noBearer > 0 {
		t.Errorf("forms without the session's token: %d; API writes without a bearer token: %d", fp.badCSRF, fp.noBearer)
	}
	if rep.SignedIn != 11 { // 12 users: 70 % entrepreneurs, 15 % staff, 5 % admin, the rest guests
		t.Errorf("signed in = %d, want 11", rep.SignedIn)
	}
	// Classes add up to the total, and each route to its class.
	sum, byClass := 0, map[string]int{}
	for _, c := range rep.Classes {
		sum += c.Requests
		if c.P50ms > c.P95ms || c.P95ms > c.P99ms || c.P99ms > c.MaxMs {
			t.Errorf("%s: percentiles out of order: %+v", c.Class, c)
		}
	}
	for _, r := range rep.Routes {
		if r.Class != Login {
			byClass[r.Class] += r.Requests
		}
	}
	for _, c := range rep.Classes {
		if byClass[c.Class] != c.Requests {
			t.Errorf("%s: routes add up to %d, class says %d", c.Class, byClass[c.Class], c.Requests)
		}
	}
	if sum != rep.Requests || len(rep.Classes) != 3 {
		t.Errorf("classes %v add up to %d, want %d in three classes", rep.Classes, sum, rep.Requests)
	}
	// The mix is about 70/20/10.
	for _, c := range rep.Classes {
		share := float64(c.Requests) / budget
		want := map[string]float64{Page: 0.7, Search: 0.2, Write: 0.1}[c.Class]
		if share < want-0.08 || share > want+0.08 {
			t.Errorf("%s: %.2f of requests, want about %.2f", c.Class, share, want)
		}
	}
	if rep.SignIn == nil || rep.SignIn.Requests != 11 || rep.SignIn.Errors.Total() != 0 {
		t.Errorf("sign-in stats = %+v, want 11 clean", rep.SignIn)
	}

	var table bytes.Buffer
	rep.WriteTable(&table)
	for _, want := range []string{"PAGE", "SEARCH", "WRITE", "ALL", "GET /training", "POST /api/v1/services", "p99 ms", "429"} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, table.String())
		}
	}
	var js bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || back.Requests != rep.Requests || back.Errors != rep.Errors || len(back.Routes) != len(rep.Routes) {
		t.Errorf("JSON round trip: %v %+v", err, back)
	}
}

func TestWrongPasswordIsASignInError(t *testing.T) {
	fp := &fakePortal{got: map[string]int{}, byPath: map[string]int{}}
	srv := httptest.NewServer(fp)
	defer srv.Close()
	rep, err := Run(context.Background(), Config{BaseURL: srv.URL, Users: 3, Requests: 30, Seed: 1, Settle: time.Millisecond,
		RoleShare: map[string]float64{RoleEntrepreneur: 1},
		Accounts:  []Account{{"e1@x.cn", "wrong", RoleEntrepreneur}}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.SignedIn != 0 || rep.SignIn == nil || rep.SignIn.Errors.Status4xx != 3 {
		t.Errorf("signed in %d, sign-in stats %+v: want 3 refused", rep.SignedIn, rep.SignIn)
	}
}

func TestReadAccounts(t *testing.T) {
	path := t.TempDir() + "/a.tsv"
	if err := writeFile(path, "# comment\nwang@x.cn\tpw 1\tentrepreneur\n\nh@x.cn\tpw2\thotline\n"); err != nil {
		t.Fatal(err)
	}
	got, err := ReadAccounts(path)
	if err != nil || len(got) != 2 || got[0] != (Account{"wang@x.cn", "pw 1", RoleEntrepreneur}) || got[1].Role != RoleHotline {
		t.Errorf("ReadAccounts = %+v, %v", got, err)
	}
	if err := writeFile(path, "only-a-login\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadAccounts(path); err == nil {
		t.Error("a line without password and role was accepted")
	}
}

func writeFile(path, s string) error { return os.WriteFile(path, []byte(s), 0o600) }
