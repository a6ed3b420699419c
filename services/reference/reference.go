// Package reference owns the bureau's reference lists (參考資料): the
// city's districts, the industries of the local guidance catalogue
// (產業指導目錄, source (三) — each locality sets its own) and the other
// trades the tax-relief rules name. Each list is data: seeded from
// seed.json the first time, kept in the database, edited by
// administrators, and read through an in-memory snapshot.
//
// An entry is a code (a lowercase ASCII slug that records store), its
// labels in the portal's three languages, and whether it is retired. A code
// is never removed and never reused: records keep pointing at what it
// meant, and a list that no longer offers it retires it instead. Input may
// name an entry by its code or by any of its labels, in Traditional or
// Simplified characters (Rule).
package reference

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"onestop/search"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/store"
)

// Kind names a list.
type Kind string

// The lists.
const (
	// District is the city's districts and counties.
	District Kind = "district"
	// Industry is the local guidance catalogue of industries.
	Industry Kind = "industry"
	// Sector is the trades outside the catalogue that the tax-relief rules
	// name (advertising, sauna …). A venture's industry is an industry or a
	// sector, so the two lists share one space of codes.
	Sector Kind = "sector"
)

// Kinds are every list, in the order the admin page shows them. A new kind
// comes with the fields that use it, so it is added here in code; its
// entries are data.
var Kinds = []Kind{District, Industry, Sector}

// space is the kinds whose codes one field may hold: a code is unique in
// its space, and a label is looked up across it.
func space(k Kind) []Kind {
	switch k {
	case Industry:
		return []Kind{Industry, Sector}
	case Sector:
		return []Kind{Sector, Industry}
	}
	return []Kind{k}
}

// Languages of the labels, default first (the portal's).
var Languages = []string{"zh-Hant", "zh-Hans", "en"}

// Labels is an entry's name in each language.
type Labels map[string]string

// Entry is one item of a list. Its place in the list is its order.
type Entry struct {
	Code    string `bson:"code" json:"code"`
	Labels  Labels `bson:"labels" json:"labels"`
	Retired bool   `bson:"retired" json:"retired"`
	// Order is the 1-based place in the list (computed, not stored).
	Order int `bson:"-" json:"order"`
}

// List is one list as stored: every entry ever added, in order, and a
// version that every change moves on.
type List struct {
	Kind      Kind      `bson:"_id" json:"kind"`
	Version   int       `bson:"version" json:"version"`
	Entries   []Entry   `bson:"entries" json:"entries"`
	UpdatedAt time.Time `bson:"updated_at" json:"updated_at"`
	UpdatedBy string    `bson:"updated_by" json:"updated_by,omitempty"`
}

// Collection holds one document per list, read by `_id` (the kind).
var Collection = store.Collection{Name: "reference"}

// refreshEvery is how old this process's snapshot may grow before a read
// starts a reload; see Lists.
const refreshEvery = 30 * time.Second

// Lists is the reference data service.
//
// Reads never touch the database: they use a snapshot held in an atomic
// pointer, replaced whole. This process's own edits replace it at once.
// Edits made by another replica are picked up by version: each list's
// document carries a version that every change increments, and a read that
// finds the snapshot older than RefreshEvery starts one background reload
// (one `_id` read per list) while it answers from the snapshot it has. So
// replicas converge within about RefreshEvery of a change, with no change
// stream (the embedded store has none) and no read on a request's path.
type Lists struct {
	store *store.Store
	audit *audit.Log
	clock core.Clock
	log   *slog.Logger
	every time.Duration

	snap      atomic.Pointer[snapshot]
	reloading atomic.Bool
}

// Deps wires the service.
type Deps struct {
	Store *store.Store
	Audit *audit.Log
	Clock core.Clock
	// Log takes the background reloads that failed.
	Log *slog.Logger
	// RefreshEvery bounds how stale another replica's edit may look here
	// (zero: 30 s).
	RefreshEvery time.Duration
}

