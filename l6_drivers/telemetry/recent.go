package telemetry

import (
	"context"
	"fmt"
	"time"

	"hoc/l6_drivers/db"
)

// CountRecordsSince counts one integration's records that occurred at or
// after since. It is how the limits endpoint measures an integration's
// current requests per minute from its telemetry, until request protection
// offers a live rate: the query is served by the (tenant_id,
// integration_id, occurred_at) index and reads only the last minute of it.
// A record dated ahead of the clock (ingest allows five minutes) counts too:
// it was reported just now.
func (s *Store) CountRecordsSince(ctx context.Context, tenantID, integrationID string, since time.Time) (int64, error) {
	var n int64
	err := s.db.Conn(ctx).Raw(`SELECT COUNT(*) FROM usage_records
		WHERE tenant_id = ? AND integration_id = ? AND occurred_at >= ?`,
		tenantID, integrationID, db.UTC(since)).Find(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count recent usage records: %w", db.Classify(err))
	}
	return n, nil
}
