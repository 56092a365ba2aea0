package protection

import (
	"context"
	"errors"
	"strconv"
	"time"

	spine "hoc/l4_spine"
	"hoc/l4_spine/cache"
	integrationops "hoc/l4_spine/integrations"
	accountengine "hoc/l5_engines/account"
	engine "hoc/l5_engines/protection"
	telemetryengine "hoc/l5_engines/telemetry"
)

// handlers gathers the facts of a decision from the other domains — the
// tenant's plan and onboarding (account), today's and the integration's
// month-to-date cost (telemetry), the integration's budget (integrations,
// through its cached facts) —
// and passes plain values to the protection engine: domains meet here.
// Cost facts are read only for writes, since reads are never cost-limited,
// and all facts are reused for factsTTL.
type handlers struct {
	protection   *engine.Engine
	accounts     *accountengine.Engine
	telemetry    *telemetryengine.Engine
	integrations *integrationops.Facts
	metrics      *decisionMetrics
	cache        *cache.TTL[string, engine.Facts]
	now          func() time.Time
}

// Bindings returns the decision binding.
func Bindings(p *engine.Engine, a *accountengine.Engine, act *telemetryengine.Engine, i *integrationops.Facts, m *decisionMetrics, now func() time.Time) ([]spine.Binding, error) {
	if p == nil || a == nil || act == nil || i == nil || m == nil || now == nil {
		return nil, errors.New("protection operations: nil dependency")
	}
	h := handlers{protection: p, accounts: a, telemetry: act, integrations: i, metrics: m, cache: cache.New[string, engine.Facts](factsTTL, maxCachedFacts, now), now: now}
	return []spine.Binding{spine.Bind(Decide, h.decide, spine.Timeout(5*time.Second))}, nil
}

func (h handlers) decide(ctx context.Context, in DecideInput) (Decision, error) {
	start := time.Now()
	actor, _ := spine.ActorFrom(ctx)
	if actor.TenantID == "" || actor.Type == spine.ActorFounder {
		return Decision{Outcome: string(engine.OutcomeExempt)}, nil
	}
	now := h.now()
	facts, err := h.facts(ctx, actor, in.Method, now)
	if err != nil {
		return Decision{}, err
	}
	d := h.protection.Decide(ctx, engine.Request{
		RequestID: spine.RequestID(ctx), TenantID: actor.TenantID, ActorType: string(actor.Type), ActorID: actor.ID,
		CredentialKey: string(actor.Credential) + ":" + actor.ID, CredentialRPM: actor.RateLimitRPM,
		Route: in.Route, Path: in.Path, Method: in.Method, Ingest: in.Ingest, Facts: facts, Now: now,
	})
	h.metrics.observe(d, time.Since(start))
	out := Decision{Outcome: string(d.Outcome), Dimension: d.Dimension, RetryAfter: d.RetryAfter, BudgetExceeded: d.BudgetExceeded}
	if d.Err != nil {
		out.Refusal = d.Err
	}
	if d.Headers != nil {
		hd := RateHeaders(*d.Headers)
		out.Headers = &hd
	}
	return out, nil
}

// factsTTL is how long the facts of a decision (plan, onboarding, recorded
// cost) are reused for a tenant and credential. Every protected request
// needs them, and reading them costs more than deciding; two seconds keeps
// the per-request path cheap while a plan change, a completed onboarding or
// newly recorded cost still counts within two seconds.
const factsTTL = 2 * time.Second

// maxCachedFacts bounds the facts cache.
const maxCachedFacts = 100_000

func (h handlers) facts(ctx context.Context, actor spine.Actor, method string, now time.Time) (engine.Facts, error) {
	write := method != "GET" && method != "HEAD"
	key := actor.TenantID + "|" + actor.IntegrationID + "|" + strconv.FormatBool(write)
	if f, ok := h.cache.Get(key); ok {
		return f, nil
	}
	f, err := h.readFacts(ctx, actor, write, now)
	if err == nil {
		h.cache.Put(key, f)
	}
	return f, err
}

func (h handlers) readFacts(ctx context.Context, actor spine.Actor, write bool, now time.Time) (engine.Facts, error) {
	t, err := h.accounts.GetTenant(ctx, actor.TenantID)
	if err != nil {
		return engine.Facts{}, err
	}
	f := engine.Facts{Plan: string(t.Plan), OnboardingComplete: t.Onboarding >= accountengine.OnboardingComplete}
	if !f.OnboardingComplete || !write {
		return f, nil
	}
	today, err := h.telemetry.Today(ctx, actor.TenantID, now)
	if err != nil {
		return engine.Facts{}, err
	}
	f.CostTodayMicros = today.CostMicros
	if actor.IntegrationID == "" {
		return f, nil
	}
	integ, err := h.integrations.Integration(ctx, actor.TenantID, actor.IntegrationID)
	if err != nil || integ.BudgetLimitCents == 0 {
		return f, err
	}
	month, err := h.telemetry.MonthToDate(ctx, actor.TenantID, actor.IntegrationID, now)
	if err != nil {
		return engine.Facts{}, err
	}
	f.IntegrationBudgetCents, f.IntegrationMonthCents = integ.BudgetLimitCents, month.Totals.CostCents
	return f, nil
}
