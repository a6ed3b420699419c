package portal_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"onestop/portal"
	"onestop/portal/portaltest"
	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/demo"
	"onestop/services/figures"
	"onestop/services/hotline"
	"onestop/services/mentors"
	"onestop/services/policy"
	"onestop/services/projects"
	"onestop/services/reference"
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
	tp := portaltest.New(b)
	rows := demo.ProjectRows(n)
	var sb strings.Builder
	for _, r := range rows {
		line, _ := json.Marshal(r)
		sb.Write(line)
		sb.WriteByte('\n')
	}
	for b.Loop() {
		start := time.Now()
		rep, err := tp.App.Bureau().Projects.Import(context.Background(), strings.NewReader(sb.String()), "jsonl", nil)
		if err != nil || rep.Created+rep.Updated != n {
			b.Fatalf("import: %+v %v", rep, err)
		}
		took := time.Since(start)
		b.ReportMetric(took.Seconds(), "import-s")
		b.ReportMetric(float64(n)/took.Seconds(), "import-docs/s")
	}
	base, stop := serveBench(b, tp.App)
	defer stop()
	b.ReportMetric(unspacedAgreement(b, base, rows), "unspaced-same-top10-%")
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

// unspacedAgreement is the share of 200 two-word queries, typed without
// the space, whose first page of ten (in order) is the same as with it
// (#22). The words are two tags of one project, so each query finds
// something.
func unspacedAgreement(b *testing.B, base string, rows []projects.Row) float64 {
	search.WarmSegmenter()
	page := func(q string) []string {
		resp, err := http.Get(base + "/api/v1/projects?size=10&q=" + url.QueryEscape(q))
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
			b.Fatalf("%s: %d %v", q, resp.StatusCode, err)
		}
		var ids []string
		for _, it := range out.Items {
			ids = append(ids, it.ID)
		}
		return ids
	}
	seen, same := map[string]bool{}, 0
	for i := 0; len(seen) < 200 && i < len(rows)*4; i++ {
		tags := rows[(i*7919)%len(rows)].Tags
		if len(tags) < 2 {
			continue
		}
		a, c := tags[i%len(tags)], tags[(i+1)%len(tags)]
		if a == c || seen[a+" "+c] {
			continue
		}
		seen[a+" "+c] = true
		if slices.Equal(page(a+c), page(a+" "+c)) {
			same++
		}
	}
	return 100 * float64(same) / float64(max(len(seen), 1))
}

