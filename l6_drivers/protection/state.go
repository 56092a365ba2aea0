package protection

import (
	"context"
	"time"
)

// Bucket is one limit to check: at most Limit requests per Period under Key,
// as a sliding window — no window of one Period, wherever it starts, holds
// more than Limit admitted requests — that recovers as each admitted
// request turns one Period old (see windowLimit).
type Bucket struct {
	Key    string
	Limit  int
	Period time.Duration
}

// BucketState is a bucket after a decision: whether it admitted the request,
// how many more requests it would admit right now, when it is fully
// recovered, and (when it refused) how long until it would admit one.
type BucketState struct {
	Allowed    bool
	Remaining  int
	ResetAfter time.Duration
	RetryAfter time.Duration
}

// Check is one decision: every bucket must admit the request, or none of
// them is charged (a refused request consumes nothing). The anomaly window
// counts every request of AnomalyKey in fixed 5-minute windows.
type Check struct {
	Buckets []Bucket
	// Now is the decision time for the memory backend; the Redis backend
	// uses the Redis server's clock so replicas agree.
	Now time.Time
	// AnomalyKey names the tenant's request counter; empty skips anomaly
	// tracking.
	AnomalyKey string
	// AnomalyFactor and AnomalyFloor set the threshold: the current window's
	// count must exceed AnomalyFactor × max(baseline, AnomalyFloor).
	AnomalyFactor float64
	AnomalyFloor  float64
	// Probe evaluates the buckets without charging them, for a request that
	// a later dimension (cost) is going to refuse anyway: a refused request
	// consumes nothing. The anomaly window still counts it.
	Probe bool
}

// Anomaly is reported at most once per key per window, the first time the
// window's count crosses the threshold.
type Anomaly struct {
	Baseline float64
	Observed int64
	Window   time.Duration
}

// Outcome is the result of a Check.
type Outcome struct {
	Allowed bool
	// Refused is the index of the first bucket that refused, or -1.
	Refused int
	// States has one entry per bucket, in order.
	States  []BucketState
	Anomaly *Anomaly
}

// AnomalyWindow is the length of the anomaly detector's window.
const AnomalyWindow = 5 * time.Minute

// BaselineWeight is the weight of the last finished window in the moving
// average baseline: baseline = (1−w)·baseline + w·lastWindowCount.
const BaselineWeight = 0.2

// State is the limiter state port. Both backends implement it.
type State interface {
	// Take makes one atomic decision.
	Take(ctx context.Context, c Check) (Outcome, error)
	// MarkOnce returns true the first time key is marked within ttl, so
	// that a signal (a warn event per tenant per day) is emitted once across
	// every replica.
	MarkOnce(ctx context.Context, key string, ttl time.Duration) (bool, error)
}
