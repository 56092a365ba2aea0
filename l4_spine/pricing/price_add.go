package pricing

import (
	"context"

	spine "hoc/l4_spine"
)

// AddPrice is POST /api/v1/prices: a tenant prices a model for its own calls
// from effective_from on, over the global list (SPEC §8). Calls already
// stored keep their cost.
var AddPrice = spine.Declare[NewPrice, Price]("pricing.prices.create",
	"Add a price of the tenant's own", spine.Allow(spine.ActorCustomer, spine.ActorMachine),
	spine.RequireScope("prices:write"))

func (h handlers) add(ctx context.Context, p NewPrice) (Price, error) {
	if err := ownTenant(ctx, p.TenantID); err != nil {
		return Price{}, err
	}
	return h.added(ctx, p)
}

// added adds p and, once it commits, drops this replica's copy of the table
// so that its next record is priced with it; other replicas see it within
// engine.TableTTL.
func (h handlers) added(ctx context.Context, p NewPrice) (Price, error) {
	price, err := h.engine.Add(ctx, p)
	if err == nil {
		spine.AfterCommit(ctx, h.engine.Forget)
	}
	return price, err
}
