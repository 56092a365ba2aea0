package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"hoc/l6_drivers/db"
)

// baseline writes the rows hoc's ingest writes, the plainest fast way the
// database allows, into the baseline tenant: the yardstick hoc's ingest
// figures are divided by.
type baseline interface {
	// batches inserts transactions of size rows, each with one
	// rollup upsert, from conns concurrent connections for d; units are rows.
	batches(ctx context.Context, conns, size int, d time.Duration) (loadResult, error)
	// singles inserts one row per autocommit statement from conns
	// concurrent goroutines for d; units are rows.
	singles(ctx context.Context, conns int, d time.Duration) (loadResult, error)
}

// newBaseline returns the baseline of the bench's database.
func newBaseline(dialect db.Dialect, url string, t benchTenant) (baseline, error) {
	rows, err := newBaselineRows(t)
	if err != nil {
		return nil, err
	}
	if dialect == db.DialectPostgres {
		return &postgresBaseline{url: url, rows: rows}, nil
	}
	return newSQLiteBaseline(url, rows)
}

// baselineColumns are the usage_records columns a baseline row sets: every
// NOT NULL column and the latency; the optional text columns stay NULL as
// they do for the bench's records.
const baselineColumns = "id, tenant_id, integration_id, call_id, provider, model, tokens_in, tokens_out, cost_cents, " +
	"cost_micros, latency_ms, policy_result, metadata, occurred_at, received_at, content_hash"

// baselineColumnCount is the number of baselineColumns.
const baselineColumnCount = 16

// insertIgnore ends every baseline insert, as it ends hoc's.
const insertIgnore = " ON CONFLICT (tenant_id, call_id) DO NOTHING"

// rollupUpsertSQL adds one transaction's rows to their usage_daily row, with
// ? placeholders: the key (tenant, day, integration, provider, model), then
// the counters; see baselineRollupArgs.
const rollupUpsertSQL = "INSERT INTO usage_daily (tenant_id, day, integration_id, provider, model, calls, tokens_in, " +
	"tokens_out, cost_cents, cost_micros, latency_sum, latency_count, error_count, blocked_count) " +
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0) " +
	"ON CONFLICT (tenant_id, day, integration_id, provider, model) DO UPDATE SET " +
	"calls = usage_daily.calls + excluded.calls, tokens_in = usage_daily.tokens_in + excluded.tokens_in, " +
	"tokens_out = usage_daily.tokens_out + excluded.tokens_out, cost_cents = usage_daily.cost_cents + excluded.cost_cents, " +
	"cost_micros = usage_daily.cost_micros + excluded.cost_micros, latency_sum = usage_daily.latency_sum + excluded.latency_sum, " +
	"latency_count = usage_daily.latency_count + excluded.latency_count"

// The values hoc's ingest fills in for the bench's records.
const (
	baselinePolicy     = "allowed"
	baselineCostMicros = benchCostCents * 10_000
)

// baselineCallPrefix starts the baseline rows' call ids.
const baselineCallPrefix = "baseline-"

// baselineRows hands out the baseline's rows, with call ids unique to the
// baseline tenant.
type baselineRows struct {
	tenant, integration uuid.UUID
	seq                 atomic.Int64
}

// baselineRow is one usage record: the bench records' shape with what the
// server adds (a UUID v7 id, the times, a 32-byte content hash).
type baselineRow struct {
	id       uuid.UUID
	callID   string
	tokensIn int64
	hash     []byte
	at       time.Time
}

func newBaselineRows(t benchTenant) (*baselineRows, error) {
	tenant, err := uuid.Parse(t.ID)
	if err != nil {
		return nil, fmt.Errorf("baseline tenant id: %w", err)
	}
	integration, err := uuid.Parse(t.IntegrationID)
	if err != nil {
		return nil, fmt.Errorf("baseline integration id: %w", err)
	}
	return &baselineRows{tenant: tenant, integration: integration}, nil
}

