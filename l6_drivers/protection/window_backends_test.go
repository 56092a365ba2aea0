package protection

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"hoc/testkit"
)

// windowStart is a test epoch at the start of an anomaly window.
var windowStart = time.Unix(1_700_000_100, 0)

// newTestClock is the injected clock of the backend tests, at windowStart.
func newTestClock() *testkit.Clock { return testkit.NewClock(windowStart) }

// backend is one State under test with the clock that drives its decisions.
type backend struct {
	name  string
	state State
	clock *testkit.Clock
	// markWait lets ttl pass for MarkOnce: the memory backend reads the
	// injected clock, Redis its own, so there real time has to pass.
	markWait func(time.Duration)
}

// forEachBackend runs fn against a fresh memory backend and a fresh Redis
// backend whose script is given the injected clock instead of TIME, so that
// both are held to the same, exact outcomes.
func forEachBackend(t *testing.T, fn func(t *testing.T, b backend)) {
	t.Run("memory", func(t *testing.T) {
		clock := newTestClock()
		fn(t, backend{name: "memory", state: NewMemory(MemoryOptions{Now: clock.Now}), clock: clock, markWait: clock.Advance})
	})
	t.Run("redis", func(t *testing.T) {
		r, _ := newTestRedis(t)
		clock := newTestClock()
		r.clock = clock.Now
		// Redis keeps MarkOnce's ttl on its own clock, so real time must pass.
		fn(t, backend{name: "redis", state: r, clock: clock, markWait: time.Sleep})
	})
}

func (b backend) take(t *testing.T, c Check) Outcome {
	t.Helper()
	c.Now = b.clock.Now()
	out, err := b.state.Take(context.Background(), c)
	if err != nil {
		t.Fatalf("Take: %v", err)
	}
	return out
}

// takeStep is one or more identical decisions after the clock advanced.
type takeStep struct {
	advance time.Duration
	repeat  int // 0 means once; every repetition must produce want
	check   Check
	want    Outcome
}

func bucket(key string, limit int, period time.Duration) Bucket {
	return Bucket{Key: key, Limit: limit, Period: period}
}

func buckets(bs ...Bucket) Check { return Check{Buckets: bs} }

func admitted(states ...BucketState) Outcome {
	return Outcome{Allowed: true, Refused: -1, States: states}
}

func refused(index int, states ...BucketState) Outcome {
	return Outcome{Refused: index, States: states}
}

func st(allowed bool, remaining int, resetAfter, retryAfter time.Duration) BucketState {
	return BucketState{Allowed: allowed, Remaining: remaining, ResetAfter: resetAfter, RetryAfter: retryAfter}
}

var (
	fivePerMinute = bucket("route", 5, time.Minute)
	tenPerMinute  = bucket("minute", 10, time.Minute)
	twoPerSecond  = bucket("burst", 2, time.Second)
)

// fill returns the steps that take b's first n requests on an empty bucket,
// all at one instant.
func fill(b Bucket, n int) []takeStep {
	steps := make([]takeStep, n)
	for i := range steps {
		steps[i] = takeStep{check: buckets(b), want: admitted(st(true, b.Limit-i-1, b.Period, 0))}
	}
	return steps
}

func then(steps []takeStep, more ...takeStep) []takeStep { return append(steps, more...) }

