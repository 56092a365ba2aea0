package main

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"

	spine "hoc/l4_spine"
	accountops "hoc/l4_spine/account"
	telemetryengine "hoc/l5_engines/telemetry"
)

// benchPricingRounds is how many times the pricing workload alternates its
// two tenants, so that both see the same drift in the machine's load.
const benchPricingRounds = 4

// benchPricing measures batch ingest of records without cost_micros for a
// tenant whose records hoc prices from the price table (pricing on) next to
// the same load for a tenant set to keep its clients' figures (pricing
// off), alternating in rounds of a quarter of --duration each, in turn first. Issue 17's
// target is pricing on at most 5% slower: the table is cached, so a price
// lookup costs no database round trip.
func benchPricing(ctx context.Context, h *benchHocd, client *benchClient, opts benchOptions) ([]benchRow, error) {
	on, err := h.newTenant(ctx, "pricing on")
	if err != nil {
		return nil, err
	}
	off, err := h.newTenant(ctx, "pricing off")
	if err != nil {
		return nil, err
	}
	clientFigures := telemetryengine.CostSourceClient
	if _, err := h.tenants.Update(spine.WithActor(ctx, cliActor()), accountops.TenantChanges{TenantID: off.ID, CostSource: &clientFigures}); err != nil {
		return nil, fmt.Errorf("set the pricing-off tenant's cost_source: %w", describe(err))
	}
	var next atomic.Int64
	round := opts.duration / benchPricingRounds
	var onResult, offResult loadResult
	type side struct {
		t   benchTenant
		sum *loadResult
	}
	for i := range benchPricingRounds {
		// Each round swaps which side goes first, so that neither always
		// follows the other's writes (vacuum, checkpoints).
		sides := []side{{on, &onResult}, {off, &offResult}}
		if i%2 == 1 {
			sides[0], sides[1] = sides[1], sides[0]
		}
		for _, side := range sides {
			r, err := closedLoop(ctx, opts.batchClients, round, func(ctx context.Context) (int, error) {
				n := int64(opts.batchSize)
				body, err := marshalBatch("pricing-", next.Add(n)-n, opts.batchSize)
				if err != nil {
					return 0, err
				}
				return opts.batchSize, client.postRecords(ctx, batchIngestPath, side.t, body, http.StatusOK)
			})
			if err != nil {
				return nil, fmt.Errorf("pricing workload: %w", err)
			}
			side.sum.units += r.units
			side.sum.elapsed += r.elapsed
		}
	}
	return []benchRow{{
		Name:        "pricing",
		Description: fmt.Sprintf("batch ingest priced by hoc vs client figures (%d clients, %d rounds)", opts.batchClients, benchPricingRounds),
		Hoc:         benchFigures{recordsPerS(onResult.perSecond())},
		Baseline:    benchFigures{recordsPerS(offResult.perSecond())},
		Ratio:       onResult.perSecond() / offResult.perSecond(), RatioOf: "priced/unpriced",
		Target: "≥ 0.95 × unpriced",
	}}, nil
}
