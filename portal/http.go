package portal

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/template/html/v2"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/loans"
	"onestop/services/store"
	"onestop/templates"
)

func derive(key []byte, label string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(label))
	return m.Sum(nil)
}

func (a *App) buildHTTP() error {
	sub, err := fs.Sub(templates.FS, ".")
	if err != nil {
		return err
	}
	engine := html.NewFileSystem(http.FS(sub), ".html")
	// Functions are added once, here: binding per-request functions to a
	// shared template set races and can serve the wrong language.
	engine.AddFuncMap(a.templateFuncs())
	if err := engine.Load(); err != nil {
		return err // a broken template stops start-up, not a request
	}
	a.http = fiber.New(fiber.Config{
		Views:                 engine,
		ViewsLayout:           "layouts/base",
		ErrorHandler:          a.handleError,
		BodyLimit:             max(a.cfg.BodyLimit, uploadBodyLimit), // limitBody holds the rest to BodyLimit
		ReadTimeout:           10 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           60 * time.Second,
		ReadBufferSize:        16 << 10,
		Immutable:             true,
		DisableStartupMessage: true,
		AppName:               "",
		ServerHeader:          "",
	})
	a.http.Use(a.recoverPanics, a.requestContext, a.admitReads, a.limitBody, a.securityHeaders, a.authenticate, a.checkCSRF)
	a.routes = a.routeTable()
	for _, r := range a.routes {
		h := r.handler
		if r.doc != nil && r.doc.status == fiber.StatusCreated {
			h = a.idempotent(h) // every create of the API takes an Idempotency-Key
		}
		a.http.Add(r.method, r.path, a.guard(r), h)
	}
	a.http.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
	return nil
}

// uploadBodyLimit is the largest body of a document upload: the file and
// the form around it.
const uploadBodyLimit = loans.MaxFileBytes + 64<<10

// limitBody holds every request but a document upload to the configured
// body limit; the server itself admits bodies up to the upload limit.
// Compressed bodies are refused: unpacked, a small one can be huge.
func (a *App) limitBody(c *fiber.Ctx) error {
	if enc := c.Get(fiber.HeaderContentEncoding); enc != "" && !strings.EqualFold(enc, "identity") {
		return fiber.ErrUnsupportedMediaType
	}
	if len(c.Request().Body()) > a.cfg.BodyLimit && !(c.Method() == fiber.MethodPost && strings.HasSuffix(c.Path(), "/attachments")) {
		return fiber.ErrRequestEntityTooLarge
	}
	return c.Next()
}

// Locals keys.
const (
	localIP        = "ip"
	localLang      = "lang"
	localPrincipal = "principal"
	localCSRF      = "csrf"
	localStart     = "start"
)

func isAPI(c *fiber.Ctx) bool { return strings.HasPrefix(c.Path(), "/api/") }

func principal(c *fiber.Ctx) accounts.Principal {
	p, _ := c.Locals(localPrincipal).(accounts.Principal)
	return p
}

func meta(c *fiber.Ctx) accounts.Meta { return accounts.Meta{IP: clientIP(c)} }

func clientIP(c *fiber.Ctx) string { s, _ := c.Locals(localIP).(string); return s }

func lang(c *fiber.Ctx) string { s, _ := c.Locals(localLang).(string); return s }

// recoverPanics turns a panic into a 500 page and a log line with the stack.
func (a *App) recoverPanics(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			a.log.Error("panic", "path", c.Path(), "panic", r, "stack", string(debug.Stack()))
			err = &core.Error{Code: core.Internal, Message: "error.internal"}
		}
	}()
	return c.Next()
}

// admitReads lets a bounded number of reads (GET and HEAD) run at once;
// the rest wait their turn, first come first served. Writes and health
// checks are never held. On a busy machine every request in progress
// shares the same cores: unbounded, hundreds of page views leave a write's
// short turn in the store (one writer at a time) waiting behind them for
// the CPU, and writes took seconds.
func (a *App) admitReads(c *fiber.Ctx) error {
	if a.readSlots == nil || (c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead) ||
		c.Path() == "/healthz" || c.Path() == "/readyz" || strings.HasPrefix(c.Path(), "/static/") {
		return c.Next()
	}
	a.readSlots <- struct{}{}
	defer func() { <-a.readSlots }()
	return c.Next()
}

