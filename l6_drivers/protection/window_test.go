package protection

import (
	"slices"
	"testing"
	"time"
)

func TestWindowLimit_IsTheBucketInMicroseconds(t *testing.T) {
	t.Parallel()
	cases := []struct {
		bucket Bucket
		want   windowLimit
	}{
		{bucket("a", 1000, time.Minute), windowLimit{limit: 1000, period: 60_000_000}},
		{bucket("a", 7, 1234567*time.Microsecond), windowLimit{limit: 7, period: 1_234_567}},
		{bucket("a", 3, time.Microsecond), windowLimit{limit: 3, period: 1}},
	}
	for _, tc := range cases {
		l, err := newWindowLimit(tc.bucket)
		if err != nil {
			t.Fatal(err)
		}
		if l != tc.want {
			t.Errorf("%d per %s: got %+v, want %+v", tc.bucket.Limit, tc.bucket.Period, l, tc.want)
		}
	}
}

// A request counts until the instant it leaves the window, exclusive: at
// that instant the bucket admits again.
func TestWindowLog_TrimDropsWhatLeftAtOrBeforeNow(t *testing.T) {
	t.Parallel()
	w := windowLog{10, 20, 20, 30}
	for now, want := range map[int64]int{9: 4, 10: 3, 19: 3, 20: 1, 29: 1, 30: 0} {
		if got := len(w.trim(now)); got != want {
			t.Errorf("at %d: %d inside, want %d", now, got, want)
		}
	}
}

// Decisions can reach the locks slightly out of their clocks' order; the
// log stays ordered, so the oldest request is always the first to leave.
func TestWindowLog_AddKeepsTheLogOrdered(t *testing.T) {
	t.Parallel()
	var w windowLog
	for _, leaves := range []int64{50, 40, 60, 55, 10} {
		w = w.add(leaves)
	}
	if want := (windowLog{10, 40, 50, 55, 60}); !slices.Equal(w, want) {
		t.Fatalf("got %v, want %v", w, want)
	}
}

// When a limit is lowered, a bucket may hold more requests than its new
// limit: it reports nothing remaining, and the wait until enough of them
// have left for one more to fit.
func TestWindowLog_StateOfABucketPastItsLimit(t *testing.T) {
	t.Parallel()
	l, err := newWindowLimit(bucket("a", 2, time.Second))
	if err != nil {
		t.Fatal(err)
	}
	w := windowLog{1_500_000, 2_000_000, 2_500_000, 5_000_000}
	got := w.state(l, 1_000_000, false)
	// 4 inside, limit 2: the third oldest (2.5 s) must leave first.
	want := st(false, 0, 4*time.Second, 1500*time.Millisecond)
	if got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	if l.admits(len(w.trim(2_499_999))) || !l.admits(len(w.trim(2_500_000))) {
		t.Fatal("admission does not start exactly when RetryAfter ends")
	}
}
