package integrations

import (
	"context"

	"hoc/l5_engines/fault"
)

// maxPageSize is the largest page a list returns (SPEC §7).
const maxPageSize = 1000

// ListIntegrations returns one page of the tenant's live integrations,
// oldest first, and how many live integrations the tenant has in all.
func (e *Engine) ListIntegrations(ctx context.Context, tenantID string, limit, offset int) ([]Integration, int64, error) {
	var fields fault.Fields
	if limit < 1 || limit > maxPageSize {
		fields.Add("limit", "must be between 1 and %d", maxPageSize)
	}
	if offset < 0 {
		fields.Add("offset", "must be >= 0")
	}
	if err := fields.Err(); err != nil {
		return nil, 0, err
	}
	rows, total, err := e.integrations.ListIntegrations(ctx, tenantID, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	out := make([]Integration, len(rows))
	for i, r := range rows {
		out[i] = integrationFromRow(r)
	}
	return out, total, nil
}