// New returns the service. Until Ensure has read the database it answers
// from the seed file.
func New(d Deps) (*Lists, error) {
	if err := core.CheckDeps("reference", d); err != nil {
		return nil, err
	}
	seed, err := seedLists()
	if err != nil {
		return nil, err
	}
	l := &Lists{store: d.Store, audit: d.Audit, clock: d.Clock, log: d.Log, every: d.RefreshEvery}
	if l.every <= 0 {
		l.every = refreshEvery
	}
	s := &snapshot{lists: map[Kind]*index{}, loaded: l.clock.Now()}
	for _, k := range Kinds {
		s.lists[k] = newIndex(seed[k])
	}
	l.snap.Store(s)
	return l, nil
}

// Seeded returns the seed file's lists, read-only and without a database:
// for tests and tools that need the lists as shipped. Its edits fail.
func Seeded() (*Lists, error) {
	seed, err := seedLists()
	if err != nil {
		return nil, err
	}
	l := &Lists{clock: core.Clock(nil), log: slog.Default(), every: 1<<63 - 1}
	s := &snapshot{lists: map[Kind]*index{}, loaded: l.clock.Now()}
	for _, k := range Kinds {
		s.lists[k] = newIndex(seed[k])
	}
	l.snap.Store(s)
	return l, nil
}

// Ensure writes the seed's lists that the database lacks (a list once
// written is the bureau's: the file never overwrites it) and loads the
// snapshot.
func (l *Lists) Ensure(ctx context.Context) error {
	seed, err := seedLists()
	if err != nil {
		return err
	}
	now := l.clock.Now()
	for _, k := range Kinds {
		var have List
		err := l.store.Get(ctx, Collection.Name, string(k), &have)
		if err == nil {
			continue
		}
		if !core.IsCode(err, core.NotFound) {
			return err
		}
		doc := seed[k]
		doc.UpdatedAt, doc.UpdatedBy = now, "seed"
		if _, err := l.store.C(Collection.Name).InsertOne(ctx, doc); err != nil && !isDuplicate(err) {
			return core.Wrap(err, "seed reference list")
		}
	}
	return l.Refresh(ctx)
}

// Refresh reloads every list from the database now.
func (l *Lists) Refresh(ctx context.Context) error {
	old := l.snap.Load()
	s := &snapshot{lists: map[Kind]*index{}, loaded: l.clock.Now()}
	for _, k := range Kinds {
		var doc List
		err := l.store.Get(ctx, Collection.Name, string(k), &doc)
		switch {
		case err == nil:
			s.lists[k] = newIndex(&doc)
		case core.IsCode(err, core.NotFound):
			s.lists[k] = old.lists[k] // not seeded yet: keep what we have
		default:
			return err
		}
	}
	l.snap.Store(s)
	return nil
}

// current returns the snapshot, starting a background reload when it is
// older than RefreshEvery.
func (l *Lists) current() *snapshot {
	s := l.snap.Load()
	if l.clock.Now().Sub(s.loaded) < l.every || !l.reloading.CompareAndSwap(false, true) {
		return s
	}
	go func() {
		defer l.reloading.Store(false)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := l.Refresh(ctx); err != nil {
			l.log.Warn("reference lists reload", "err", err)
			// Try again after another interval, not on every read.
			again := *l.snap.Load()
			again.loaded = l.clock.Now()
			l.snap.Store(&again)
		}
	}()
	return s
}

// snapshot is every list as this process last read it.
type snapshot struct {
	lists  map[Kind]*index
	loaded time.Time
}

// index is one list with its look-ups.
type index struct {
	list List
	at   map[string]int    // code → place
	keys map[string]string // a code or label, folded (key) → code
}

func newIndex(doc *List) *index {
	ix := &index{list: *doc, at: map[string]int{}, keys: map[string]string{}}
	ix.list.Entries = slices.Clone(doc.Entries)
	for i := range ix.list.Entries {
		e := &ix.list.Entries[i]
		e.Order = i + 1
		ix.at[e.Code] = i
	}
	// Codes first, then labels: a label never hides another entry's code.
	for _, e := range ix.list.Entries {
		ix.keys[key(e.Code)] = e.Code
	}
	for _, e := range ix.list.Entries {
		for _, lang := range Languages {
			if k := key(e.Labels[lang]); k != "" {
				if _, taken := ix.keys[k]; !taken {
					ix.keys[k] = e.Code
				}
			}
		}
	}
	return ix
}

