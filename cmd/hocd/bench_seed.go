package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	telemetryengine "hoc/l5_engines/telemetry"
)

// seedModels are the models the seeded records spread over.
var seedModels = []string{"gpt-4o", "gpt-4o-mini", "o1"}

// seedMinutes is how far back the seeded records go, one a minute: 29 days,
// all inside the default 30-day summary window.
const seedMinutes = 29 * 24 * 60

// seed stores total records for t through the telemetry engine, the ingest
// path minus HTTP, in transactions of benchBatchSize records, as the Go
// query benchmarks do (seedRecords in bench_test.go). It reports its
// progress every tenth of the way.
func (h *benchHocd) seed(ctx context.Context, t benchTenant, total int, progress io.Writer) error {
	start := time.Now()
	integrations := map[string]string{t.IntegrationID: "enabled"}
	latency := int64(benchLatencyMS)
	reported := 0
	for done := 0; done < total; {
		items := make([]telemetryengine.Item, min(benchBatchSize, total-done))
		for i := range items {
			n := done + i
			at := start.UTC().Add(-time.Duration(n%seedMinutes) * time.Minute)
			callID := "seed-" + strconv.Itoa(n)
			items[i] = telemetryengine.Item{CallID: callID, Record: &telemetryengine.Record{
				CallID: callID, Provider: benchProvider, Model: seedModels[n%len(seedModels)],
				TokensIn: 500, TokensOut: benchTokensOut, CostCents: benchCostCents, LatencyMS: &latency, OccurredAt: &at,
			}}
		}
		err := h.db.InTx(ctx, func(ctx context.Context) error {
			res, err := h.telemetry.Ingest(ctx, telemetryengine.IngestRequest{TenantID: t.ID, KeyIntegrationID: t.IntegrationID,
				Items: items, Integrations: integrations})
			if err != nil {
				return err
			}
			if res.Accepted != len(items) {
				return fmt.Errorf("%d of %d records accepted", res.Accepted, len(items))
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("seed records: %w", err)
		}
		done += len(items)
		if done*10/total > reported {
			reported = done * 10 / total
			elapsed := time.Since(start)
			fmt.Fprintf(progress, "bench: seeded %d/%d records in %v (%.0f records/s)\n",
				done, total, elapsed.Round(100*time.Millisecond), float64(done)/elapsed.Seconds())
		}
	}
	return nil
}
