package protection

import (
	"context"
	"strconv"
	"time"

	spine "hoc/l4_spine"
	"hoc/l4_spine/cache"
	integrationsops "hoc/l4_spine/integrations"
	accountengine "hoc/l5_engines/account"
	engine "hoc/l5_engines/protection"
	telemetryengine "hoc/l5_engines/telemetry"
)

// Decide is the protection decision asked for on every protected request.
// It answers in every lifecycle state (the protected operation itself is
// then admitted or refused by the tenant guard).
var Decide = spine.Declare[DecideInput, Decision]("protection.requests.decide",
	"Decide whether a tenant's request may proceed (rate, burst, cost, anomaly)", spine.AnyLifecycle())

// DecideInput describes the request to decide on; who is asking comes from
// the actor.
type DecideInput struct {
	Route  string
	Path   string
	Method string
	Ingest bool
}

// Decision is protection's answer. A refusal is not an error of the
// operation: Decision.Err carries the error to answer with, so that the HTTP
// layer can still write the rate-limit headers and Retry-After.
type Decision = engine.Decision

// RateHeaders describe the bucket closest to its limit.
type RateHeaders = engine.RateHeaders

// decider gathers the facts of a decision from the other domains — the
// tenant's plan and onboarding (account), today's and the integration's
// month-to-date cost (telemetry), the integration's budget (integrations,
// through its cached facts) — and passes plain values to the protection
// engine: domains meet here.
// Cost facts are read only for writes, since reads are never cost-limited,
// and all facts are reused for factsTTL.
type decider struct {
	protection   *engine.Engine
	accounts     *accountengine.Engine
	telemetry    *telemetryengine.Engine
	integrations *integrationsops.Facts
	metrics      *decisionMetrics
	cache        *cache.TTL[string, engine.Facts]
	now          func() time.Time
}

func (dr decider) decide(ctx context.Context, in DecideInput) (Decision, error) {
	start := time.Now()
	actor, _ := spine.ActorFrom(ctx)
	if actor.TenantID == "" || actor.Type == spine.ActorFounder {
		return Decision{Outcome: engine.OutcomeExempt}, nil
	}
	now := dr.now()
	facts, err := dr.facts(ctx, actor, in.Method, now)
	if err != nil {
		return Decision{}, err
	}
	d := dr.protection.Decide(ctx, engine.Request{
		RequestID: spine.RequestID(ctx), TenantID: actor.TenantID, ActorType: string(actor.Type), ActorID: actor.ID,
		CredentialKey: string(actor.Credential) + ":" + actor.ID, CredentialRPM: actor.RateLimitRPM,
		Route: in.Route, Path: in.Path, Method: in.Method, Ingest: in.Ingest, Facts: facts, Now: now,
	})
	dr.metrics.observe(d, time.Since(start))
	return d, nil
}

// factsTTL is how long the facts of a decision (plan, onboarding, recorded
// cost) are reused for a tenant and credential. Every protected request
// needs them, and reading them costs more than deciding; two seconds keeps
// the per-request path cheap while a plan change, a completed onboarding or
// newly recorded cost still counts within two seconds.
const factsTTL = 2 * time.Second

// maxCachedFacts bounds the facts cache.
const maxCachedFacts = 100_000

func (dr decider) facts(ctx context.Context, actor spine.Actor, method string, now time.Time) (engine.Facts, error) {
	write := method != "GET" && method != "HEAD"
	key := actor.TenantID + "|" + actor.IntegrationID + "|" + strconv.FormatBool(write)
	if f, ok := dr.cache.Get(key); ok {
		return f, nil
	}
	f, err := dr.readFacts(ctx, actor, write, now)
	if err == nil {
		dr.cache.Put(key, f)
	}
	return f, err
}

func (dr decider) readFacts(ctx context.Context, actor spine.Actor, write bool, now time.Time) (engine.Facts, error) {
	t, err := dr.accounts.GetTenant(ctx, actor.TenantID)
	if err != nil {
		return engine.Facts{}, err
	}
	f := engine.Facts{Plan: string(t.Plan), OnboardingComplete: t.Onboarding >= accountengine.OnboardingComplete}
	if !f.OnboardingComplete || !write {
		return f, nil
	}
	today, err := dr.telemetry.Today(ctx, actor.TenantID, now)
	if err != nil {
		return engine.Facts{}, err
	}
	f.CostTodayMicros = today.CostMicros
	if actor.IntegrationID == "" {
		return f, nil
	}
	integ, err := dr.integrations.Integration(ctx, actor.TenantID, actor.IntegrationID)
	if err != nil || integ.BudgetLimitCents == 0 {
		return f, err
	}
	month, err := dr.telemetry.MonthToDate(ctx, actor.TenantID, actor.IntegrationID, now)
	if err != nil {
		return engine.Facts{}, err
	}
	f.IntegrationBudgetCents, f.IntegrationMonthMicros = integ.BudgetLimitCents, month.Totals.CostMicros
	return f, nil
}
