// Package telemetry adapts the telemetry endpoints to the telemetry
// operations. The tenant, and for integration keys the integration, come
// from the verified actor; nothing in a body or query can choose them.
package telemetry

import (
	"context"
	"errors"

	spine "hoc/l4_spine"
	ops "hoc/l4_spine/telemetry"
)

// Telemetry calls the telemetry operations.
type Telemetry struct {
	reg *spine.Registry
}

// NewTelemetry returns the telemetry adapter.
func NewTelemetry(reg *spine.Registry) (*Telemetry, error) {
	if reg == nil {
		return nil, errors.New("telemetry adapter: nil registry")
	}
	return &Telemetry{reg: reg}, nil
}

// Ingest ingests records for the actor's tenant.
func (a *Telemetry) Ingest(ctx context.Context, items []ops.Item) (ops.IngestResult, error) {
	actor, _ := spine.ActorFrom(ctx)
	return ops.Ingest.Call(ctx, a.reg, ops.IngestInput{
		TenantID: actor.TenantID, KeyIntegrationID: actor.IntegrationID, Items: items,
	})
}

// Summary returns the usage summary of the actor's tenant.
func (a *Telemetry) Summary(ctx context.Context, in ops.RangeRequest) (ops.Summary, error) {
	in.TenantID = tenantOf(ctx)
	return ops.GetSummary.Call(ctx, a.reg, in)
}

// Daily returns the daily series of the actor's tenant.
func (a *Telemetry) Daily(ctx context.Context, in ops.RangeRequest) ([]ops.DailyRow, error) {
	in.TenantID = tenantOf(ctx)
	return ops.GetDaily.Call(ctx, a.reg, in)
}

// UnpricedModels lists the actor's tenant's models seen without a price.
func (a *Telemetry) UnpricedModels(ctx context.Context, in ops.RangeRequest) ([]ops.UnpricedModel, error) {
	in.TenantID = tenantOf(ctx)
	return ops.GetUnpricedModels.Call(ctx, a.reg, in)
}

// History returns one page of the actor's tenant's records.
func (a *Telemetry) History(ctx context.Context, in ops.HistoryRequest) (ops.HistoryPage, error) {
	in.TenantID = tenantOf(ctx)
	return ops.GetHistory.Call(ctx, a.reg, in)
}

func tenantOf(ctx context.Context) string {
	actor, _ := spine.ActorFrom(ctx)
	return actor.TenantID
}
