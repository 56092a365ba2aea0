package telemetry

import (
	"context"

	spine "hoc/l4_spine"
	engine "hoc/l5_engines/telemetry"
)

// GetDaily is GET /api/v1/telemetry/daily-aggregates.
var GetDaily = spine.Declare[RangeRequest, []DailyRow]("telemetry.usage.daily",
	"Usage per UTC day and integration over a window",
	spine.Allow(spine.ActorCustomer, spine.ActorMachine), spine.RequireScope("telemetry:read"), spine.ReadOnly())

// RangeRequest asks for a summary or daily series over inclusive UTC days.
// Empty dates take the defaults: the 30 days ending today.
type RangeRequest = engine.RangeRequest

// DailyRow is one (day, integration) of the daily series.
type DailyRow = engine.DailyRow

func (q queries) daily(ctx context.Context, in RangeRequest) ([]DailyRow, error) {
	if err := q.requireIntegration(ctx, in.TenantID, in.IntegrationID); err != nil {
		return nil, err
	}
	return q.engine.Daily(ctx, in)
}
