package protection

import (
	"errors"
	"fmt"
	"time"
)

// ErrInvalidCheck reports a Check that no backend can decide (a bucket
// without a positive limit or period, a key used twice, a missing clock or
// anomaly factor). It is a programming error of the caller, not a limit.
var ErrInvalidCheck = errors.New("protection: invalid check")

// Every limiter computation runs in whole microseconds. Redis TIME reports
// microseconds and Lua numbers are doubles, which hold integers exactly only
// below 2^53: microseconds since the epoch fit, nanoseconds do not. Both
// backends use the same unit so that they return identical outcomes.

// A bucket is a sliding-window log. It keeps, for every request it admitted
// less than Period ago, the instant that request leaves the window (its
// admission plus Period), and it admits a request when fewer than Limit are
// still inside. So no window of one Period, wherever it starts, holds more
// than Limit admitted requests, and a burst is admitted up to exactly Limit.
//
// It replaced a GCRA bucket, which admits Limit at once and then one more
// every Period/Limit: requests arriving faster than the limit were admitted
// up to 2·Limit−1 times in one Period (a rate_limit_rpm of 20 admitted 21
// within 3 seconds, 39 within the minute). Exactness costs memory: a bucket
// holds 8 bytes per request admitted in its last Period, at most Limit of
// them (8 KB for the default 1,000 a minute), where GCRA held 8 bytes.

// windowLimit is a bucket's limit in microseconds.
type windowLimit struct {
	limit  int
	period int64
}

func newWindowLimit(b Bucket) (windowLimit, error) {
	if b.Limit < 1 {
		return windowLimit{}, fmt.Errorf("%w: bucket %q has limit %d, want at least 1", ErrInvalidCheck, b.Key, b.Limit)
	}
	period := b.Period.Microseconds()
	if period < 1 {
		return windowLimit{}, fmt.Errorf("%w: bucket %q has period %s, want at least 1µs", ErrInvalidCheck, b.Key, b.Period)
	}
	return windowLimit{limit: b.Limit, period: period}, nil
}

// admits reports whether a bucket holding inside requests in its window
// admits one more.
func (l windowLimit) admits(inside int) bool { return inside < l.limit }

// state describes a bucket after a decision at now: inside requests in its
// window, the newest of which leaves it at last; allowed is whether the
// bucket on its own admitted. When it refused, retryAt is when the request
// whose leaving makes room for one more leaves: the (inside−Limit+1)-th
// oldest.
func (l windowLimit) state(inside int, retryAt, last, now int64, allowed bool) BucketState {
	s := BucketState{Allowed: allowed, Remaining: max(l.limit-inside, 0)}
	if inside > 0 {
		s.ResetAfter = micros(max(last-now, 0))
	}
	if !allowed {
		s.RetryAfter = micros(max(retryAt-now, 0))
	}
	return s
}

// windowLog is the memory backend's bucket: the instants (µs) at which the
// requests inside the window leave it, oldest first. scripts/take.lua keeps
// the same log in a Redis list, newest first.
type windowLog []int64

// trim drops the requests that left the window at or before now. It
// reslices rather than copies, so a decision costs O(1) amortized; append
// reallocates once the front is used up, which bounds the array at about
// twice what is inside. A log that emptied keeps its array from the start:
// a bucket that sees a request now and then (most of them) then never
// allocates again.
func (w windowLog) trim(now int64) windowLog {
	i := 0
	for i < len(w) && w[i] <= now {
		i++
	}
	if i == len(w) {
		return w[:0]
	}
	return w[i:]
}

// add records a request that leaves the window at leaves. Decisions reach
// the memory backend's locks in about, not exactly, the order of their
// clocks, so an instant a little older than the newest is moved into place.
func (w windowLog) add(leaves int64) windowLog {
	w = append(w, leaves)
	for i := len(w) - 1; i > 0 && w[i-1] > w[i]; i-- {
		w[i-1], w[i] = w[i], w[i-1]
	}
	return w
}

// state is l.state on this log.
func (w windowLog) state(l windowLimit, now int64, allowed bool) BucketState {
	var retryAt, last int64
	if len(w) > 0 {
		last = w[len(w)-1]
	}
	if !allowed && len(w) >= l.limit {
		retryAt = w[len(w)-l.limit]
	}
	return l.state(len(w), retryAt, last, now, allowed)
}

// checkLimits validates c and appends the limit of each of its buckets to
// buf. Keys must be distinct: the backends read every bucket before writing
// any, so a key given twice would be charged once.
func checkLimits(c Check, buf []windowLimit) ([]windowLimit, error) {
	for i, b := range c.Buckets {
		l, err := newWindowLimit(b)
		if err != nil {
			return nil, err
		}
		for _, earlier := range c.Buckets[:i] {
			if earlier.Key == b.Key {
				return nil, fmt.Errorf("%w: bucket key %q appears twice", ErrInvalidCheck, b.Key)
			}
		}
		buf = append(buf, l)
	}
	if c.AnomalyKey != "" && !(c.AnomalyFactor > 0) {
		return nil, fmt.Errorf("%w: anomaly factor %v must be positive", ErrInvalidCheck, c.AnomalyFactor)
	}
	return buf, nil
}

func micros(us int64) time.Duration { return time.Duration(us) * time.Microsecond }
