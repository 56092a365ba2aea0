package pricing

import (
	"context"

	spine "hoc/l4_spine"
	"hoc/l5_engines/fault"
)

// ListPrices is GET /api/v1/prices: the table as the tenant's calls see it
// now — for every model, its own price when it has one, else the global one.
var ListPrices = spine.Declare[PriceQuery, PricePage]("pricing.prices.list",
	"List the prices in effect for the tenant's calls", spine.Allow(spine.ActorCustomer, spine.ActorMachine),
	spine.RequireScope("prices:read"), spine.ReadOnly())

var errNotOwnTenant = fault.Forbidden("tenant_mismatch", "prices are read and written for the caller's own tenant only")

func (h handlers) list(ctx context.Context, q PriceQuery) (PricePage, error) {
	if err := ownTenant(ctx, q.TenantID); err != nil {
		return PricePage{}, err
	}
	prices, err := h.engine.Effective(ctx, q.TenantID)
	if err != nil {
		return PricePage{}, err
	}
	return page(prices, q), nil
}
