package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"onestop/services/core"
	"onestop/services/store"
)

// HandleError is the one place where errors become HTTP: a problem+json
// body for the API, an error page for the web. Internal details are logged,
// never sent.
func (a *Kit) HandleError(c *fiber.Ctx, err error) error {
	status, key, fields, retry := Classify(err)
	detail := ""
	var ce *core.Error
	if errors.As(err, &ce) && status < 500 {
		detail = ce.Detail
	}
	if status >= 500 {
		a.Log.ErrorContext(c.UserContext(), "request failed", "path", c.Path(), "err", err)
	}
	if retry > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(retry))
	}
	if IsAPI(c) || strings.Contains(c.Get(fiber.HeaderAccept), "application/problem+json") {
		return a.Problem(c, status, key, fields, detail)
	}
	if status == fiber.StatusUnauthorized && c.Method() == fiber.MethodGet {
		return c.Redirect("/login?next="+url.QueryEscape(a.returnTo(c)), fiber.StatusSeeOther)
	}
	c.Status(status)
	data := fiber.Map{"Status": status, "Message": key, "Detail": detail, "Title": "error.title." + strconv.Itoa(status)}
	if status == fiber.StatusTooManyRequests && retry > 0 {
		data["Wait"] = (retry + 59) / 60 // say how long, in whole minutes
	}
	return a.Render(c, "pages/error", data)
}

// returnTo is where sign-in leads back to: the page asked for, without its
// query when a value there looks like an ID or phone number (which must not
// travel further in links, logs and Referer headers).
func (a *Kit) returnTo(c *fiber.Ctx) string {
	now := a.Clock.Now()
	sensitive := false
	c.Context().QueryArgs().VisitAll(func(_, v []byte) {
		sensitive = sensitive || SensitiveQuery(string(v), now)
	})
	if sensitive {
		return LocalPath(c.Path(), "/")
	}
	return LocalPath(c.OriginalURL(), "/")
}

// Classify maps an error to a status, a message key, field errors and a
// Retry-After.
func Classify(err error) (int, string, map[string]string, int) {
	var fe *fiber.Error
	if errors.As(err, &fe) {
		switch fe.Code {
		case fiber.StatusNotFound:
			return 404, "error.not_found", nil, 0
		case fiber.StatusMethodNotAllowed:
			return 405, "error.method", nil, 0
		case fiber.StatusRequestEntityTooLarge:
			return 413, "error.too_large", nil, 0
		case fiber.StatusUnsupportedMediaType:
			return 415, "error.media_type", nil, 0
		case fiber.StatusBadRequest:
			return 400, "error.bad_request", nil, 0
		}
		if fe.Code < 500 {
			return fe.Code, "error.bad_request", nil, 0
		}
		return 500, "error.internal", nil, 0
	}
	var he *HTTPError
	if errors.As(err, &he) {
		return he.status, he.key, he.fields, 0
	}
	var ce *core.Error
	if !errors.As(err, &ce) {
		if store.Unreachable(err) {
			return 503, "error.unavailable", nil, retryUnavailable
		}
		return 500, "error.internal", nil, 0
	}
	status := map[core.Code]int{
		core.Invalid: 422, core.NotFound: 404, core.Conflict: 409, core.Forbidden: 403,
		core.Unauthenticated: 401, core.TooManyRequests: 429, core.Unavailable: 503, core.Internal: 500,
	}[ce.Code]
	if status == 0 {
		status = 500
	}
	if status == 500 && store.Unreachable(err) {
		return 503, "error.unavailable", nil, retryUnavailable
	}
	if status == 500 {
		return 500, "error.internal", nil, 0
	}
	if status == 503 && ce.RetryAfter == 0 {
		return status, ce.Message, ce.Fields, retryUnavailable
	}
	return status, ce.Message, ce.Fields, ce.RetryAfter
}

// retryUnavailable is the Retry-After, in seconds, of a 503: the database
// or search engine did not answer, and may well in a moment.
const retryUnavailable = 5

// HTTPError is a transport-level failure (bad JSON, wrong media type) that
// has no domain code.
type HTTPError struct {
	status int
	key    string
	fields map[string]string
}

func (e *HTTPError) Error() string { return e.key }

