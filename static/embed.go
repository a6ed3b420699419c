// Package static holds the stylesheets, scripts and images, embedded in the
// binary and served under content-hashed URLs.
package static

import "embed"

// FS is the static files.
//
//go:embed css js img
var FS embed.FS
