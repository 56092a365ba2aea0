package protection

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestMemory_CheckWithoutNowIsInvalid(t *testing.T) {
	t.Parallel()
	_, err := NewMemory(MemoryOptions{}).Take(context.Background(), buckets(fivePerMinute))
	if !errors.Is(err, ErrInvalidCheck) {
		t.Fatalf("got %v, want ErrInvalidCheck", err)
	}
}

func TestMemory_ShardsRoundUpToAPowerOfTwo(t *testing.T) {
	t.Parallel()
	for shards, want := range map[int]int{0: DefaultShards, 1: 1, 3: 4, 64: 64, 65: 128} {
		if got := len(NewMemory(MemoryOptions{Shards: shards}).shards); got != want {
			t.Errorf("Shards %d: got %d shards, want %d", shards, got, want)
		}
	}
}

// A stream of ever new keys, each idle a second later, must not grow the
// map with the number of keys ever seen.
func TestMemory_SweepBoundsTheMap(t *testing.T) {
	t.Parallel()
	const shards, keys = 4, 200_000
	m := NewMemory(MemoryOptions{Shards: shards})
	clock := newTestClock()
	ctx := context.Background()
	peak := 0
	for i := range keys {
		clock.Advance(time.Millisecond)
		c := Check{Now: clock.Now(), Buckets: []Bucket{bucket(fmt.Sprintf("k%d", i), 10, time.Second)}}
		if _, err := m.Take(ctx, c); err != nil {
			t.Fatal(err)
		}
		if i%1000 == 0 {
			peak = max(peak, m.entries())
		}
	}
	// About 1,000 keys are live at any time (each until its one request
	// leaves its one-second window); every shard sweeps by the time it holds
	// minSweepSize entries.
	if limit := shards * minSweepSize; peak > limit {
		t.Fatalf("map peaked at %d entries for %d keys, want at most %d", peak, keys, limit)
	}
	if got := m.keys.Load(); got != int64(m.entries()) {
		t.Fatalf("key count %d disagrees with %d entries", got, m.entries())
	}
}

func TestMemory_FullSweepsThenFailsOpenWithAnError(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	m := NewMemory(MemoryOptions{MaxKeys: 3, Shards: 1, Now: clock.Now})
	take := func(key string) (Outcome, error) {
		return m.Take(context.Background(), Check{Now: clock.Now(), Buckets: []Bucket{bucket(key, 1, time.Minute)}})
	}
	for _, key := range []string{"a", "b", "c"} {
		if _, err := take(key); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := take("d"); !errors.Is(err, ErrMemoryFull) {
		t.Fatalf("new key while full of live keys: got %v, want ErrMemoryFull", err)
	}
	if out, err := take("a"); err != nil || out.Allowed {
		t.Fatalf("existing key while full: got %+v, %v; want a refusal", out, err)
	}
	if _, err := m.MarkOnce(context.Background(), "warn", time.Hour); !errors.Is(err, ErrMemoryFull) {
		t.Fatalf("mark while full: got %v, want ErrMemoryFull", err)
	}
	clock.Advance(time.Minute) // a, b and c are now equivalent to absent
	if out, err := take("d"); err != nil || !out.Allowed {
		t.Fatalf("new key once the others expired: got %+v, %v", out, err)
	}
	if n := m.entries(); n != 1 {
		t.Fatalf("the sweep left %d entries, want 1", n)
	}
}

func TestMemory_IdleAnomalyCountersAreSwept(t *testing.T) {
	t.Parallel()
	m := NewMemory(MemoryOptions{MaxKeys: 2, Shards: 1})
	clock := newTestClock()
	observe := func(key string) error {
		_, err := m.Take(context.Background(), Check{Now: clock.Now(), AnomalyKey: key, AnomalyFactor: 10})
		return err
	}
	if err := errors.Join(observe("t1"), observe("t2")); err != nil {
		t.Fatal(err)
	}
	clock.Advance(anomalyIdle)
	if err := observe("t3"); !errors.Is(err, ErrMemoryFull) {
		t.Fatalf("counters idle for exactly a day are still live: got %v, want ErrMemoryFull", err)
	}
	clock.Advance(AnomalyWindow)
	if err := observe("t3"); err != nil {
		t.Fatalf("counters idle for more than a day: got %v", err)
	}
}

func TestMemory_ConcurrentTakesAdmitExactlyTheLimit(t *testing.T) {
	t.Parallel()
	m := NewMemory(MemoryOptions{})
	now := windowStart
	var admitted atomic.Int64
	var wg sync.WaitGroup
	for g := range 20 {
		wg.Go(func() {
			// Half the goroutines list the buckets in the other order, so
			// that shard locks taken in key order would deadlock.
			bs := []Bucket{bucket("tenant", 50, time.Minute), bucket(fmt.Sprintf("g%d", g), 100, time.Minute), bucket("burst", 1000, time.Second)}
			if g%2 == 1 {
				bs[0], bs[2] = bs[2], bs[0]
			}
			for range 10 {
				out, err := m.Take(context.Background(), Check{Now: now, Buckets: bs, AnomalyKey: "tenant", AnomalyFactor: 10, AnomalyFloor: 100})
				if err != nil {
					t.Error(err)
					return
				}
				if out.Allowed {
					admitted.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if got := admitted.Load(); got != 50 {
		t.Fatalf("admitted %d, want exactly 50", got)
	}
}
