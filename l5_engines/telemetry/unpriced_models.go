package telemetry

import (
	"context"
	"fmt"

	store "hoc/l6_drivers/telemetry"
)

// UnpricedModel is a model seen without a price in a window: calls that no
// price covered and whose client sent 0 cents for tokens they used, so that
// nobody reads a total that is silently low.
type UnpricedModel = store.UnpricedModel

// UnpricedModels lists the window's models with unpriced calls, most first,
// from the daily rollups.
func (e *Engine) UnpricedModels(ctx context.Context, req RangeRequest) ([]UnpricedModel, error) {
	w, err := resolveWindow(req.StartDate, req.EndDate, e.now())
	if err != nil {
		return nil, err
	}
	out, err := e.unpriced.UnpricedModels(ctx, store.RangeQuery{TenantID: req.TenantID, IntegrationID: req.IntegrationID, From: w.Start, To: w.End})
	if err != nil {
		return nil, fmt.Errorf("list unpriced models: %w", err)
	}
	return out, nil
}
