package protection

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"time"

	"hoc/l5_engines/fault"
	store "hoc/l6_drivers/protection"
)

// Request is one request to decide on, with the facts the caller gathered
// from the other domains (plan, onboarding, recorded cost).
type Request struct {
	// RequestID names the request in every log line about it.
	RequestID string
	TenantID  string
	ActorType string
	ActorID   string
	// CredentialKey names the credential's own bucket ("api_key:<id>");
	// CredentialRPM is its limit, 0 for none.
	CredentialKey string
	CredentialRPM int
	// Route is the route pattern (never the raw path, so ids cannot mint
	// fresh buckets); Path is the raw path, for the exemptions.
	Route  string
	Path   string
	Method string
	// Ingest marks telemetry ingest, which records spend that has already
	// happened: over budget it is warned, not rejected.
	Ingest bool
	Facts  Facts
	Now    time.Time
}

// Facts are what other domains know about the tenant and credential.
type Facts struct {
	Plan                   string
	OnboardingComplete     bool
	CostTodayMicros        int64
	IntegrationBudgetCents int64
	IntegrationMonthMicros int64
}

// Outcome is what protection decided.
type Outcome string

// The outcomes; every one but allow and the exemptions is recorded.
const (
	OutcomeAllow            Outcome = "allow"
	OutcomeExempt           Outcome = "exempt"
	OutcomeExemptOnboarding Outcome = "exempt_onboarding"
	OutcomeReject           Outcome = "reject"
	OutcomeThrottle         Outcome = "throttle"
	OutcomeWarn             Outcome = "warn"
)

// The dimensions.
const (
	DimensionRate               = "rate"
	DimensionBurst              = "burst"
	DimensionCost               = "cost"
	DimensionAnomaly            = "anomaly"
	DimensionBackendUnavailable = "backend_unavailable"
)

// RateHeaders describe the bucket closest to its limit, for the RateLimit
// header fields.
type RateHeaders struct {
	Name      string
	Limit     int
	Window    time.Duration
	Remaining int
	Reset     time.Duration
}

// Decision is the answer for one request.
type Decision struct {
	Outcome   Outcome
	Dimension string
	// Err is the error to answer with when the request is refused.
	Err *fault.Error
	// RetryAfter is set with Err.
	RetryAfter time.Duration
	// Headers is nil for exempt requests.
	Headers *RateHeaders
	// BudgetExceeded asks for the X-HOC-Budget: exceeded response header.
	BudgetExceeded bool
}

// EventSink takes protection events off the request path; the event
// recorder implements it.
type EventSink interface {
	Record(Event)
}

// Engine decides on requests.
type Engine struct {
	state  store.State
	events EventSink
	limits Limits
	log    *slog.Logger
	outage *backendOutage
}

// NewEngine returns an engine on a state backend. Close records what it
// still holds of a backend outage.
func NewEngine(state store.State, events EventSink, limits Limits, log *slog.Logger) (*Engine, error) {
	if state == nil || events == nil || log == nil {
		return nil, errors.New("protection engine: nil dependency")
	}
	return &Engine{state: state, events: events, limits: limits, log: log,
		outage: &backendOutage{failClosed: limits.FailClosed, record: events.Record, log: log}}, nil
}

// Close records the event of a backend outage still being counted; it runs
// at shutdown, before the event recorder drains.
func (e *Engine) Close() { e.outage.flush() }

// Decide checks the dimensions in SPEC §4.2's order — rate, burst, cost,
// anomaly — and the first that blocks wins. Rate and burst are checked in
// one atomic state call in which a refused request charges nothing.
func (e *Engine) Decide(ctx context.Context, r Request) Decision {
	e.outage.due(r.Now)
	if Exempt(r.Path) {
		return Decision{Outcome: OutcomeExempt}
	}
	if !r.Facts.OnboardingComplete {
		return Decision{Outcome: OutcomeExemptOnboarding}
	}
	// The cost verdict needs no state, so it is known before the buckets are
	// charged: a write that cost will refuse only probes them, and so
	// consumes nothing, while rate and burst still take precedence.
	over := e.overBudget(r)
	buckets := e.buckets(r)
	out, err := e.state.Take(ctx, store.Check{
		Buckets: buckets, Now: r.Now, AnomalyKey: "anomaly:{" + r.TenantID + "}",
		AnomalyFactor: e.limits.AnomalyFactor, AnomalyFloor: e.limits.AnomalyFloor,
		Probe: over != nil && !r.Ingest,
	})
	if err != nil {
		return e.backendFailed(ctx, r, err)
	}
	headers := closest(buckets, out.States)
	if !out.Allowed {
		return e.refuse(r, buckets, out, headers)
	}
	if out.Anomaly != nil {
		e.anomaly(r, out.Anomaly)
	}
	if over != nil {
		return e.costLimited(ctx, r, over, headers)
	}
	return Decision{Outcome: OutcomeAllow, Headers: headers}
}

