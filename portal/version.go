package portal

import (
	"runtime"
	"runtime/debug"
	"sync"
)

// version is the release, stamped at build time
// (-ldflags "-X onestop/portal.version=1.4.0"); without it the module's
// version the go command stamps from the checkout stands in.
var version string

// Build is what the binary says it is: `portal version`, the
// onestop_build_info metric and the start-up log line.
type Build struct {
	Version  string // a release, or the go command's pseudo-version of the checkout, or "devel"
	Revision string // the commit, when built from a checkout
	Time     string // the commit's time
	Modified bool   // built from a checkout with uncommitted changes
	Go       string
}

// BuildInfo reads the stamps once.
var BuildInfo = sync.OnceValue(func() Build {
	b := Build{Version: version, Go: runtime.Version()}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	if b.Version == "" {
		b.Version = info.Main.Version
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.time":
			b.Time = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	if b.Version == "" || b.Version == "(devel)" {
		b.Version = "devel"
	}
	return b
})