// next returns n new rows received at now.
func (g *baselineRows) next(n int, now time.Time) []baselineRow {
	rows := make([]baselineRow, n)
	at := db.UTC(now)
	for i := range rows {
		seq := g.seq.Add(1)
		callID := baselineCallPrefix + strconv.FormatInt(seq, 10)
		hash := sha256.Sum256([]byte(callID))
		rows[i] = baselineRow{id: uuid.Must(uuid.NewV7()), callID: callID, tokensIn: benchTokensIn(seq), hash: hash[:], at: at}
	}
	return rows
}

// values returns the row's values in baselineColumns order, with the ids in
// the form the driver takes.
func (r baselineRow) values(id, tenant, integration any) []any {
	return []any{id, tenant, integration, r.callID, benchProvider, benchModel, r.tokensIn, benchTokensOut, benchCostCents,
		baselineCostMicros, benchLatencyMS, baselinePolicy, benchMetadata, r.at, r.at, r.hash}
}

// baselineRollupArgs returns the parameters of rollupUpsertSQL for rows:
// their usage_daily key, with the ids and the day in the form the driver
// takes, then what they add to it.
func baselineRollupArgs(tenant, day, integration any, rows []baselineRow) []any {
	n := int64(len(rows))
	var tokensIn int64
	for _, r := range rows {
		tokensIn += r.tokensIn
	}
	return []any{tenant, day, integration, benchProvider, benchModel,
		n, tokensIn, n * benchTokensOut, n * benchCostCents, n * baselineCostMicros, n * benchLatencyMS, n}
}

// placeholderRows writes n rows of cols ? placeholders, comma-separated.
func placeholderRows(n, cols int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

// numbered turns ? placeholders into Postgres's $1, $2, ...
func numbered(query string) string {
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r != '?' {
			b.WriteRune(r)
			continue
		}
		n++
		b.WriteString("$" + strconv.Itoa(n))
	}
	return b.String()
}

// rawSummarySQL is the aggregation the usage_daily rollup replaces: what a
// usage summary over the window would cost without it.
const rawSummarySQL = "SELECT integration_id, provider, model, count(*), sum(tokens_in), sum(tokens_out), sum(cost_cents), " +
	"sum(cost_micros), sum(latency_ms), count(latency_ms), count(error_code), " +
	"sum(CASE WHEN policy_result='blocked' THEN 1 ELSE 0 END) " +
	"FROM usage_records WHERE tenant_id = ? AND occurred_at >= ? GROUP BY integration_id, provider, model"

// rawSummaryRuns is how many times the raw aggregation is timed; its p50 is
// the baseline of the summary and daily series.
const rawSummaryRuns = 5

// timeRawSummary times rawSummarySQL over the tenant's default summary
// window (the 30 UTC days ending today) through the graph's database, and
// checks that it counted want records, so that both sides read the same
// data.
func timeRawSummary(ctx context.Context, d *db.DB, tenantID string, want int) ([]time.Duration, error) {
	since := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -29)
	latencies := make([]time.Duration, 0, rawSummaryRuns)
	for range rawSummaryRuns {
		start := time.Now()
		calls, err := rawSummary(ctx, d, tenantID, since)
		if err != nil {
			return nil, fmt.Errorf("raw summary: %w", err)
		}
		latencies = append(latencies, time.Since(start))
		if calls != int64(want) {
			return nil, fmt.Errorf("raw summary counted %d records, want %d", calls, want)
		}
	}
	slices.Sort(latencies)
	return latencies, nil
}

// rawSummary runs rawSummarySQL, reads every row and returns the records
// counted.
func rawSummary(ctx context.Context, d *db.DB, tenantID string, since time.Time) (int64, error) {
	rows, err := d.Conn(ctx).Raw(rawSummarySQL, tenantID, since).Rows()
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var total int64
	for rows.Next() {
		var integration, provider, model string
		var calls int64
		var sums [8]any
		dest := []any{&integration, &provider, &model, &calls}
		for i := range sums {
			dest = append(dest, &sums[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return 0, err
		}
		total += calls
	}
	return total, rows.Err()
}
