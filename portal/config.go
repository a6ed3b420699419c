package portal

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"onestop/services/core"
	"onestop/services/hotline"
	"onestop/services/onestop"
)

// Config is every setting of the portal. Each has a flag and an environment
// variable; flags win over the environment, which wins over the defaults.
type Config struct {
	Addr           string
	DataDir        string
	PublicURL      string
	MongoURI       string
	MongoDatabase  string
	MeiliURL       string
	MeiliAPIKey    string
	MeiliPrefix    string
	TrustedProxies []*net.IPNet
	JWTKey         []byte
	DataKey        []byte
	LogLevel       string
	LogFormat      string
	ShutdownGrace  time.Duration
	DrainDelay     time.Duration
	BodyLimit      int
	MetricsAddr    string
	// Pprof serves the runtime profiles on the metrics listener.
	Pprof bool
	// MaxReads bounds the reads served at once (see admitReads).
	MaxReads int
	// ReadsWhileWriting bounds the reads served at once while a write is
	// in progress (see admitReads).
	ReadsWhileWriting int
	// IdempotencyWait is how long a create that has not answered holds its
	// Idempotency-Key: past it the first is taken for dead and a retry runs.
	IdempotencyWait time.Duration
	// FollowUpDelay is how long a write's follow-ups wait before they run
	// (the crash test holds them to kill the portal in between).
	FollowUpDelay time.Duration
	// AnswerWithin is the time limit for a mentor's first answer.
	AnswerWithin time.Duration
	// ServiceDays overrides the time limit (working days) of one-stop
	// request types.
	ServiceDays map[string]int
	// ComplaintDays overrides the time limit (working days) of complaint
	// kinds.
	ComplaintDays map[string]int
	// DataKeyPrevious are data keys being rotated away from: they still
	// open and find what they sealed and indexed (see rotate-data-key).
	DataKeyPrevious [][]byte
	// Cheap password hashing and a settable clock, for tests only.
	FastHashing bool
	Clock       core.Clock
}

// setting describes one configuration value.
type setting struct {
	flag, env, def, help string
	secret               bool
}

