package reference

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"unicode"
	"unicode/utf8"

	"onestop/services/core"
)

//go:embed seed.json
var seedJSON []byte

type seedFile struct {
	Version int              `json:"version"`
	Source  string           `json:"source"`
	Lists   map[Kind][]Entry `json:"lists"`
}

// seedLists returns the lists of the seed file, validated: every kind,
// each entry as an administrator would have to add it.
func seedLists() (map[Kind]*List, error) {
	var sf seedFile
	if err := json.Unmarshal(seedJSON, &sf); err != nil {
		return nil, fmt.Errorf("reference: seed file: %w", err)
	}
	out := map[Kind]*List{}
	for _, k := range Kinds {
		list := &List{Kind: k, Version: 1}
		for _, e := range sf.Lists[k] {
			e.Retired, e.Order = false, 0
			if err := check(&e, list, nil, true); err != nil {
				return nil, fmt.Errorf("reference: seed %s %q: %v", k, e.Code, err)
			}
			list.Entries = append(list.Entries, e)
		}
		if len(list.Entries) == 0 {
			return nil, fmt.Errorf("reference: the seed file has no %s list", k)
		}
		out[k] = list
	}
	for k := range sf.Lists {
		if out[k] == nil {
			return nil, fmt.Errorf("reference: the seed file has a list %q no field uses", k)
		}
	}
	// The kinds of one space share their codes' space (an industry's code
	// is no sector's).
	for _, k := range Kinds {
		for _, other := range space(k)[1:] {
			codes := newIndex(out[other]).at
			for _, e := range out[k].Entries {
				if _, taken := codes[e.Code]; taken {
					return nil, fmt.Errorf("reference: seed code %q is both a %s and a %s", e.Code, k, other)
				}
			}
		}
	}
	return out, nil
}

// codeShape is a code: a lowercase ASCII slug, as records store it.
var codeShape = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)

// ValidCode reports whether s has the shape of a code (a lowercase ASCII
// slug), whichever list it may belong to.
func ValidCode(s string) bool { return codeShape.MatchString(s) }

// maxLabel bounds a label's length in characters.
const maxLabel = 50

// check validates e as an entry of list and normalises its labels. A
// fresh entry's code must be new to the list and to its siblings (the
// other lists of its space); a relabelled one is already there.
func check(e *Entry, list *List, siblings []*List, fresh bool) error {
	var v core.Validation
	v.Check(codeShape.MatchString(e.Code), "code", "error.reference.code")
	clean := Labels{}
	for lang, s := range e.Labels {
		if !validLanguage(lang) {
			v.Add("labels", "error.reference.language")
			continue
		}
		clean[lang] = s
	}
	for _, lang := range Languages {
		s := normalSpace(clean[lang])
		ok := s != "" && utf8.ValidString(s) && utf8.RuneCountInString(s) <= maxLabel
		for _, r := range s {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				ok = false
			}
		}
		v.Check(ok, "labels."+lang, "error.reference.label")
		clean[lang] = s
	}
	if err := v.Err(); err != nil {
		return err
	}
	e.Labels = clean
	// Another entry's code or label may not be one of this entry's labels
	// (nor its code, for a new entry): input naming it must name one entry.
	ix := newIndex(list)
	if fresh {
		if _, ok := ix.keys[key(e.Code)]; ok {
			return taken()
		}
		for _, sib := range siblings {
			if _, ok := newIndex(sib).at[e.Code]; ok {
				return taken()
			}
		}
	}
	for _, lang := range Languages {
		if owner, ok := ix.keys[key(e.Labels[lang])]; ok && owner != e.Code {
			v.Add("labels."+lang, "error.reference.label_taken")
		}
	}
	return v.Err()
}

func taken() error {
	return &core.Error{Code: core.Conflict, Message: "error.reference.code_taken", Fields: map[string]string{"code": "error.reference.code_taken"}}
}

func validLanguage(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// normalSpace trims a label and collapses its inner runs of space.
func normalSpace(s string) string {
	out := []rune{}
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = len(out) > 0
			continue
		}
		if space {
			out = append(out, ' ')
			space = false
		}
		out = append(out, r)
	}
	return string(out)
}
