package portal

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"onestop/services/accounts"
)

// lockedBuffer is a log sink the handlers of concurrent requests share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

// canaryPerson is a person seeded with an ID number and a phone that must
// appear in clear only in an audited reveal (or the person's own export).
type canaryPerson struct {
	name, id, phone string
	account         string // the account id, when the person has one
	contact         string // the hotline contact id, when a caller
	token           string
}

// TestPIICanaries (S11): a portal on a store of its own (its FerretDB
// SQLite files, its Bleve index and its JSON debug log all in the test's
// data directory) is given an account of every role and canary people —
// accounts registered by phone, their profiles, hotline callers with ID
// numbers and phones, some of them the same person — whose ID numbers
// (valid check digits) and phones are known. Then every GET page and API
// route is read as every demo account, the canary people are read, found
// by name, ID number and phone by staff, and some are revealed (API and
// page) and exported. The full values may appear only in the reveal and
// export answers, each with its audit record; nowhere else in any answer,
// in no log line, not in the search index files and not in the database
// files (main file and WAL), before and after the store is closed.
func TestPIICanaries(t *testing.T) {
	dir := t.TempDir()
	cfg, err := LoadConfig([]string{"-data", dir, "-metrics-addr", "127.0.0.1:0", "-log-level", "debug", "-log-format", "json"}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg.FastHashing = true
	now := new(atomic.Int64)
	now.Store(time.Now().UnixMilli())
	cfg.Clock = func() time.Time { return time.UnixMilli(now.Load()) }
	logs := &lockedBuffer{}
	// A store of its own (not the package's shared FerretDB): its SQLite
	// files are this test's alone.
	app, err := newApp(context.Background(), cfg, newLogger(cfg, logs), nil)
	if err != nil {
		t.Fatal(err)
	}
	app.ready.Store(true)
	closed := false
	t.Cleanup(func() {
		if !closed {
			app.Close(context.Background())
		}
	})
	tp := &testPortal{t: t, app: app, now: now}
	w, _ := newSmallWorld(t, tp)
	hotlineTok, adminTok := w.token(t, "hotline@sweep.test.cn"), w.token(t, "admin@sweep.test.cn")
	start := time.Now()

	// The canaries: entrepreneurs registered by phone with a profile, and
	// callers; every third caller is one of the entrepreneurs calling in.
	var people []*canaryPerson
	for i := range 12 {
		p := &canaryPerson{name: fmt.Sprintf("金絲雀%02d", i), id: withCheckDigit(fmt.Sprintf("11010519%02d0%d1%d3%02d", 70+i, 1+i%9, i%3, i)),
			phone: fmt.Sprintf("1590773%04d", 1000+i)}
		people = append(people, p)
		// Sign-ups are limited per address: the first few register, an
		// administrator creates the rest.
		path, body := "/api/v1/auth/register", map[string]any{"phone": p.phone, "password": testPassword, "name": p.name}
		token := ""
		if i >= 5 {
			path, body["role"], token = "/api/v1/admin/users", "entrepreneur", adminTok
		}
		resp, out := tp.do("POST", path, body, token)
		if resp.StatusCode != 201 {
			t.Fatalf("register %s: %d %s", p.phone, resp.StatusCode, out)
		}
		p.token = tp.login(p.phone)
		profile := goodProfile()
		profile["real_name"], profile["id_number"], profile["phone"] = p.name, p.id, p.phone
		resp, out = tp.do("PUT", "/api/v1/me/profile", profile, p.token)
		if resp.StatusCode != 200 {
			t.Fatalf("profile %s: %d %s", p.name, resp.StatusCode, out)
		}
		p.account = decode[map[string]any](t, mustDo(t, tp, "GET", "/api/v1/me", nil, p.token))["id"].(string)
	}
	for i := range 12 {
		p := &canaryPerson{name: fmt.Sprintf("來電者%02d", i), id: withCheckDigit(fmt.Sprintf("44030419%02d1%d2%d4%02d", 60+i, i%3, 1+i%8, i)),
			phone: fmt.Sprintf("1860755%04d", 2000+i)}
		if i%3 == 0 {
			p = &canaryPerson{name: people[i].name, id: people[i].id, phone: people[i].phone, account: people[i].account}
		} else {
			people = append(people, p)
		}
		c := decode[map[string]any](t, mustDo(t, tp, "POST", "/api/v1/hotline/contacts", map[string]any{"name": p.name, "phone": p.phone, "id_number": p.id, "district": "dongcheng"}, hotlineTok))
		if i%3 == 0 {
			people[i].contact = c["id"].(string)
		} else {
			p.contact = c["id"].(string)
		}
		mustDo(t, tp, "POST", "/api/v1/hotline/calls", map[string]any{"contact_id": c["id"], "type": "policy", "topic": "loan", "notes": "問貸款", "outcome": "resolved", "duration_minutes": 2}, hotlineTok)
	}
	// Failed sign-ins by phone: the throttle counts them.
	for _, p := range people[:3] {
		tp.do("POST", "/api/v1/auth/login", map[string]any{"login": p.phone, "password": "wrong-password-1"}, "")
	}
	canaries := map[string]string{} // value → what it is
	for _, p := range people {
		canaries[p.id], canaries[strings.ToLower(p.id)], canaries[p.phone] = "the ID number of "+p.name, "the ID number of "+p.name, "the phone of "+p.name
	}
	find := func(raw []byte) []string {
		var hits []string
		for v, what := range canaries {
			if bytes.Contains(raw, []byte(v)) {
				hits = append(hits, what)
			}
		}
		return hits
	}
	requests, hits := 0, 0
	check := func(what string, raw []byte) {
		t.Helper()
		requests++
		for _, h := range find(raw) {
			hits++
			t.Errorf("%s: %s in clear", what, h)
		}
	}

	// Records around the canary people: a request, a question, a case, a
	// complaint, so their names reach every list and page.
	for _, p := range people[:4] {
		if p.token == "" {
			continue
		}
		tp.do("POST", "/api/v1/services", map[string]any{"type": "financing", "details": "需要資金"}, p.token)
		tp.do("POST", "/api/v1/consultations", map[string]any{"topic": "financing", "question": "怎樣申請擔保貸款？"}, p.token)
		tp.do("POST", "/api/v1/complaints", map[string]any{"kind": "service", "subject": "等太久", "against": "portal", "details": "網頁打不開"}, p.token)
		tp.do("POST", "/api/v1/cases", map[string]any{"contact_id": p.contact, "reasons": []string{"market"}, "loan_status": "none", "situation": "店面關閉"}, hotlineTok)
	}
	t.Logf("seeded in %s", time.Since(start).Round(time.Second))

	// Every route as every role.
	visit := func(r route, target string, s sweepSubject, resp *http.Response, body []byte) {
		check("GET "+target+" as "+s.login, body)
	}
	w.crawl(t, true, 2, visit)
	w.crawl(t, false, 2, visit)
	// The canary people: read, found, and reading their own records.
	staff := []sweepSubject{}
	for _, s := range w.subjects {
		if s.role == accounts.Hotline || s.role == accounts.Admin {
			staff = append(staff, s)
		}
	}
	for _, p := range people {
		for _, s := range staff {
			type read struct{ path, echo string }
			var reads []read
			for _, q := range []string{p.name, p.id, p.phone, p.phone[:7]} {
				e := url.QueryEscape(q)
				for _, list := range []string{"/api/v1/staff/people", "/staff/people", "/api/v1/hotline/find", "/hotline", "/api/v1/admin/users"} {
					reads = append(reads, read{list + "?q=" + e, q})
				}
			}
			if p.account != "" {
				for _, path := range []string{"/api/v1/staff/people/", "/staff/people/", "/api/v1/admin/users/", "/admin/users/"} {
					reads = append(reads, read{path: path + p.account})
				}
			}
			if p.contact != "" {
				reads = append(reads, read{path: "/api/v1/hotline/contacts/" + p.contact}, read{path: "/hotline/contacts/" + p.contact})
			}
			for _, rd := range reads {
				resp, body := w.get(t, rd.path, s)
				if resp.StatusCode >= 500 {
					t.Errorf("GET %s as %s: %d", rd.path, s.login, resp.StatusCode)
				}
				if rd.echo != "" {
					// A search page shows what the caller typed in its
					// search box: that echo is the caller's own input.
					body = bytes.ReplaceAll(body, []byte(`value="`+rd.echo+`"`), nil)
				}
				check("GET "+rd.path+" as "+s.login, body)
			}
		}
		if p.token != "" {
			for _, path := range []string{"/api/v1/me", "/api/v1/me/profile", "/profile", "/account", "/supports", "/api/v1/me/eligibility", "/notifications"} {
				_, body := w.get(t, path, sweepSubject{name: "entrepreneur", login: p.phone, token: p.token})
				check("GET "+path+" as "+p.name, body)
			}
		}
	}

	// Reveals (API and page) and an export: the full values, audited.
	reveals, exports := 0, 0
	var both []*canaryPerson // entrepreneurs who also called the hotline
	for _, p := range people {
		if p.account != "" && p.contact != "" {
			both = append(both, p)
		}
	}
	for i, p := range both {
		s := staff[i%len(staff)]
		resp, body := tp.do("POST", "/api/v1/staff/people/"+p.account+"/reveal", nil, s.token)
		if resp.StatusCode != 200 || !bytes.Contains(body, []byte(p.id)) || !bytes.Contains(body, []byte(p.phone)) {
			t.Errorf("reveal %s as %s: %d %s", p.name, s.login, resp.StatusCode, body)
		}
		reveals++
		b := tp.browser()
		b.cookies[tp.app.cookieName("session")] = s.token
		_, doc := b.get("/hotline/contacts/" + p.contact)
		resp, doc = b.post("/hotline/contacts/"+p.contact+"/reveal", url.Values{}, csrfOf(doc))
		if html, _ := doc.Html(); resp.StatusCode != 200 || !strings.Contains(html, p.phone) {
			t.Errorf("reveal caller %s on the page as %s: %d", p.name, s.login, resp.StatusCode)
		}
		reveals++
		resp, body = tp.do("POST", "/api/v1/me/export", map[string]any{"password": testPassword}, p.token)
		if resp.StatusCode != 200 {
			t.Errorf("export of %s: %d %s", p.name, resp.StatusCode, body)
		}
		exports++
	}
	audit := func(action string) int {
		_, body := tp.do("GET", "/api/v1/admin/audit?size=100&action="+action, nil, adminTok)
		return strings.Count(string(body), `"action":"`+action+`"`)
	}
	if n := audit("pii.reveal"); n != reveals {
		t.Errorf("%d reveals audited, %d made", n, reveals)
	}
	if n := audit("privacy.export"); n != exports {
		t.Errorf("%d exports audited, %d made", n, exports)
	}

	// The log, the index and the database files.
	logLines := bytes.Count(logs.Bytes(), []byte("\n"))
	if logLines < requests/2 || !bytes.Contains(logs.Bytes(), []byte(`"level":"DEBUG"`)) && !bytes.Contains(logs.Bytes(), []byte(`"level":"INFO"`)) {
		t.Errorf("only %d log lines captured for %d requests", logLines, requests)
	}
	for i, line := range bytes.Split(logs.Bytes(), []byte("\n")) {
		for _, h := range find(line) {
			hits++
			t.Errorf("log line %d: %s in clear: %.300s", i+1, h, line)
		}
	}
	if err := app.outbox.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	scan := func(when string) (files int, bytesRead int64) {
		eachFile(dir, func(p string, raw []byte) {
			files++
			bytesRead += int64(len(raw))
			for _, h := range find(raw) {
				hits++
				t.Errorf("%s, %s: %s in clear", when, strings.TrimPrefix(p, dir), h)
			}
		})
		return files, bytesRead
	}
	openFiles, openBytes := scan("while running")
	closed = true
	if err := app.Close(context.Background()); err != nil {
		t.Errorf("close: %v", err)
	}
	files, size := scan("after closing")
	var dbFiles, indexFiles []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel := strings.TrimPrefix(p, dir+string(filepath.Separator))
			if strings.HasPrefix(rel, "db"+string(filepath.Separator)) {
				dbFiles = append(dbFiles, rel)
			} else if strings.HasPrefix(rel, "search"+string(filepath.Separator)) {
				indexFiles = append(indexFiles, rel)
			}
		}
		return nil
	})
	if len(dbFiles) == 0 || len(indexFiles) == 0 {
		t.Fatalf("no database (%v) or index files (%d) under %s", dbFiles, len(indexFiles), dir)
	}
	t.Logf("%d canary people (%d values); %d answers checked, %d reveals and %d exports audited; %d log lines; "+
		"%d files (%d KiB) scanned while running, %d files (%d KiB) after closing, database files %v, %d index files; %d plaintext hits",
		len(people), len(canaries), requests, reveals, exports, logLines, openFiles, openBytes>>10, files, size>>10, dbFiles, len(indexFiles), hits)
}

// eachFile calls fn with every regular file under dir and its bytes (files
// that vanish meanwhile, like a closed WAL, are skipped).
func eachFile(dir string, fn func(path string, raw []byte)) {
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