var settings = []setting{
	{"addr", "PORTAL_ADDR", "127.0.0.1:8080", "listen address", false},
	{"data", "PORTAL_DATA", "./data", "data directory (embedded database, search index, generated keys)", false},
	{"public-url", "PORTAL_PUBLIC_URL", "", "public base URL, e.g. https://cy.example.gov.cn; https enables Secure cookies and HSTS (default http://<addr>)", false},
	{"mongodb-uri", "MONGODB_URI", "", "MongoDB connection string (with its credentials); empty starts the embedded FerretDB", true},
	{"mongodb-database", "MONGODB_DATABASE", "onestop", "database name", false},
	{"meili-url", "MEILI_URL", "", "Meilisearch URL; empty uses the embedded Bleve index", false},
	{"meili-api-key", "MEILI_API_KEY", "", "Meilisearch API key", true},
	{"meili-prefix", "MEILI_INDEX_PREFIX", "onestop_", "prefix of Meilisearch index names", false},
	{"trusted-proxies", "PORTAL_TRUSTED_PROXIES", "", "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed", false},
	{"jwt-key", "PORTAL_JWT_KEY", "", "base64 token-signing key, ≥32 bytes; generated into the data directory when empty", true},
	{"data-key", "PORTAL_DATA_KEY", "", "base64 32-byte key encrypting ID and phone numbers; generated into the data directory when empty", true},
	{"data-key-previous", "PORTAL_DATA_KEY_PREVIOUS", "", "comma-separated base64 data keys being rotated away from; they still decrypt until rotate-data-key has run", true},
	{"log-level", "PORTAL_LOG_LEVEL", "info", "debug, info, warn or error", false},
	{"log-format", "PORTAL_LOG_FORMAT", "text", "text or json", false},
	{"drain-delay", "PORTAL_DRAIN_DELAY", "5s", "on shutdown, how long the portal keeps serving after /readyz turns 503, so load balancers stop sending first", false},
	{"shutdown-grace", "PORTAL_SHUTDOWN_GRACE", "15s", "how long in-flight requests may finish on shutdown", false},
	{"idempotency-wait", "PORTAL_IDEMPOTENCY_WAIT", "1m", "how long a create that has not answered holds its Idempotency-Key before a retry may run it", false},
	{"follow-up-delay", "PORTAL_FOLLOW_UP_DELAY", "0s", "how long the follow-ups of a write (its figure counts) wait after the answer before they run, together with others; 0: at once", false},
	{"metrics-addr", "PORTAL_METRICS_ADDR", "127.0.0.1:9464", "address of the Prometheus /metrics endpoint, apart from the portal's port; off disables it", false},
	{"pprof", "PORTAL_PPROF", "off", "on serves Go's runtime profiles at /debug/pprof/ beside /metrics (keep that address private)", false},
	{"max-reads", "PORTAL_MAX_READS", "0", "page views and other reads served at once, the rest queue (writes never do); 0: no bound", false},
	{"reads-while-writing", "PORTAL_READS_WHILE_WRITING", "8", "page views and other reads served at once while a write is in progress, the rest queue; 0: no bound", false},
	{"body-limit", "PORTAL_BODY_LIMIT", "1048576", "largest request body in bytes", false},
	{"answer-within", "PORTAL_ANSWER_WITHIN", "48h", "time limit for a mentor's first answer; past it the consultation moves to the next mentor", false},
	{"complaint-days", "PORTAL_COMPLAINT_DAYS", "", "time limits of complaint kinds in working days, e.g. conduct=5,privacy=3 (defaults: service=10 conduct=7 policy=10 privacy=5 other=10)", false},
	{"service-days", "PORTAL_SERVICE_DAYS", "", "time limits of one-stop service types in working days, e.g. financing=3,opening_guidance=2 (defaults: project_development=10 plan_design=7 risk_assessment=7 opening_guidance=3 financing=5 follow_up=20)", false},
}