// buckets are, in order: the credential's own limit (if any), the route
// limit, then the tenant's burst. Every key of a decision carries the tenant
// id in braces, so that on Redis Cluster they all hash to the tenant's slot,
// as one Lua script requires; each key is built in one concatenation (one
// allocation) on the request path.
func (e *Engine) buckets(r Request) []store.Bucket {
	b := make([]store.Bucket, 0, 3)
	if r.CredentialRPM > 0 {
		b = append(b, store.Bucket{Key: "cred:{" + r.TenantID + "}:" + r.CredentialKey, Limit: r.CredentialRPM, Period: minute})
	}
	return append(b,
		store.Bucket{Key: "route:{" + r.TenantID + "}:" + r.Method + " " + r.Route, Limit: e.limits.RoutePerMinute, Period: minute},
		store.Bucket{Key: "burst:{" + r.TenantID + "}", Limit: e.limits.BurstPerSecond, Period: second},
	)
}

// tenantTag puts the tenant id in braces (see buckets).
func tenantTag(tenantID string) string { return "{" + tenantID + "}" }

func (e *Engine) refuse(r Request, buckets []store.Bucket, out store.Outcome, headers *RateHeaders) Decision {
	retry := out.States[out.Refused].RetryAfter
	retryMS := retryAfterMS(retry)
	if buckets[out.Refused].Period == second {
		err := fault.New(fault.KindThrottled, fault.CodeThrottled, "too many requests at once; slow down").
			WithDetail("dimension", DimensionBurst).WithDetail("retry_after_ms", retryMS)
		e.record(r, OutcomeThrottle, DimensionBurst, map[string]any{"retry_after_ms": retryMS, "limit": buckets[out.Refused].Limit})
		return Decision{Outcome: OutcomeThrottle, Dimension: DimensionBurst, Err: err, RetryAfter: retry, Headers: headers}
	}
	err := fault.New(fault.KindRateLimited, fault.CodeRateLimited, "rate limit exceeded").
		WithDetail("dimension", DimensionRate).WithDetail("retry_after_ms", retryMS)
	e.record(r, OutcomeReject, DimensionRate, map[string]any{"retry_after_ms": retryMS, "limit": buckets[out.Refused].Limit})
	return Decision{Outcome: OutcomeReject, Dimension: DimensionRate, Err: err, RetryAfter: retry, Headers: headers}
}

// retryAfterMS is the wait a refusal reports in retry_after_ms: rounded up
// to a whole millisecond and at least 1, because a client told to wait 0 ms
// retries at once, into the same refusal. The limiter's waits run in
// microseconds, so a bucket that frees up within the next millisecond
// would otherwise truncate to 0.
func retryAfterMS(d time.Duration) int64 {
	return max(1, int64((d+time.Millisecond-1)/time.Millisecond))
}

// budgetExcess is a budget a write has exhausted, in micro-dollars.
type budgetExcess struct {
	limit            string
	current, allowed int64
	reset            time.Duration
}

// overBudget applies the budgets: the plan's daily allowance (monthly ÷ 30)
// against today's recorded cost, then the integration's monthly cap. Reads
// are never cost-limited.
func (e *Engine) overBudget(r Request) *budgetExcess {
	if r.Method == "GET" || r.Method == "HEAD" {
		return nil
	}
	if monthly := e.limits.PlanBudgets[r.Facts.Plan]; monthly > 0 {
		allowance := monthly * microsPerCent / daysPerBudgetMonth
		if r.Facts.CostTodayMicros >= allowance {
			return &budgetExcess{limit: "daily_budget", current: r.Facts.CostTodayMicros,
				allowed: allowance, reset: nextMidnight(r.Now).Sub(r.Now)}
		}
	}
	if r.Facts.IntegrationBudgetCents > 0 && r.Facts.IntegrationMonthMicros >= r.Facts.IntegrationBudgetCents*microsPerCent {
		return &budgetExcess{limit: "integration_monthly_budget", current: r.Facts.IntegrationMonthMicros,
			allowed: r.Facts.IntegrationBudgetCents * microsPerCent, reset: nextMonth(r.Now).Sub(r.Now)}
	}
	return nil
}

