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
func TestWriteRecords_ConcurrentTransactionsOfOneCallStoreItOnce(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		const racers = 8
		var wg sync.WaitGroup
		inserted := make([]int, racers)
		errs := make([]error, racers)
		for i := range racers {
			wg.Go(func() {
				errs[i] = f.d.InTx(f.ctx, func(ctx context.Context) error {
					got, err := f.s.WriteRecords(ctx, []telemetry.RecordRow{record(f.acme, f.prod, "race", base)})
					inserted[i] = len(got.Inserted)
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

// Records and the rollups that count them commit or roll back together
// with the transaction of the context, which the write joins.
func TestWriteRecords_RollsBackWithTheCallersTransaction(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		abort := errors.New("abort")
		err := f.d.InTx(f.ctx, func(ctx context.Context) error {
			if _, err := f.s.WriteRecords(ctx, []telemetry.RecordRow{record(f.acme, f.prod, "a", base)}); err != nil {
				return err
			}
			return abort
		})
		if !errors.Is(err, abort) {
			t.Fatalf("InTx = %v, want the abort", err)
		}
		n := f.stored(t, f.acme, "")
		totals, err := f.s.SumTotals(f.ctx, telemetry.RangeQuery{TenantID: f.acme, From: "2026-11-20", To: "2026-11-20"})
		if err != nil {
			t.Fatal(err)
		}
		if n != 0 || totals.Calls != 0 {
			t.Fatalf("after rollback: %d records, %d calls in the rollup; want none", n, totals.Calls)
		}
	})
}

func TestStore_EmptyInputsTouchNothing(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		w, err := f.s.WriteRecords(f.ctx, nil)
		if err != nil || len(w.Inserted) != 0 || len(w.Existing) != 0 {
			t.Fatalf("WriteRecords(nil) = %#v, %v", w, err)
		}
	})
}