// LoadConfig reads flags (args) and the environment (getenv) and validates
// the result; usage goes to w on -help.
func LoadConfig(args []string, getenv func(string) string, w io.Writer) (*Config, error) {
	fs := flag.NewFlagSet("portal", flag.ContinueOnError)
	fs.SetOutput(w)
	vals := map[string]*string{}
	var fileErrs []error
	for _, s := range settings {
		def := s.def
		if v := getenv(s.env); v != "" {
			def = v
		}
		if s.secret {
			// A secret may come from a file (a mounted Kubernetes or Docker
			// secret) named by $NAME_FILE: not from both.
			if v, err := secretFile(s.env, getenv); err != nil {
				fileErrs = append(fileErrs, err)
			} else if v != "" {
				def = v
			}
		}
		shown := def
		if s.secret && shown != "" {
			shown = "(set)"
		}
		vals[s.flag] = fs.String(s.flag, def, fmt.Sprintf("%s [$%s] (default %q)", s.help, s.env, shown))
	}
	fs.Usage = func() {
		fmt.Fprintf(w, "Usage: portal [command] [arguments] [settings] (portal help lists the commands)\n\nSettings (flag, environment variable):\n")
		for _, s := range settings {
			fmt.Fprintf(w, "  -%-18s $%-24s %s\n", s.flag, s.env, s.help)
		}
		fmt.Fprintf(w, "\nA secret setting may instead be read from the file $NAME_FILE names (e.g. $MONGODB_URI_FILE=/run/secrets/mongodb-uri).\n")
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if len(fileErrs) > 0 {
		return nil, errors.Join(fileErrs...)
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	get := func(name string) string { return strings.TrimSpace(*vals[name]) }
	c := &Config{
		Addr: get("addr"), DataDir: get("data"), PublicURL: strings.TrimRight(get("public-url"), "/"),
		MongoURI: get("mongodb-uri"), MongoDatabase: get("mongodb-database"),
		MeiliURL: get("meili-url"), MeiliAPIKey: get("meili-api-key"), MeiliPrefix: get("meili-prefix"),
		LogLevel: get("log-level"), LogFormat: get("log-format"),
	}
	var errs []error
	bad := func(name, why string) { errs = append(errs, fmt.Errorf("-%s: %s", name, why)) }
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		bad("addr", "want host:port")
	}
	if c.DataDir == "" {
		bad("data", "must not be empty")
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Addr
	}
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("public-url", "want an http(s) URL")
	}
	if c.MeiliURL != "" {
		if u, err := url.Parse(c.MeiliURL); err != nil || u.Host == "" {
			bad("meili-url", "want a URL")
		}
	}
	for _, cidr := range strings.Split(get("trusted-proxies"), ",") {
		cidr = strings.TrimSpace(cidr)
		if cidr == "" {
			continue
		}
		if !strings.Contains(cidr, "/") {
			if strings.Contains(cidr, ":") {
				cidr += "/128"
			} else {
				cidr += "/32"
			}
		}
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			bad("trusted-proxies", fmt.Sprintf("%q is not a CIDR", cidr))
			continue
		}
		c.TrustedProxies = append(c.TrustedProxies, n)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("log-level", "want debug, info, warn or error")
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad("log-format", "want text or json")
	}
	d, err := time.ParseDuration(get("shutdown-grace"))
	if err != nil || d <= 0 || d > 5*time.Minute {
		bad("shutdown-grace", "want a duration up to 5m")
	}
	c.ShutdownGrace = d
	if c.DrainDelay, err = time.ParseDuration(get("drain-delay")); err != nil || c.DrainDelay < 0 || c.DrainDelay > time.Minute {
		bad("drain-delay", "want a duration from 0s to 1m")
	}
	if c.IdempotencyWait, err = time.ParseDuration(get("idempotency-wait")); err != nil || c.IdempotencyWait < time.Second || c.IdempotencyWait > time.Hour {
		bad("idempotency-wait", "want a duration from 1s to 1h")
	}
	if c.FollowUpDelay, err = time.ParseDuration(get("follow-up-delay")); err != nil || c.FollowUpDelay < 0 || c.FollowUpDelay > 24*time.Hour {
		bad("follow-up-delay", "want a duration from 0s to 24h")
	}
	c.MetricsAddr = get("metrics-addr")
	if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil && c.MetricsAddr != "off" {
		bad("metrics-addr", "want host:port or off")
	}
	switch get("pprof") {
	case "on":
		c.Pprof = true
	case "off":
	default:
		bad("pprof", "want on or off")
	}
	if c.Pprof && c.MetricsAddr == "off" {
		bad("pprof", "needs -metrics-addr")
	}
	if c.MaxReads, err = wholeNumber(get("max-reads")); err != nil || c.MaxReads > 100_000 {
		bad("max-reads", "want 0 to 100000")
	}
	if c.ReadsWhileWriting, err = wholeNumber(get("reads-while-writing")); err != nil || c.ReadsWhileWriting > 100_000 {
		bad("reads-while-writing", "want 0 to 100000")
	}
	if c.BodyLimit, err = wholeNumber(get("body-limit")); err != nil || c.BodyLimit < 1024 || c.BodyLimit > 64<<20 {
		bad("body-limit", "want 1024 to 67108864 bytes")
	}
	if c.AnswerWithin, err = time.ParseDuration(get("answer-within")); err != nil || c.AnswerWithin < time.Minute || c.AnswerWithin > 30*24*time.Hour {
		bad("answer-within", "want a duration from 1m to 720h")
	}
	c.ServiceDays = daysByKind(get("service-days"), onestop.Types, func(msg string) { bad("service-days", msg) })
	c.ComplaintDays = daysByKind(get("complaint-days"), hotline.ComplaintKinds, func(msg string) { bad("complaint-days", msg) })
	if c.JWTKey, err = decodeKey(get("jwt-key")); err != nil || (c.JWTKey != nil && len(c.JWTKey) < 32) {
		bad("jwt-key", "want base64 of at least 32 random bytes")
	}
	if c.DataKey, err = decodeKey(get("data-key")); err != nil || (c.DataKey != nil && len(c.DataKey) != 32) {
		bad("data-key", "want base64 of exactly 32 random bytes")
	}
	for _, k := range strings.Split(get("data-key-previous"), ",") {
		if k = strings.TrimSpace(k); k == "" {
			continue
		}
		if b, err := decodeKey(k); err != nil || len(b) != 32 {
			bad("data-key-previous", "want comma-separated base64 keys of exactly 32 random bytes")
		} else {
			c.DataKeyPrevious = append(c.DataKeyPrevious, b)
		}
	}
	// Replicas on a shared database must share their keys: a key generated
	// per machine would make each replica's tokens and ciphertexts unreadable
	// to the others.
	if c.MongoURI != "" && (c.JWTKey == nil || c.DataKey == nil) {
		bad("mongodb-uri", "with an external database, set PORTAL_JWT_KEY and PORTAL_DATA_KEY so every replica shares them")
	}
	return c, errors.Join(errs...)
}

