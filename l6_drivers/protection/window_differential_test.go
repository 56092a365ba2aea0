package protection

import (
	"context"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// TestBackends_RandomSequencesGiveIdenticalOutcomes drives both backends
// through one random sequence of checks on one injected clock and requires
// bit-identical outcomes, baselines included: the Lua script and the Go code
// must not drift apart.
func TestBackends_RandomSequencesGiveIdenticalOutcomes(t *testing.T) {
	t.Parallel()
	r, _ := newTestRedis(t)
	clock := newTestClock()
	r.clock = clock.Now
	m := NewMemory(MemoryOptions{Now: clock.Now})

	pool := []Bucket{
		bucket("route", 5, time.Minute),
		bucket("credential", 7, time.Minute),
		bucket("burst", 3, time.Second),
		bucket("odd", 3, 1234567*time.Microsecond),
	}
	rng := rand.New(rand.NewPCG(1, 2))
	ctx := context.Background()
	refusals, anomalies := 0, 0
	for i := range 1500 {
		switch n := rng.IntN(100); {
		case n < 2:
			clock.Advance(time.Duration(1+rng.IntN(3)) * AnomalyWindow)
		case n < 40:
			clock.Advance(time.Duration(rng.Int64N(int64(2 * time.Second))))
		}
		c := Check{Now: clock.Now()}
		for _, b := range pool {
			if rng.IntN(2) == 0 {
				c.Buckets = append(c.Buckets, b)
			}
		}
		rng.Shuffle(len(c.Buckets), func(i, j int) { c.Buckets[i], c.Buckets[j] = c.Buckets[j], c.Buckets[i] })
		if rng.IntN(4) > 0 {
			c.AnomalyKey, c.AnomalyFactor, c.AnomalyFloor = "tenant", 1.5, 4
		}
		got, err := r.Take(ctx, c)
		if err != nil {
			t.Fatalf("step %d: redis: %v", i, err)
		}
		want, err := m.Take(ctx, c)
		if err != nil {
			t.Fatalf("step %d: memory: %v", i, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("step %d, check %+v:\nredis  %+v %+v\nmemory %+v %+v", i, c, got, got.Anomaly, want, want.Anomaly)
		}
		if !got.Allowed {
			refusals++
		}
		if got.Anomaly != nil && got.Anomaly.Baseline > 0 {
			anomalies++
		}
	}
	// The sequence must reach the interesting paths, or agreement proves little.
	if refusals < 100 || anomalies < 5 {
		t.Fatalf("sequence too tame: %d refusals, %d anomalies with a baseline", refusals, anomalies)
	}
	t.Logf("%d refusals, %d anomalies with a baseline", refusals, anomalies)
}
