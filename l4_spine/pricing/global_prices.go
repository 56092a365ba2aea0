package pricing

import (
	"context"

	spine "hoc/l4_spine"
	"hoc/l5_engines/fault"
)

// ListGlobalPrices is GET /api/v1/fdr/prices: every row of the global list,
// past and scheduled.
var ListGlobalPrices = spine.Declare[PriceQuery, PricePage]("pricing.prices.list_global",
	"List every row of the global price list", spine.Allow(spine.ActorFounder), spine.ReadOnly())

// AddGlobalPrice is POST /api/v1/fdr/prices: the operator prices a model for
// every tenant from effective_from on.
var AddGlobalPrice = spine.Declare[NewPrice, Price]("pricing.prices.create_global",
	"Add a row to the global price list", spine.Allow(spine.ActorFounder))

func (h handlers) listGlobal(ctx context.Context, q PriceQuery) (PricePage, error) {
	prices, err := h.engine.Global(ctx)
	if err != nil {
		return PricePage{}, err
	}
	return page(prices, q), nil
}

func (h handlers) addGlobal(ctx context.Context, p NewPrice) (Price, error) {
	if p.TenantID != "" {
		return Price{}, fault.Forbidden("tenant_row", "the global list holds no tenant's row")
	}
	return h.added(ctx, p)
}
