package telemetry_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"hoc/l6_drivers/telemetry"
)

func TestWriteRecords_InsertsTheNewRollsUpExactlyThoseAndFindsTheRest(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		stored := record(f.acme, f.prod, "stored", base)
		f.mustInsert(t, stored)

		withLatency := record(f.acme, f.prod, "latency", base.Add(time.Minute))
		withLatency.LatencyMS, withLatency.ErrorCode = ptr(int64(250)), ptr("timeout")
		blocked := record(f.acme, f.dev, "blocked", base.Add(25*time.Hour))
		blocked.PolicyResult, blocked.ErrorCode = "blocked", ptr("") // an empty error code is no error
		again := record(f.acme, f.prod, "stored", base)
		again.ContentHash = contentHash("stored", "v2")
		otherTenant := record(f.other, f.otherInt, "latency", base)

		w, err := f.s.WriteRecords(f.ctx, []telemetry.RecordRow{withLatency, again, blocked, otherTenant})
		if err != nil {
			t.Fatal(err)
		}
		var inserted []string
		for _, ins := range w.Inserted {
			inserted = append(inserted, ins.TenantID[:4]+"/"+ins.CallID)
		}
		slices.Sort(inserted)
		want := []string{f.acme[:4] + "/blocked", f.acme[:4] + "/latency", f.other[:4] + "/latency"}
		slices.Sort(want)
		if !slices.Equal(inserted, want) {
			t.Fatalf("inserted %v, want %v", inserted, want)
		}
		if len(w.Existing) != 1 || w.Existing[0].ID != stored.ID || w.Existing[0].TenantID != f.acme ||
			string(w.Existing[0].ContentHash) != string(stored.ContentHash) {
			t.Fatalf("existing = %+v, want the stored record %s with its own hash", w.Existing, stored.ID)
		}

		got := f.rollupRows(t, f.acme)
		wantRollups := []dailyRow{
			// The record stored first, and the one with a latency; not the
			// skipped repeat of the first.
			{TenantID: f.acme, Day: "2026-11-20", IntegrationID: f.prod, Provider: "openai", Model: "gpt-4o", Calls: 2,
				TokensIn: 20, TokensOut: 40, CostCents: 6, CostMicros: 60_000, LatencySum: 250, LatencyCount: 1, ErrorCount: 1},
			{TenantID: f.acme, Day: "2026-11-21", IntegrationID: f.dev, Provider: "openai", Model: "gpt-4o", Calls: 1,
				TokensIn: 10, TokensOut: 20, CostCents: 3, CostMicros: 30_000, BlockedCount: 1},
		}
		slices.SortFunc(wantRollups, compareKey)
		if !slices.Equal(got, wantRollups) {
			t.Fatalf("rollups = %+v\nwant      %+v (only the inserted records, not the skipped one)", got, wantRollups)
		}
	})
}

func compareKey(a, b dailyRow) int {
	for _, c := range [][2]string{{a.Day, b.Day}, {a.IntegrationID, b.IntegrationID}, {a.Provider, b.Provider}, {a.Model, b.Model}} {
		if c[0] != c[1] {
			if c[0] < c[1] {
				return -1
			}
			return 1
		}
	}
	return 0
}

func TestWriteRecords_AFailedWriteStoresAndCountsNothing(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		good := record(f.acme, f.prod, "good", base)
		foreign := record(f.acme, f.otherInt, "foreign", base) // another tenant's integration: the foreign key refuses it
		if _, err := f.s.WriteRecords(f.ctx, []telemetry.RecordRow{good, foreign}); err == nil {
			t.Fatal("a write with a record the database refuses succeeded")
		}
		if n := f.stored(t, f.acme, ""); n != 0 {
			t.Fatalf("%d records stored by a failed write, want 0", n)
		}
		if rows := f.rollupRows(t, f.acme); len(rows) != 0 {
			t.Fatalf("rollups changed by a failed write: %+v", rows)
		}
	})
}

func TestWriteRecords_ConcurrentWritesOfOneCallStoreItOnce(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		const racers = 8
		var wg sync.WaitGroup
		results := make([]telemetry.Written, racers)
		errs := make([]error, racers)
		for i := range racers {
			wg.Go(func() {
				rows := []telemetry.RecordRow{record(f.acme, f.prod, "race", base), record(f.acme, f.prod, fmt.Sprint("own-", i), base)}
				results[i], errs[i] = f.s.WriteRecords(f.ctx, rows)
			})
		}
		wg.Wait()
		var winner string
		for i, w := range results {
			if errs[i] != nil {
				t.Fatalf("racer %d: %v", i, errs[i])
			}
			for _, ins := range w.Inserted {
				if ins.CallID == "race" {
					if winner != "" {
						t.Fatal("two racers stored the call")
					}
					winner = ins.ID
				}
			}
		}
		for i, w := range results {
			for _, ex := range w.Existing {
				if ex.CallID != "race" || ex.ID != winner {
					t.Fatalf("racer %d found %+v, want the winner %s", i, ex, winner)
				}
			}
			if len(w.Inserted)+len(w.Existing) != 2 {
				t.Fatalf("racer %d: %d inserted and %d found of 2 rows", i, len(w.Inserted), len(w.Existing))
			}
		}
		totals, err := f.s.SumTotals(context.Background(), telemetry.RangeQuery{TenantID: f.acme, From: "2026-11-20", To: "2026-11-20"})
		if err != nil || totals.Calls != racers+1 {
			t.Fatalf("rollups count %d calls (%v), want %d", totals.Calls, err, racers+1)
		}
	})
}
