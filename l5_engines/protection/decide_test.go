package protection

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"hoc/l5_engines/fault"
	store "hoc/l6_drivers/protection"
)

// sink collects recorded events.
type sink struct {
	mu     sync.Mutex
	events []Event
}

func (s *sink) Record(e Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, e)
}

func (s *sink) count(dimension string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, e := range s.events {
		if e.Dimension == dimension {
			n++
		}
	}
	return n
}

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func newTestEngine(t *testing.T, limits Limits, state store.State) (*Engine, *sink) {
	t.Helper()
	s := &sink{}
	e, err := NewEngine(state, s, limits, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return e, s
}

func request(now time.Time, method string) Request {
	return Request{TenantID: "t1", ActorType: "machine", ActorID: "k1", CredentialKey: "api_key:k1",
		Route: "/api/v1/integrations", Path: "/api/v1/integrations", Method: method,
		Facts: Facts{Plan: "free", OnboardingComplete: true}, Now: now}
}

func codeOf(d Decision) string {
	if d.Err == nil {
		return ""
	}
	return d.Err.Code
}

func TestDecide_RateLimitRejectsThenRecoversAsTheWindowSlides(t *testing.T) {
	t.Parallel()
	limits := DefaultLimits()
	limits.RoutePerMinute = 5
	e, events := newTestEngine(t, limits, store.NewMemory(store.MemoryOptions{}))
	now := t0
	for i := 0; i < 5; i++ {
		now = now.Add(time.Second) // stay under the burst limit
		if d := e.Decide(context.Background(), request(now, "GET")); d.Outcome != OutcomeAllow {
			t.Fatalf("request %d: %+v", i+1, d)
		}
	}
	d := e.Decide(context.Background(), request(now, "GET"))
	if d.Outcome != OutcomeReject || d.Dimension != DimensionRate || codeOf(d) != fault.CodeRateLimited ||
		d.RetryAfter <= 0 || d.Err.Details["retry_after_ms"] == nil || d.Headers == nil || d.Headers.Remaining != 0 {
		t.Fatalf("request 6: %+v", d)
	}
	if events.count(DimensionRate) != 1 {
		t.Fatalf("rate events = %d, want 1", events.count(DimensionRate))
	}
	if d := e.Decide(context.Background(), request(now.Add(d.RetryAfter), "GET")); d.Outcome != OutcomeAllow {
		t.Fatalf("after the window slid: %+v", d)
	}
}

func TestDecide_CredentialLimitSpansRoutes(t *testing.T) {
	t.Parallel()
	e, _ := newTestEngine(t, DefaultLimits(), store.NewMemory(store.MemoryOptions{}))
	now := t0
	r := request(now, "GET")
	r.CredentialRPM = 2
	for i, route := range []string{"/a", "/b"} {
		r.Route, r.Now = route, now.Add(time.Duration(i)*time.Second)
		if d := e.Decide(context.Background(), r); d.Outcome != OutcomeAllow {
			t.Fatalf("%s: %+v", route, d)
		}
	}
	r.Route = "/c"
	if d := e.Decide(context.Background(), r); d.Dimension != DimensionRate {
		t.Fatalf("third route under a 2 rpm key: %+v", d)
	}
}

func TestDecide_BurstThrottlesWithoutSpendingTheMinuteBudget(t *testing.T) {
	t.Parallel()
	limits := DefaultLimits()
	limits.BurstPerSecond, limits.RoutePerMinute = 3, 10
	e, _ := newTestEngine(t, limits, store.NewMemory(store.MemoryOptions{}))
	throttled := 0
	for i := 0; i < 8; i++ {
		d := e.Decide(context.Background(), request(t0, "GET"))
		if d.Outcome == OutcomeThrottle {
			throttled++
			if codeOf(d) != fault.CodeThrottled || d.Dimension != DimensionBurst {
				t.Fatalf("throttle: %+v", d)
			}
		}
	}
	if throttled != 5 {
		t.Fatalf("throttled %d of 8, want 5", throttled)
	}
	// Only the 3 admitted requests were charged to the minute: two seconds
	// later about 6 of its 10 remain (had the 5 throttled ones been charged
	// too, 1 would).
	d := e.Decide(context.Background(), request(t0.Add(2*time.Second), "GET"))
	if d.Outcome != OutcomeAllow || d.Headers == nil || d.Headers.Name != "minute" || d.Headers.Remaining < 5 {
		t.Fatalf("minute budget after the burst: %+v %+v", d, d.Headers)
	}
}

func TestDecide_CostRejectsWritesWarnsIngestSparesReadsAndEnterprise(t *testing.T) {
	t.Parallel()
	e, events := newTestEngine(t, DefaultLimits(), store.NewMemory(store.MemoryOptions{}))
	over := func(r Request) Request { r.Facts.CostTodayMicros = 333_334; return r } // free: $10/30 ≈ $0.33 a day
	d := e.Decide(context.Background(), over(request(t0, "POST")))
	if codeOf(d) != fault.CodeCostLimitExceeded || d.Err.Details["limit"] != "daily_budget" ||
		d.Err.Details["current_value"] != 0.33 || d.Err.Details["allowed_value"] != 0.33 || d.RetryAfter != 12*time.Hour {
		t.Fatalf("write over budget: %+v %v", d, d.Err)
	}
	for i := 0; i < 3; i++ {
		r := over(request(t0.Add(time.Duration(i+1)*time.Second), "POST"))
		r.Ingest = true
		if d := e.Decide(context.Background(), r); d.Outcome != OutcomeWarn || !d.BudgetExceeded || d.Err != nil {
			t.Fatalf("ingest over budget: %+v", d)
		}
	}
	if n := events.count(DimensionCost); n != 2 { // the rejection and one warning
		t.Fatalf("cost events = %d, want 2", n)
	}
	if d := e.Decide(context.Background(), over(request(t0.Add(5*time.Second), "GET"))); d.Outcome != OutcomeAllow {
		t.Fatalf("read over budget: %+v", d)
	}
	ent := over(request(t0.Add(6*time.Second), "POST"))
	ent.Facts.Plan, ent.Facts.CostTodayMicros = "enterprise", 1<<50
	if d := e.Decide(context.Background(), ent); d.Outcome != OutcomeAllow {
		t.Fatalf("enterprise: %+v", d)
	}
	integ := request(t0.Add(7*time.Second), "POST")
	integ.Facts.IntegrationBudgetCents, integ.Facts.IntegrationMonthMicros = 500, 5_000_000
	if d := e.Decide(context.Background(), integ); codeOf(d) != fault.CodeCostLimitExceeded || d.Err.Details["limit"] != "integration_monthly_budget" {
		t.Fatalf("integration budget: %+v", d)
	}
}

func TestDecide_FirstBlockingDimensionWins(t *testing.T) {
	t.Parallel()
	limits := DefaultLimits()
	limits.RoutePerMinute, limits.BurstPerSecond = 1, 100
	e, _ := newTestEngine(t, limits, store.NewMemory(store.MemoryOptions{}))
	overBudget := request(t0, "POST")
	overBudget.Facts.CostTodayMicros = 1 << 40
	within := overBudget
	within.Facts.CostTodayMicros = 0
	e.Decide(context.Background(), within) // spends the minute
	if d := e.Decide(context.Background(), overBudget); d.Dimension != DimensionRate {
		t.Fatalf("rate and cost: %+v", d)
	}
	limits.RoutePerMinute, limits.BurstPerSecond = 100, 1
	e, _ = newTestEngine(t, limits, store.NewMemory(store.MemoryOptions{}))
	e.Decide(context.Background(), within) // spends the second
	if d := e.Decide(context.Background(), overBudget); d.Dimension != DimensionBurst {
		t.Fatalf("burst and cost: %+v", d)
	}
}

func TestDecide_CostRejectionsConsumeNoRateBudget(t *testing.T) {
	t.Parallel()
	limits := DefaultLimits()
	limits.RoutePerMinute = 2
	e, _ := newTestEngine(t, limits, store.NewMemory(store.MemoryOptions{}))
	r := request(t0, "POST")
	r.Facts.CostTodayMicros = 1 << 40
	for i := 0; i < 5; i++ {
		r.Now = t0.Add(time.Duration(i) * time.Second)
		if d := e.Decide(context.Background(), r); d.Dimension != DimensionCost {
			t.Fatalf("request %d: %+v", i, d)
		}
	}
	r.Facts.CostTodayMicros = 0
	for i := 0; i < 2; i++ {
		r.Now = t0.Add(time.Duration(5+i) * time.Second)
		if d := e.Decide(context.Background(), r); d.Outcome != OutcomeAllow {
			t.Fatalf("after the cost rejections, request %d: %+v", i, d)
		}
	}
}

func TestDecide_AnomalyNeverBlocksAndIsRecordedOnce(t *testing.T) {
	t.Parallel()
	limits := DefaultLimits()
	limits.RoutePerMinute, limits.BurstPerSecond = 100_000, 100_000
	e, events := newTestEngine(t, limits, store.NewMemory(store.MemoryOptions{}))
	for i := 0; i < 1200; i++ { // > 10 × the floor of 100 within one 5-minute window
		if d := e.Decide(context.Background(), request(t0.Add(time.Duration(i)*time.Millisecond), "GET")); d.Outcome != OutcomeAllow {
			t.Fatalf("request %d blocked: %+v", i, d)
		}
	}
	if n := events.count(DimensionAnomaly); n != 1 {
		t.Fatalf("anomaly events = %d, want 1", n)
	}
	events.mu.Lock()
	ev := events.events[0]
	events.mu.Unlock()
	if ev.Decision != "warn" || ev.Details["signal"] != "usage_anomaly_detected" || ev.Details["severity"] != "medium" {
		t.Fatalf("anomaly event: %+v", ev)
	}
}

func TestDecide_OnboardingAndExemptPathsAreNeverLimited(t *testing.T) {
	t.Parallel()
	limits := DefaultLimits()
	limits.RoutePerMinute = 1
	e, _ := newTestEngine(t, limits, store.NewMemory(store.MemoryOptions{}))
	r := request(t0, "POST")
	r.Facts.OnboardingComplete = false
	for i := 0; i < 5; i++ {
		if d := e.Decide(context.Background(), r); d.Outcome != OutcomeExemptOnboarding {
			t.Fatalf("onboarding: %+v", d)
		}
	}
	r = request(t0, "GET")
	r.Path = "/api/v1/fdr/tenants"
	if d := e.Decide(context.Background(), r); d.Outcome != OutcomeExempt {
		t.Fatalf("founder path: %+v", d)
	}
}

type brokenState struct{}

func (brokenState) Take(context.Context, store.Check) (store.Outcome, error) {
	return store.Outcome{}, errors.New("redis: connection refused")
}
func (brokenState) MarkOnce(context.Context, string, time.Duration) (bool, error) {
	return false, errors.New("redis: connection refused")
}

func TestDecide_BackendFailureFailsOpenUnlessConfiguredClosed(t *testing.T) {
	t.Parallel()
	e, _ := newTestEngine(t, DefaultLimits(), brokenState{})
	if d := e.Decide(context.Background(), request(t0, "POST")); d.Outcome != OutcomeAllow || d.Dimension != DimensionBackendUnavailable {
		t.Fatalf("fail open: %+v", d)
	}
	closed := DefaultLimits()
	closed.FailClosed = true
	e, closedEvents := newTestEngine(t, closed, brokenState{})
	if d := e.Decide(context.Background(), request(t0, "POST")); codeOf(d) != fault.CodeUnavailable {
		t.Fatalf("fail closed: %+v", d)
	}
	e.Close()
	if got := closedEvents.events; len(got) != 1 || got[0].Decision != decisionReject {
		t.Fatalf("fail-closed events %+v, want one reject", got)
	}
}

// TestDecide_ABackendOutageIsOneEventPerIntervalWithACount fails a thousand
// decisions in one interval and a few in the next: each interval is one
// event carrying its count, recorded by the first decision after the
// interval ends (or by Close), whatever the traffic.
func TestDecide_ABackendOutageIsOneEventPerIntervalWithACount(t *testing.T) {
	t.Parallel()
	e, events := newTestEngine(t, DefaultLimits(), brokenState{})
	for i := range 1000 {
		e.Decide(context.Background(), request(t0.Add(time.Duration(i)*time.Millisecond), "POST"))
	}
	if n := events.count(DimensionBackendUnavailable); n != 0 {
		t.Fatalf("%d events while the interval is open, want 0", n)
	}
	next := t0.Add(outageInterval)
	for i := range 3 {
		e.Decide(context.Background(), request(next.Add(time.Duration(i)*time.Second), "GET"))
	}
	e.Close()
	var counts []any
	for _, ev := range events.events {
		if ev.Dimension == DimensionBackendUnavailable {
			if ev.Decision != decisionWarn {
				t.Fatalf("fail-open outage recorded as %s, want warn", ev.Decision)
			}
			counts = append(counts, ev.Details["failures"])
		}
	}
	if fmt.Sprint(counts) != "[1000 3]" {
		t.Fatalf("outage events carry failures %v, want [1000 3]", counts)
	}
}

// BenchmarkDecide_MemoryRead is one decision on a dashboard read of an
// onboarded tenant, on the memory backend, over many tenants.
func BenchmarkDecide_MemoryRead(b *testing.B) {
	e, err := NewEngine(store.NewMemory(store.MemoryOptions{}), &sink{}, DefaultLimits(), slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	reqs := make([]Request, 10_000)
	for i := range reqs {
		reqs[i] = Request{TenantID: fmt.Sprintf("0193a8e0-0000-7000-8000-%012d", i), ActorType: "machine", ActorID: "k",
			CredentialKey: "api_key:k", Route: "/api/v1/telemetry/usage-summary", Path: "/api/v1/telemetry/usage-summary",
			Method: "GET", Facts: Facts{Plan: "pro", OnboardingComplete: true}}
	}
	start := time.Now()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		r := reqs[i%len(reqs)]
		r.Now = start.Add(time.Duration(i) * 100 * time.Microsecond)
		if d := e.Decide(context.Background(), r); d.Outcome != OutcomeAllow {
			b.Fatalf("decision %d: %s", i, d.Outcome)
		}
	}
}

// TestDecide_RetryAfterMSIsRoundedUpAndAtLeastOne: a refusal whose bucket
// frees up within the next millisecond says retry_after_ms 1, not 0 (a
// client told to wait 0 ms retries at once), and waits between whole
// milliseconds round up — in the error's details and in the event's, for
// burst, rate and cost alike.
func TestDecide_RetryAfterMSIsRoundedUpAndAtLeastOne(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		limits func(*Limits)
		first  func(Request) Request // admitted, fills the bucket
		second func(Request) Request // refused
		want   int64
	}{
		{"burst, 400µs left", func(l *Limits) { l.BurstPerSecond = 1 },
			func(r Request) Request { return r },
			func(r Request) Request { r.Now = r.Now.Add(time.Second - 400*time.Microsecond); return r }, 1},
		{"rate, 1.5ms left", func(l *Limits) { l.RoutePerMinute = 1 },
			func(r Request) Request { return r },
			func(r Request) Request { r.Now = r.Now.Add(time.Minute - 1500*time.Microsecond); return r }, 2},
		{"cost, 300µs to midnight", func(*Limits) {},
			func(r Request) Request { return r },
			func(r Request) Request {
				r.Now = nextMidnight(r.Now).Add(-300 * time.Microsecond)
				r.Facts.CostTodayMicros = 1 << 40
				return r
			}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			limits := DefaultLimits()
			tc.limits(&limits)
			e, events := newTestEngine(t, limits, store.NewMemory(store.MemoryOptions{}))
			if d := e.Decide(context.Background(), tc.first(request(t0, "POST"))); d.Outcome != OutcomeAllow {
				t.Fatalf("first request: %+v", d)
			}
			d := e.Decide(context.Background(), tc.second(request(t0, "POST")))
			if d.Err == nil {
				t.Fatalf("second request was not refused: %+v", d)
			}
			if got := d.Err.Details["retry_after_ms"]; got != tc.want {
				t.Errorf("error details retry_after_ms = %v (RetryAfter %s), want %d", got, d.RetryAfter, tc.want)
			}
			if d.Dimension == DimensionCost {
				return // a cost event reports the budget, not the wait
			}
			events.mu.Lock()
			defer events.mu.Unlock()
			if len(events.events) != 1 || events.events[0].Details["retry_after_ms"] != tc.want {
				t.Errorf("events %+v, want one with retry_after_ms %d", events.events, tc.want)
			}
		})
	}
}

