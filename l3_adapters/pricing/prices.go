// Package pricing adapts the HTTP layer's price calls to the pricing
// operations. A tenant's calls are scoped to the actor's tenant here,
// whatever the request said; the founder's name the global list.
package pricing

import (
	"context"
	"errors"

	spine "hoc/l4_spine"
	ops "hoc/l4_spine/pricing"
)

// Prices calls the pricing operations.
type Prices struct {
	reg *spine.Registry
}

// NewPrices returns the prices adapter.
func NewPrices(reg *spine.Registry) (*Prices, error) {
	if reg == nil {
		return nil, errors.New("prices adapter: nil registry")
	}
	return &Prices{reg: reg}, nil
}

func tenantOf(ctx context.Context) string {
	actor, _ := spine.ActorFrom(ctx)
	return actor.TenantID
}

// List returns one page of the actor's tenant's effective prices.
func (a *Prices) List(ctx context.Context, q ops.PriceQuery) (ops.PricePage, error) {
	q.TenantID = tenantOf(ctx)
	return ops.ListPrices.Call(ctx, a.reg, q)
}

// Add adds a price of the actor's tenant.
func (a *Prices) Add(ctx context.Context, p ops.NewPrice) (ops.Price, error) {
	p.TenantID = tenantOf(ctx)
	return ops.AddPrice.Call(ctx, a.reg, p)
}

// Resolve says which row would price a call of the actor's tenant.
func (a *Prices) Resolve(ctx context.Context, q ops.ResolveQuery) (ops.Resolution, error) {
	q.TenantID = tenantOf(ctx)
	return ops.ResolvePrice.Call(ctx, a.reg, q)
}

// ListGlobal returns one page of the global list (founders only, by the
// operation's policy).
func (a *Prices) ListGlobal(ctx context.Context, q ops.PriceQuery) (ops.PricePage, error) {
	q.TenantID = ""
	return ops.ListGlobalPrices.Call(ctx, a.reg, q)
}

// AddGlobal adds a row to the global list (founders only).
func (a *Prices) AddGlobal(ctx context.Context, p ops.NewPrice) (ops.Price, error) {
	p.TenantID = ""
	return ops.AddGlobalPrice.Call(ctx, a.reg, p)
}
