// Package templates holds the HTML templates: layouts, partials and pages,
// embedded in the binary and parsed once at start-up.
package templates

import "embed"

// FS is the templates.
//
//go:embed layouts pages partials
var FS embed.FS
