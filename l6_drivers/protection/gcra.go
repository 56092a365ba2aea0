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

// gcraLimit is a bucket's limit in the GCRA's terms.
type gcraLimit struct {
	// interval is the emission interval, Period/Limit rounded up to a whole
	// microsecond, so that the sustained rate never exceeds Limit per Period.
	interval int64
	// span is Limit × interval: how far the theoretical arrival time may run
	// ahead of now once a request is counted. It equals Period whenever
	// Period divides evenly, and it makes a fresh bucket admit exactly
	// Limit requests even when it does not.
	span int64
}

func newGCRALimit(b Bucket) (gcraLimit, error) {
	if b.Limit < 1 {
		return gcraLimit{}, fmt.Errorf("%w: bucket %q has limit %d, want at least 1", ErrInvalidCheck, b.Key, b.Limit)
	}
	period := b.Period.Microseconds()
	if period < 1 {
		return gcraLimit{}, fmt.Errorf("%w: bucket %q has period %s, want at least 1µs", ErrInvalidCheck, b.Key, b.Period)
	}
	limit := int64(b.Limit)
	interval := (period + limit - 1) / limit
	return gcraLimit{interval: interval, span: interval * limit}, nil
}

// admits reports whether a bucket whose theoretical arrival time is tat
// admits a request at now: max(tat, now) + interval − now <= span.
func (l gcraLimit) admits(tat, now int64) bool {
	return max(tat, now)+l.interval-now <= l.span
}

// state describes a bucket whose theoretical arrival time is tat after the
// decision at now; allowed is whether the bucket on its own admitted.
func (l gcraLimit) state(tat, now int64, allowed bool) BucketState {
	ahead := max(tat-now, 0)
	s := BucketState{
		Allowed:    allowed,
		Remaining:  int(max((l.span-ahead)/l.interval, 0)),
		ResetAfter: micros(ahead),
	}
	if !allowed {
		s.RetryAfter = micros(ahead + l.interval - l.span)
	}
	return s
}

// checkLimits validates c and appends the limit of each of its buckets to
// buf. Keys must be distinct: the backends read every bucket before writing
// any, so a key given twice would be charged once.
func checkLimits(c Check, buf []gcraLimit) ([]gcraLimit, error) {
	for i, b := range c.Buckets {
		l, err := newGCRALimit(b)
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
