package loadgen

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Classes of requests, as the goal counts them.
const (
	Page   = "page"
	Search = "search"
	Write  = "write"
	Login  = "login" // signing in, before the measured run
)

// outcome of one request.
type outcome int

const (
	ok outcome = iota
	status5xx
	status4xx // other than 429
	status429
	transport
)

// recorder collects every request's latency and outcome; safe for use by
// many virtual users at once.
type recorder struct {
	mu     sync.Mutex
	routes map[string]*series // class + " " + route name
}

type series struct {
	class, route string
	lat          []time.Duration // of every request, answered or not
	errs         [5]int          // by outcome
	samples      []string        // a few error descriptions
}

func newRecorder() *recorder { return &recorder{routes: map[string]*series{}} }

func (r *recorder) add(class, route string, d time.Duration, o outcome, detail string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := class + " " + route
	s := r.routes[k]
	if s == nil {
		s = &series{class: class, route: route}
		r.routes[k] = s
	}
	s.lat = append(s.lat, d)
	s.errs[o]++
	if o != ok && len(s.samples) < 3 {
		s.samples = append(s.samples, detail)
	}
}

// classify maps a status code (0: no answer) to an outcome.
func classify(code int) outcome {
	switch {
	case code == 0:
		return transport
	case code == 429:
		return status429
	case code >= 500:
		return status5xx
	case code >= 400:
		return status4xx
	}
	return ok
}

// Percentile returns the p-th percentile (0–100) of sorted durations by the
// nearest-rank method: the smallest value with at least p % of the values
// at or below it. Empty input gives 0.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	if p <= 0 {
		return sorted[0]
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// Stats are the figures of one route or class.
type Stats struct {
	Class      string   `json:"class"`
	Route      string   `json:"route,omitempty"`
	Requests   int      `json:"requests"`
	PerSecond  float64  `json:"per_second"`
	P50ms      float64  `json:"p50_ms"`
	P95ms      float64  `json:"p95_ms"`
	P99ms      float64  `json:"p99_ms"`
	MaxMs      float64  `json:"max_ms"`
	Errors     Errors   `json:"errors"`
	ErrorNotes []string `json:"error_samples,omitempty"`
}

// Errors are failed requests by kind.
type Errors struct {
	Status5xx int `json:"status_5xx"`
	Status4xx int `json:"status_4xx"` // other than 429
	Status429 int `json:"status_429"`
	Transport int `json:"transport"`
}

// Total counts every kind.
func (e Errors) Total() int { return e.Status5xx + e.Status4xx + e.Status429 + e.Transport }

func (e *Errors) add(o Errors) {
	e.Status5xx += o.Status5xx
	e.Status4xx += o.Status4xx
	e.Status429 += o.Status429
	e.Transport += o.Transport
}

func statsOf(class, route string, lat []time.Duration, e Errors, elapsed time.Duration) Stats {
	s := slices.Clone(lat)
	slices.Sort(s)
	ms := func(d time.Duration) float64 { return math.Round(float64(d.Microseconds())/10) / 100 }
	st := Stats{Class: class, Route: route, Requests: len(s), Errors: e,
		P50ms: ms(Percentile(s, 50)), P95ms: ms(Percentile(s, 95)), P99ms: ms(Percentile(s, 99))}
	if len(s) > 0 {
		st.MaxMs = ms(s[len(s)-1])
	}
	if elapsed > 0 {
		st.PerSecond = math.Round(float64(len(s))/elapsed.Seconds()*10) / 10
	}
	return st
}

// Report is what a run measured.
type Report struct {
	Target      string    `json:"target"`
	Users       int       `json:"users"`
	SignedIn    int       `json:"signed_in"`
	StartedAt   time.Time `json:"started_at"`
	DurationS   float64   `json:"duration_s"`
	Requests    int       `json:"requests"`
	PerSecond   float64   `json:"per_second"`
	Errors      Errors    `json:"errors"`
	ErrorRate   float64   `json:"error_rate"` // errors other than 429 over requests
	Total       Stats     `json:"total"`
	Classes     []Stats   `json:"classes"`
	Routes      []Stats   `json:"routes"`
	SignIn      *Stats    `json:"sign_in,omitempty"`
	SignInS     float64   `json:"sign_in_s"`
	Server      Server    `json:"server"`
	LoadGenCPUs int       `json:"loadgen_gomaxprocs"`
	Note        string    `json:"note,omitempty"`
}

