package activity

import (
	"context"
	"fmt"

	store "hoc/l6_drivers/activity"
)

// Totals are sums over a window; AvgLatencyMS is the floored mean over the
// records that have a latency, nil when none has.
type Totals struct {
	Calls, TokensIn, TokensOut, CostCents, CostMicros int64
	AvgLatencyMS                                      *int64
	ErrorCount, BlockedCount                          int64
}

// IntegrationTotals is one integration's share.
type IntegrationTotals struct {
	IntegrationID string
	Totals
}

// ModelTotals is one model's share.
type ModelTotals struct {
	Provider, Model string
	Totals
}

// Summary is the usage of a window. ByIntegration is nil when the summary is
// for one integration.
type Summary struct {
	Window        Window
	Totals        Totals
	ByIntegration []IntegrationTotals
	ByModel       []ModelTotals
}

// DailyRow is one (day, integration) of the series.
type DailyRow struct {
	Date, IntegrationID string
	Totals
}

// RangeRequest asks for usage over a window. IntegrationID, when set, must
// already be known to be the tenant's (the caller checks it).
type RangeRequest struct {
	TenantID, IntegrationID, StartDate, EndDate string
}

// Summary reads totals and breakdowns from the daily rollups only, so its
// cost grows with days × integrations × models, not with records.
func (e *Engine) Summary(ctx context.Context, req RangeRequest) (Summary, error) {
	w, err := resolveWindow(req.StartDate, req.EndDate, e.now())
	if err != nil {
		return Summary{}, err
	}
	q := store.RangeQuery{TenantID: req.TenantID, IntegrationID: req.IntegrationID, From: w.Start, To: w.End}
	totals, err := e.store.SumTotals(ctx, q)
	if err != nil {
		return Summary{}, fmt.Errorf("sum usage: %w", err)
	}
	byModel, err := e.store.SumByModel(ctx, q)
	if err != nil {
		return Summary{}, fmt.Errorf("sum usage by model: %w", err)
	}
	s := Summary{Window: w, Totals: totalsOf(totals), ByModel: make([]ModelTotals, len(byModel))}
	for i, m := range byModel {
		s.ByModel[i] = ModelTotals{Provider: m.Provider, Model: m.Model, Totals: totalsOf(m.Totals)}
	}
	if req.IntegrationID == "" {
		byIntegration, err := e.store.SumByIntegration(ctx, q)
		if err != nil {
			return Summary{}, fmt.Errorf("sum usage by integration: %w", err)
		}
		s.ByIntegration = make([]IntegrationTotals, len(byIntegration))
		for i, t := range byIntegration {
			s.ByIntegration[i] = IntegrationTotals{IntegrationID: t.IntegrationID, Totals: totalsOf(t.Totals)}
		}
	}
	return s, nil
}

// Daily reads one row per (day, integration) with usage from the rollups;
// the rows add up exactly to the summary of the same window.
func (e *Engine) Daily(ctx context.Context, req RangeRequest) ([]DailyRow, error) {
	w, err := resolveWindow(req.StartDate, req.EndDate, e.now())
	if err != nil {
		return nil, err
	}
	rows, err := e.store.Daily(ctx, store.RangeQuery{TenantID: req.TenantID, IntegrationID: req.IntegrationID, From: w.Start, To: w.End})
	if err != nil {
		return nil, fmt.Errorf("daily usage: %w", err)
	}
	out := make([]DailyRow, len(rows))
	for i, r := range rows {
		out[i] = DailyRow{Date: r.Day, IntegrationID: r.IntegrationID, Totals: totalsOf(r.Totals)}
	}
	return out, nil
}

func totalsOf(t store.Totals) Totals {
	out := Totals{
		Calls: t.Calls, TokensIn: t.TokensIn, TokensOut: t.TokensOut, CostCents: t.CostCents, CostMicros: t.CostMicros,
		ErrorCount: t.ErrorCount, BlockedCount: t.BlockedCount,
	}
	if t.LatencyCount > 0 {
		avg := t.LatencySum / t.LatencyCount
		out.AvgLatencyMS = &avg
	}
	return out
}
