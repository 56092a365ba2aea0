package main

import (
	"context"
	"math"
	"slices"
	"sync"
	"time"
)

// loadResult is what a load measured: units done (records or rows), the
// wall time from the start until the last client finished, and the latency
// of every call, sorted.
type loadResult struct {
	units     int
	elapsed   time.Duration
	latencies []time.Duration
}

// perSecond is the throughput in units per second.
func (r loadResult) perSecond() float64 { return float64(r.units) / r.elapsed.Seconds() }

// closedLoop runs clients goroutines that each call call back to back until
// d has passed, the way a fixed pool of busy clients loads a server. call
// returns how many units it completed. The first error stops every client
// and is returned; so is the cancellation of ctx.
func closedLoop(ctx context.Context, clients int, d time.Duration, call func(ctx context.Context) (int, error)) (loadResult, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		mu  sync.Mutex
		res loadResult
		wg  sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(d)
	for range clients {
		wg.Go(func() {
			units, latencies := 0, make([]time.Duration, 0, 1024)
			for ctx.Err() == nil && time.Now().Before(deadline) {
				t0 := time.Now()
				n, err := call(ctx)
				if err != nil {
					cancel(err)
					return
				}
				latencies = append(latencies, time.Since(t0))
				units += n
			}
			mu.Lock()
			defer mu.Unlock()
			res.units += units
			res.latencies = append(res.latencies, latencies...)
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	if err := context.Cause(ctx); err != nil {
		return loadResult{}, err
	}
	slices.Sort(res.latencies)
	return res, nil
}

// sequential calls call one after the other until it has made n calls or d
// has passed, whichever comes first, and returns their sorted latencies.
// call times itself, so that it can leave out work that is not the request
// being measured.
func sequential(ctx context.Context, n int, d time.Duration, call func(ctx context.Context) (time.Duration, error)) ([]time.Duration, error) {
	latencies := make([]time.Duration, 0, n)
	for start := time.Now(); len(latencies) < n && time.Since(start) < d; {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		took, err := call(ctx)
		if err != nil {
			return nil, err
		}
		latencies = append(latencies, took)
	}
	slices.Sort(latencies)
	return latencies, nil
}

// percentile is the p-th percentile (0 < p ≤ 100) of sorted latencies by
// the nearest-rank method: the smallest value that at least p% of the
// values do not exceed.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// ms converts a duration to fractional milliseconds for the report.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
