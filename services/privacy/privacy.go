// Package privacy owns the personal-data contract (PIPL Arts. 45 and 47):
// every area of the portal that stores anything about a person implements
// Area — it exports what it holds about them, and erases or pseudonymises
// it when they delete their account, keeping (pseudonymised, with the
// reason) only what the law makes the bureau keep. The export (a ZIP of
// JSON per area and a readable summary) and the erasure are use cases of
// this package, run over every registered area; and start-up refuses a
// collection that no area covers and that is not declared to hold nothing
// about a person, so a new area cannot forget to take part.
package privacy

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Area is one part of the portal that stores something about a person.
// Erase must be idempotent: an erasure that failed half-way is run again.
type Area interface {
	// Name names the area: its file in an export, its heading in the
	// summary.
	Name() string
	// Holds names the collections whose records about a person the area
	// exports and erases.
	Holds() []string
	// Export returns what the area holds about the person, as they may
	// see it.
	Export(ctx context.Context, personID string) (*Part, error)
	// Erase erases or pseudonymises what the area holds about the person,
	// and withdraws or closes what is still open (an application, an
	// offer, a consultation), so that nobody can act on it any more.
	Erase(ctx context.Context, s Subject) error
}

// Namer is an area that knows names and numbers the person went by (an
// account's name, a profile's real name and numbers, a hotline caller's
// record): they are collected before anything is erased, and kept (sealed)
// with the erasure until it completes, so every area of every retry can
// scrub them from the free text of the person's records.
type Namer interface {
	Known(ctx context.Context, personID string) (names, numbers []string, err error)
}

// Follower is an area whose export is about the other areas' records: the
// audit log, which says what was done to each. It is asked after the
// others, with the ids of the records they exported.
type Follower interface {
	ExportAbout(ctx context.Context, personID string, recordIDs []string) (*Part, error)
}

// Subject is the person being erased.
type Subject struct {
	// ID is the account id: every area's records point at it.
	ID string
	// Pseudonym is the stand-in name kept records carry from now on.
	Pseudonym string
	// Names are the names the person went by in the portal.
	Names []string
	// Numbers are their phone and ID numbers in clear, to scrub from the
	// free text of kept records (a note that quotes a phone number).
	Numbers []string
	// Records collects, over an erasure and its retries, the records in
	// which the areas replaced the person's name (Erased): a notification
	// to someone else that quotes the person is renamed only when it points
	// at one of them, never because its text equals a name (another person
	// may bear it, and an account may be named "6" or like a bank).
	Records *Records
}

// LogValue keeps a subject's names and numbers out of any log line.
func (s Subject) LogValue() slog.Value { return slog.StringValue(s.ID) }

// minName is the shortest name scrubbed from free text: a one-character
// name would take that character out of every word it appears in.
const minName = 2

// Scrub replaces the subject's names and numbers in free text by the
// pseudonym, longest first (a full name before a part of it). It is for the
// text of the person's own records and of what they wrote themselves only:
// in somebody else's text a name may be anybody's (use ScrubNumbers).
func (s Subject) Scrub(text string) string {
	return s.replace(text, slices.Concat(s.Names, s.Numbers))
}

// ScrubNumbers replaces only the subject's numbers (phone, ID number,
// e-mail) in free text: what an erasure may change in other people's text
// in a shared record, where a name of two characters or more may well be
// somebody else's, but a number is the person's alone.
func (s Subject) ScrubNumbers(text string) string {
	return s.replace(text, s.Numbers)
}

func (s Subject) replace(text string, values []string) string {
	if text == "" {
		return text
	}
	for _, v := range s.scrubbed(values) {
		text = strings.ReplaceAll(text, v, s.Pseudonym)
	}
	return text
}

func (s Subject) scrubbed(values []string) []string {
	var vs []string
	for _, v := range values {
		if v = strings.TrimSpace(v); utf8.RuneCountInString(v) >= minName && v != s.Pseudonym && !slices.Contains(vs, v) {
			vs = append(vs, v)
		}
	}
	slices.SortFunc(vs, func(a, b string) int { return len(b) - len(a) })
	return vs
}

// IsName reports whether n is one of the subject's names. A name alone
// never proves a step or a record was theirs (two people share a name):
// match the actor's or owner's id, and use IsName only on a record the id
// already ties to the person.
func (s Subject) IsName(n string) bool {
	return n != "" && slices.Contains(s.Names, strings.TrimSpace(n))
}

// Name returns the pseudonym for one of the subject's names, and any other
// name unchanged.
func (s Subject) Name(n string) string {
	if s.IsName(n) {
		return s.Pseudonym
	}
	return n
}

