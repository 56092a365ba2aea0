package telemetry

import (
	"time"

	pricingengine "hoc/l5_engines/pricing"
	engine "hoc/l5_engines/telemetry"
)

// tablePricer prices one tenant's calls with a snapshot of the price table:
// the telemetry engine's Pricer, made of the pricing domain's table here, in
// L4, where the two domains meet. Resolving and pricing cost no database
// round trip (the table is the pricing engine's cached copy).
type tablePricer struct {
	table    *pricingengine.Table
	tenantID string
}

var _ engine.Pricer = tablePricer{}

// Price resolves the row that prices r and returns its cost in
// micro-dollars (see pricingengine.Cost).
func (p tablePricer) Price(r *engine.Record, at time.Time) (int64, string, bool) {
	row, ok := p.table.Resolve(p.tenantID, r.Provider, r.Model, at)
	if !ok {
		return 0, "", false
	}
	tokens := pricingengine.Tokens{In: r.TokensIn, Out: r.TokensOut, CacheRead: deref(r.CacheReadTokens),
		CacheWrite: deref(r.CacheWriteTokens), Reasoning: deref(r.ReasoningTokens)}
	return pricingengine.Cost(row.RatesFor(r.TokensIn), tokens), row.ID, true
}

func deref(n *int64) int64 {
	if n == nil {
		return 0
	}
	return *n
}
