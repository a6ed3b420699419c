package people_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"onestop/services/pii"
	"onestop/services/servicetest"
)

// BenchmarkImportRoster: a roster of BENCH_LINES lines (2,000 unless set;
// the size is 100,000) of people not registered yet, imported on
// the embedded store, then imported again. Reports lines per second.
func BenchmarkImportRoster(b *testing.B) {
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("BENCH_LINES")); err == nil && v > 0 {
		n = v
	}
	var file strings.Builder
	for i := range n {
		fmt.Fprintf(&file, "{\"id_number\":%q}\n", pii.WithCheckDigit(fmt.Sprintf("44030119%02d%02d%02d%03d", 60+i%40, 1+i%12, 1+i%28, i%1000)))
	}
	e := servicetest.New(b, start)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, pass := range []string{"first", "again"} {
			t0 := time.Now()
			rep, err := e.People.ImportRoster(ctx, "farmers", "基準測試花名冊", strings.NewReader(file.String()), "jsonl", nil)
			if err != nil || rep.Lines != n {
				b.Fatalf("%s: %+v %v", pass, rep, err)
			}
			took := time.Since(t0)
			b.ReportMetric(float64(n)/took.Seconds(), pass+"-lines/s")
		}
	}
}
