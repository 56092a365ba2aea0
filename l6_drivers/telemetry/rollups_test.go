package telemetry_test

import (
	"fmt"
	"testing"

	"hoc/l6_drivers/telemetry"
)

// dailyRow is a row of usage_daily as the tests read it.
type dailyRow struct {
	TenantID, Day, IntegrationID, Provider, Model      string
	Calls, TokensIn, TokensOut, CostCents, CostMicros  int64
	LatencySum, LatencyCount, ErrorCount, BlockedCount int64
	CacheReadTokens, CacheWriteTokens, ReasoningTokens int64
	UnpricedCalls                                      int64
}

// rollupRows reads usage_daily of a tenant, sorted by key, with the day as
// 'YYYY-MM-DD' on both backends.
func (f fixture) rollupRows(t *testing.T, tenantID string) []dailyRow {
	t.Helper()
	var rows []dailyRow
	err := f.d.Conn(f.ctx).Table("usage_daily").Where("tenant_id = ?", tenantID).
		Order("day, integration_id, provider, model").Find(&rows).Error
	if err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		rows[i].Day = rows[i].Day[:10] // a Postgres date arrives as "2026-11-01T00:00:00Z"
	}
	return rows
}

// TestWriteRecords_RollsUpRecordsOfOneKeyIntoOneRowAndAccumulates: records
// of one rollup key in one write become one row (Postgres refuses to update
// a row twice in one statement, so the write must group them), and a later
// write adds to it.
func TestWriteRecords_RollsUpRecordsOfOneKeyIntoOneRowAndAccumulates(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		one := recordsSumming(f.acme, "2026-11-01", f.prod, "openai", "gpt-4o", tot(1, 10, 20, 3, 30_000, 100, 1, 1, 0))
		two := recordsSumming(f.acme, "2026-11-01", f.prod, "openai", "gpt-4o", tot(2, 1, 2, 5, 45_000, 0, 0, 0, 2))
		one[0].CacheReadTokens, one[0].CacheWriteTokens, one[0].ReasoningTokens = 4, 3, 5
		two[1].CostSource = "unpriced"
		f.mustInsert(t, append(one, two...)...)
		f.mustInsert(t, recordsSumming(f.acme, "2026-11-01", f.prod, "openai", "gpt-4o", tot(1, 10, 20, 3, 30_000, 100, 1, 1, 0))...)
		want := dailyRow{TenantID: f.acme, Day: "2026-11-01", IntegrationID: f.prod, Provider: "openai",
			Model: "gpt-4o", Calls: 4, TokensIn: 21, TokensOut: 42, CostCents: 11, CostMicros: 105_000,
			LatencySum: 200, LatencyCount: 2, ErrorCount: 2, BlockedCount: 2,
			CacheReadTokens: 4, CacheWriteTokens: 3, ReasoningTokens: 5, UnpricedCalls: 1}
		if rows := f.rollupRows(t, f.acme); len(rows) != 1 || rows[0] != want {
			t.Fatalf("rollup rows = %+v, want one: %+v", rows, want)
		}
	})
}

// TestWriteRecords_ManyRollupRowsAreChunked: a write touching more rollup
// rows than one upsert holds adds to all of them.
func TestWriteRecords_ManyRollupRowsAreChunked(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		var rows []telemetry.RecordRow
		for i := range 2500 {
			rows = append(rows, recordsSumming(f.acme, "2026-11-01", f.prod, "openai", fmt.Sprintf("m%04d", i), tot(1, 0, 0, 1, 10_000, 0, 0, 0, 0))...)
		}
		f.mustInsert(t, rows...)
		got, err := f.s.SumTotals(f.ctx, telemetry.RangeQuery{TenantID: f.acme, From: "2026-11-01", To: "2026-11-01"})
		if err != nil || got.Calls != 2500 || got.CostCents != 2500 || len(f.rollupRows(t, f.acme)) != 2500 {
			t.Fatalf("totals = %+v, %v; want 2500 calls in 2500 rows", got, err)
		}
	})
}
