package activity

import (
	"context"
	"errors"

	spine "hoc/l4_spine"
	accountengine "hoc/l5_engines/account"
	engine "hoc/l5_engines/activity"
	integrationsengine "hoc/l5_engines/integrations"
)

// handlers binds the telemetry operations. Telemetry needs facts from two
// other domains — the tenant's lifecycle (account) and the integrations'
// ownership and status (integrations) — so the handlers ask those engines
// and pass plain values to the activity engine: domains meet here, in L4.
type handlers struct {
	activity     *engine.Engine
	accounts     *accountengine.Engine
	integrations *integrationsengine.Engine
	metrics      *ingestMetrics
}

// Bindings returns the telemetry operation bindings.
func Bindings(a *engine.Engine, accounts *accountengine.Engine, integrations *integrationsengine.Engine, m *ingestMetrics) ([]spine.Binding, error) {
	if a == nil || accounts == nil || integrations == nil || m == nil {
		return nil, errors.New("activity operations: nil dependency")
	}
	h := handlers{activity: a, accounts: accounts, integrations: integrations, metrics: m}
	return []spine.Binding{
		spine.Bind(IngestUsage, h.ingest, spine.Transactional()),
		spine.Bind(UsageSummary, h.summary),
		spine.Bind(DailyAggregates, h.daily),
		spine.Bind(UsageHistory, h.history),
	}, nil
}

// ingest runs after the registry's tenant guard admitted the write (the
// tenant is ACTIVE); accepted records advance onboarding.
func (h handlers) ingest(ctx context.Context, in IngestInput) (IngestResult, error) {
	items := make([]engine.Item, len(in.Items))
	for i, it := range in.Items {
		items[i] = engine.Item{CallID: it.CallID, Record: recordIn(it.Record), Error: recordErrorIn(it.Error)}
	}
	ids := engine.ReferencedIntegrations(in.KeyIntegrationID, items)
	found, err := h.integrations.GetIntegrations(ctx, in.TenantID, ids)
	if err != nil {
		return IngestResult{}, err
	}
	statuses := make(map[string]string, len(found))
	for id, i := range found {
		statuses[id] = i.Status
	}
	res, err := h.activity.Ingest(ctx, engine.IngestRequest{
		TenantID: in.TenantID, KeyIntegrationID: in.KeyIntegrationID, Items: items, Integrations: statuses,
	})
	if err != nil {
		return IngestResult{}, err
	}
	if res.Accepted > 0 {
		if err := h.advanceOnboarding(ctx, in); err != nil {
			return IngestResult{}, err
		}
	}
	h.metrics.observe(items, res)
	return ingestOut(res), nil
}

// advanceOnboarding applies the telemetry triggers: SDK_CONNECTED on the
// first accepted record, and COMPLETE once the tenant also has an enabled
// integration with a live key — which an integration key's own telemetry
// proves without a query.
func (h handlers) advanceOnboarding(ctx context.Context, in IngestInput) error {
	if _, err := h.accounts.Advance(ctx, in.TenantID, accountengine.OnboardingSDKConnected, "first accepted telemetry record"); err != nil {
		return err
	}
	live := in.KeyIntegrationID != ""
	if !live {
		var err error
		if live, err = h.integrations.HasLiveEnabledIntegration(ctx, in.TenantID); err != nil || !live {
			return err
		}
	}
	_, err := h.accounts.Advance(ctx, in.TenantID, accountengine.OnboardingComplete,
		"telemetry sent and an enabled integration has a live key")
	return err
}

// requireIntegration checks that a query's integration is the tenant's.
func (h handlers) requireIntegration(ctx context.Context, tenantID, integrationID string) error {
	if integrationID == "" {
		return nil
	}
	_, err := h.integrations.GetIntegration(ctx, tenantID, integrationID)
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
		names, err := h.integrations.GetIntegrations(ctx, in.TenantID, ids)
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
