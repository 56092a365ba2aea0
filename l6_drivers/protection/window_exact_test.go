package protection

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestBackends_AdmitExactlyTheLimitPerPeriod: requests that keep coming
// faster than the limit are admitted exactly Limit times in the first
// Period, however they are spaced — a rate_limit_rpm of 20 admits 20 in a
// minute, not 21 — and the next one once the first admitted request is a
// full Period old.
func TestBackends_AdmitExactlyTheLimitPerPeriod(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		bucket Bucket
		every  time.Duration // between two requests
	}{
		{"rate_limit_rpm 20, a request every 200ms", bucket("cred", 20, time.Minute), 200 * time.Millisecond},
		{"rate_limit_rpm 20, a request every 2.9s", bucket("cred", 20, time.Minute), 2900 * time.Millisecond},
		{"route 1000 a minute, a request every 9ms", bucket("route", 1000, time.Minute), 9 * time.Millisecond},
		{"burst 100 a second, a request every 5ms", bucket("burst", 100, time.Second), 5 * time.Millisecond},
		{"burst 100 a second, a request every 9.9ms", bucket("burst", 100, time.Second), 9900 * time.Microsecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			forEachBackend(t, func(t *testing.T, b backend) {
				start := b.clock.Now()
				admitted := 0
				for b.clock.Now().Sub(start) < tc.bucket.Period {
					if b.take(t, buckets(tc.bucket)).Allowed {
						admitted++
					}
					b.clock.Advance(tc.every)
				}
				if admitted != tc.bucket.Limit {
					t.Fatalf("admitted %d in the first %s, want exactly %d", admitted, tc.bucket.Period, tc.bucket.Limit)
				}
				b.clock.Advance(start.Add(tc.bucket.Period).Sub(b.clock.Now()))
				if out := b.take(t, buckets(tc.bucket)); !out.Allowed {
					t.Fatalf("a full period after the first request: %+v, want admitted", out)
				}
			})
		})
	}
}

// TestBackends_NoWindowOfOnePeriodHoldsMoreThanTheLimit drives both
// backends with random arrivals, bursts and pauses, and checks the
// definition of the limit on what they admitted: no window of one Period,
// wherever it starts, holds more than Limit admitted requests.
func TestBackends_NoWindowOfOnePeriodHoldsMoreThanTheLimit(t *testing.T) {
	t.Parallel()
	b7 := bucket("seven", 7, time.Second)
	forEachBackend(t, func(t *testing.T, b backend) {
		rng := rand.New(rand.NewPCG(3, 4))
		var admitted []time.Time
		for range 3000 {
			switch n := rng.IntN(100); {
			case n < 5:
				b.clock.Advance(time.Duration(rng.Int64N(int64(2 * time.Second))))
			case n < 70:
				b.clock.Advance(time.Duration(rng.Int64N(int64(200 * time.Millisecond))))
			}
			if b.take(t, buckets(b7)).Allowed {
				admitted = append(admitted, b.clock.Now())
			}
		}
		if !slices.IsSortedFunc(admitted, func(a, c time.Time) int { return a.Compare(c) }) {
			t.Fatal("the clock went backwards")
		}
		for i := b7.Limit; i < len(admitted); i++ {
			if gap := admitted[i].Sub(admitted[i-b7.Limit]); gap < b7.Period {
				t.Fatalf("admitted %d requests within %s (requests %d..%d), want at most %d per %s",
					b7.Limit+1, gap, i-b7.Limit, i, b7.Limit, b7.Period)
			}
		}
		if len(admitted) < 500 {
			t.Fatalf("only %d admitted: the sequence is too tame to show anything", len(admitted))
		}
	})
}
