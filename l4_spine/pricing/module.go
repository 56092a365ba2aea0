// Package pricing declares the price table's operations — one file each —
// and binds them to the pricing engine. The shipped list is loaded at start.
package pricing

import (
	"context"
	"errors"
	"log/slog"

	"go.uber.org/fx"

	spine "hoc/l4_spine"
	engine "hoc/l5_engines/pricing"
)

// Module wires the pricing engine, loads the shipped list of prices at
// start, and adds the pricing operations to the registry.
var Module = fx.Module("pricing.operations",
	fx.Provide(engine.NewEngine, spine.AsBindings(Bindings)),
	fx.Invoke(func(lc fx.Lifecycle, e *engine.Engine, log *slog.Logger) {
		lc.Append(fx.StartHook(func(ctx context.Context) error { return seedList(ctx, e, log) }))
	}),
)

// seedList adds the rows of the shipped list the table lacks; an operator's
// row is never changed (see engine.SeedList).
func seedList(ctx context.Context, e *engine.Engine, log *slog.Logger) error {
	n, err := e.SeedList(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		log.Info("price list loaded", slog.Int64("rows_added", n))
	}
	return nil
}

// Bindings returns the pricing operation bindings.
func Bindings(e *engine.Engine) ([]spine.Binding, error) {
	if e == nil {
		return nil, errors.New("pricing operations: nil dependency")
	}
	h := handlers{engine: e}
	return []spine.Binding{
		spine.Bind(ListPrices, h.list),
		spine.Bind(AddPrice, h.add),
		spine.Bind(ResolvePrice, h.resolve),
		spine.Bind(ListGlobalPrices, h.listGlobal),
		spine.Bind(AddGlobalPrice, h.addGlobal),
	}, nil
}

// handlers binds the pricing operations to the pricing engine.
type handlers struct {
	engine *engine.Engine
}

// Price is one row of the price table.
type Price = engine.Price

// NewPrice is a row to add, and NewTier its prices above an input size.
type (
	NewPrice = engine.NewPrice
	NewTier  = engine.NewTier
)

// Rates are a row's four prices.
type Rates = engine.Rates

// PriceQuery asks for one page of prices: the effective table of TenantID,
// or the global list when it is empty.
type PriceQuery struct {
	TenantID      string
	Limit, Offset int
}

// PricePage is one page of prices and how many there are in all.
type PricePage struct {
	Items []Price
	Total int64
}

// page cuts one page out of prices.
func page(prices []Price, q PriceQuery) PricePage {
	start, end := min(q.Offset, len(prices)), min(q.Offset+q.Limit, len(prices))
	return PricePage{Items: prices[start:end], Total: int64(len(prices))}
}

// ownTenant refuses a tenant operation for any tenant but the actor's.
func ownTenant(ctx context.Context, tenantID string) error {
	actor, _ := spine.ActorFrom(ctx)
	if tenantID == "" || tenantID != actor.TenantID {
		return errNotOwnTenant
	}
	return nil
}
