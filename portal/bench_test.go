package portal

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"onestop/services/accounts"
	"onestop/services/hotline"
)

// BenchmarkLibrary measures the project library end to end on the embedded
// engines: importing BENCH_PROJECTS projects (default 2,000; the figures in
// the README use 50,000), then searching through the HTTP API with a
// 2-word Chinese query and one facet filter at 1 and 32 concurrent clients,
// against a plain Fiber JSON handler measured in the same run.
//
//	BENCH_PROJECTS=50000 go test -run '^$' -bench Library -benchtime 1x -timeout 30m ./portal/
func BenchmarkLibrary(b *testing.B) {
	n := 2000
	if s := os.Getenv("BENCH_PROJECTS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	tp := newTestPortalTB(b)
	rows := demoProjectRows(n)
	var sb strings.Builder
	for _, r := range rows {
		sb.WriteString(jsonLine(r))
		sb.WriteByte('\n')
	}
	for b.Loop() {
		start := time.Now()
		rep, err := tp.app.projects.Import(context.Background(), strings.NewReader(sb.String()), "jsonl", nil)
		if err != nil || rep.Created+rep.Updated != n {
			b.Fatalf("import: %+v %v", rep, err)
		}
		took := time.Since(start)
		b.ReportMetric(took.Seconds(), "import-s")
		b.ReportMetric(float64(n)/took.Seconds(), "import-docs/s")
	}
	base, stop := serveBench(b, tp.app)
	defer stop()
	hello := serveHello(b)
	query := base + "/api/v1/projects?q=" + "%E7%A4%BE%E5%8D%80+%E6%9C%8D%E5%8B%99" + "&industry=community_service" // 社區 服務
	for _, clients := range []int{1, 32} {
		lat, rps := load(b, query, clients, 3*time.Second)
		_, hrps := load(b, hello, clients, 3*time.Second)
		b.ReportMetric(pct(lat, 50), fmt.Sprintf("p50-ms/c%d", clients))
		b.ReportMetric(pct(lat, 99), fmt.Sprintf("p99-ms/c%d", clients))
		b.ReportMetric(rps, fmt.Sprintf("rps/c%d", clients))
		b.ReportMetric(100*rps/hrps, fmt.Sprintf("%%-of-json/c%d", clients))
	}
	// The slowest query shape the API allows, at one client.
	worst := 0.0
	for _, sort := range []string{"relevance", "newest", "investment_asc", "investment_desc"} {
		for _, f := range []string{"", "&q=%E6%9C%8D%E5%8B%99", "&district=dongcheng&risk=low&target_group=college_graduate", "&min_investment=100000&max_investment=300000"} {
			lat, _ := load(b, base+"/api/v1/projects?sort="+sort+f, 1, 300*time.Millisecond)
			worst = max(worst, pct(lat, 100))
		}
	}
	b.ReportMetric(worst, "worst-shape-ms")
}

func serveBench(b *testing.B, a *App) (string, func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { a.Serve(ctx, ln); close(done) }()
	time.Sleep(50 * time.Millisecond)
	return "http://" + ln.Addr().String(), func() { cancel(); <-done }
}

// serveHello is the baseline: a plain Fiber JSON handler.
func serveHello(b *testing.B) string {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/json", func(c *fiber.Ctx) error { return c.JSON(fiber.Map{"hello": "world"}) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go app.Listener(ln)
	b.Cleanup(func() { app.Shutdown() })
	return "http://" + ln.Addr().String() + "/json"
}

// load runs clients closed-loop for d and returns latencies (ms) and the
// request rate.
func load(b *testing.B, url string, clients int, d time.Duration) ([]float64, float64) {
	tr := &http.Transport{MaxIdleConnsPerHost: clients * 2}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	var mu sync.Mutex
	var all []float64
	var wg sync.WaitGroup
	stop := time.Now().Add(d)
	for range clients {
		wg.Go(func() {
			var mine []float64
			for time.Now().Before(stop) {
				s := time.Now()
				resp, err := client.Get(url)
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Errorf("%s: %d", url, resp.StatusCode)
					return
				}
				mine = append(mine, float64(time.Since(s).Microseconds())/1000)
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	return all, float64(len(all)) / d.Seconds()
}

func pct(v []float64, p float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	i := int(p / 100 * float64(len(s)-1))
	return s[i]
}

// BenchmarkCallRoundTrip: what hotline staff wait for when they save a
// call — the form POST (validation, the call stored, its index entry
// applied, the audit record) and the contact page it redirects to (the
// caller, their calls, cases and complaints) — through the whole HTTP
// stack with the session cookie and CSRF check, on the embedded engines.
//
//	go test -run '^$' -bench CallRoundTrip -benchtime 200x ./portal/
func BenchmarkCallRoundTrip(b *testing.B) {
	tp := newTestPortalTB(b)
	ctx := context.Background()
	tp.account(accounts.Hotline, "hotline@test.cn")
	staff := accounts.Principal{ID: "bench", Role: accounts.Admin, Name: "bench"}
	contact, err := tp.app.hotline.CreateContact(ctx, staff, hotline.NewContact{Name: "陳先生", Phone: "13912345678"}, accounts.Meta{})
	if err != nil {
		b.Fatal(err)
	}
	br := tp.browser()
	_, doc := br.get("/login")
	br.post("/login", url.Values{"login": {"hotline@test.cn"}, "password": {testPassword}}, csrfOf(doc))
	_, doc = br.get("/hotline/contacts/" + contact.ID)
	csrf := csrfOf(doc)
	form := url.Values{"type": {"policy"}, "topic": {"loan"}, "notes": {"詢問創業擔保貸款的額度、期限和貼息比例。"}, "outcome": {"resolved"}, "duration_minutes": {"3"}}
	var lat []float64
	for b.Loop() {
		start := time.Now()
		resp, _ := br.post("/hotline/contacts/"+contact.ID+"/calls", form, csrf)
		if resp.StatusCode != 303 {
			b.Fatalf("save: %d", resp.StatusCode)
		}
		if resp, _ := br.get(resp.Header.Get("Location")); resp.StatusCode != 200 {
			b.Fatalf("contact page: %d", resp.StatusCode)
		}
		lat = append(lat, float64(time.Since(start).Microseconds())/1000)
	}
	b.ReportMetric(pct(lat, 50), "p50-ms")
	b.ReportMetric(pct(lat, 99), "p99-ms")
}
