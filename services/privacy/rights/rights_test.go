package rights_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/privacy"
	"onestop/services/privacy/rights"
	"onestop/services/servicetest"
	"onestop/services/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// fake is an area that remembers what it was asked.
type fake struct {
	name    string
	names   []string // what it knows the person by (a Namer when set)
	records []privacy.Record
	files   []privacy.File
	fail    error
	fails   int      // how many times Erase fails with fail (0: every time)
	erased  bool     // once erased, a namer knows nothing more
	reports []string // records it erases the name from, reported on its first run only
	unknown error    // a namer's failure to tell the names
	log     *[]string
	got     *privacy.Subject
}

func (f *fake) Name() string    { return f.name }
func (f *fake) Holds() []string { return []string{f.name} }
func (f *fake) Export(_ context.Context, id string) (*privacy.Part, error) {
	*f.log = append(*f.log, "export "+f.name)
	return &privacy.Part{Records: f.records, Files: f.files}, nil
}
func (f *fake) Erase(_ context.Context, s privacy.Subject) error {
	*f.log = append(*f.log, "erase "+f.name)
	*f.got = s
	if f.fail != nil {
		if f.fails == 1 {
			defer func() { f.fail = nil }()
		}
		f.fails--
		return f.fail
	}
	if !f.erased {
		s.Erased(f.reports...) // a deleted record: not found again
	}
	f.erased = true
	return nil
}

// namer is a fake area that also knows names.
type namer struct{ *fake }

func (n namer) Known(context.Context, string) ([]string, []string, error) {
	if n.unknown != nil {
		return nil, nil, n.unknown
	}
	if n.erased {
		return nil, nil, nil
	}
	return n.names, []string{"13800138000"}, nil
}

// follower is a fake audit log: it hears the ids the others exported.
type follower struct {
	*fake
	ids *[]string
}

func (f follower) ExportAbout(_ context.Context, _ string, ids []string) (*privacy.Part, error) {
	*f.ids = ids
	*f.log = append(*f.log, "export "+f.name)
	return &privacy.Part{Records: []privacy.Record{{Kind: "audit_event", ID: "e1", Data: map[string]string{"by": "hotline"}}}}, nil
}

// compactor records the indexes it compacted.
type compactor struct {
	mu      sync.Mutex
	indexes []string
	fail    bool
}

func (c *compactor) Compact(_ context.Context, index string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fail {
		return errors.New("disk full")
	}
	c.indexes = append(c.indexes, index)
	return nil
}

type world struct {
	x       *servicetest.Env
	svc     *rights.Service
	log     []string
	got     privacy.Subject
	ids     []string
	areas   map[string]*fake
	compact *compactor
}

// setup builds the use cases over three fake areas (one knowing names) and
// a fake audit log, registered in that order.
func setup(t *testing.T) *world {
	t.Helper()
	w := &world{x: servicetest.New(t, time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC), rights.Jobs), areas: map[string]*fake{}, compact: &compactor{}}
	w.x.Ready(t)
	mk := func(name string) *fake {
		f := &fake{name: name, log: &w.log, got: &w.got}
		w.areas[name] = f
		return f
	}
	loans := mk("loans")
	loans.records = []privacy.Record{{Kind: "loan", ID: "L1", At: time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC), Status: "disbursed", Data: map[string]any{"amount_yuan": 100000}}}
	loans.files = []privacy.File{{Path: privacy.FilePath("loans", "L1", "a1-plan.pdf"), Type: "application/pdf", Size: 8, Data: []byte("%PDF-1.4")}}
	loans.reports = []string{"L1"}
	profile := mk("profile")
	profile.names = []string{"王小明"}
	profile.records = []privacy.Record{{Kind: "profile", ID: "u1", Data: map[string]string{"real_name": "王小明"}}}
	reg := &privacy.Registry{}
	if err := reg.Register(loans, namer{profile}, mk("account"), follower{mk("audit"), &w.ids}); err != nil {
		t.Fatal(err)
	}
	svc, err := rights.New(rights.Deps{Registry: reg, Store: w.x.Store, Vault: w.x.Vault, Outbox: w.x.Outbox, Audit: w.x.Audit, Compactor: w.compact,
		Pseudonym: accounts.Pseudonym, Clock: w.x.Clock, Log: w.x.Log})
	if err != nil {
		t.Fatal(err)
	}
	w.svc = svc
	return w
}

var person = audit.Actor{ID: "u1abcdef", Role: "entrepreneur", Name: "王小明", IP: "192.0.2.10"}

