package protection

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// benchChecks builds the typical check for each of n tenants: the route
// bucket, a credential's rpm bucket, the burst bucket and the anomaly key.
func benchChecks(n int) []Check {
	checks := make([]Check, n)
	for i := range checks {
		tenant := fmt.Sprintf("t%05d", i)
		checks[i] = Check{
			Buckets: []Bucket{
				{Key: "rate:" + tenant + ":/api/v1/integrations/:id", Limit: 1000, Period: time.Minute},
				{Key: "rpm:key:" + tenant, Limit: 600, Period: time.Minute},
				{Key: "burst:" + tenant, Limit: 100, Period: time.Second},
			},
			AnomalyKey: tenant, AnomalyFactor: 10, AnomalyFloor: 100,
		}
	}
	return checks
}

// benchTake runs Take over 10,000 tenants, the clock moving 100µs per call
// so that each tenant sees about one request a second and is admitted. In
// parallel a goroutine may fall behind the clock of the others and be
// refused, as a real replica would; the share admitted is reported.
func benchTake(b *testing.B, s State, parallel bool) {
	checks := benchChecks(10_000)
	ctx := context.Background()
	var tick, admitted atomic.Int64
	take := func(i int64) int64 {
		c := checks[i%int64(len(checks))]
		c.Now = windowStart.Add(time.Duration(i) * 100 * time.Microsecond)
		out, err := s.Take(ctx, c)
		if err != nil {
			b.Fatal(err)
		}
		if out.Allowed {
			return 1
		}
		return 0
	}
	defer func() { b.ReportMetric(float64(admitted.Load())/float64(b.N), "admitted/op") }()
	b.ReportAllocs()
	b.ResetTimer()
	if !parallel {
		for b.Loop() {
			admitted.Add(take(tick.Add(1)))
		}
		return
	}
	b.RunParallel(func(pb *testing.PB) {
		n := int64(0)
		for pb.Next() {
			n += take(tick.Add(1))
		}
		admitted.Add(n)
	})
}

func BenchmarkMemoryTake(b *testing.B) {
	b.Run("serial", func(b *testing.B) { benchTake(b, NewMemory(MemoryOptions{}), false) })
	for _, shards := range []int{1, 64} {
		b.Run(fmt.Sprintf("parallel/shards=%d", shards), func(b *testing.B) {
			benchTake(b, NewMemory(MemoryOptions{Shards: shards}), true)
		})
	}
}
