package protection

import (
	"testing"
	"time"
)

func TestGCRALimit_IntervalRoundsUpToAMicrosecond(t *testing.T) {
	t.Parallel()
	cases := []struct {
		bucket         Bucket
		interval, span int64
	}{
		{bucket("a", 1000, time.Minute), 60_000, 60_000_000},
		{bucket("a", 100, time.Second), 10_000, 1_000_000},
		{bucket("a", 7, time.Minute), 8_571_429, 60_000_003},
		{bucket("a", 3, time.Microsecond), 1, 3},
	}
	for _, tc := range cases {
		l, err := newGCRALimit(tc.bucket)
		if err != nil {
			t.Fatal(err)
		}
		if l.interval != tc.interval || l.span != tc.span {
			t.Errorf("%d per %s: got %+v, want interval %d span %d", tc.bucket.Limit, tc.bucket.Period, l, tc.interval, tc.span)
		}
	}
}

// When a limit is lowered, a bucket may be further ahead than its new span
// allows: it reports nothing remaining and the wait until one is admitted.
func TestGCRALimit_StateOfABucketPastItsSpan(t *testing.T) {
	t.Parallel()
	l, err := newGCRALimit(bucket("a", 2, time.Second))
	if err != nil {
		t.Fatal(err)
	}
	got := l.state(5_000_000, 1_000_000, false)
	want := st(false, 0, 4*time.Second, 3500*time.Millisecond)
	if got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	if l.admits(5_000_000, 4_499_999) || !l.admits(5_000_000, 4_500_000) {
		t.Fatal("admission does not start exactly when RetryAfter ends")
	}
}
