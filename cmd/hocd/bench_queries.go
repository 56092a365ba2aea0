package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"time"
)

// historyPageSize is the page size of the history workloads, the API's
// default.
const historyPageSize = 50

// The dashboard's reads.
const (
	summaryPath = "/api/v1/telemetry/usage-summary"
	dailyPath   = "/api/v1/telemetry/daily-aggregates"
)

// historyFirstPage is the first page of the history workloads; cursor pages
// add &cursor=.
var historyFirstPage = "/api/v1/telemetry/usage-history?limit=" + strconv.Itoa(historyPageSize)

// queryRequests is how many requests each read workload times at most; it
// stops earlier when --duration has passed.
const queryRequests = 300

// benchQueries seeds --records records into a tenant of their own, times
// the dashboard's reads over them one request at a time, then times the raw
// aggregation the rollups replace, the baseline of the summary and the
// daily series.
func benchQueries(ctx context.Context, h *benchHocd, client *benchClient, opts benchOptions, progress io.Writer) ([]benchRow, error) {
	t, err := h.newTenant(ctx, "queries")
	if err != nil {
		return nil, err
	}
	if err := h.seed(ctx, t, opts.records, progress); err != nil {
		return nil, err
	}
	get := func(path string) func(context.Context) (time.Duration, error) {
		return func(ctx context.Context) (time.Duration, error) {
			start := time.Now()
			_, err := client.get(ctx, path, t)
			return time.Since(start), err
		}
	}
	pages := &cursorWalker{client: client, tenant: t}
	workloads := []struct {
		name, description, target string
		call                      func(context.Context) (time.Duration, error)
		vsRaw                     bool
	}{
		{"usage_summary", "GET usage-summary", "p99 ≤ 3 ms", get(summaryPath), true},
		{"daily_aggregates", "GET daily-aggregates", "p99 ≤ 3 ms", get(dailyPath), true},
		{"history_first_page", fmt.Sprintf("GET usage-history, first page of %d", historyPageSize), "p99 ≤ 10 ms", get(historyFirstPage), false},
		{"history_cursor_page", fmt.Sprintf("GET usage-history, cursor page of %d", historyPageSize), "p99 ≤ 10 ms", pages.next, false},
	}
	latencies := make([][]time.Duration, len(workloads))
	for i, w := range workloads {
		if latencies[i], err = sequential(ctx, queryRequests, opts.duration, w.call); err != nil {
			return nil, fmt.Errorf("%s: %w", w.name, err)
		}
	}
	raw, err := timeRawSummary(ctx, h.db, t.ID, opts.records)
	if err != nil {
		return nil, err
	}
	rawP50 := percentile(raw, 50)
	rows := make([]benchRow, len(workloads))
	for i, w := range workloads {
		rows[i] = benchRow{Name: w.name, Description: fmt.Sprintf("%s (%d records)", w.description, opts.records),
			Hoc: latencyFigures(latencies[i]), Target: w.target}
		if w.vsRaw {
			rows[i].Baseline = benchFigures{groupByP50(rawP50), runs(len(raw))}
			rows[i].Ratio, rows[i].RatioOf = ms(rawP50)/ms(percentile(latencies[i], 50)), "baseline/hoc p50"
		}
	}
	return rows, nil
}

// cursorWalker pages through usage-history by cursor from the first page to
// the last and around again. Only the cursor pages are timed.
type cursorWalker struct {
	client *benchClient
	tenant benchTenant
	cursor string
}

func (w *cursorWalker) next(ctx context.Context) (time.Duration, error) {
	if w.cursor == "" {
		body, err := w.client.get(ctx, historyFirstPage, w.tenant)
		if err != nil {
			return 0, err
		}
		if w.cursor, err = nextCursor(body); err != nil {
			return 0, err
		}
		if w.cursor == "" {
			return 0, errors.New("usage-history has a single page")
		}
	}
	start := time.Now()
	body, err := w.client.get(ctx, historyFirstPage+"&cursor="+url.QueryEscape(w.cursor), w.tenant)
	took := time.Since(start)
	if err != nil {
		return 0, err
	}
	w.cursor, err = nextCursor(body)
	return took, err
}

// nextCursor reads meta.next_cursor of a history page; it is empty on the
// last page.
func nextCursor(body []byte) (string, error) {
	var page struct {
		Meta struct {
			NextCursor string `json:"next_cursor"`
		} `json:"meta"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		return "", fmt.Errorf("usage-history page: %w", err)
	}
	return page.Meta.NextCursor, nil
}
