package telemetry

import (
	"context"

	spine "hoc/l4_spine"
	engine "hoc/l5_engines/telemetry"
)

// GetSummary is GET /api/v1/telemetry/usage-summary.
var GetSummary = spine.Declare[RangeRequest, Summary]("telemetry.usage.summary",
	"Usage totals and breakdowns over a window of UTC days",
	spine.Allow(spine.ActorCustomer, spine.ActorMachine), spine.RequireScope("telemetry:read"), spine.ReadOnly())

// Totals are sums over a window.
type Totals = engine.Totals

// ModelTotals is one model's share of a summary.
type ModelTotals = engine.ModelTotals

// Summary is the usage of a window, with the integrations' names joined in
// from the integrations domain (so not the engine's shape).
type Summary struct {
	TenantID      string
	PeriodStart   string
	PeriodEnd     string
	Totals        Totals
	ByIntegration []IntegrationUsage // nil when filtered by integration
	ByModel       []ModelTotals
}

// IntegrationUsage is one integration's share of a summary.
type IntegrationUsage struct {
	IntegrationID   string
	IntegrationName string // "" for a deleted integration, which keeps its usage
	ProviderType    string
	Totals
}

func (q queries) summary(ctx context.Context, in RangeRequest) (Summary, error) {
	if err := q.requireIntegration(ctx, in.TenantID, in.IntegrationID); err != nil {
		return Summary{}, err
	}
	s, err := q.engine.Summary(ctx, in)
	if err != nil {
		return Summary{}, err
	}
	out := Summary{TenantID: in.TenantID, PeriodStart: s.Window.Start, PeriodEnd: s.Window.End, Totals: s.Totals,
		ByModel: s.ByModel}
	if s.ByIntegration == nil {
		return out, nil
	}
	ids := make([]string, len(s.ByIntegration))
	for i, t := range s.ByIntegration {
		ids[i] = t.IntegrationID
	}
	names, err := q.integrations.Integrations(ctx, in.TenantID, ids)
	if err != nil {
		return Summary{}, err
	}
	out.ByIntegration = make([]IntegrationUsage, len(s.ByIntegration))
	for i, t := range s.ByIntegration {
		integ := names[t.IntegrationID]
		out.ByIntegration[i] = IntegrationUsage{IntegrationID: t.IntegrationID, IntegrationName: integ.Name,
			ProviderType: integ.ProviderType, Totals: t.Totals}
	}
	return out, nil
}