var windowCases = []struct {
	name  string
	steps []takeStep
}{
	{"limit admitted then the next refused", then(fill(fivePerMinute, 5),
		takeStep{check: buckets(fivePerMinute), repeat: 3, want: refused(0, st(false, 0, time.Minute, time.Minute))},
	)},
	{"each request makes room a period after it was admitted", []takeStep{
		{check: buckets(fivePerMinute), want: admitted(st(true, 4, time.Minute, 0))},
		{advance: 10 * time.Second, check: buckets(fivePerMinute), want: admitted(st(true, 3, time.Minute, 0))},
		{advance: 10 * time.Second, check: buckets(fivePerMinute), want: admitted(st(true, 2, time.Minute, 0))},
		{advance: 10 * time.Second, check: buckets(fivePerMinute), want: admitted(st(true, 1, time.Minute, 0))},
		{advance: 10 * time.Second, check: buckets(fivePerMinute), want: admitted(st(true, 0, time.Minute, 0))},
		{advance: 10 * time.Second, check: buckets(fivePerMinute), want: refused(0, st(false, 0, 50*time.Second, 10*time.Second))},
		{advance: 10*time.Second - time.Microsecond, check: buckets(fivePerMinute),
			want: refused(0, st(false, 0, 40*time.Second+time.Microsecond, time.Microsecond))},
		{advance: time.Microsecond, check: buckets(fivePerMinute), want: admitted(st(true, 0, time.Minute, 0))},
		{check: buckets(fivePerMinute), want: refused(0, st(false, 0, time.Minute, 10*time.Second))},
	}},
	{"full period restores the whole limit", then(fill(fivePerMinute, 5),
		then([]takeStep{{advance: time.Minute, check: buckets(fivePerMinute), want: admitted(st(true, 4, time.Minute, 0))}},
			fill(fivePerMinute, 5)[1:]...)...,
	)},
	{"half a period later nothing has left the window", then(fill(fivePerMinute, 5),
		takeStep{advance: 30 * time.Second, check: buckets(fivePerMinute), repeat: 2,
			want: refused(0, st(false, 0, 30*time.Second, 30*time.Second))},
	)},
	{"a period that is no multiple of the limit", then(fill(bucket("odd", 3, 1234567*time.Microsecond), 3),
		takeStep{check: buckets(bucket("odd", 3, 1234567*time.Microsecond)),
			want: refused(0, st(false, 0, 1234567*time.Microsecond, 1234567*time.Microsecond))},
	)},
	{"refused burst does not consume the minute bucket", []takeStep{
		{check: buckets(tenPerMinute, twoPerSecond), want: admitted(st(true, 9, time.Minute, 0), st(true, 1, time.Second, 0))},
		{check: buckets(tenPerMinute, twoPerSecond), want: admitted(st(true, 8, time.Minute, 0), st(true, 0, time.Second, 0))},
		{check: buckets(tenPerMinute, twoPerSecond), repeat: 4,
			want: refused(1, st(true, 8, time.Minute, 0), st(false, 0, time.Second, time.Second))},
		{advance: 500 * time.Millisecond, check: buckets(tenPerMinute, twoPerSecond),
			want: refused(1, st(true, 8, 59500*time.Millisecond, 0), st(false, 0, 500*time.Millisecond, 500*time.Millisecond))},
		{advance: 500 * time.Millisecond, check: buckets(tenPerMinute, twoPerSecond),
			want: admitted(st(true, 7, time.Minute, 0), st(true, 1, time.Second, 0))},
	}},
	{"first refusing bucket is reported and every state is given", []takeStep{
		{check: buckets(tenPerMinute, bucket("a", 1, time.Minute), bucket("b", 1, time.Hour)),
			want: admitted(st(true, 9, time.Minute, 0), st(true, 0, time.Minute, 0), st(true, 0, time.Hour, 0))},
		{check: buckets(tenPerMinute, bucket("a", 1, time.Minute), bucket("b", 1, time.Hour)),
			want: refused(1, st(true, 9, time.Minute, 0), st(false, 0, time.Minute, time.Minute), st(false, 0, time.Hour, time.Hour))},
		{advance: time.Minute, check: buckets(tenPerMinute, bucket("a", 1, time.Minute), bucket("b", 1, time.Hour)),
			want: refused(2, st(true, 10, 0, 0), st(true, 1, 0, 0), st(false, 0, 59*time.Minute, 59*time.Minute))},
	}},
	{"a check without buckets is allowed", []takeStep{
		{check: Check{}, want: admitted()},
	}},
}

func TestBackends_SlidingWindow(t *testing.T) {
	t.Parallel()
	for _, tc := range windowCases {
		t.Run(tc.name, func(t *testing.T) {
			forEachBackend(t, func(t *testing.T, b backend) { runSteps(t, b, tc.steps) })
		})
	}
}

func runSteps(t *testing.T, b backend, steps []takeStep) {
	t.Helper()
	for i, s := range steps {
		b.clock.Advance(s.advance)
		for r := range max(s.repeat, 1) {
			got := b.take(t, s.check)
			if diff := outcomeDiff(got, s.want); diff != "" {
				t.Fatalf("step %d, repetition %d: %s", i, r, diff)
			}
		}
	}
}