// Server is what was seen of the portal process.
type Server struct {
	PID             int      `json:"pid,omitempty"`
	PeakRSSMiB      float64  `json:"peak_rss_mib,omitempty"` // highest VmRSS sampled during the run
	HWMMiB          float64  `json:"vm_hwm_mib,omitempty"`   // the process's own peak (VmHWM), since it started
	StartRSSMiB     float64  `json:"start_rss_mib,omitempty"`
	EndRSSMiB       float64  `json:"end_rss_mib,omitempty"`
	GoroutinesStart int      `json:"goroutines_start,omitempty"`
	GoroutinesPeak  int      `json:"goroutines_peak,omitempty"`
	GoroutinesEnd   int      `json:"goroutines_end,omitempty"`
	Notes           []string `json:"notes,omitempty"`
}

// report sums the recorder up over elapsed.
func (r *recorder) report(elapsed time.Duration) (total Stats, classes, routes []Stats) {
	r.mu.Lock()
	defer r.mu.Unlock()
	byClass := map[string][]time.Duration{}
	errByClass := map[string]*Errors{}
	var all []time.Duration
	var allErr Errors
	for _, s := range r.routes {
		e := Errors{Status5xx: s.errs[status5xx], Status4xx: s.errs[status4xx], Status429: s.errs[status429], Transport: s.errs[transport]}
		st := statsOf(s.class, s.route, s.lat, e, elapsed)
		st.ErrorNotes = s.samples
		routes = append(routes, st)
		if s.class == Login {
			continue
		}
		byClass[s.class] = append(byClass[s.class], s.lat...)
		if errByClass[s.class] == nil {
			errByClass[s.class] = &Errors{}
		}
		errByClass[s.class].add(e)
		all = append(all, s.lat...)
		allErr.add(e)
	}
	for _, c := range []string{Page, Search, Write} {
		if lat, ok := byClass[c]; ok {
			classes = append(classes, statsOf(c, "", lat, *errByClass[c], elapsed))
		}
	}
	sort.Slice(routes, func(i, j int) bool {
		if routes[i].Class != routes[j].Class {
			return classOrder(routes[i].Class) < classOrder(routes[j].Class)
		}
		return routes[i].Route < routes[j].Route
	})
	return statsOf("all", "", all, allErr, elapsed), classes, routes
}

func classOrder(c string) int { return strings.Index("page search write login", c) }

// WriteTable prints the report for people.
func (rep *Report) WriteTable(w io.Writer) {
	fmt.Fprintf(w, "\nload: %s, %d virtual users (%d signed in, sign-in took %.1f s), %.1f s measured\n",
		rep.Target, rep.Users, rep.SignedIn, rep.SignInS, rep.DurationS)
	fmt.Fprintf(w, "requests %d, %.1f/s; errors: 5xx %d, 4xx (not 429) %d, 429 %d, transport %d (%.3f %% of requests, 429 apart)\n\n",
		rep.Requests, rep.PerSecond, rep.Errors.Status5xx, rep.Errors.Status4xx, rep.Errors.Status429, rep.Errors.Transport, 100*rep.ErrorRate)
	row := func(name string, s Stats) {
		fmt.Fprintf(w, "%-40s %8d %8.1f %8.1f %8.1f %8.1f %9.1f %6d %6d %5d %5d\n", name, s.Requests, s.PerSecond,
			s.P50ms, s.P95ms, s.P99ms, s.MaxMs, s.Errors.Status5xx, s.Errors.Status4xx, s.Errors.Status429, s.Errors.Transport)
	}
	fmt.Fprintf(w, "%-40s %8s %8s %8s %8s %8s %9s %6s %6s %5s %5s\n", "class / route", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "5xx", "4xx", "429", "conn")
	for _, s := range rep.Classes {
		row(strings.ToUpper(s.Class), s)
	}
	row("ALL", rep.Total)
	fmt.Fprintln(w)
	for _, s := range rep.Routes {
		row(s.Class+"  "+s.Route, s)
	}
	for _, s := range rep.Routes {
		for _, n := range s.ErrorNotes {
			fmt.Fprintf(w, "  error %s %s: %s\n", s.Class, s.Route, n)
		}
	}
	sv := rep.Server
	fmt.Fprintln(w)
	if sv.PID > 0 {
		fmt.Fprintf(w, "portal pid %d: RSS %.0f MiB at start, peak %.0f MiB sampled (VmHWM %.0f MiB), %.0f MiB at end\n",
			sv.PID, sv.StartRSSMiB, sv.PeakRSSMiB, sv.HWMMiB, sv.EndRSSMiB)
	}
	if sv.GoroutinesPeak > 0 {
		fmt.Fprintf(w, "goroutines: %d at start, peak %d, %d at end\n", sv.GoroutinesStart, sv.GoroutinesPeak, sv.GoroutinesEnd)
	}
	for _, n := range sv.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	if rep.Note != "" {
		fmt.Fprintf(w, "note: %s\n", rep.Note)
	}
}

// WriteJSON prints the report for machines.
func (rep *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}
