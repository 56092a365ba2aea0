package telemetry

import (
	"context"

	spine "hoc/l4_spine"
	engine "hoc/l5_engines/telemetry"
)

// GetHistory is GET /api/v1/telemetry/usage-history.
var GetHistory = spine.Declare[HistoryRequest, HistoryPage]("telemetry.records.history",
	"Usage records, newest first, by offset or keyset cursor",
	spine.Allow(spine.ActorCustomer, spine.ActorMachine), spine.RequireScope("telemetry:read"), spine.ReadOnly())

// HistoryRequest asks for one page of records, newest first, by offset or by
// the cursor of the previous page.
type HistoryRequest = engine.HistoryRequest

// HistoryPage is one page of records.
type HistoryPage = engine.HistoryPage

// StoredRecord is a record as stored.
type StoredRecord = engine.StoredRecord

func (q queries) history(ctx context.Context, in HistoryRequest) (HistoryPage, error) {
	if err := q.requireIntegration(ctx, in.TenantID, in.IntegrationID); err != nil {
		return HistoryPage{}, err
	}
	return q.engine.History(ctx, in)
}
