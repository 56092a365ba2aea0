package telemetry

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"hoc/l6_drivers/db"
)

// RollupDelta is what some records add to one row of usage_daily. Day is the
// UTC calendar day of the records' occurred_at, 'YYYY-MM-DD'; the caller
// derives it.
type RollupDelta struct {
	TenantID      string
	Day           string
	IntegrationID string
	Provider      string
	Model         string
	Calls         int64
	TokensIn      int64
	TokensOut     int64
	CostCents     int64
	CostMicros    int64
	LatencySum    int64
	LatencyCount  int64
	ErrorCount    int64
	BlockedCount  int64
}

// rollupKey is the primary key of usage_daily.
type rollupKey struct {
	tenantID, day, integrationID, provider, model string
}

func (d RollupDelta) key() rollupKey {
	return rollupKey{d.TenantID, d.Day, d.IntegrationID, d.Provider, d.Model}
}

func (k rollupKey) compare(o rollupKey) int {
	return cmp.Or(strings.Compare(k.tenantID, o.tenantID), strings.Compare(k.day, o.day),
		strings.Compare(k.integrationID, o.integrationID), strings.Compare(k.provider, o.provider),
		strings.Compare(k.model, o.model))
}

// rollupColumns are the columns of usage_daily in the order of rollupArgs;
// the first five are the key, the rest counters.
var rollupColumns = []string{"tenant_id", "day", "integration_id", "provider", "model", "calls", "tokens_in",
	"tokens_out", "cost_cents", "cost_micros", "latency_sum", "latency_count", "error_count", "blocked_count"}

// upsertRollupsTail adds each new delta to the row it already has, if any.
var upsertRollupsTail = func() string {
	counters := rollupColumns[5:]
	set := make([]string, len(counters))
	for i, c := range counters {
		set[i] = c + " = usage_daily." + c + " + excluded." + c
	}
	return " ON CONFLICT (" + strings.Join(rollupColumns[:5], ", ") + ") DO UPDATE SET " + strings.Join(set, ", ")
}()

// upsertRollupsUnnest is the Postgres upsert: one array parameter per
// column, as for the records.
var upsertRollupsUnnest = "INSERT INTO usage_daily (" + strings.Join(rollupColumns, ", ") + ") " +
	"SELECT tenant_id::uuid, day::date, integration_id::uuid, provider, model, calls, tokens_in, tokens_out, " +
	"cost_cents, cost_micros, latency_sum, latency_count, error_count, blocked_count " +
	"FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], " +
	"$8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[]) " +
	"AS d(" + strings.Join(rollupColumns, ", ") + ")" + upsertRollupsTail

// ApplyRollups adds deltas to usage_daily, creating rows as needed, with one
// upsert per chunk. Deltas with the same key are merged first: Postgres
// refuses an INSERT ... ON CONFLICT DO UPDATE that touches one row twice.
// Rows are written in key order so that concurrent ingests lock shared rows
// in the same order and cannot deadlock.
func (s *Store) ApplyRollups(ctx context.Context, deltas []RollupDelta) error {
	merged := mergeDeltas(deltas)
	for _, c := range chunks(len(merged), s.deltasPerUpsert) {
		query, args := s.upsertRollupsStatement(merged[c[0]:c[1]])
		if err := s.db.Exec(ctx, query, args...); err != nil {
			return fmt.Errorf("apply usage rollups: %w", err)
		}
	}
	return nil
}

// upsertRollupsStatement is the upsert of one chunk: column arrays on
// Postgres, a multi-row VALUES list on SQLite.
func (s *Store) upsertRollupsStatement(deltas []RollupDelta) (string, []any) {
	if s.db.Dialect() == db.DialectPostgres {
		n := len(deltas)
		keys := [5][]string{make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)}
		var counters [9][]int64
		for j := range counters {
			counters[j] = make([]int64, n)
		}
		for i, d := range deltas {
			keys[0][i], keys[1][i], keys[2][i], keys[3][i], keys[4][i] = d.TenantID, d.Day, d.IntegrationID, d.Provider, d.Model
			for j, v := range d.counters() {
				counters[j][i] = v
			}
		}
		args := make([]any, 0, len(rollupColumns))
		for _, k := range keys {
			args = append(args, k)
		}
		for _, c := range counters {
			args = append(args, c)
		}
		return upsertRollupsUnnest, args
	}
	var b strings.Builder
	b.WriteString("INSERT INTO usage_daily (" + strings.Join(rollupColumns, ", ") + ") VALUES ")
	placeholders(&b, len(deltas), len(rollupColumns))
	b.WriteString(upsertRollupsTail)
	args := make([]any, 0, len(deltas)*len(rollupColumns))
	for _, d := range deltas {
		args = append(args, d.TenantID, d.Day, d.IntegrationID, d.Provider, d.Model)
		for _, v := range d.counters() {
			args = append(args, v)
		}
	}
	return b.String(), args
}

// counters returns d's counters in rollupColumns order.
func (d RollupDelta) counters() [9]int64 {
	return [9]int64{d.Calls, d.TokensIn, d.TokensOut, d.CostCents, d.CostMicros, d.LatencySum, d.LatencyCount,
		d.ErrorCount, d.BlockedCount}
}

// mergeDeltas sums deltas that share a key and returns one per key, sorted
// by key.
func mergeDeltas(deltas []RollupDelta) []RollupDelta {
	byKey := make(map[rollupKey]int, len(deltas))
	merged := make([]RollupDelta, 0, len(deltas))
	for _, d := range deltas {
		i, ok := byKey[d.key()]
		if !ok {
			byKey[d.key()] = len(merged)
			merged = append(merged, d)
			continue
		}
		m := &merged[i]
		m.Calls += d.Calls
		m.TokensIn += d.TokensIn
		m.TokensOut += d.TokensOut
		m.CostCents += d.CostCents
		m.CostMicros += d.CostMicros
		m.LatencySum += d.LatencySum
		m.LatencyCount += d.LatencyCount
		m.ErrorCount += d.ErrorCount
		m.BlockedCount += d.BlockedCount
	}
	slices.SortFunc(merged, func(a, b RollupDelta) int { return a.key().compare(b.key()) })
	return merged
}