// BenchmarkLibraryBroad is #22's uncached shape: BENCH_PROJECTS projects
// (default 2,000; the figure is 50,000) whose text is drawn from a
// 60-word vocabulary, so a two-word query matches a large share of them;
// 20,000 different two-word queries with one facet filter and pages 1–3,
// every request a different one (nothing from the response cache), at 1
// and 32 clients, beside a plain Fiber JSON handler.
//
//	BENCH_PROJECTS=50000 go test -run '^$' -bench LibraryBroad -benchtime 1x -timeout 30m ./portal/
func BenchmarkLibraryBroad(b *testing.B) {
	n := 2000
	if s := os.Getenv("BENCH_PROJECTS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	tp := portaltest.New(b)
	vocab := strings.Fields(`农产品 电商 直播 带货 养老 社区 家政 服务 培训 餐饮 加工 物流 旅游 民宿 手工 种植 养殖 维修 设计 咨询
		教育 托育 健康 美容 零售 批发 仓储 快递 外卖 网店 智能 设备 安装 灌溉 门禁 环保 回收 清洁 装修 摄影
		印刷 广告 软件 数据 翻译 法律 财务 会计 中介 租赁 汽车 洗车 宠物 花卉 茶叶 水果 蔬菜 豆腐 烘焙 咖啡`)
	rng := rand.New(rand.NewPCG(7, 11))
	words := func(k int) string {
		var sb strings.Builder
		for range k {
			sb.WriteString(vocab[rng.IntN(len(vocab))])
		}
		return sb.String()
	}
	rows := demo.ProjectRows(n)
	var sb strings.Builder
	for i := range rows {
		rows[i].Title, rows[i].Summary, rows[i].Description = words(4), words(12), words(30)
		rows[i].Status = projects.Recommended
		line, _ := json.Marshal(rows[i])
		sb.Write(line)
		sb.WriteByte('\n')
	}
	for b.Loop() {
		if rep, err := tp.App.Bureau().Projects.Import(context.Background(), strings.NewReader(sb.String()), "jsonl", nil); err != nil || rep.Created+rep.Updated != n {
			b.Fatalf("import: %+v %v", rep, err)
		}
	}
	base, stop := serveBench(b, tp.App)
	defer stop()
	hello := serveHello(b)
	industries := []string{"community_service", "agri_processing", "information_service", "labour_intensive"}
	// 20,000 of the 43,200 combinations of two words, an industry and a
	// page, drawn without repeating one.
	combos := rng.Perm(len(vocab) * len(vocab) * len(industries) * 3)[:20000]
	urls := make([]string, len(combos))
	for i, c := range combos {
		w1, w2, ind, page := c%len(vocab), c/len(vocab)%len(vocab), c/len(vocab)/len(vocab)%len(industries), c/len(vocab)/len(vocab)/len(industries)
		urls[i] = fmt.Sprintf("%s/api/v1/projects?q=%s&industry=%s&page=%d", base, url.QueryEscape(vocab[w1]+" "+vocab[w2]), industries[ind], 1+page)
	}
	for _, clients := range []int{1, 32} {
		lat, rps := loadEach(b, urls, clients, 5*time.Second)
		_, hrps := load(b, hello, clients, 3*time.Second)
		b.ReportMetric(pct(lat, 50), fmt.Sprintf("p50-ms/c%d", clients))
		b.ReportMetric(pct(lat, 99), fmt.Sprintf("p99-ms/c%d", clients))
		b.ReportMetric(100*rps/hrps, fmt.Sprintf("%%-of-json/c%d", clients))
	}
}

// loadEach runs clients closed-loop for at most d, each request the next
// of urls (none repeated), and returns latencies (ms) and the rate.
func loadEach(b *testing.B, urls []string, clients int, d time.Duration) ([]float64, float64) {
	tr := &http.Transport{MaxIdleConnsPerHost: clients * 2}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	var mu sync.Mutex
	var all []float64
	next := 0
	var wg sync.WaitGroup
	start := time.Now()
	stop := start.Add(d)
	for range clients {
		wg.Go(func() {
			for time.Now().Before(stop) {
				mu.Lock()
				if next == len(urls) {
					mu.Unlock()
					return
				}
				u := urls[next]
				next++
				mu.Unlock()
				s := time.Now()
				resp, err := client.Get(u)
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Errorf("%s: %d", u, resp.StatusCode)
					return
				}
				ms := float64(time.Since(s).Microseconds()) / 1000
				mu.Lock()
				all = append(all, ms)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return all, float64(len(all)) / time.Since(start).Seconds()
}

func serveBench(b *testing.B, a *portal.App) (string, func()) {
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
	tp := portaltest.New(b)
	ctx := context.Background()
	tp.Account(accounts.Hotline, "hotline@test.cn")
	staff := accounts.Principal{ID: "bench", Role: accounts.Admin, Name: "bench"}
	contact, err := tp.App.Bureau().Hotline.CreateContact(ctx, staff, hotline.NewContact{Name: "陳先生", Phone: "13912345678"}, accounts.Meta{})
	if err != nil {
		b.Fatal(err)
	}
	br := tp.Browser()
	_, doc := br.Get("/login")
	br.Post("/login", url.Values{"login": {"hotline@test.cn"}, "password": {portaltest.Password}}, portaltest.CSRF(doc))
	_, doc = br.Get("/hotline/contacts/" + contact.ID)
	csrf := portaltest.CSRF(doc)
	form := url.Values{"type": {"policy"}, "topic": {"loan"}, "notes": {"詢問創業擔保貸款的額度、期限和貼息比例。"}, "outcome": {"resolved"}, "duration_minutes": {"3"}}
	var lat []float64
	for b.Loop() {
		start := time.Now()
		resp, _ := br.Post("/hotline/contacts/"+contact.ID+"/calls", form, csrf)
		if resp.StatusCode != 303 {
			b.Fatalf("save: %d", resp.StatusCode)
		}
		if resp, _ := br.Get(resp.Header.Get("Location")); resp.StatusCode != 200 {
			b.Fatalf("contact page: %d", resp.StatusCode)
		}
		lat = append(lat, float64(time.Since(start).Microseconds())/1000)
	}
	b.ReportMetric(pct(lat, 50), "p50-ms")
	b.ReportMetric(pct(lat, 99), "p99-ms")
}

// BenchmarkDashboard measures the bureau's dashboard over the rollups of a
// large city: 100,000 people (eligibility checks), 30,000 ventures started
// over four years with their check-ins at 6, 12, 24 and 36 months (about
// 70,000 of them: four per venture at most, so 200,000 would need more
// ventures), and
// 100,000 consultations. The
// events are made here, as the records would make them, and summed with
// the rebuild (the write path counts the same events one at a time). Then
// the whole dashboard page is served: cold (the figure cache emptied each
// time) and cached. It logs the rebuild's time and the process's peak
// resident memory (run with -v).
//
//	go test -run '^$' -bench Dashboard -benchtime 20x -v -timeout 30m ./portal/
func BenchmarkDashboard(b *testing.B) {
	tp := portaltest.New(b)
	ctx := context.Background()
	now := core.DateOf(tp.Now())
	checks := 0
	src := figures.Source{Name: "synthetic", Each: func(ctx context.Context, emit func(figures.Event) error) error {
		r := rand.New(rand.NewPCG(1, 2))
		districts, industries := tp.App.Lists.Codes(reference.District), tp.App.VentureIndustries()
		day := func(back int) core.Date { return now.AddDays(-r.IntN(back)) }
		for i := range 100_000 {
			d := districts[r.IntN(len(districts))]
			if err := emit(figures.Event{ID: fmt.Sprintf("eligibility:p%d", i), On: day(365), Dims: map[string]string{"district": d, "group": policy.TargetGroups[r.IntN(len(policy.TargetGroups))]},
				Counts: map[string]int64{"eligibility_checks": 1, "eligible_any": int64(r.IntN(2))}}); err != nil {
				return err
			}
		}
		for i := range 30_000 {
			reg := day(4 * 365)
			dims := map[string]string{"district": districts[r.IntN(len(districts))], "industry": industries[r.IntN(len(industries))]}
			if err := emit(figures.Event{ID: fmt.Sprintf("venture.started:v%d", i), On: reg, Dims: dims, Counts: map[string]int64{"ventures_started": 1}}); err != nil {
				return err
			}
			for _, m := range []int{6, 12, 24, 36} {
				if checks == 200_000 || reg.AddMonths(m).After(now) {
					break
				}
				checks++
				op, emp := int64(r.IntN(10)/2), int64(r.IntN(20))
				op = min(op, 1)
				basis := []string{"verified", "self"}[r.IntN(2)] // staff's or the person's answer
				if err := emit(figures.Event{ID: fmt.Sprintf("stability:v%d:%d", i, m), On: reg.AddMonths(m), Dims: dims,
					Counts: map[string]int64{"stability_checked_" + basis: 1, "stability_operating_" + basis: op, "stability_employees_" + basis: emp}}); err != nil {
					return err
				}
				if err := emit(figures.Event{ID: fmt.Sprintf("cohort:v%d:%d", i, m), On: reg, Dims: dims,
					Counts: map[string]int64{fmt.Sprintf("cohort_checked_%d_%s", m, basis): 1, fmt.Sprintf("cohort_operating_%d_%s", m, basis): op}}); err != nil {
					return err
				}
			}
		}
		for i := range 100_000 {
			on := day(2 * 365)
			dims := map[string]string{"topic": mentors.Topics[r.IntN(len(mentors.Topics))], "mentor": fmt.Sprintf("m%03d", r.IntN(300))}
			if err := emit(figures.Event{ID: fmt.Sprintf("consult:c%d", i), On: on, Dims: dims, Counts: map[string]int64{"consult_asked": 1, "consult_answered": 1, "consult_on_time": int64(r.IntN(5) / 4)},
				Values: map[string]float64{"answer_minutes": float64(r.IntN(3000))}}); err != nil {
				return err
			}
		}
		return nil
	}}
	start := time.Now()
	n, err := tp.App.Bureau().Figures.Rebuild(ctx, []figures.Source{src}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("rebuild: %d events (%d check-ins: at most four per venture) summed into rollups in %.1f s", n, checks, time.Since(start).Seconds())
	_, admin, _ := tp.Account(accounts.Admin, "bench-admin@test.cn")
	page := func() {
		req := httptest.NewRequest("GET", "/admin/figures", nil)
		req.AddCookie(&http.Cookie{Name: tp.App.CookieName("session"), Value: admin})
		resp, err := tp.App.HTTP().Test(req, -1)
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("dashboard: %v %v", resp, err)
		}
		io.Copy(io.Discard, resp.Body)
	}
	for _, mode := range []string{"cold", "cached"} {
		b.Run(mode, func(b *testing.B) {
			page() // warm the cache for "cached"; the templates for both
			for b.Loop() {
				if mode == "cold" {
					tp.App.ForgetFigures()
				}
				page()
			}
		})
	}
	if st, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, l := range strings.Split(string(st), "\n") {
			if strings.HasPrefix(l, "VmHWM:") {
				kb, _ := strconv.Atoi(strings.Fields(l)[1])
				b.Logf("peak resident memory of the process: %d MB", kb/1024)
			}
		}
	}
}

// BenchmarkWritesPerRequest counts the database writes (insert, update,
// delete, findAndModify commands) that each of the load program's writes
// costs on the demo world, its asynchronous follow-ups (index updates,
// deliveries) included: the count is taken once the writes have stopped.
// It also reports each request's latency (one client, nothing else
// running), and the service request's from 16 clients at once (#22).
//
//	go test -run '^$' -bench WritesPerRequest -benchtime 40x ./portal/
func BenchmarkWritesPerRequest(b *testing.B) {
	tp := portaltest.DemoWorld(b)
	ctx := context.Background()
	token := func(login string) string {
		tk, err := tp.App.Accounts().Login(ctx, login, demo.Password, accounts.Meta{IP: "192.0.2.9"})
		if err != nil {
			b.Fatal(err)
		}
		return tk.Access
	}
	ent, desk := token("wang@demo.onestop.cn"), token("hotline@demo.onestop.cn")
	var contact struct {
		ID string `json:"id"`
	}
	json.Unmarshal(tp.MustDo(b, "POST", "/api/v1/hotline/contacts", map[string]string{"name": "壓測來電人"}, desk), &contact)
	var profile map[string]any
	json.Unmarshal(tp.MustDo(b, "GET", "/api/v1/me/profile", nil, ent), &profile)
	for _, k := range []string{"id", "id_number_masked", "phone_masked", "consents", "notice_version", "updated_at", "fact_sources", "recommendations"} {
		delete(profile, k) // what the answer shows but a save does not take (as the load program)
	}
	key := 0
	idem := func() []string { key++; return []string{"Idempotency-Key", fmt.Sprintf("bench-%d", key)} }
	requests := []struct {
		name string
		do   func() (*http.Response, []byte)
	}{
		{"service-request", func() (*http.Response, []byte) {
			return tp.Do("POST", "/api/v1/services", map[string]string{"type": "opening_guidance", "details": "想了解開店需要哪些手續。"}, ent, idem()...)
		}},
		{"consultation", func() (*http.Response, []byte) {
			return tp.Do("POST", "/api/v1/consultations", map[string]string{"topic": "financing", "question": "請問創業擔保貸款怎樣申請？"}, ent, idem()...)
		}},
		{"call", func() (*http.Response, []byte) {
			return tp.Do("POST", "/api/v1/hotline/calls", map[string]any{"contact_id": contact.ID, "type": "policy", "topic": "loan",
				"notes": "來電詢問貸款政策，已解答。", "outcome": "resolved", "duration_minutes": 3}, desk, idem()...)
		}},
		{"profile", func() (*http.Response, []byte) {
			profile["skills"] = []string{fmt.Sprintf("技能%d", key), "烹飪"}
			key++
			return tp.Do("PUT", "/api/v1/me/profile", profile, ent)
		}},
	}
	settle := func() int64 { // the count once nothing has been written for a while
		last := tp.App.Store().Writes()
		for {
			time.Sleep(300 * time.Millisecond)
			n := tp.App.Store().Writes()
			if n == last {
				return n
			}
			last = n
		}
	}
	// breakdown logs which writes an operation cost, per operation.
	breakdown := func(b *testing.B, before map[string]int64, n int) {
		var parts []string
		for k, v := range tp.App.Store().WritesBy() {
			if d := v - before[k]; d > 0 {
				parts = append(parts, fmt.Sprintf("%s %.2f", k, float64(d)/float64(n)))
			}
		}
		slices.Sort(parts)
		b.Logf("writes per operation: %s", strings.Join(parts, ", "))
	}
	for _, r := range requests {
		b.Run(r.name, func(b *testing.B) {
			start := settle()
			before := tp.App.Store().WritesBy()
			var lat []float64
			n := 0
			for b.Loop() {
				t0 := time.Now()
				resp, body := r.do()
				if resp.StatusCode >= 300 {
					b.Fatalf("%s: %d %s", r.name, resp.StatusCode, body)
				}
				lat = append(lat, float64(time.Since(t0).Microseconds())/1000)
				n++
			}
			b.ReportMetric(float64(settle()-start)/float64(n), "writes/op")
			b.ReportMetric(pct(lat, 50), "p50-ms")
			b.ReportMetric(pct(lat, 99), "p99-ms")
			breakdown(b, before, n)
		})
	}
	// The same service request from 16 clients at once: what is written
	// together (figures, applied notes) is shared.
	b.Run("service-request-c16", func(b *testing.B) {
		start := settle()
		before := tp.App.Store().WritesBy()
		var mu sync.Mutex
		var lat []float64
		var wg sync.WaitGroup
		n := 0
		for b.Loop() {
			for range 16 {
				mu.Lock()
				hdr := idem()
				mu.Unlock()
				wg.Go(func() {
					t0 := time.Now()
					resp, body := tp.Do("POST", "/api/v1/services", map[string]string{"type": "opening_guidance", "details": "想了解開店需要哪些手續。"}, ent, hdr...)
					if resp.StatusCode >= 300 {
						b.Errorf("%d %s", resp.StatusCode, body)
					}
					mu.Lock()
					lat = append(lat, float64(time.Since(t0).Microseconds())/1000)
					mu.Unlock()
				})
			}
			wg.Wait()
			n += 16
		}
		b.ReportMetric(float64(settle()-start)/float64(n), "writes/op")
		b.ReportMetric(pct(lat, 50), "p50-ms")
		b.ReportMetric(pct(lat, 99), "p99-ms")
		breakdown(b, before, n)
	})
}