// daysByKind reads "kind=days,kind=days" with kinds from the list and
// 1–365 days.
func daysByKind(spec string, kinds []string, bad func(string)) map[string]int {
	out := map[string]int{}
	for _, kv := range strings.Split(spec, ",") {
		kv = strings.TrimSpace(kv)
		if kv == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		days, err := wholeNumber(strings.TrimSpace(v))
		if !ok || err != nil || days < 1 || days > 365 || !slices.Contains(kinds, k) {
			bad(fmt.Sprintf("%q: want kind=days with a kind of %v and 1–365 days", kv, kinds))
			continue
		}
		out[k] = days
	}
	return out
}

// wholeNumber reads plain decimal digits: fmt.Sscan would take "5x" as 5
// and "0x10" as 16, and a mistyped setting must stop start-up instead.
func wholeNumber(s string) (int, error) {
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return 0, fmt.Errorf("not a whole number: %q", s)
	}
	return strconv.Atoi(s)
}

func decodeKey(s string) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawURLEncoding.DecodeString(s)
}

// Logger is the log the settings ask for (-log-level, -log-format),
// written to w.
func (c *Config) Logger(w io.Writer) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: lv}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if c.LogFormat == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(core.LogHandler(h)) // a request's lines name it
}

// Secure reports whether the portal is served over TLS.
func (c *Config) Secure() bool { return strings.HasPrefix(c.PublicURL, "https://") }

// loadOrCreateKey returns key, or the key stored in the data directory, or a
// new random key written there with mode 0600.
func loadOrCreateKey(key []byte, dir, name string, size int) ([]byte, error) {
	if key != nil {
		return key, nil
	}
	path := filepath.Join(dir, "keys", name)
	if raw, err := os.ReadFile(path); err == nil {
		k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(raw)))
		if err != nil || len(k) < size {
			return nil, fmt.Errorf("config: %s is damaged", path)
		}
		return k, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	k := make([]byte, size)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	_, err = f.WriteString(base64.StdEncoding.EncodeToString(k) + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return k, err
}

// secretFile is the value of the file $env_FILE names, its final line
// break dropped; "" when that is not set. Setting both $env and $env_FILE
// is refused, as is a file that cannot be read; neither error shows the
// secret.
func secretFile(env string, getenv func(string) string) (string, error) {
	path := getenv(env + "_FILE")
	if path == "" {
		return "", nil
	}
	if getenv(env) != "" {
		return "", fmt.Errorf("$%s and $%s_FILE are both set: set one", env, env)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("$%s_FILE: %w", env, err)
	}
	return strings.TrimRight(string(raw), "\r\n"), nil
}
