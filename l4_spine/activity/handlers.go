package activity

import (
	"context"
	"errors"

	spine "hoc/l4_spine"
	integrationops "hoc/l4_spine/integrations"
	engine "hoc/l5_engines/activity"
)

// handlers binds the telemetry operations. The queries need facts from the
// integrations domain (that a filtered integration is the tenant's, and the
// names of the integrations in a summary), which they read through that
// domain's cached facts, at most integrationops.FactsTTL old: domains meet
// here, in L4.
type handlers struct {
	activity     *engine.Engine
	integrations *integrationops.Facts
}

// Bindings returns the telemetry operation bindings. Ingest opens its own
// transactions (see ingester), so it is not marked transactional.
func Bindings(a *engine.Engine, integrations *integrationops.Facts, ingest *ingester) ([]spine.Binding, error) {
	if a == nil || integrations == nil || ingest == nil {
		return nil, errors.New("activity operations: nil dependency")
	}
	h := handlers{activity: a, integrations: integrations}
	return []spine.Binding{
		spine.Bind(IngestUsage, ingest.ingest),
		spine.Bind(UsageSummary, h.summary),
		spine.Bind(DailyAggregates, h.daily),
		spine.Bind(UsageHistory, h.history),
	}, nil
}

// requireIntegration checks that a query's integration is the tenant's.
func (h handlers) requireIntegration(ctx context.Context, tenantID, integrationID string) error {
	if integrationID == "" {
		return nil
	}
	_, err := h.integrations.Integration(ctx, tenantID, integrationID)
	return err
}

func (h handlers) summary(ctx context.Context, in RangeInput) (Summary, error) {
	if err := h.requireIntegration(ctx, in.TenantID, in.IntegrationID); err != nil {
		return Summary{}, err
	}
	s, err := h.activity.Summary(ctx, engine.RangeRequest(in))
	if err != nil {
		return Summary{}, err
	}
	out := Summary{TenantID: in.TenantID, PeriodStart: s.Window.Start, PeriodEnd: s.Window.End, Totals: totalsOut(s.Totals),
		ByModel: make([]ModelUsage, len(s.ByModel))}
	for i, m := range s.ByModel {
		out.ByModel[i] = ModelUsage{Provider: m.Provider, Model: m.Model, Totals: totalsOut(m.Totals)}
	}
	if s.ByIntegration != nil {
		ids := make([]string, len(s.ByIntegration))
		for i, t := range s.ByIntegration {
			ids[i] = t.IntegrationID
		}
		names, err := h.integrations.Integrations(ctx, in.TenantID, ids)
		if err != nil {
			return Summary{}, err
		}
		out.ByIntegration = make([]IntegrationUsage, len(s.ByIntegration))
		for i, t := range s.ByIntegration {
			integ := names[t.IntegrationID] // a deleted integration keeps its usage but loses its name
			out.ByIntegration[i] = IntegrationUsage{IntegrationID: t.IntegrationID, IntegrationName: integ.Name,
				ProviderType: integ.ProviderType, Totals: totalsOut(t.Totals)}
		}
	}
	return out, nil
}

func (h handlers) daily(ctx context.Context, in RangeInput) ([]DailyRow, error) {
	if err := h.requireIntegration(ctx, in.TenantID, in.IntegrationID); err != nil {
		return nil, err
	}
	rows, err := h.activity.Daily(ctx, engine.RangeRequest(in))
	if err != nil {
		return nil, err
	}
	out := make([]DailyRow, len(rows))
	for i, r := range rows {
		out[i] = DailyRow{Date: r.Date, IntegrationID: r.IntegrationID, Totals: totalsOut(r.Totals)}
	}
	return out, nil
}

func (h handlers) history(ctx context.Context, in HistoryInput) (HistoryPage, error) {
	if err := h.requireIntegration(ctx, in.TenantID, in.IntegrationID); err != nil {
		return HistoryPage{}, err
	}
	p, err := h.activity.History(ctx, engine.HistoryRequest(in))
	if err != nil {
		return HistoryPage{}, err
	}
	out := HistoryPage{Total: p.Total, NextCursor: p.NextCursor, Items: make([]StoredRecord, len(p.Items))}
	for i, r := range p.Items {
		out.Items[i] = StoredRecord(r)
	}
	return out, nil
}