func (ix *index) entry(code string) (Entry, bool) {
	if ix == nil {
		return Entry{}, false
	}
	i, ok := ix.at[code]
	if !ok {
		return Entry{}, false
	}
	return ix.list.Entries[i], true
}

// key folds what someone typed for matching: spaces trimmed and collapsed
// (the ideographic space too), full-width Latin letters and digits made
// ASCII, lower case, Traditional characters folded to Simplified.
func key(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\u3000':
			return ' '
		case r >= '\uFF01' && r <= '\uFF5E':
			return r - 0xFEE0
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	return search.Fold(strings.ToLower(s))
}

// Entries returns every entry of kind, retired ones included, in order.
func (l *Lists) Entries(kind Kind) []Entry {
	ix := l.current().lists[kind]
	if ix == nil {
		return nil
	}
	return slices.Clone(ix.list.Entries)
}

// Get returns the stored list of kind (its entries, version and last
// change); an unknown kind is NotFound.
func (l *Lists) Get(kind Kind) (*List, error) {
	ix := l.current().lists[kind]
	if ix == nil {
		return nil, core.Errorf(core.NotFound, "error.not_found")
	}
	out := ix.list
	out.Entries = slices.Clone(out.Entries)
	return &out, nil
}

// Codes returns the active codes of kind, in order: what forms offer and
// new records may take.
func (l *Lists) Codes(kind Kind) []string {
	ix := l.current().lists[kind]
	if ix == nil {
		return nil
	}
	out := make([]string, 0, len(ix.list.Entries))
	for _, e := range ix.list.Entries {
		if !e.Retired {
			out = append(out, e.Code)
		}
	}
	return out
}

// AllCodes returns every code of kind ever listed, retired ones included,
// in order: what stored records may hold (figures, filters).
func (l *Lists) AllCodes(kind Kind) []string {
	ix := l.current().lists[kind]
	if ix == nil {
		return nil
	}
	out := make([]string, len(ix.list.Entries))
	for i, e := range ix.list.Entries {
		out[i] = e.Code
	}
	return out
}

// Has reports whether code is an entry of kind, retired or not.
func (l *Lists) Has(kind Kind, code string) bool {
	_, ok := l.current().lists[kind].entry(code)
	return ok
}

// IsActive reports whether code is an entry of kind that is not retired.
func (l *Lists) IsActive(kind Kind, code string) bool {
	e, ok := l.current().lists[kind].entry(code)
	return ok && !e.Retired
}

// Label returns the label of code in lang (the default language's when
// lang has none). A code of kind's space (an industry's code among the
// sectors) is labelled from there; an unknown code is returned as it is.
func (l *Lists) Label(kind Kind, code, lang string) string {
	s := l.current()
	for _, k := range space(kind) {
		if e, ok := s.lists[k].entry(code); ok {
			if t := e.Labels[lang]; t != "" {
				return t
			}
			return e.Labels[Languages[0]]
		}
	}
	return code
}

// Resolve returns the code of the entry of kind that in names: its code
// or one of its labels, in either script, spaces and case aside. Retired
// entries resolve too; whether a field accepts them is a Rule's business.
func (l *Lists) Resolve(kind Kind, in string) (string, bool) {
	ix := l.current().lists[kind]
	if ix == nil {
		return "", false
	}
	code, ok := ix.keys[key(in)]
	return code, ok
}

// Version returns the version of kind's list as this process has it.
func (l *Lists) Version(kind Kind) int {
	if ix := l.current().lists[kind]; ix != nil {
		return ix.list.Version
	}
	return 0
}

func isDuplicate(err error) bool { return mongo.IsDuplicateKeyError(err) }