// TestErase: names are gathered first, then every area erases in the
// registry's order with the same subject; the erasure is audited under the
// pseudonym; the compaction it owes survives until it ran on every index.
func TestErase(t *testing.T) {
	w := setup(t)
	ctx := context.Background()
	if done, err := w.svc.Erase(ctx, person); err != nil || !done {
		t.Fatalf("erase: done %v, %v", done, err)
	}
	if want := []string{"erase loans", "erase profile", "erase account", "erase audit"}; !slices.Equal(w.log, want) {
		t.Errorf("order %v, want %v", w.log, want)
	}
	if w.got.ID != person.ID || w.got.Pseudonym != "#u1abcd" || !slices.Contains(w.got.Names, "王小明") || !slices.Contains(w.got.Numbers, "13800138000") {
		t.Errorf("subject %+v", w.got)
	}
	r, _, err := w.x.Audit.Search(ctx, audit.Query{Action: "privacy.erase"})
	if err != nil || r.Total != 1 || r.Hits[0].String("actor_name") != "#u1abcd" {
		t.Fatalf("erasure audited as %+v (%v)", r, err)
	}
	w.compact.fail = true
	if err := w.svc.Compact(ctx); err == nil {
		t.Fatal("a failed compaction reported success")
	}
	w.compact.fail = false
	if err := w.svc.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	if got := w.compact.indexes; !slices.Contains(got, "audit") || len(got) != len(w.x.Outbox.Indexes()) {
		t.Errorf("compacted %v, want every index %v", got, w.x.Outbox.Indexes())
	}
	w.compact.indexes = nil
	if err := w.svc.Compact(ctx); err != nil || len(w.compact.indexes) != 0 {
		t.Errorf("compacted again (%v): %v", err, w.compact.indexes)
	}
}

// TestEraseStops: an erasure that fails before it began to change
// anything (the names cannot be gathered) is an error the person may retry,
// and leaves nothing behind: no job, no compaction owed.
func TestEraseStops(t *testing.T) {
	w := setup(t)
	ctx := context.Background()
	w.areas["profile"].unknown = core.Errorf(core.Unavailable, "error.search_unavailable")
	if done, err := w.svc.Erase(ctx, person); !core.IsCode(err, core.Unavailable) || done {
		t.Fatalf("erase: done %v, %v", done, err)
	}
	if len(w.log) != 0 {
		t.Errorf("ran %v", w.log)
	}
	if n, err := w.x.Store.C(rights.Jobs.Name).CountDocuments(ctx, bson.D{}); err != nil || n != 0 {
		t.Errorf("%d jobs left (%v)", n, err)
	}
}

// TestEraseResumes: an area that fails — before the account went, or
// after it (the audit log, last) — leaves the erasure under way: the
// person is told so, not asked to retry, and the worker finishes it with
// the names and numbers gathered at the start (the profile, gone since,
// knows none any more) and the records the first run erased; the job
// keeps them sealed, the compaction is owed from the start, and the
// erasure is audited once, under the pseudonym.
func TestEraseResumes(t *testing.T) {
	for _, failing := range []string{"account", "audit"} {
		t.Run(failing, func(t *testing.T) {
			w := setup(t)
			ctx := context.Background()
			w.areas[failing].fail, w.areas[failing].fails = core.Errorf(core.Unavailable, "error.search_unavailable"), 1
			done, err := w.svc.Erase(ctx, person)
			if err != nil || done {
				t.Fatalf("erase: done %v, %v; want under way", done, err)
			}
			var jobs []bson.Raw
			cur, err := w.x.Store.C(rights.Jobs.Name).Find(ctx, bson.D{})
			if err != nil || cur.All(ctx, &jobs) != nil {
				t.Fatal(err)
			}
			if len(jobs) != 2 { // the erasure and the compaction it owes
				t.Fatalf("jobs %v", jobs)
			}
			for _, j := range jobs {
				if s := j.String(); strings.Contains(s, "王小明") || strings.Contains(s, "13800138000") || strings.Contains(s, person.IP) {
					t.Errorf("a job keeps the name, number or address in clear: %s", s)
				}
			}
			if r, _, _ := w.x.Audit.Search(ctx, audit.Query{Action: "privacy.erase"}); r.Total != 0 {
				t.Error("audited as done")
			}
			w.log, w.got = nil, privacy.Subject{}
			if err := w.svc.Resume(ctx); err != nil {
				t.Fatal(err)
			}
			if want := []string{"erase loans", "erase profile", "erase account", "erase audit"}; !slices.Equal(w.log, want) {
				t.Errorf("the worker ran %v, want %v", w.log, want)
			}
			if !slices.Contains(w.got.Names, "王小明") || !slices.Contains(w.got.Numbers, "13800138000") || w.got.Pseudonym != "#u1abcd" {
				t.Errorf("the worker erased with %+v, without the names gathered at the start", w.got)
			}
			if !w.got.WasErased("L1") {
				t.Error("the worker lost the records the first run erased")
			}
			r, _, err := w.x.Audit.Search(ctx, audit.Query{Action: "privacy.erase"})
			if err != nil || r.Total != 1 || r.Hits[0].String("actor_name") != "#u1abcd" {
				t.Fatalf("erasure audited as %+v (%v)", r, err)
			}
			if n, _ := w.x.Store.C(rights.Jobs.Name).CountDocuments(ctx, bson.D{}); n != 1 {
				t.Errorf("%d jobs left, want the compaction only", n)
			}
			if err := w.svc.Compact(ctx); err != nil || len(w.compact.indexes) == 0 {
				t.Errorf("no compaction owed (%v)", err)
			}
			w.log = nil
			if err := w.svc.Resume(ctx); err != nil || len(w.log) != 0 {
				t.Errorf("a finished erasure ran again (%v): %v", err, w.log)
			}
		})
	}
}