// Fail is a transport-level failure: a status, a message key and the
// fields at fault.
func Fail(status int, key string, fields map[string]string) error {
	return &HTTPError{status: status, key: key, fields: fields}
}

// FailStatus is the status of a transport-level failure; false for any
// other error.
func FailStatus(err error) (int, bool) {
	var he *HTTPError
	if errors.As(err, &he) {
		return he.status, true
	}
	return 0, false
}

// ProblemDoc is an RFC 9457 problem document.
type ProblemDoc struct {
	Type   string         `json:"type"`
	Title  string         `json:"title"`
	Status int            `json:"status"`
	Detail string         `json:"detail"`
	Code   string         `json:"code"`
	Errors []ProblemField `json:"errors,omitempty"`
}

// ProblemField is a field at fault in a ProblemDoc.
type ProblemField struct {
	Field   string `json:"field"`
	Message string `json:"message"`
	Code    string `json:"code"`
}

// Problem answers with an RFC 9457 problem document in the request's language.
func (a *Kit) Problem(c *fiber.Ctx, status int, key string, fields map[string]string, detail string) error {
	l := Lang(c)
	p := ProblemDoc{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: a.I18n.T(l, key), Code: key}
	if detail != "" {
		p.Detail += " (" + detail + ")"
	}
	for _, name := range SortedKeys(fields) {
		p.Errors = append(p.Errors, ProblemField{Field: name, Message: a.I18n.T(l, fields[name]), Code: core.MsgKey(fields[name])})
	}
	body, _ := json.Marshal(p)
	c.Status(status)
	c.Set(fiber.HeaderContentType, "application/problem+json; charset=utf-8")
	return c.Send(body)
}

// DecodeJSON reads a JSON body into v strictly: the right media type, valid
// UTF-8, no unknown fields, one value, and types as declared (an object
// where a string belongs — {"$ne": null} — is refused, so no client map ever
// reaches a database filter).
func DecodeJSON(c *fiber.Ctx, v any) error {
	ct := strings.ToLower(strings.TrimSpace(strings.Split(c.Get(fiber.HeaderContentType), ";")[0]))
	if ct != fiber.MIMEApplicationJSON {
		return &HTTPError{status: 415, key: "error.media_type"}
	}
	body := c.Body()
	if !utf8.Valid(body) {
		return &HTTPError{status: 400, key: "error.json.utf8"}
	}
	if bytes.IndexByte(body, 0) >= 0 {
		return &HTTPError{status: 400, key: "error.json.malformed"}
	}
	// Every request body is an object; null, arrays and bare values are not.
	if t := bytes.TrimLeft(body, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return &HTTPError{status: 400, key: "error.json.malformed"}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return &HTTPError{status: 422, key: "error.invalid", fields: map[string]string{te.Field: "error.json.type"}}
		}
		if errors.As(err, &te) && strings.HasPrefix(te.Value, "date ") {
			// Since Go 1.27 the decoder no longer names the field of an error
			// from a value's own UnmarshalJSON (core.Date's); find it.
			if field := fieldHolding(body, strings.TrimPrefix(te.Value, "date ")); field != "" {
				return &HTTPError{status: 422, key: "error.invalid", fields: map[string]string{field: "error.json.type"}}
			}
		}
		if strings.HasPrefix(err.Error(), "json: unknown field") {
			name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return &HTTPError{status: 422, key: "error.invalid", fields: map[string]string{name: "error.json.unknown"}}
		}
		return &HTTPError{status: 400, key: "error.json.malformed"}
	}
	if dec.More() {
		return &HTTPError{status: 400, key: "error.json.malformed"}
	}
	return nil
}

// fieldHolding names the first field of a JSON object holding the string
// s, as the decoder named fields: object keys joined by dots, array
// positions left out; "" when none does.
func fieldHolding(body []byte, s string) string {
	var doc any
	if json.Unmarshal(body, &doc) != nil {
		return ""
	}
	var walk func(v any, path string) string
	walk = func(v any, path string) string {
		switch v := v.(type) {
		case string:
			if v == s {
				return path
			}
		case []any:
			for _, e := range v {
				if p := walk(e, path); p != "" {
					return p
				}
			}
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(v)) {
				p := k
				if path != "" {
					p = path + "." + k
				}
				if p = walk(v[k], p); p != "" {
					return p
				}
			}
		}
		return ""
	}
	return walk(doc, "")
}
