package notify

import "strings"

// A notification's argument is shown as it is — a name, a subject someone
// typed, a date — unless it is a word the reader's language must say: a
// catalog key (Label) or a code of a reference list (Ref), translated when
// the notification is shown, in the language of whoever reads it. Such an
// argument begins with a record separator, which no typed text can hold
// (core.Validation refuses control characters), so a name is never taken
// for a key.
const wordMark = "\x1e"

// Label is an argument that is a catalog key ("topic.financing").
func Label(key string) string { return wordMark + key }

// Ref is an argument that is a code of a reference list (kind "district",
// "industry" …), shown by the list's label.
func Ref(kind, code string) string { return wordMark + kind + "/" + code }

// Word reads an argument made by Label (key set) or Ref (kind and code
// set); ok is false for an argument to show as it is.
func Word(arg string) (key, kind, code string, ok bool) {
	w, ok := strings.CutPrefix(arg, wordMark)
	if !ok {
		return "", "", "", false
	}
	if kind, code, isRef := strings.Cut(w, "/"); isRef {
		return "", kind, code, true
	}
	return w, "", "", true
}

// Policy is an argument that is a support of the catalogue, shown by its
// name in the reader's language.
func Policy(id string) string { return Ref(PolicyKind, id) }

// PolicyUntil is a support with the last day it holds.
func PolicyUntil(id string, last string) string { return Ref(PolicyUntilKind, id+"@"+last) }

// The Ref kinds that name a support rather than a reference list's code.
const (
	PolicyKind      = "policy"
	PolicyUntilKind = "policy_until"
)
