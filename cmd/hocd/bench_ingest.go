package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"
)

// The ingest endpoints.
const (
	singleIngestPath = "/api/v1/telemetry/llm-usage"
	batchIngestPath  = "/api/v1/telemetry/llm-usage/batch"
)

// benchBatch measures batch ingest over HTTP, then the batch baseline with
// as many clients for as long.
func benchBatch(ctx context.Context, client *benchClient, base baseline, t benchTenant, opts benchOptions) ([]benchRow, error) {
	var next atomic.Int64
	hoc, err := closedLoop(ctx, opts.batchClients, opts.duration, func(ctx context.Context) (int, error) {
		n := int64(opts.batchSize)
		body, err := marshalBatch("batch-", next.Add(n)-n, opts.batchSize)
		if err != nil {
			return 0, err
		}
		return opts.batchSize, client.postRecords(ctx, batchIngestPath, t, body, http.StatusOK)
	})
	if err != nil {
		return nil, fmt.Errorf("batch ingest: %w", err)
	}
	ref, err := base.batches(ctx, opts.batchClients, opts.batchSize, opts.duration)
	if err != nil {
		return nil, fmt.Errorf("batch baseline: %w", err)
	}
	return []benchRow{{
		Name:        "batch",
		Description: fmt.Sprintf("batch ingest (%d records/request, %d clients)", opts.batchSize, opts.batchClients),
		Hoc:         append(benchFigures{recordsPerS(hoc.perSecond())}, latencyFigures(hoc.latencies)...),
		Baseline:    benchFigures{rowsPerS(ref.perSecond())},
		Ratio:       hoc.perSecond() / ref.perSecond(), RatioOf: "hoc/baseline",
		Target: "≥ 0.6 × baseline",
	}}, nil
}

// benchSingle measures single-record ingest over HTTP while sampling the
// process's RSS, then the single-row baseline with as many clients for as
// long.
func benchSingle(ctx context.Context, h *benchHocd, client *benchClient, base baseline, t benchTenant, opts benchOptions) ([]benchRow, error) {
	var next atomic.Int64
	groupsBefore, err := h.groupCommits()
	if err != nil {
		return nil, err
	}
	rss := startRSSSampler(ctx)
	hoc, err := closedLoop(ctx, opts.clients, opts.duration, func(ctx context.Context) (int, error) {
		body, err := json.Marshal(newWireRecord("single-", next.Add(1)))
		if err != nil {
			return 0, err
		}
		return 1, client.postRecords(ctx, singleIngestPath, t, body, http.StatusCreated)
	})
	rssMB, rssErr := rss.finish()
	if err != nil {
		return nil, fmt.Errorf("single ingest: %w", err)
	}
	groupsAfter, err := h.groupCommits()
	if err != nil {
		return nil, err
	}
	groups := groupsAfter.since(groupsBefore)
	ref, err := base.singles(ctx, opts.clients, opts.duration)
	if err != nil {
		return nil, fmt.Errorf("single baseline: %w", err)
	}
	single := benchRow{
		Name:        "single",
		Description: fmt.Sprintf("single ingest (1 record/request, %d clients)", opts.clients),
		Hoc: append(append(benchFigures{recordsPerS(hoc.perSecond())}, latencyFigures(hoc.latencies)...),
			recordsPerGroup(groups.records/groups.groups), groupWriteMS(1000*groups.seconds/groups.groups)),
		Baseline: benchFigures{rowsPerS(ref.perSecond())},
		Ratio:    hoc.perSecond() / ref.perSecond(), RatioOf: "hoc/baseline",
		Target: "≥ 1.5 × baseline",
	}
	rssRow := benchRow{
		Name:        "rss",
		Description: "RSS during single ingest",
		Hoc:         benchFigures{rssMaxMB(rssMB)},
		Target:      "≤ 150 MB",
		Note: fmt.Sprintf("the whole bench process (server and clients), sampled every %v: an upper bound of one replica's RSS",
			rssSampleEvery),
	}
	if rssErr != nil {
		rssRow.Hoc, rssRow.Note = nil, "not measured: "+rssErr.Error()
	}
	return []benchRow{single, rssRow}, nil
}
