package search_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"onestop/search"
)

// BenchmarkBroad is the engine's part of #22's uncached shape (the whole
// of it, through HTTP, is the portal's BenchmarkLibraryBroad): projects
// whose text comes from a 60-word vocabulary, searched with two-word
// queries, one facet filter and the library's four facets. BENCH_DIR keeps
// the index between runs.
//
//	BENCH_PROJECTS=50000 BENCH_DIR=/tmp/sb go test -run '^$' -bench Broad ./search/
func BenchmarkBroad(b *testing.B) {
	n := 2000
	if s := os.Getenv("BENCH_PROJECTS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	dir := os.Getenv("BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	eng, err := search.OpenBleve(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer eng.Close()
	ix := search.Index{Name: "projects", Text: []string{"title", "summary"}, SearchOnly: []string{"description", "tags"},
		Keywords: []string{"industry", "district", "risk", "target_groups", "status"}, Numbers: []string{"investment_yuan", "score"}, Times: []string{"created_at"},
		ReadMostly: true} // as the library's (projects.Index)
	ctx := context.Background()
	if _, err := eng.Ensure(ctx, ix); err != nil {
		b.Fatal(err)
	}
	vocab := strings.Fields(`农产品 电商 直播 带货 养老 社区 家政 服务 培训 餐饮 加工 物流 旅游 民宿 手工 种植 养殖 维修 设计 咨询
		教育 托育 健康 美容 零售 批发 仓储 快递 外卖 网店 智能 设备 安装 灌溉 门禁 环保 回收 清洁 装修 摄影
		印刷 广告 软件 数据 翻译 法律 财务 会计 中介 租赁 汽车 洗车 宠物 花卉 茶叶 水果 蔬菜 豆腐 烘焙 咖啡`)
	industries := []string{"community_service", "agri_processing", "information_service", "labour_intensive"}
	rng := rand.New(rand.NewPCG(7, 11))
	words := func(k int) string {
		var sb strings.Builder
		for range k {
			sb.WriteString(vocab[rng.IntN(len(vocab))])
		}
		return sb.String()
	}
	if c, _ := eng.Count(ctx, "projects"); c != n {
		t0 := time.Now()
		var batch []search.Doc
		for i := range n {
			batch = append(batch, search.Doc{ID: fmt.Sprintf("p%06d", i), Fields: map[string]any{
				"title": words(4), "summary": words(12), "description": words(30), "tags": vocab[rng.IntN(60)] + " " + vocab[rng.IntN(60)],
				"industry": industries[rng.IntN(4)], "district": fmt.Sprintf("d%d", rng.IntN(12)), "risk": []string{"low", "medium", "high"}[rng.IntN(3)],
				"target_groups": []string{"college_graduate", "veteran"}[:rng.IntN(3)], "status": "recommended",
				"investment_yuan": float64(rng.IntN(500000)), "score": float64(rng.IntN(100)), "created_at": time.Unix(1.7e9+int64(i)*600, 0).UTC()}})
			if len(batch) == 500 {
				if err := eng.Upsert(ctx, "projects", batch...); err != nil {
					b.Fatal(err)
				}
				batch = batch[:0]
			}
		}
		if err := eng.Upsert(ctx, "projects", batch...); err != nil {
			b.Fatal(err)
		}
		b.Logf("indexed %d in %s", n, time.Since(t0))
	}
	search.WarmSegmenter()
	var lat []time.Duration
	i := 0
	for b.Loop() {
		i++
		q := search.Query{Text: vocab[rng.IntN(60)] + " " + vocab[rng.IntN(60)], Limit: 20, Offset: 20 * (i % 3),
			Highlight: []string{"title", "summary"}, Facets: []string{"industry", "district", "risk", "target_groups"},
			Filters: []search.Filter{{Field: "status", Values: []string{"recommended"}}, {Field: "industry", Values: []string{industries[i%4]}}}}
		t := time.Now()
		res, err := eng.Search(ctx, "projects", q)
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t))
		if i == 1 {
			b.Logf("%q: %d hits", q.Text, res.Total)
		}
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