// requestContext resolves the client address, the language, and logs the
// request when it is done.
func (a *App) requestContext(c *fiber.Ctx) error {
	start := time.Now()
	// A request id ties the log line to the client's report and the proxy's
	// log: the proxy's when it sent a sane one, else a fresh one.
	rid := c.Get("X-Request-ID")
	if len(rid) == 0 || len(rid) > 64 || !printable(rid) {
		rid = core.NewID()
	}
	c.Set("X-Request-ID", rid)
	c.Locals(localIP, a.resolveIP(c))
	c.Locals(localLang, a.pickLanguage(c))
	err := c.Next()
	if err != nil {
		if herr := a.http.ErrorHandler(c, err); herr != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	a.metrics.request(c.Route().Path, c.Method(), c.Response().StatusCode(), time.Since(start))
	lvl := slog.LevelInfo
	if c.Response().StatusCode() >= 500 {
		lvl = slog.LevelError
	}
	if c.Path() != "/healthz" && c.Path() != "/readyz" {
		// The path only: query strings may carry search terms, never IDs.
		a.log.Log(c.UserContext(), lvl, "request", "id", rid, "method", c.Method(), "path", c.Path(),
			"status", c.Response().StatusCode(), "ms", time.Since(start).Milliseconds(), "ip", clientIP(c))
	}
	return nil
}

// resolveIP returns the client address: the peer, unless the peer is a
// trusted proxy, in which case the right-most X-Forwarded-For entry that is
// not itself a trusted proxy. A client cannot choose its address by sending
// the header directly.
func (a *App) resolveIP(c *fiber.Ctx) string {
	peer := c.Context().RemoteIP()
	if !a.trusted(peer) {
		return peer.String()
	}
	hops := strings.Split(c.Get(fiber.HeaderXForwardedFor), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		ip := net.ParseIP(strings.TrimSpace(hops[i]))
		if ip == nil {
			break
		}
		if !a.trusted(ip) {
			return ip.String()
		}
	}
	return peer.String()
}

func (a *App) trusted(ip net.IP) bool {
	for _, n := range a.cfg.TrustedProxies {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

func (a *App) securityHeaders(c *fiber.Ctx) error {
	h := &c.Response().Header
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	if a.cfg.Secure() {
		h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	}
	err := c.Next()
	if !strings.HasPrefix(c.Path(), "/static/") && len(h.Peek(fiber.HeaderCacheControl)) == 0 {
		// Pages and API answers can hold personal data; a handler serving
		// public aggregates says otherwise itself.
		h.Set("Cache-Control", "no-store")
	}
	return err
}

// handleError is the one place where errors become HTTP: a problem+json
// body for the API, an error page for the web. Internal details are logged,
// never sent.
func (a *App) handleError(c *fiber.Ctx, err error) error {
	status, key, fields, retry := a.classify(err)
	detail := ""
	var ce *core.Error
	if errors.As(err, &ce) && status < 500 {
		detail = ce.Detail
	}
	if status >= 500 {
		a.log.Error("request failed", "path", c.Path(), "err", err)
	}
	if retry > 0 {
		c.Set(fiber.HeaderRetryAfter, itoa(retry))
	}
	if isAPI(c) || strings.Contains(c.Get(fiber.HeaderAccept), "application/problem+json") {
		return a.problem(c, status, key, fields, detail)
	}
	if status == fiber.StatusUnauthorized && c.Method() == fiber.MethodGet {
		return c.Redirect("/login?next="+urlQueryEscape(a.returnTo(c)), fiber.StatusSeeOther)
	}
	c.Status(status)
	return a.render(c, "pages/error", fiber.Map{"Status": status, "Message": key, "Detail": detail, "Title": "error.title." + itoa(status)})
}

// returnTo is where sign-in leads back to: the page asked for, without its
// query when a value there looks like an ID or phone number (which must not
// travel further in links, logs and Referer headers).
func (a *App) returnTo(c *fiber.Ctx) string {
	now := a.clock.Now()
	sensitive := false
	c.Context().QueryArgs().VisitAll(func(_, v []byte) {
		sensitive = sensitive || sensitiveQuery(string(v), now)
	})
	if sensitive {
		return localPath(c.Path(), "/")
	}
	return localPath(c.OriginalURL(), "/")
}

// classify maps an error to a status, a message key, field errors and a
// Retry-After.
func (a *App) classify(err error) (int, string, map[string]string, int) {
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
	var he *httpError
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

// httpError is a transport-level failure (bad JSON, wrong media type) that
// has no domain code.
type httpError struct {
	status int
	key    string
	fields map[string]string
}

func (e *httpError) Error() string { return e.key }

// problemBody is an RFC 9457 problem document.
type problemBody struct {
	Type   string         `json:"type"`
	Title  string         `json:"title"`
	Status int            `json:"status"`
	Detail string         `json:"detail"`
	Code   string         `json:"code"`
	Errors []problemField `json:"errors,omitempty"`
}

type problemField struct {
	Field   string `json:"field"`
	Message string `json:"message"`
	Code    string `json:"code"`
}

func (a *App) problem(c *fiber.Ctx, status int, key string, fields map[string]string, detail string) error {
	l := lang(c)
	p := problemBody{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: a.i18n.T(l, key), Code: key}
	if detail != "" {
		p.Detail += " (" + detail + ")"
	}
	for _, name := range sortedKeys(fields) {
		p.Errors = append(p.Errors, problemField{Field: name, Message: a.i18n.T(l, fields[name]), Code: fields[name]})
	}
	body, _ := json.Marshal(p)
	c.Status(status)
	c.Set(fiber.HeaderContentType, "application/problem+json; charset=utf-8")
	return c.Send(body)
}

// decodeJSON reads a JSON body into v strictly: the right media type, valid
// UTF-8, no unknown fields, one value, and types as declared (an object
// where a string belongs — {"$ne": null} — is refused, so no client map ever
// reaches a database filter).
func decodeJSON(c *fiber.Ctx, v any) error {
	ct := strings.ToLower(strings.TrimSpace(strings.Split(c.Get(fiber.HeaderContentType), ";")[0]))
	if ct != fiber.MIMEApplicationJSON {
		return &httpError{status: 415, key: "error.media_type"}
	}
	body := c.Body()
	if !utf8.Valid(body) {
		return &httpError{status: 400, key: "error.json.utf8"}
	}
	if bytes.IndexByte(body, 0) >= 0 {
		return &httpError{status: 400, key: "error.json.malformed"}
	}
	// Every request body is an object; null, arrays and bare values are not.
	if t := bytes.TrimLeft(body, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return &httpError{status: 400, key: "error.json.malformed"}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return &httpError{status: 422, key: "error.invalid", fields: map[string]string{te.Field: "error.json.type"}}
		}
		if errors.As(err, &te) && strings.HasPrefix(te.Value, "date ") {
			// Since Go 1.27 the decoder no longer names the field of an error
			// from a value's own UnmarshalJSON (core.Date's); find it.
			if field := fieldHolding(body, strings.TrimPrefix(te.Value, "date ")); field != "" {
				return &httpError{status: 422, key: "error.invalid", fields: map[string]string{field: "error.json.type"}}
			}
		}
		if strings.HasPrefix(err.Error(), "json: unknown field") {
			name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return &httpError{status: 422, key: "error.invalid", fields: map[string]string{name: "error.json.unknown"}}
		}
		return &httpError{status: 400, key: "error.json.malformed"}
	}
	if dec.More() {
		return &httpError{status: 400, key: "error.json.malformed"}
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

func asCore(err error, target **core.Error) bool { return errors.As(err, target) }