// Erased records that the areas replaced the person's name in these
// records (see Records); without Records it does nothing.
func (s Subject) Erased(ids ...string) { s.Records.Add(ids...) }

// WasErased reports whether an area replaced the person's name in the
// record id, in this erasure or an earlier run of it.
func (s Subject) WasErased(id string) bool { return s.Records.Has(id) }

// Records is a set of record ids, safe for concurrent use; a nil Records
// holds nothing and takes nothing.
type Records struct {
	mu  sync.Mutex
	ids map[string]bool
}

// NewRecords returns a set holding ids (those of an earlier run).
func NewRecords(ids ...string) *Records {
	r := &Records{ids: map[string]bool{}}
	r.Add(ids...)
	return r
}

// Add adds ids.
func (r *Records) Add(ids ...string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range ids {
		if id != "" {
			r.ids[id] = true
		}
	}
}

// Has reports whether id is in the set.
func (r *Records) Has(id string) bool {
	if r == nil || id == "" {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ids[id]
}

// IDs returns the ids, sorted.
func (r *Records) IDs() []string {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.ids))
	for id := range r.ids {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// Len returns how many ids the set holds.
func (r *Records) Len() int {
	if r == nil {
		return 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.ids)
}

// Add merges names and numbers learned from an area.
func (s *Subject) Add(names, numbers []string) {
	for _, n := range names {
		if n = strings.TrimSpace(n); n != "" && n != s.Pseudonym && !slices.Contains(s.Names, n) {
			s.Names = append(s.Names, n)
		}
	}
	for _, n := range numbers {
		if n = strings.TrimSpace(n); n != "" && !slices.Contains(s.Numbers, n) {
			s.Numbers = append(s.Numbers, n)
		}
	}
}

// Part is what one area holds about a person.
type Part struct {
	Records []Record `json:"records"`
	// Files are documents the person gave (a loan's attachments): listed
	// here, their bytes written into the archive at Path.
	Files []File `json:"files,omitempty"`
}

// Record is one record about the person, as its area shows it to them.
type Record struct {
	Kind   string    `json:"kind"` // application, consultation, loan …
	ID     string    `json:"id"`
	At     time.Time `json:"at,omitzero"` // when it was made
	Status string    `json:"status,omitempty"`
	Data   any       `json:"data"`
}

// File is one document of an export.
type File struct {
	Path string `json:"path"` // in the archive: area/record/name
	Type string `json:"type"`
	Size int64  `json:"size"`
	Data []byte `json:"-"`
}

// Add appends a record.
func (p *Part) Add(kind, id string, at time.Time, status string, data any) {
	p.Records = append(p.Records, Record{Kind: kind, ID: id, At: at, Status: status, Data: data})
}

// Registry is the list of areas, in the order they are erased.
type Registry struct {
	areas []Area
}

// Register adds areas. Names are unique; a collection is held by one area.
func (r *Registry) Register(areas ...Area) error {
	for _, a := range areas {
		for _, b := range r.areas {
			if a.Name() == b.Name() {
				return fmt.Errorf("privacy: area %q registered twice", a.Name())
			}
			for _, c := range a.Holds() {
				if slices.Contains(b.Holds(), c) {
					return fmt.Errorf("privacy: collection %q held by %q and %q", c, b.Name(), a.Name())
				}
			}
		}
		r.areas = append(r.areas, a)
	}
	return nil
}

// Areas returns the registered areas in order.
func (r *Registry) Areas() []Area { return slices.Clone(r.areas) }

// Check refuses a set of collections of which one is neither held by a
// registered area nor declared impersonal (collection → why it holds
// nothing about a person). It is the start-up gate: a new area's
// collection must take part in export and erasure, or say why not.
func (r *Registry) Check(collections []string, impersonal map[string]string) error {
	var missing []string
	for _, c := range collections {
		if _, ok := impersonal[c]; ok || slices.ContainsFunc(r.areas, func(a Area) bool { return slices.Contains(a.Holds(), c) }) {
			continue
		}
		if !slices.Contains(missing, c) {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return fmt.Errorf("privacy: no area exports and erases the collections %s; register the area that stores them (services/privacy) or declare that they hold nothing about a person",
			strings.Join(missing, ", "))
	}
	for c, why := range impersonal {
		if strings.TrimSpace(why) == "" {
			return fmt.Errorf("privacy: collection %q is declared impersonal without a reason", c)
		}
	}
	return nil
}

// How the actor of a step shows in the person's export: themselves as You,
// anyone else by their side only (Staff, or a role such as "bank"), never
// by a staff member's name.
const (
	You   = "you"
	Staff = "staff"
)

// Shown is the actor of a step as the person's export shows it.
func Shown(personID, actorID string) string {
	if actorID != "" && actorID == personID {
		return You
	}
	return Staff
}
