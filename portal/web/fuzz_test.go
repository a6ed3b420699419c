package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"onestop/services/core"
)

// Fuzz targets for the kernel's parsers and neutralisers (S14).

// FuzzSafeNext: a post-login destination is a path on this site, however a
// browser reads it: browsers drop tabs and line breaks from URLs and read
// a backslash as a slash, so "/\t/evil.example" is "//evil.example".
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/account", "//evil.example", "/\\evil.example", "/\t/evil.example", "/\n/evil.example", "https://evil.example", "/%2f/evil.example",
		"javascript:alert(1)", "/a?next=//x", "", "/\x00/x", "/\u3000/x", "\\/evil.example", " /x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		out := SafeNext(next)
		if out != "/" && out != next {
			t.Fatalf("SafeNext(%q) = %q", next, out)
		}
		seen := strings.ReplaceAll(strings.Map(func(r rune) rune {
			if r == '\t' || r == '\n' || r == '\r' {
				return -1
			}
			return r
		}, out), `\`, "/")
		if !strings.HasPrefix(seen, "/") || strings.HasPrefix(seen, "//") {
			t.Fatalf("SafeNext(%q) = %q, which a browser reads as %q", next, out, seen)
		}
		for _, r := range out {
			if r < 0x20 || r == 0x7f {
				t.Fatalf("SafeNext(%q) = %q keeps a control character", next, out)
			}
		}
	})
}

// fuzzBody is a request body of the usual shapes.
type fuzzBody struct {
	Name   string    `json:"name"`
	Count  int       `json:"count"`
	Amount float64   `json:"amount"`
	Tags   []string  `json:"tags"`
	Agree  *bool     `json:"agree"`
	Day    core.Date `json:"day"`
	Inner  struct {
		ID string `json:"id"`
	} `json:"inner"`
}

// FuzzDecodeJSON: the strict decoder accepts only one JSON object of the
// declared shape, in valid UTF-8 without NUL; it refuses with 400, 415 or
// 422 (naming one field), never anything else; and what it accepts
// re-encodes to a body it decodes to the same value.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"name":"張三","count":2,"amount":1.5,"tags":["a"],"agree":true,"day":"2026-12-05","inner":{"id":"x"}}`,
		`{"name":{"$ne":null}}`, `{"role":"admin"}`, `{"name":"a"} {"name":"b"}`, `[]`, `null`, ` {"day":"2026-02-30"}`, "{\"name\":\"\xff\"}",
		"{\"name\":\"a\x00\"}", `{"count":1e400}`, `{"NAME":"x"}`, `{"inner":{"id":{"$gt":""}}}`, `{"tags":"a"}`, `{}`} {
		f.Add([]byte(s), "application/json")
	}
	f.Add([]byte(`{}`), "text/plain")
	f.Add([]byte(`{}`), "Application/JSON; charset=utf-8")
	app := fiber.New()
	decode := func(body []byte, ct string, v any) error {
		c := app.AcquireCtx(&fasthttp.RequestCtx{})
		defer app.ReleaseCtx(c)
		c.Request().Header.SetContentType(ct)
		c.Request().SetBody(body)
		return DecodeJSON(c, v)
	}
	f.Fuzz(func(t *testing.T, body []byte, ct string) {
		var v fuzzBody
		err := decode(body, ct, &v)
		if err != nil {
			var he *HTTPError
			if !errors.As(err, &he) || (he.status != 400 && he.status != 415 && he.status != 422) || (he.status == 422 && len(he.fields) != 1) {
				t.Fatalf("DecodeJSON(%q): %#v", body, err)
			}
			return
		}
		if !utf8.Valid(body) || bytes.IndexByte(body, 0) >= 0 || !json.Valid(body) {
			t.Fatalf("decodeJSON accepted %q", body)
		}
		if rest := bytes.TrimLeft(body, " \t\r\n"); len(rest) == 0 || rest[0] != '{' {
			t.Fatalf("decodeJSON accepted a non-object %q", body)
		}
		again, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var w fuzzBody
		if err := decode(again, "application/json", &w); err != nil || !reflect.DeepEqual(v, w) {
			t.Fatalf("%q decoded to %+v; re-encoded %s decodes to %+v (%v)", body, v, again, w, err)
		}
	})
}

// FuzzSafeNext: "/\t/evil.example" passed (only CR and LF were refused), and
// a browser, which drops tabs from URLs, went to //evil.example.
func TestSafeNextRefusesControlCharacters(t *testing.T) {
	t.Parallel()
	for _, next := range []string{"/\t/evil.example", "/\x00/x", "/\x7f", "/\x0b/evil.example"} {
		if got := SafeNext(next); got != "/" {
			t.Errorf("SafeNext(%q) = %q", next, got)
		}
	}
}
