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

// Serve answers GET /static/:hash/*.
func (as *Assets) Serve(c *fiber.Ctx) error {
	name := path.Clean(c.Params("*"))
	b, ok := as.files[name]
	if !ok || as.hash[name] != c.Params("hash") {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	c.Set(fiber.HeaderContentType, mime.TypeByExtension(path.Ext(name)))
	return c.Send(b)
}
