package protection

import (
	"math"
	"testing"
	"time"
)

// tenant returns a check that only counts requests for the anomaly detector.
func tenant(factor, floor float64) Check {
	return Check{AnomalyKey: "tenant", AnomalyFactor: factor, AnomalyFloor: floor}
}

func signaled(observed int64, baseline float64) Outcome {
	return Outcome{Allowed: true, Refused: -1, States: []BucketState{},
		Anomaly: &Anomaly{Baseline: baseline, Observed: observed, Window: AnomalyWindow}}
}

var anomalyCases = []struct {
	name  string
	steps []takeStep
}{
	{"floor holds a new tenant's threshold at factor × floor", []takeStep{
		{check: tenant(10, 100), repeat: 1000, want: admitted()},
		{check: tenant(10, 100), want: signaled(1001, 0)},
		{check: tenant(10, 100), repeat: 20, want: admitted()},
	}},
	{"signal once per window, again in the next", []takeStep{
		{check: tenant(2, 1), repeat: 2, want: admitted()},
		{check: tenant(2, 1), want: signaled(3, 0)},
		{check: tenant(2, 1), repeat: 7, want: admitted()},
		// Baseline 0.2 × 10 = 2: the threshold is 2 × 2, the fifth request crosses it.
		{advance: AnomalyWindow, check: tenant(2, 1), repeat: 4, want: admitted()},
		{check: tenant(2, 1), want: signaled(5, 2)},
		{check: tenant(2, 1), repeat: 5, want: admitted()},
	}},
	{"empty windows decay the baseline once each", []takeStep{
		{check: tenant(2, 1), repeat: 2, want: admitted()},
		{check: tenant(2, 1), want: signaled(3, 0)},
		{check: tenant(2, 1), repeat: 7, want: admitted()},
		{advance: AnomalyWindow, check: tenant(2, 1), repeat: 4, want: admitted()},
		{check: tenant(2, 1), want: signaled(5, 2)},
		{check: tenant(2, 1), repeat: 5, want: admitted()},
		// Leaving a window of 10 with baseline 2 gives 0.8×2 + 0.2×10 = 3.6;
		// two empty windows make it 3.6 × 0.8 × 0.8 = 2.304.
		{advance: 3 * AnomalyWindow, check: tenant(2, 1), repeat: 4, want: admitted()},
		{check: tenant(2, 1), want: signaled(5, 2.304)},
	}},
	{"window boundaries are fixed, not sliding", []takeStep{
		{advance: AnomalyWindow - time.Microsecond, check: tenant(2, 1), repeat: 2, want: admitted()},
		{check: tenant(2, 1), want: signaled(3, 0)},
		// One microsecond later is a new window; baseline 0.2 × 3.
		{advance: time.Microsecond, check: tenant(2, 1), repeat: 2, want: admitted()},
		{check: tenant(2, 1), want: signaled(3, 0.6)},
	}},
}

func TestBackends_Anomaly(t *testing.T) {
	t.Parallel()
	for _, tc := range anomalyCases {
		t.Run(tc.name, func(t *testing.T) {
			forEachBackend(t, func(t *testing.T, b backend) { runSteps(t, b, tc.steps) })
		})
	}
}

// A bucket of 5 per minute refuses from the sixth request on; the seventh,
// though refused, crosses 1 × max(0, 6).
func TestBackends_AnomalyCountsRefusedRequests(t *testing.T) {
	t.Parallel()
	c := Check{Buckets: []Bucket{fivePerMinute}, AnomalyKey: "tenant", AnomalyFactor: 1, AnomalyFloor: 6}
	steps := fill(fivePerMinute, 5)
	for i := range steps {
		steps[i].check = c
	}
	full := refused(0, st(false, 0, time.Minute, time.Minute))
	withSignal := full
	withSignal.Anomaly = &Anomaly{Baseline: 0, Observed: 7, Window: AnomalyWindow}
	steps = append(steps,
		takeStep{check: c, want: full},
		takeStep{check: c, want: withSignal},
		takeStep{check: c, want: full},
	)
	forEachBackend(t, func(t *testing.T, b backend) { runSteps(t, b, steps) })
}

func TestAnomalyCounter_IdleForADayStartsOver(t *testing.T) {
	t.Parallel()
	a := anomalyCounter{}
	w := anomalyWindowOf(windowStart.UnixMicro())
	for range 1000 {
		a.observe(w, 10, 1)
	}
	a.observe(w+anomalyIdleWindows, 10, 1)
	if a.baseline == 0 {
		t.Fatal("a day later the baseline should still be remembered")
	}
	b := anomalyCounter{}
	for range 1000 {
		b.observe(w, 10, 1)
	}
	b.observe(w+anomalyIdleWindows+1, 10, 1)
	if b.baseline != 0 || b.count != 1 {
		t.Fatalf("after more than a day: got %+v, want a fresh counter", b)
	}
}

func TestAnomalyCounter_BaselineIsTheMovingAverage(t *testing.T) {
	t.Parallel()
	a := anomalyCounter{}
	w := anomalyWindowOf(windowStart.UnixMicro())
	observe := func(window int64, n int) {
		for range n {
			a.observe(window, 1e9, 0)
		}
	}
	observe(w, 100)
	observe(w+1, 300)
	if want := 0.2 * 100; math.Abs(a.baseline-want) > 1e-9 {
		t.Fatalf("second window: baseline %v, want %v", a.baseline, want)
	}
	observe(w+3, 1) // w+2 had no request
	if want := (0.8*20 + 0.2*300) * 0.8; math.Abs(a.baseline-want) > 1e-9 {
		t.Fatalf("after an empty window: baseline %v, want %v", a.baseline, want)
	}
}
