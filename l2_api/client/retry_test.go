package client

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// TestClient_DeliversEveryRecordThroughAnOutageLongerThanTheOldRetryLimit is
// issue 15's item 8: with the defaults an SDK user has, a server down for
// ten minutes loses nothing. The old defaults (10 attempts, backoff to 30 s)
// failed a batch after about a minute. The bubble's clock makes the ten
// minutes instant.
func TestClient_DeliversEveryRecordThroughAnOutageLongerThanTheOldRetryLimit(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newMemoryHoc()
		up := time.Now().Add(10 * time.Minute)
		var attempts []time.Time // every request; one sending goroutine makes them in turn
		f.fail = func(int, []string) (int, string, bool) {
			attempts = append(attempts, time.Now())
			return http.StatusServiceUnavailable, "", time.Now().Before(up)
		}
		c, err := New(Config{BaseURL: "http://hoc.test", IntegrationKey: "key", HTTPClient: &http.Client{Transport: f}})
		if err != nil {
			t.Fatal(err)
		}
		ids := make([]string, 1000)
		for i := range ids {
			ids[i] = fmt.Sprintf("outage-%04d", i)
		}
		ps := send(t, c, ids...)
		if err := c.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		rs := results(t, ps)
		for _, r := range rs {
			if r.Outcome != Accepted {
				t.Fatalf("%+v", r)
			}
		}
		if len(f.stored) != len(ids) || rs[0].Attempts <= 10 {
			t.Fatalf("stored %d of %d; the first batch took %d attempts, want more than the old limit of 10",
				len(f.stored), len(ids), rs[0].Attempts)
		}
		// Capped backoff: no wait longer than MaxBackoff's default, so the
		// records go soon after the server is back.
		for i := 1; i < len(attempts); i++ {
			if gap := attempts[i].Sub(attempts[i-1]); gap > 30*time.Second {
				t.Fatalf("attempt %d came %v after the one before, over the 30 s cap", i+1, gap)
			}
		}
		if late := time.Since(up); late > 30*time.Second {
			t.Fatalf("delivered %v after the server came back", late)
		}
	})
}

// TestClient_MaxAttemptsStillBoundsTheRetriesWhenSet: the old behaviour, as
// an option.
func TestClient_MaxAttemptsStillBoundsTheRetriesWhenSet(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newMemoryHoc()
		f.fail = func(int, []string) (int, string, bool) { return http.StatusServiceUnavailable, "", true }
		c := newTestClient(t, f, func(c *Config) { c.MaxAttempts = 3 })
		ps := send(t, c, "a", "b")
		if err := c.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		for _, r := range results(t, ps) {
			if r.Outcome != Failed || r.Attempts != 3 || r.Err == nil || !strings.Contains(r.Err.Error(), "MaxAttempts") {
				t.Errorf("%+v", r)
			}
		}
		if n := len(f.sizes()); n != 3 {
			t.Fatalf("%d requests, want 3", n)
		}
	})
}

// TestClient_BackoffStaysWithinItsBoundsAtAnyAttempt: with attempts
// unbounded, the wait must stay capped however many came before (a shift by
// the attempt number overflowed into a negative wait and a panic).
func TestClient_BackoffStaysWithinItsBoundsAtAnyAttempt(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		min, max time.Duration
	}{
		{"the defaults", 100 * time.Millisecond, 30 * time.Second},
		{"a long minimum", 10 * time.Second, time.Minute},
		{"a minimum over the maximum", time.Minute, 10 * time.Second},
		{"the widest range", time.Nanosecond, time.Duration(math.MaxInt64)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := &Client{cfg: Config{MinBackoff: tc.min, MaxBackoff: tc.max}}
			for attempt := 1; attempt <= 1000; attempt++ {
				if w := c.backoff(attempt); w < 0 || w > tc.max {
					t.Fatalf("attempt %d: wait %v, want 0..%v", attempt, w, tc.max)
				}
			}
			if w := c.backoff(1000); w < tc.max/2 {
				t.Fatalf("attempt 1000: wait %v, want the cap's %v..%v", w, tc.max/2, tc.max)
			}
		})
	}
}