// TestDecide_CostEventIsInTheLimitsUnit: the 429 says dollars (SPEC §4.2);
// the event says cents — the unit budgets are configured in — under names
// that carry the unit, and keeps the precision the dollars round away.
func TestDecide_CostEventIsInTheLimitsUnit(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name                           string
		facts                          Facts
		limit                          string
		currentDollars, allowedDollars float64
		currentCents, allowedCents     float64
	}{
		{"free plan's daily allowance", Facts{Plan: "free", OnboardingComplete: true, CostTodayMicros: 400_000},
			"daily_budget", 0.40, 0.33, 40, 33.3333},
		{"integration's monthly cap", Facts{Plan: "enterprise", OnboardingComplete: true, IntegrationBudgetCents: 500, IntegrationMonthMicros: 5_120_000},
			"integration_monthly_budget", 5.12, 5, 512, 500},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, events := newTestEngine(t, DefaultLimits(), store.NewMemory(store.MemoryOptions{}))
			r := request(t0, "POST")
			r.Facts = tc.facts
			d := e.Decide(context.Background(), r)
			if codeOf(d) != fault.CodeCostLimitExceeded {
				t.Fatalf("got %+v, want COST_LIMIT_EXCEEDED", d)
			}
			body := d.Err.Details
			if body["limit"] != tc.limit || body["current_value"] != tc.currentDollars || body["allowed_value"] != tc.allowedDollars {
				t.Errorf("429 details %v, want %s in dollars: current %v allowed %v", body, tc.limit, tc.currentDollars, tc.allowedDollars)
			}
			events.mu.Lock()
			defer events.mu.Unlock()
			if len(events.events) != 1 {
				t.Fatalf("events %+v, want one", events.events)
			}
			got := events.events[0].Details
			want := map[string]any{"limit": tc.limit, "current_cents": tc.currentCents, "allowed_cents": tc.allowedCents}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("event details %v, want %v", got, want)
			}
		})
	}
}