// TestEraseHeld: while a run holds the erasure (the first request, still
// running), the person asking again is told it is under way and runs
// nothing; once that run gave it back, asking again finishes it.
func TestEraseHeld(t *testing.T) {
	w := setup(t)
	ctx := context.Background()
	w.areas["account"].fail, w.areas["account"].fails = core.Errorf(core.Unavailable, "error.search_unavailable"), 2
	if done, err := w.svc.Erase(ctx, person); err != nil || done {
		t.Fatalf("erase: done %v, %v", done, err)
	}
	// The worker takes it and fails again; then the person asks.
	if err := w.svc.Resume(ctx); err == nil {
		t.Fatal("the worker's failed run reported success")
	}
	w.log = nil
	if done, err := w.svc.Erase(ctx, person); err != nil || !done {
		t.Fatalf("erase again: done %v, %v", done, err)
	}
	if !slices.Contains(w.got.Names, "王小明") {
		t.Errorf("asked again without the names: %+v", w.got)
	}
	// A run that holds the job keeps anyone else out.
	w.areas["account"].fail, w.areas["account"].fails = core.Errorf(core.Unavailable, "error.search_unavailable"), 1
	other := audit.Actor{ID: "u2other", Role: "entrepreneur", Name: "李四"}
	if _, err := w.x.Store.C(rights.Jobs.Name).InsertOne(ctx, bson.D{{Key: "_id", Value: "erase:" + other.ID}, {Key: "person_id", Value: other.ID},
		{Key: "sealed", Value: w.x.Vault.Seal("privacy_erasure", `{"names":["李四"]}`)}, {Key: "until", Value: w.x.Clock.Now().Add(time.Minute)}}); err != nil {
		t.Fatal(err)
	}
	w.log = nil
	if done, err := w.svc.Erase(ctx, other); err != nil || done || len(w.log) != 0 {
		t.Errorf("erase while held: done %v, %v, ran %v", done, err, w.log)
	}
	if err := w.svc.Resume(ctx); err != nil || len(w.log) != 0 {
		t.Errorf("the worker ran a held erasure (%v): %v", err, w.log)
	}
	w.x.Advance(2 * time.Minute)
	if err := w.svc.Resume(ctx); err == nil || !slices.Contains(w.got.Names, "李四") {
		t.Errorf("the worker did not take the erasure once its hold ran out (%v): %+v", err, w.got)
	}
}

// TestExportArchive: the ZIP has the summary in the person's language, a
// JSON file per area (the audit log last, told the others' record ids)
// and the documents' bytes; the export is audited.
func TestExportArchive(t *testing.T) {
	w := setup(t)
	ctx := context.Background()
	ex, err := w.svc.Export(ctx, person)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"export loans", "export profile", "export account", "export audit"}; !slices.Equal(w.log, want) {
		t.Errorf("order %v, want %v", w.log, want)
	}
	if !slices.Equal(w.ids, []string{"L1", "u1"}) {
		t.Errorf("the audit log heard of %v", w.ids)
	}
	catalog := map[string]string{"privacy.export.title": "我的個人資料副本", "privacy.area.loans": "創業擔保貸款", "privacy.kind.loan": "貸款申請",
		"privacy.export.count": "{0} 筆紀錄（{1}）"}
	t9n := func(key string, args ...any) string {
		s, ok := catalog[key]
		if !ok {
			return key
		}
		for i, a := range args {
			s = strings.ReplaceAll(s, fmt.Sprintf("{%d}", i), fmt.Sprint(a))
		}
		return s
	}
	var buf bytes.Buffer
	if err := ex.WriteZIP(&buf, "zh-Hant", t9n); err != nil {
		t.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range z.File {
		rc, _ := f.Open()
		files[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	for name, want := range map[string]string{
		rights.SummaryName:     "1 筆紀錄（loans.json）",
		"loans.json":           `"amount_yuan":100000`,
		"profile.json":         `"real_name":"王小明"`,
		"account.json":         `"records":[]`,
		"audit.json":           `"by":"hotline"`,
		"loans/L1/a1-plan.pdf": "%PDF-1.4",
	} {
		if !strings.Contains(string(files[name]), want) {
			t.Errorf("%s lacks %q: %s", name, want, files[name])
		}
	}
	for _, want := range []string{`lang="zh-Hant"`, "我的個人資料副本", "創業擔保貸款", "貸款申請", "2026-11-01"} {
		if !strings.Contains(string(files[rights.SummaryName]), want) {
			t.Errorf("summary lacks %q", want)
		}
	}
	var part privacy.Part
	if err := json.Unmarshal(files["loans.json"], &part); err != nil || len(part.Files) != 1 || part.Files[0].Path != "loans/L1/a1-plan.pdf" {
		t.Errorf("loans.json lists %+v (%v)", part.Files, err)
	}
	r, _, err := w.x.Audit.Search(ctx, audit.Query{Action: "privacy.export"})
	if err != nil || r.Total != 1 {
		t.Fatalf("export audited %+v (%v)", r, err)
	}
}