// outcomeDiff describes how got differs from want; baselines agree within
// 1e-9 because want's are written as decimals.
func outcomeDiff(got, want Outcome) string {
	if got.Allowed != want.Allowed || got.Refused != want.Refused || len(got.States) != len(want.States) {
		return fmt.Sprintf("got %+v, want %+v", got, want)
	}
	for i := range got.States {
		if got.States[i] != want.States[i] {
			return fmt.Sprintf("state %d: got %+v, want %+v", i, got.States[i], want.States[i])
		}
	}
	switch {
	case got.Anomaly == nil && want.Anomaly == nil:
		return ""
	case got.Anomaly == nil || want.Anomaly == nil:
		return fmt.Sprintf("anomaly: got %+v, want %+v", got.Anomaly, want.Anomaly)
	case got.Anomaly.Observed != want.Anomaly.Observed || got.Anomaly.Window != want.Anomaly.Window ||
		math.Abs(got.Anomaly.Baseline-want.Anomaly.Baseline) > 1e-9:
		return fmt.Sprintf("anomaly: got %+v, want %+v", *got.Anomaly, *want.Anomaly)
	}
	return ""
}

func TestBackends_InvalidChecksAreRefusedWithoutADecision(t *testing.T) {
	t.Parallel()
	cases := map[string]Check{
		"zero limit":           buckets(bucket("a", 0, time.Minute)),
		"zero period":          buckets(bucket("a", 1, 0)),
		"sub-microsecond":      buckets(bucket("a", 1, 500*time.Nanosecond)),
		"key twice":            buckets(bucket("a", 1, time.Minute), bucket("a", 2, time.Second)),
		"anomaly without rule": {AnomalyKey: "t"},
	}
	forEachBackend(t, func(t *testing.T, b backend) {
		for name, c := range cases {
			c.Now = b.clock.Now()
			if _, err := b.state.Take(context.Background(), c); !errors.Is(err, ErrInvalidCheck) {
				t.Errorf("%s: got %v, want ErrInvalidCheck", name, err)
			}
		}
	})
}

// TestBackends_MarkOnceIsTrueOncePerTTL: "within the ttl" is checked with a
// ttl of an hour and "after the ttl" by waiting the ttl out, so that on
// Redis, where real time passes, neither depends on how fast the machine
// answers.
func TestBackends_MarkOnceIsTrueOncePerTTL(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		mark := func(key string, ttl time.Duration) bool {
			t.Helper()
			first, err := b.state.MarkOnce(ctx, key, ttl)
			if err != nil {
				t.Fatalf("MarkOnce: %v", err)
			}
			return first
		}
		if !mark("warn:t1", time.Hour) {
			t.Fatal("first mark: got false")
		}
		if mark("warn:t1", time.Hour) {
			t.Fatal("second mark within ttl: got true")
		}
		if !mark("warn:t2", time.Hour) {
			t.Fatal("another key: got false")
		}
		if !mark("warn:short", 100*time.Millisecond) {
			t.Fatal("first mark of a short ttl: got false")
		}
		b.markWait(150 * time.Millisecond)
		if !mark("warn:short", 100*time.Millisecond) {
			t.Fatal("mark after ttl: got false")
		}
		if _, err := b.state.MarkOnce(ctx, "warn:t3", 0); !errors.Is(err, ErrInvalidCheck) {
			t.Fatalf("zero ttl: got %v, want ErrInvalidCheck", err)
		}
	})
}

func TestBackends_ConcurrentMarkOnceIsTrueForOneCaller(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b backend) {
		var wg sync.WaitGroup
		var mu sync.Mutex
		firsts := 0
		for range 20 {
			wg.Go(func() {
				first, err := b.state.MarkOnce(context.Background(), "warn:t", time.Hour)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				defer mu.Unlock()
				if first {
					firsts++
				}
			})
		}
		wg.Wait()
		if firsts != 1 {
			t.Fatalf("got %d first marks, want 1", firsts)
		}
	})
}

// TestBackends_ProbeChargesNothing: a probing check reports what the buckets
// would say but leaves them as they were, on both backends.
func TestBackends_ProbeChargesNothing(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b backend) {
		one := []Bucket{bucket("probe", 2, time.Minute)}
		for i := 0; i < 5; i++ {
			if out := b.take(t, Check{Buckets: one, Probe: true}); !out.Allowed || out.States[0].Remaining != 2 {
				t.Fatalf("probe %d: %+v", i, out)
			}
		}
		for i := 0; i < 2; i++ {
			if out := b.take(t, Check{Buckets: one}); !out.Allowed {
				t.Fatalf("charged take %d refused after probes: %+v", i, out)
			}
		}
		if out := b.take(t, Check{Buckets: one, Probe: true}); out.Allowed {
			t.Fatalf("probe of an exhausted bucket admitted: %+v", out)
		}
	})
}
