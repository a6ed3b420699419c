package web

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"path"

	"github.com/gofiber/fiber/v2"

	"onestop/static"
)

// Assets serves the embedded static files under /static/<hash>/<name>: the
// hash changes with the content, so browsers may cache a file for a year.
type Assets struct {
	files map[string][]byte // name → content
	hash  map[string]string // name → content hash
}

// LoadAssets reads and hashes the embedded static files.
func LoadAssets() (*Assets, error) {
	as := &Assets{files: map[string][]byte{}, hash: map[string]string{}}
	err := fs.WalkDir(static.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(static.FS, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		as.files[p] = b
		as.hash[p] = hex.EncodeToString(sum[:6])
		return nil
	})
	return as, err
}

// URL returns the hashed URL of a static file; an unknown name panics at
// the first render in tests rather than shipping a broken link.
func (as *Assets) URL(name string) string {
	h, ok := as.hash[name]
	if !ok {
		panic("static: no file " + name)
	}
	return "/static/" + h + "/" + name
}

// Favicon answers GET /favicon.ico, which browsers and tools ask for
// whatever the page links: the icon, cached for a year like the hashed
// files (it changes about never, and pages link the hashed one).
func (as *Assets) Favicon(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "public, max-age=31536000")
	c.Set(fiber.HeaderContentType, "image/x-icon")
	return c.Send(as.files["img/favicon.ico"])
}

// Serve answers GET /static/:hash/*.
func (as *Assets) Serve(c *fiber.Ctx) error {
	name := path.Clean(c.Params("*"))
	b, ok := as.files[name]
	if !ok || as.hash[name] != c.Params("hash") {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	c.Set(fiber.HeaderContentType, contentType(name))
	return c.Send(b)
}

// contentType is a static file's type; the system's table may not know an
// icon (Go's own does not).
func contentType(name string) string {
	if path.Ext(name) == ".ico" {
		return "image/x-icon"
	}
	return mime.TypeByExtension(path.Ext(name))
}
