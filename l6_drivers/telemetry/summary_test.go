package telemetry_test

import (
	"reflect"
	"testing"

	"hoc/l6_drivers/telemetry"
)

// tot builds Totals in the column order of usage_daily.
func tot(calls, in, out, cents, micros, latSum, latCount, errs, blocked int64) telemetry.Totals {
	return telemetry.Totals{Calls: calls, TokensIn: in, TokensOut: out, CostCents: cents, CostMicros: micros,
		LatencySum: latSum, LatencyCount: latCount, ErrorCount: errs, BlockedCount: blocked}
}

// seedSummary writes the data set every summary test computes by hand.
// Inside 2026-11-01..03 for acme:
//
//	11-01 prod openai/gpt-4o     3 110  55 11 105000 300 3 1 1  (two sets of records in one write)
//	11-01 dev  openai/gpt-4o     1   2   3  1   5000   0 0 0 0
//	11-02 dev  anthropic/claude  4 301  31 32 320000 100 4 0 0  (two writes, accumulated)
//	11-02 dev  openai/b-model    1   1   1  4  40000   0 0 0 0
//	11-02 dev  openai/C-model    1   1   1  4  40000   0 0 0 0
//	11-03 prod anthropic/claude  1   5   5 30 299000   0 0 1 1
//
// Outside it: acme on 10-31 and 11-04, and the other tenant on 11-02.
func seedSummary(t *testing.T, f fixture) {
	t.Helper()
	first := [][]telemetry.RecordRow{
		recordsSumming(f.acme, "2026-11-01", f.prod, "openai", "gpt-4o", tot(2, 100, 50, 10, 95_000, 300, 2, 1, 0)),
		recordsSumming(f.acme, "2026-11-01", f.prod, "openai", "gpt-4o", tot(1, 10, 5, 1, 10_000, 0, 1, 0, 1)),
		recordsSumming(f.acme, "2026-11-01", f.dev, "openai", "gpt-4o", tot(1, 2, 3, 1, 5_000, 0, 0, 0, 0)),
		recordsSumming(f.acme, "2026-11-02", f.dev, "anthropic", "claude", tot(3, 300, 30, 30, 300_000, 90, 3, 0, 0)),
		recordsSumming(f.acme, "2026-11-02", f.dev, "openai", "b-model", tot(1, 1, 1, 4, 40_000, 0, 0, 0, 0)),
		recordsSumming(f.acme, "2026-11-02", f.dev, "openai", "C-model", tot(1, 1, 1, 4, 40_000, 0, 0, 0, 0)),
		recordsSumming(f.acme, "2026-11-03", f.prod, "anthropic", "claude", tot(1, 5, 5, 30, 299_000, 0, 0, 1, 1)),
		recordsSumming(f.acme, "2026-10-31", f.prod, "openai", "gpt-4o", tot(7, 7, 7, 7, 70_000, 7, 7, 7, 7)),
		recordsSumming(f.acme, "2026-11-04", f.dev, "openai", "gpt-4o", tot(9, 9, 9, 9, 90_000, 9, 9, 9, 9)),
		recordsSumming(f.other, "2026-11-02", f.otherInt, "openai", "gpt-4o", tot(100, 100, 100, 100, 1_000_000, 100, 100, 100, 100)),
	}
	second := [][]telemetry.RecordRow{
		recordsSumming(f.acme, "2026-11-02", f.dev, "anthropic", "claude", tot(1, 1, 1, 2, 20_000, 10, 1, 0, 0)),
	}
	for _, write := range [][][]telemetry.RecordRow{first, second} {
		var rows []telemetry.RecordRow
		for _, r := range write {
			rows = append(rows, r...)
		}
		f.mustInsert(t, rows...)
	}
}

func TestSumTotals_HandComputedOverInclusiveDays(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		seedSummary(t, f)
		tests := []struct {
			name        string
			integration string
			from, to    string
			want        telemetry.Totals
		}{
			{"window", "", "2026-11-01", "2026-11-03", tot(11, 420, 96, 82, 809_000, 400, 7, 2, 2)},
			{"one integration", f.prod, "2026-11-01", "2026-11-03", tot(4, 115, 60, 41, 404_000, 300, 3, 2, 2)},
			{"last two days", "", "2026-11-02", "2026-11-03", tot(7, 308, 38, 70, 699_000, 100, 4, 1, 1)},
			{"single day", "", "2026-11-03", "2026-11-03", tot(1, 5, 5, 30, 299_000, 0, 0, 1, 1)},
			{"across a month", "", "2026-10-31", "2026-11-01", tot(11, 119, 65, 19, 180_000, 307, 10, 8, 8)},
			{"no usage", "", "2026-12-01", "2026-12-31", telemetry.Totals{}},
		}
		for _, tt := range tests {
			got, err := f.s.SumTotals(f.ctx, telemetry.RangeQuery{TenantID: f.acme, IntegrationID: tt.integration, From: tt.from, To: tt.to})
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if got != tt.want {
				t.Errorf("%s: totals = %+v, want %+v", tt.name, got, tt.want)
			}
		}
	})
}

