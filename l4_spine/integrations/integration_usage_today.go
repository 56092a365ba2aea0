package integrations

import (
	"context"
	"time"

	spine "hoc/l4_spine"
	telemetryengine "hoc/l5_engines/telemetry"
)

// GetIntegrationUsageToday is GET /api/v1/integrations/{id}/usage-today. It
// is the first worked example of docs/contributing.md's "How to add an
// operation": a read that needs two domains, which meet here.
var GetIntegrationUsageToday = spine.Declare[IntegrationInput, UsageToday]("integrations.integrations.usage_today",
	"An integration's usage so far this UTC day", tenantActors, spine.RequireScope(scopeRead), spine.ReadOnly())

// UsageToday is an integration's usage on Date, the current UTC day.
type UsageToday struct {
	IntegrationID string
	Date          string
	Totals        telemetryengine.Totals
}

// usageToday reads the integration (NOT_FOUND unless it is the tenant's
// and live), then the telemetry engine's sums of today's rollups for it.
func (h handlers) usageToday(ctx context.Context, in IntegrationInput) (UsageToday, error) {
	if _, err := h.engine.GetIntegration(ctx, in.TenantID, in.ID); err != nil {
		return UsageToday{}, err
	}
	day := h.now().UTC().Format(time.DateOnly)
	s, err := h.telemetry.Summary(ctx, telemetryengine.RangeRequest{TenantID: in.TenantID, IntegrationID: in.ID,
		StartDate: day, EndDate: day})
	if err != nil {
		return UsageToday{}, err
	}
	return UsageToday{IntegrationID: in.ID, Date: day, Totals: s.Totals}, nil
}
