package activity

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

// ApplyRollups adds deltas to usage_daily, creating rows as needed, with one
// upsert per chunk. Deltas with the same key are merged first: Postgres
// refuses an INSERT ... ON CONFLICT DO UPDATE that touches one row twice.
// Rows are written in key order so that concurrent ingests lock shared rows
// in the same order and cannot deadlock.
func (s *Store) ApplyRollups(ctx context.Context, deltas []RollupDelta) error {
	merged := mergeDeltas(deltas)
	for _, c := range chunks(len(merged), s.deltasPerUpsert) {
		chunk := merged[c[0]:c[1]]
		var b strings.Builder
		b.WriteString("INSERT INTO usage_daily (" + strings.Join(rollupColumns, ", ") + ") VALUES ")
		placeholders(&b, len(chunk), len(rollupColumns))
		b.WriteString(upsertRollupsTail)
		args := make([]any, 0, len(chunk)*len(rollupColumns))
		for _, d := range chunk {
			args = append(args, d.TenantID, d.Day, d.IntegrationID, d.Provider, d.Model, d.Calls, d.TokensIn,
				d.TokensOut, d.CostCents, d.CostMicros, d.LatencySum, d.LatencyCount, d.ErrorCount, d.BlockedCount)
		}
		if err := s.db.Conn(ctx).Exec(b.String(), args...).Error; err != nil {
			return fmt.Errorf("apply usage rollups: %w", db.Classify(err))
		}
	}
	return nil
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