func TestSumShares_PerIntegrationAndModelInByteOrder(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		seedSummary(t, f)
		q := telemetry.RangeQuery{TenantID: f.acme, From: "2026-11-01", To: "2026-11-03"}
		got, err := f.s.SumShares(f.ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		want := []telemetry.Share{ // prod's id sorts before dev's; 'C' < 'b' in bytes
			{IntegrationID: f.prod, Provider: "anthropic", Model: "claude", Totals: tot(1, 5, 5, 30, 299_000, 0, 0, 1, 1)},
			{IntegrationID: f.prod, Provider: "openai", Model: "gpt-4o", Totals: tot(3, 110, 55, 11, 105_000, 300, 3, 1, 1)},
			{IntegrationID: f.dev, Provider: "anthropic", Model: "claude", Totals: tot(4, 301, 31, 32, 320_000, 100, 4, 0, 0)},
			{IntegrationID: f.dev, Provider: "openai", Model: "C-model", Totals: tot(1, 1, 1, 4, 40_000, 0, 0, 0, 0)},
			{IntegrationID: f.dev, Provider: "openai", Model: "b-model", Totals: tot(1, 1, 1, 4, 40_000, 0, 0, 0, 0)},
			{IntegrationID: f.dev, Provider: "openai", Model: "gpt-4o", Totals: tot(1, 2, 3, 1, 5_000, 0, 0, 0, 0)},
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("shares =\n%+v\nwant\n%+v", got, want)
		}
		var sum telemetry.Totals
		for _, s := range got {
			sum = add(sum, s.Totals)
		}
		if total, err := f.s.SumTotals(f.ctx, q); err != nil || sum != total {
			t.Fatalf("shares add up to %+v, totals are %+v (%v)", sum, total, err)
		}
		q.IntegrationID = f.prod
		if got, err = f.s.SumShares(f.ctx, q); err != nil || !reflect.DeepEqual(got, want[:2]) {
			t.Fatalf("prod shares = %+v, %v", got, err)
		}
	})
}

func TestDaily_ByDayThenIntegrationAddingUpToTheTotals(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		seedSummary(t, f)
		q := telemetry.RangeQuery{TenantID: f.acme, From: "2026-11-01", To: "2026-11-03"}
		got, err := f.s.Daily(f.ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		want := []telemetry.DailyRow{
			{Day: "2026-11-01", IntegrationID: f.prod, Totals: tot(3, 110, 55, 11, 105_000, 300, 3, 1, 1)},
			{Day: "2026-11-01", IntegrationID: f.dev, Totals: tot(1, 2, 3, 1, 5_000, 0, 0, 0, 0)},
			{Day: "2026-11-02", IntegrationID: f.dev, Totals: tot(6, 303, 33, 40, 400_000, 100, 4, 0, 0)},
			{Day: "2026-11-03", IntegrationID: f.prod, Totals: tot(1, 5, 5, 30, 299_000, 0, 0, 1, 1)},
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("daily =\n%+v\nwant\n%+v", got, want)
		}
		var sum telemetry.Totals
		for _, r := range got {
			sum = add(sum, r.Totals)
		}
		if total, err := f.s.SumTotals(f.ctx, q); err != nil || sum != total {
			t.Fatalf("daily rows add up to %+v, totals are %+v (%v)", sum, total, err)
		}
		q.IntegrationID = f.prod
		got, err = f.s.Daily(f.ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, []telemetry.DailyRow{want[0], want[3]}) {
			t.Fatalf("prod daily = %+v", got)
		}
	})
}

func TestSummaries_EmptyRangeGivesEmptyLists(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		q := telemetry.RangeQuery{TenantID: f.acme, From: "2026-01-01", To: "2026-12-31"}
		shares, err1 := f.s.SumShares(f.ctx, q)
		daily, err2 := f.s.Daily(f.ctx, q)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if shares == nil || len(shares) != 0 || daily == nil || len(daily) != 0 {
			t.Fatalf("empty range = %#v %#v, want empty non-nil lists", shares, daily)
		}
	})
}

func add(a, b telemetry.Totals) telemetry.Totals {
	return tot(a.Calls+b.Calls, a.TokensIn+b.TokensIn, a.TokensOut+b.TokensOut, a.CostCents+b.CostCents,
		a.CostMicros+b.CostMicros, a.LatencySum+b.LatencySum, a.LatencyCount+b.LatencyCount,
		a.ErrorCount+b.ErrorCount, a.BlockedCount+b.BlockedCount)
}
