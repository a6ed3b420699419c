// Package core holds what every service area shares: the small set of error
// codes the portal maps to HTTP in one place, field-level validation errors,
// identifiers and paging.
package core

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Code classifies an error for the caller; the portal maps each code to one
// HTTP status. Keep the set small.
type Code string

// The error codes. Messages carried with them are catalog keys, never raw
// text, so the portal can show them in the user's language.
const (
	Invalid         Code = "invalid"
	NotFound        Code = "not_found"
	Conflict        Code = "conflict"
	Forbidden       Code = "forbidden"
	Unauthenticated Code = "unauthenticated"
	TooManyRequests Code = "too_many_requests"
	Unavailable     Code = "unavailable"
	Internal        Code = "internal"
)

// Error is a domain error: a code, a catalog key for the message, optional
// field errors (field name → catalog key) and an optional cause that is
// logged but never shown.
type Error struct {
	Code    Code
	Message string
	Fields  map[string]string
	// Detail is extra text safe to show (built only from the caller's own
	// input, such as the path of a bad node in a policy condition).
	Detail string
	// RetryAfter, in seconds, for TooManyRequests.
	RetryAfter int
	Cause      error
}

func (e *Error) Error() string {
	s := string(e.Code) + ": " + e.Message
	if len(e.Fields) > 0 {
		s += fmt.Sprintf(" %v", e.Fields)
	}
	if e.Cause != nil {
		s += ": " + e.Cause.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Cause }

// Errorf builds an Error with a code and a catalog key.
func Errorf(code Code, key string) *Error { return &Error{Code: code, Message: key} }

// Wrap marks an unexpected failure (a database error, say) as internal,
// keeping the cause for the log.
func Wrap(cause error, what string) error {
	if cause == nil {
		return nil
	}
	var e *Error
	if errors.As(cause, &e) {
		return cause
	}
	return &Error{Code: Internal, Message: "error.internal", Cause: fmt.Errorf("%s: %w", what, cause)}
}

// ErrorCode returns the code of err, Internal for foreign errors.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// IsCode reports whether err carries code.
func IsCode(err error, code Code) bool { return err != nil && ErrorCode(err) == code }

// Validation collects field errors; Err returns nil when there are none.
type Validation struct{ fields map[string]string }

// Add records the first problem for field.
func (v *Validation) Add(field, key string) {
	if v.fields == nil {
		v.fields = map[string]string{}
	}
	if _, ok := v.fields[field]; !ok {
		v.fields[field] = key
	}
}

// Check adds key for field when ok is false.
func (v *Validation) Check(ok bool, field, key string) {
	if !ok {
		v.Add(field, key)
	}
}

// Subset checks that every value of list is one of allowed and returns the
// list without repeats (never nil, so it stores as an empty array).
func (v *Validation) Subset(field string, list, allowed []string) []string {
	out := []string{}
	for _, x := range list {
		v.Check(slices.Contains(allowed, x), field, "error.enum")
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// Text checks free text a person typed: trimmed, valid UTF-8, printable
// (line breaks and tabs allowed), min to max characters; too short is
// "required", anything else "text length". It returns the trimmed text.
func (v *Validation) Text(field, s string, min, max int) string {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	visible := utf8.ValidString(s)
	for _, r := range s {
		// Spaces other than ASCII's (the ideographic space of Chinese
		// text) are visible; format characters (zero-width, direction
		// overrides) are not.
		if r != '\n' && r != '\r' && r != '\t' && !unicode.Is(unicode.Zs, r) && (!unicode.IsPrint(r) || unicode.Is(unicode.Cf, r)) {
			visible = false
			break
		}
	}
	// The message says the real reason, with the bound it broke.
	switch {
	case n == 0 && min > 0:
		v.Add(field, "error.required")
	case n < min:
		v.Add(field, Msg("error.text.min", min))
	case n > max:
		v.Add(field, Msg("error.text.max", max))
	case !visible:
		v.Add(field, "error.text.chars")
	}
	return s
}

// Line is Text on one line: names, subjects, titles.
func (v *Validation) Line(field, s string, min, max int) string {
	s = v.Text(field, s, min, max)
	v.Check(!strings.ContainsAny(s, "\r\n\t"), field, "error.text.one_line")
	return s
}

// Msg is a field message with the values it names: its key and arguments
// joined by "|" ("error.text.min|5"), which the portal translates with
// them ({0}, {1}…) and reports under the key alone (MsgKey).
func Msg(key string, args ...any) string {
	var b strings.Builder
	b.WriteString(key)
	for _, a := range args {
		b.WriteByte('|')
		b.WriteString(strings.ReplaceAll(fmt.Sprint(a), "|", "/"))
	}
	return b.String()
}

// MsgKey is the key of a message made by Msg (the message itself when it
// names no values).
func MsgKey(m string) string {
	key, _, _ := strings.Cut(m, "|")
	return key
}

// Has reports whether field already has an error.
func (v *Validation) Has(field string) bool { _, ok := v.fields[field]; return ok }

// Err returns the collected errors as one Invalid error, or nil.
func (v *Validation) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: "error.invalid", Fields: v.fields}
}

// FieldNames returns the fields of an Invalid error in a stable order.
func FieldNames(err error) []string {
	var e *Error
	if !errors.As(err, &e) {
		return nil
	}
	names := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Fault is one thing wrong with an input — an imported line, say: the
// field at fault ("" for the input as a whole) and a message key (Msg),
// for whoever reports it to put in their reader's language.
type Fault struct{ Field, Msg string }

// Faults lists what err says is wrong: its field messages in field order,
// or its message as a fault of the whole input. Any other error is one
// fault of the whole input, "error.invalid": its words are not the
// reader's.
func Faults(err error) []Fault {
	var e *Error
	if !errors.As(err, &e) {
		return []Fault{{Msg: "error.invalid"}}
	}
	if len(e.Fields) == 0 {
		return []Fault{{Msg: e.Message}}
	}
	out := make([]Fault, 0, len(e.Fields))
	for _, f := range FieldNames(err) {
		out = append(out, Fault{Field: f, Msg: e.Fields[f]})
	}
	return out
}