// costLimited answers a write over budget: telemetry ingest, which records
// spend that has already happened, is warned (one event per tenant per day);
// any other write is rejected until the budget resets.
//
// The 429's details give current_value and allowed_value in dollars, as
// SPEC §4.2 says. The event gives them in cents, the unit budgets are
// configured in (budget_limit_cents, the plans' monthly cents), under names
// that say so — current_cents and allowed_cents — so that an operator
// comparing an event with the configured limit cannot misread a factor of
// 100. They keep the micro-dollar precision (a free plan's daily allowance
// is 33.3333 cents), where the 429 rounds to whole cents of a dollar.
func (e *Engine) costLimited(ctx context.Context, r Request, over *budgetExcess, headers *RateHeaders) Decision {
	details := map[string]any{"limit": over.limit, "current_cents": cents(over.current), "allowed_cents": cents(over.allowed)}
	if r.Ingest {
		first, err := e.state.MarkOnce(ctx, "costwarn:"+tenantTag(r.TenantID)+":"+r.Now.UTC().Format("2006-01-02"), 25*time.Hour)
		if err != nil {
			e.log.WarnContext(ctx, "protection state unavailable for the cost warning", slog.String("error", err.Error()))
		}
		if first {
			e.record(r, OutcomeWarn, DimensionCost, details)
		}
		return Decision{Outcome: OutcomeWarn, Dimension: DimensionCost, Headers: headers, BudgetExceeded: true}
	}
	err := fault.New(fault.KindRateLimited, fault.CodeCostLimitExceeded, "cost limit exceeded").
		WithDetail("dimension", DimensionCost).WithDetail("limit", over.limit).
		WithDetail("current_value", dollars(over.current)).WithDetail("allowed_value", dollars(over.allowed)).
		WithDetail("retry_after_ms", retryAfterMS(over.reset))
	e.record(r, OutcomeReject, DimensionCost, details)
	return Decision{Outcome: OutcomeReject, Dimension: DimensionCost, Err: err, RetryAfter: over.reset, Headers: headers}
}

func (e *Engine) anomaly(r Request, a *store.Anomaly) {
	baseline := math.Max(a.Baseline, e.limits.AnomalyFloor)
	severity := "medium"
	if float64(a.Observed) > 20*baseline {
		severity = "high"
	}
	e.record(r, OutcomeWarn, DimensionAnomaly, map[string]any{
		"signal": "usage_anomaly_detected", "baseline": baseline, "observed": a.Observed,
		"window": a.Window.String(), "severity": severity,
	})
}

// backendFailed fails open (the default) or closed; the failure is logged
// and recorded once per interval with a count (see backendOutage) and
// counted in the metrics by the caller.
func (e *Engine) backendFailed(ctx context.Context, r Request, cause error) Decision {
	e.outage.failed(ctx, r, cause)
	if e.limits.FailClosed {
		return Decision{Outcome: OutcomeReject, Dimension: DimensionBackendUnavailable, Err: fault.Unavailable(cause), RetryAfter: time.Second}
	}
	return Decision{Outcome: OutcomeAllow, Dimension: DimensionBackendUnavailable}
}

func (e *Engine) record(r Request, outcome Outcome, dimension string, details map[string]any) {
	e.events.Record(eventOf(r, outcome, dimension, details))
}

// eventOf is the event of a decision on r.
func eventOf(r Request, outcome Outcome, dimension string, details map[string]any) Event {
	operation := "write"
	if r.Method == "GET" || r.Method == "HEAD" {
		operation = "read"
	}
	return Event{
		OccurredAt: r.Now.UTC(), RequestID: r.RequestID, TenantID: r.TenantID, ActorType: r.ActorType, ActorID: r.ActorID,
		Endpoint: r.Route, Method: r.Method, Operation: operation, Decision: string(outcome),
		Dimension: dimension, Details: details,
	}
}

// closest returns the headers of the bucket with the smallest share left.
func closest(buckets []store.Bucket, states []store.BucketState) *RateHeaders {
	best := -1
	bestShare := math.Inf(1)
	for i, b := range buckets {
		if share := float64(states[i].Remaining) / float64(b.Limit); share < bestShare {
			best, bestShare = i, share
		}
	}
	if best < 0 {
		return nil
	}
	b, s := buckets[best], states[best]
	name := "minute"
	if b.Period == second {
		name = "burst"
	}
	return &RateHeaders{Name: name, Limit: b.Limit, Window: b.Period, Remaining: s.Remaining, Reset: s.ResetAfter}
}

// dollars is micro-dollars in dollars, rounded to the cent (the 429's unit).
func dollars(micros int64) float64 { return math.Round(float64(micros)/1e4) / 100 }

// cents is micro-dollars in cents, unrounded (the event's unit).
func cents(micros int64) float64 { return float64(micros) / microsPerCent }

func nextMidnight(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}

func nextMonth(t time.Time) time.Time {
	y, m, _ := t.UTC().Date()
	return time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC)
}
