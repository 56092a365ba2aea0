package telemetry_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"hoc/l6_drivers/telemetry"
)

// The database, not a read before the write, decides idempotency: however
// many transactions race to store one call_id, exactly one stores it.
func TestInsertRecords_ConcurrentIngestsOfOneCallStoreItOnce(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		const racers = 8
		var wg sync.WaitGroup
		inserted := make([]int, racers)
		errs := make([]error, racers)
		for i := range racers {
			wg.Go(func() {
				errs[i] = f.d.InTx(f.ctx, func(ctx context.Context) error {
					got, err := f.s.InsertRecords(ctx, []telemetry.RecordRow{record(f.acme, f.prod, "race", base)})
					inserted[i] = len(got)
					return err
				})
			})
		}
		wg.Wait()
		total := 0
		for i := range racers {
			if errs[i] != nil {
				t.Fatalf("racer %d: %v", i, errs[i])
			}
			total += inserted[i]
		}
		if total != 1 {
			t.Fatalf("%d racers stored the call, want exactly 1", total)
		}
	})
}

// Records and the rollups that count them commit or roll back together,
// because every method joins the transaction in the context.
func TestInsertAndRollup_RollBackTogether(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		abort := errors.New("abort")
		err := f.d.InTx(f.ctx, func(ctx context.Context) error {
			if _, err := f.s.InsertRecords(ctx, []telemetry.RecordRow{record(f.acme, f.prod, "a", base)}); err != nil {
				return err
			}
			delta := telemetry.RollupDelta{TenantID: f.acme, Day: "2026-11-20", IntegrationID: f.prod,
				Provider: "openai", Model: "gpt-4o", Calls: 1}
			if err := f.s.ApplyRollups(ctx, []telemetry.RollupDelta{delta}); err != nil {
				return err
			}
			return abort
		})
		if !errors.Is(err, abort) {
			t.Fatalf("InTx = %v, want the abort", err)
		}
		n := f.stored(t, f.acme, "")
		totals, _ := f.s.SumTotals(f.ctx, telemetry.RangeQuery{TenantID: f.acme, From: "2026-11-20", To: "2026-11-20"})
		if n != 0 || totals.Calls != 0 {
			t.Fatalf("after rollback: %d records, %d calls in the rollup; want none", n, totals.Calls)
		}
	})
}

func TestStore_EmptyInputsTouchNothing(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		inserted, err := f.s.InsertRecords(f.ctx, nil)
		if err != nil || inserted == nil || len(inserted) != 0 {
			t.Fatalf("InsertRecords(nil) = %#v, %v", inserted, err)
		}
		found, err := f.s.FindByCallIDs(f.ctx, f.acme, nil)
		if err != nil || found == nil || len(found) != 0 {
			t.Fatalf("FindByCallIDs(nil) = %#v, %v", found, err)
		}
	})
}
