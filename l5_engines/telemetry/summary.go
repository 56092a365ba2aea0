package telemetry

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	store "hoc/l6_drivers/telemetry"
)

// Totals are sums over a window; AvgLatencyMS is the floored mean over the
// records that have a latency, nil when none has. Money is CostMicros, the
// sum of the records' cost_micros; CostCents is that sum rounded half up to
// cents (SPEC §8), never a sum of rounded cents, which overstated a window
// of sub-cent calls many times over. CacheReadTokens and CacheWriteTokens
// are parts of TokensIn, ReasoningTokens of TokensOut; UnpricedCalls counts
// the records no price covered and the client sent no cost for.
type Totals struct {
	Calls, TokensIn, TokensOut, CostMicros, CostCents  int64
	CacheReadTokens, CacheWriteTokens, ReasoningTokens int64
	UnpricedCalls                                      int64
	AvgLatencyMS                                       *int64
	ErrorCount, BlockedCount                           int64
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

// Summary reads totals and breakdowns from the daily rollups only, in one
// read of their sums per integration and model, so its cost grows with days
// × integrations × models, not with records. The breakdowns are ordered by
// cost, most costly first: integrations then by id, models by provider and
// model in byte order.
func (e *Engine) Summary(ctx context.Context, req RangeRequest) (Summary, error) {
	w, err := resolveWindow(req.StartDate, req.EndDate, e.now())
	if err != nil {
		return Summary{}, err
	}
	shares, err := e.usage.SumShares(ctx, store.RangeQuery{TenantID: req.TenantID, IntegrationID: req.IntegrationID, From: w.Start, To: w.End})
	if err != nil {
		return Summary{}, fmt.Errorf("sum usage: %w", err)
	}
	var total store.Totals
	byModel := map[[2]string]*store.Totals{}
	byIntegration := map[string]*store.Totals{}
	for _, sh := range shares {
		total = addTotals(total, sh.Totals)
		accumulate(byModel, [2]string{sh.Provider, sh.Model}, sh.Totals)
		accumulate(byIntegration, sh.IntegrationID, sh.Totals)
	}
	s := Summary{Window: w, Totals: totalsOf(total), ByModel: make([]ModelTotals, 0, len(byModel))}
	for k, t := range byModel {
		s.ByModel = append(s.ByModel, ModelTotals{Provider: k[0], Model: k[1], Totals: totalsOf(*t)})
	}
	slices.SortFunc(s.ByModel, func(a, b ModelTotals) int {
		return cmp.Or(cmp.Compare(b.CostMicros, a.CostMicros), strings.Compare(a.Provider, b.Provider), strings.Compare(a.Model, b.Model))
	})
	if req.IntegrationID == "" {
		s.ByIntegration = make([]IntegrationTotals, 0, len(byIntegration))
		for id, t := range byIntegration {
			s.ByIntegration = append(s.ByIntegration, IntegrationTotals{IntegrationID: id, Totals: totalsOf(*t)})
		}
		slices.SortFunc(s.ByIntegration, func(a, b IntegrationTotals) int {
			return cmp.Or(cmp.Compare(b.CostMicros, a.CostMicros), strings.Compare(a.IntegrationID, b.IntegrationID))
		})
	}
	return s, nil
}

// accumulate adds t to the sums of key.
func accumulate[K comparable](m map[K]*store.Totals, key K, t store.Totals) {
	sum, ok := m[key]
	if !ok {
		sum = &store.Totals{}
		m[key] = sum
	}
	*sum = addTotals(*sum, t)
}

func addTotals(a, b store.Totals) store.Totals {
	return store.Totals{
		Calls: a.Calls + b.Calls, TokensIn: a.TokensIn + b.TokensIn, TokensOut: a.TokensOut + b.TokensOut,
		CostCents: a.CostCents + b.CostCents, CostMicros: a.CostMicros + b.CostMicros,
		LatencySum: a.LatencySum + b.LatencySum, LatencyCount: a.LatencyCount + b.LatencyCount,
		ErrorCount: a.ErrorCount + b.ErrorCount, BlockedCount: a.BlockedCount + b.BlockedCount,
		CacheReadTokens: a.CacheReadTokens + b.CacheReadTokens, CacheWriteTokens: a.CacheWriteTokens + b.CacheWriteTokens,
		ReasoningTokens: a.ReasoningTokens + b.ReasoningTokens, UnpricedCalls: a.UnpricedCalls + b.UnpricedCalls,
	}
}

// Daily reads one row per (day, integration) with usage from the rollups;
// the rows add up exactly to the summary of the same window.
func (e *Engine) Daily(ctx context.Context, req RangeRequest) ([]DailyRow, error) {
	w, err := resolveWindow(req.StartDate, req.EndDate, e.now())
	if err != nil {
		return nil, err
	}
	rows, err := e.usage.Daily(ctx, store.RangeQuery{TenantID: req.TenantID, IntegrationID: req.IntegrationID, From: w.Start, To: w.End})
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
		Calls: t.Calls, TokensIn: t.TokensIn, TokensOut: t.TokensOut, CostMicros: t.CostMicros, CostCents: MicrosToCents(t.CostMicros),
		CacheReadTokens: t.CacheReadTokens, CacheWriteTokens: t.CacheWriteTokens, ReasoningTokens: t.ReasoningTokens,
		UnpricedCalls: t.UnpricedCalls, ErrorCount: t.ErrorCount, BlockedCount: t.BlockedCount,
	}
	if t.LatencyCount > 0 {
		avg := t.LatencySum / t.LatencyCount
		out.AvgLatencyMS = &avg
	}
	return out
}
