package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/store"
	"onestop/services/store/storetest"
)

// BenchmarkConcurrentWrites drives the store the way a busy portal does:
// writers inserting and updating single documents by _id while readers
// read by _id, and reports write and read latencies. On the embedded store
// it shows what concurrent writers cost SQLite (one writer at a time).
//
//	go test -run '^$' -bench ConcurrentWrites -benchtime 2000x ./services/store/
func BenchmarkConcurrentWrites(b *testing.B) {
	for _, writers := range []int{1, 8, 32} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			s := storetest.New(b, store.Collection{Name: "docs"})
			ctx := context.Background()
			for i := range 100 {
				if _, err := s.C("docs").InsertOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprintf("r%03d", i)}, {Key: "n", Value: 0}}); err != nil {
					b.Fatal(err)
				}
			}
			var (
				next         atomic.Int64
				mu           sync.Mutex
				wlat, rlat   []time.Duration
				stop         = make(chan struct{})
				readers, wrs sync.WaitGroup
			)
			for r := range 16 {
				readers.Go(func() {
					var mine []time.Duration
					for i := 0; ; i++ {
						select {
						case <-stop:
							mu.Lock()
							rlat = append(rlat, mine...)
							mu.Unlock()
							return
						default:
						}
						t0 := time.Now()
						var doc bson.Raw
						if err := s.C("docs").FindOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprintf("r%03d", (r*7+i)%100)}}).Decode(&doc); err != nil {
							b.Error(err)
							return
						}
						mine = append(mine, time.Since(t0))
					}
				})
			}
			b.ResetTimer()
			t0 := time.Now()
			for range writers {
				wrs.Go(func() {
					var mine []time.Duration
					for {
						i := next.Add(1)
						if i > int64(b.N) {
							break
						}
						t := time.Now()
						var err error
						if i%2 == 0 {
							_, err = s.C("docs").InsertOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprintf("w%08d", i)}, {Key: "n", Value: i}})
						} else {
							_, err = s.C("docs").UpdateOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprintf("r%03d", i%100)}}, bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: 1}}}})
						}
						if err != nil {
							b.Error(err)
							return
						}
						mine = append(mine, time.Since(t))
					}
					mu.Lock()
					wlat = append(wlat, mine...)
					mu.Unlock()
				})
			}
			wrs.Wait()
			elapsed := time.Since(t0)
			b.StopTimer()
			close(stop)
			readers.Wait()
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "writes/s")
			b.ReportMetric(ms(quantile(wlat, 0.5)), "write-p50-ms")
			b.ReportMetric(ms(quantile(wlat, 0.99)), "write-p99-ms")
			b.ReportMetric(ms(quantile(rlat, 0.99)), "read-p99-ms")
		})
	}
}

func quantile(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return d[int(q*float64(len(d)-1))]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
