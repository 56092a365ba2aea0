package pricing

import (
	"context"
	"time"

	spine "hoc/l4_spine"
)

// ResolvePrice is GET /api/v1/prices/resolve: which row, if any, would price
// a call of the tenant to this provider and model made at At — for "why does
// this call cost that".
var ResolvePrice = spine.Declare[ResolveQuery, Resolution]("pricing.prices.resolve",
	"Which price row would price a call", spine.Allow(spine.ActorCustomer, spine.ActorMachine),
	spine.RequireScope("prices:read"), spine.ReadOnly())

// ResolveQuery describes a call.
type ResolveQuery struct {
	TenantID, Provider, Model string
	At                        time.Time
}

// Resolution is the row that prices the call, nil when none does.
type Resolution struct {
	Price *Price
}

func (h handlers) resolve(ctx context.Context, q ResolveQuery) (Resolution, error) {
	if err := ownTenant(ctx, q.TenantID); err != nil {
		return Resolution{}, err
	}
	p, ok, err := h.engine.Resolve(ctx, q.TenantID, q.Provider, q.Model, q.At)
	if err != nil || !ok {
		return Resolution{}, err
	}
	return Resolution{Price: &p}, nil
}
