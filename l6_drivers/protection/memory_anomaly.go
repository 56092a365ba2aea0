package protection

import "time"

// anomalyIdle is how long an anomaly counter may go untouched before it is
// forgotten. By then its baseline has decayed by 0.8^288 (below 1e-27 of
// what it was), so forgetting it changes no decision. Redis expires the
// counter's hash after the same time.
const anomalyIdle = 24 * time.Hour

// anomalyIdleWindows is anomalyIdle in windows: a counter whose window is
// more than this many windows old restarts from nothing in both backends.
const anomalyIdleWindows = int64(anomalyIdle / AnomalyWindow)

// baselineDecay is the weight the previous baseline keeps when a window ends.
const baselineDecay = 1 - BaselineWeight

// anomalyCounter is one AnomalyKey's fixed-window request counter and the
// moving average of its finished windows. scripts/take.lua implements the
// same steps; the two must stay identical.
type anomalyCounter struct {
	window   int64
	count    int64
	baseline float64
	signaled bool
}

// anomalyWindowOf is the index of the fixed window that holds now (µs).
func anomalyWindowOf(now int64) int64 {
	return floorDiv(now, AnomalyWindow.Microseconds())
}

// observe counts one request in window w and reports whether this request is
// the first of the window to cross factor × max(baseline, floor).
func (a *anomalyCounter) observe(w int64, factor, floor float64) bool {
	switch {
	case w-a.window > anomalyIdleWindows:
		*a = anomalyCounter{window: w}
	case w > a.window:
		// The explicit float64 conversions forbid fused multiply-add, which
		// Go may use on some architectures and Lua never does.
		a.baseline = float64(baselineDecay*a.baseline) + float64(BaselineWeight*float64(a.count))
		for skipped := a.window + 1; skipped < w; skipped++ {
			a.baseline = baselineDecay * a.baseline
		}
		a.window, a.count, a.signaled = w, 0, false
	}
	// A request from an earlier window (a caller's clock running slightly
	// behind another's) counts in the current one.
	a.count++
	if a.signaled || !(float64(a.count) > float64(factor*max(a.baseline, floor))) {
		return false
	}
	a.signaled = true
	return true
}

// idle reports whether the counter would restart from nothing in window w.
func (a *anomalyCounter) idle(w int64) bool { return w-a.window > anomalyIdleWindows }

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
