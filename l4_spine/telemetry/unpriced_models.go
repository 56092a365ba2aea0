package telemetry

import (
	"context"

	spine "hoc/l4_spine"
	engine "hoc/l5_engines/telemetry"
)

// GetUnpricedModels is GET /api/v1/telemetry/unpriced-models: the models
// seen without a price in a window, and their calls.
var GetUnpricedModels = spine.Declare[RangeRequest, []UnpricedModel]("telemetry.usage.unpriced_models",
	"Models seen without a price over a window, and their calls",
	spine.Allow(spine.ActorCustomer, spine.ActorMachine), spine.RequireScope("telemetry:read"), spine.ReadOnly())

// UnpricedModel is a model with unpriced calls.
type UnpricedModel = engine.UnpricedModel

func (q queries) unpricedModels(ctx context.Context, in RangeRequest) ([]UnpricedModel, error) {
	if err := q.requireIntegration(ctx, in.TenantID, in.IntegrationID); err != nil {
		return nil, err
	}
	return q.engine.UnpricedModels(ctx, in)
}
