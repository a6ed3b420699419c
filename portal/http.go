package portal

import (
	"crypto/hmac"
	"crypto/sha256"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	loansweb "onestop/portal/loans"
	"onestop/portal/web"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/template/html/v2"

	"onestop/services/core"
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
	engine.AddFuncMap(a.TemplateFuncs())
	if err := engine.Load(); err != nil {
		return err // a broken template stops start-up, not a request
	}
	a.http = fiber.New(fiber.Config{
		Views:                 engine,
		ViewsLayout:           "layouts/base",
		ErrorHandler:          a.HandleError,
		BodyLimit:             max(a.cfg.BodyLimit, loansweb.UploadLimit), // limitBody holds the rest to BodyLimit
		ReadTimeout:           10 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           60 * time.Second,
		ReadBufferSize:        16 << 10,
		Immutable:             true,
		DisableStartupMessage: true,
		AppName:               "",
		ServerHeader:          "",
	})
	a.http.Use(a.recoverPanics, a.requestContext, a.admitReads, a.limitBody, a.securityHeaders, a.Authenticate, a.CheckCSRF)
	a.routes = a.routeTable()
	for _, r := range a.routes {
		h := r.Handler
		if r.Doc != nil && r.Doc.Status == fiber.StatusCreated {
			h = a.idempotent(h) // every create of the API takes an Idempotency-Key
		}
		if r.Method == fiber.MethodPost && r.Doc == nil && !r.Access.Public && r.Path != "/logout" {
			h = a.once(h) // every signed-in form is sent once, however often it is posted
		}
		a.http.Add(r.Method, r.Path, a.Guard(r), h)
	}
	a.http.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
	return nil
}

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

// recoverPanics turns a panic into a 500 page and a log line with the stack.
func (a *App) recoverPanics(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			a.Log.ErrorContext(c.UserContext(), "panic", "path", c.Path(), "panic", r, "stack", string(debug.Stack()))
			err = &core.Error{Code: core.Internal, Message: "error.internal"}
		}
	}()
	return c.Next()
}

// admitReads lets a bounded number of reads (GET and HEAD) run at once
// while a write is in progress (-reads-while-writing), and at any time
// when -max-reads says so; the rest wait their turn, first come first
// served. Writes and health checks are never held. On a busy machine every
// request in progress shares the same cores: unbounded, hundreds of page
// views leave a write's turns in the store (one writer at a time) waiting
// behind them for the CPU, and writes took seconds (#22: 200 users with no
// pause, writes p50 5.8 s). Bounded only while writes wait, reads lose
// nothing when there are none.
func (a *App) admitReads(c *fiber.Ctx) error {
	if c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
		a.writing.Add(1)
		defer a.writing.Add(-1)
		return c.Next()
	}
	if c.Path() == "/healthz" || c.Path() == "/readyz" || strings.HasPrefix(c.Path(), "/static/") {
		return c.Next()
	}
	if a.readSlots != nil {
		a.readSlots <- struct{}{}
		defer func() { <-a.readSlots }()
	}
	if a.yieldSlots != nil && a.writing.Load() > 0 {
		a.yieldSlots <- struct{}{}
		defer func() { <-a.yieldSlots }()
	}
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
	c.SetUserContext(core.WithRequestID(c.UserContext(), rid))
	web.SetClient(c, a.resolveIP(c), web.PickLanguage(c))
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
		a.Log.Log(c.UserContext(), lvl, "request", "method", c.Method(), "path", c.Path(),
			"status", c.Response().StatusCode(), "ms", time.Since(start).Milliseconds(), "ip", web.ClientIP(c))
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
