package telemetry

import (
	"context"
	"fmt"
	"time"

	store "hoc/l6_drivers/telemetry"
)

// Today returns the tenant's usage on now's UTC day, from the rollups: the
// recorded cost that request protection compares with the daily allowance.
func (e *Engine) Today(ctx context.Context, tenantID string, now time.Time) (Totals, error) {
	day := now.UTC().Format(dateLayout)
	t, err := e.usage.SumTotals(ctx, store.RangeQuery{TenantID: tenantID, From: day, To: day})
	if err != nil {
		return Totals{}, fmt.Errorf("sum today's usage: %w", err)
	}
	return totalsOf(t), nil
}
