package telemetry_test

import (
	"fmt"
	"strings"
	"testing"

	"hoc/l6_drivers/telemetry"
	models "hoc/l7_models"
)

func TestApplyRollups_MergesDuplicateKeysAndAccumulates(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		key := telemetry.RollupDelta{TenantID: f.acme, Day: "2026-11-01", IntegrationID: f.prod, Provider: "openai", Model: "gpt-4o"}
		one := key
		one.Calls, one.TokensIn, one.TokensOut, one.CostCents, one.CostMicros = 1, 10, 20, 3, 30_000
		one.LatencySum, one.LatencyCount, one.ErrorCount, one.BlockedCount = 100, 1, 1, 0
		two := key
		two.Calls, two.TokensIn, two.TokensOut, two.CostCents, two.CostMicros = 2, 1, 2, 5, 45_000
		two.LatencySum, two.LatencyCount, two.ErrorCount, two.BlockedCount = 0, 0, 0, 2
		// Postgres refuses to update one row twice in one statement, so this
		// only passes if ApplyRollups merges the two.
		if err := f.s.ApplyRollups(f.ctx, []telemetry.RollupDelta{one, two}); err != nil {
			t.Fatal(err)
		}
		if err := f.s.ApplyRollups(f.ctx, []telemetry.RollupDelta{one}); err != nil {
			t.Fatal(err)
		}
		var rows []models.UsageDaily
		if err := f.d.Conn(f.ctx).Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		want := models.UsageDaily{TenantID: f.acme, Day: "2026-11-01", IntegrationID: f.prod, Provider: "openai",
			Model: "gpt-4o", Calls: 4, TokensIn: 21, TokensOut: 42, CostCents: 11, CostMicros: 105_000,
			LatencySum: 200, LatencyCount: 2, ErrorCount: 2, BlockedCount: 2}
		if len(rows) != 1 {
			t.Fatalf("rollup rows = %+v, want one", rows)
		}
		got := rows[0]
		// A Postgres date arrives in a string as "2026-11-01T00:00:00Z";
		// Daily renders it as the bare day.
		if !strings.HasPrefix(got.Day, want.Day) {
			t.Fatalf("day = %q, want %s", got.Day, want.Day)
		}
		got.Day = want.Day
		if got != want {
			t.Fatalf("rollup = %+v, want %+v", got, want)
		}
	})
}

func TestApplyRollups_NothingToApply(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		if err := f.s.ApplyRollups(f.ctx, nil); err != nil {
			t.Fatal(err)
		}
	})
}

func TestApplyRollups_ManyKeysAreChunked(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		var deltas []telemetry.RollupDelta
		for i := range 2500 {
			deltas = append(deltas, telemetry.RollupDelta{TenantID: f.acme, Day: "2026-11-01", IntegrationID: f.prod,
				Provider: "openai", Model: fmt.Sprintf("m%04d", i),
				Calls: 1, CostCents: 1})
		}
		if err := f.s.ApplyRollups(f.ctx, deltas); err != nil {
			t.Fatal(err)
		}
		got, err := f.s.SumTotals(f.ctx, telemetry.RangeQuery{TenantID: f.acme, From: "2026-11-01", To: "2026-11-01"})
		if err != nil || got.Calls != 2500 || got.CostCents != 2500 {
			t.Fatalf("totals = %+v, %v; want 2500 calls", got, err)
		}
	})
}
