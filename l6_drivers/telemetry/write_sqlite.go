package telemetry

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"hoc/l6_drivers/db"
)

// writeSQLite writes rows, sorted by (tenant_id, call_id), in one
// transaction: the insert of each chunk, the lookup of the rows it skipped,
// and the rollup upsert of exactly the rows it stored — the three parts of
// the Postgres statement.
func (s *Store) writeSQLite(ctx context.Context, rows []RecordRow) (Written, error) {
	var w Written
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		scan := func(r *sql.Rows) error {
			var ins Inserted
			if err := r.Scan(&ins.ID, &ins.TenantID, &ins.CallID); err != nil {
				return err
			}
			w.Inserted = append(w.Inserted, ins)
			return nil
		}
		for _, c := range chunks(len(rows), s.recordsPerInsert) {
			query, args := insertSQLite(rows[c[0]:c[1]])
			if err := s.db.Query(ctx, query, args, scan); err != nil {
				return fmt.Errorf("insert usage records: %w", err)
			}
		}
		var err error
		if w.Existing, err = s.findSkipped(ctx, rows, w.Inserted, nil); err != nil {
			return err
		}
		deltas := rollupDeltas(rows, w.Inserted)
		for _, c := range chunks(len(deltas), s.deltasPerUpsert) {
			query, args := upsertRollupsSQLite(deltas[c[0]:c[1]])
			if err := s.db.Exec(ctx, query, args...); err != nil {
				return fmt.Errorf("apply usage rollups: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return Written{}, err
	}
	return w, nil
}

// insertSQLite is the insert of one chunk: a multi-row VALUES list.
func insertSQLite(rows []RecordRow) (string, []any) {
	var b strings.Builder
	b.WriteString("INSERT INTO usage_records (" + recordColumns + ") VALUES ")
	placeholders(&b, len(rows), recordColumnCount)
	b.WriteString(" ON CONFLICT (tenant_id, call_id) DO NOTHING RETURNING id, tenant_id, call_id")
	args := make([]any, 0, len(rows)*recordColumnCount)
	for _, r := range rows {
		args = append(args,
			r.ID, r.TenantID, r.IntegrationID, r.CallID, r.Provider, r.Model, r.TokensIn, r.TokensOut, r.CostCents,
			r.CostMicros, r.LatencyMS, r.SessionID, r.AgentID, r.PolicyResult, r.ErrorCode, r.ErrorMessage,
			metadataText(r.Metadata), db.UTC(r.OccurredAt), db.UTC(r.ReceivedAt), r.ContentHash,
			r.CacheReadTokens, r.CacheWriteTokens, r.ReasoningTokens, r.CostSource, r.ClientCostCents, r.PriceID)
	}
	return b.String(), args
}

// rollupDelta is what some records add to one row of usage_daily: its key
// (Day is the UTC calendar day, 'YYYY-MM-DD') and its counters in
// rollupColumns order.
type rollupDelta struct {
	key      [5]string // tenant_id, day, integration_id, provider, model
	counters [counterCount]int64
}

// rollupDeltas is what the inserted rows add to the daily rollups, one
// delta per rollup row in key order: the sums the Postgres statement
// computes with GROUP BY.
func rollupDeltas(rows []RecordRow, inserted []Inserted) []rollupDelta {
	stored := make(map[[2]string]bool, len(inserted))
	for _, ins := range inserted {
		stored[[2]string{ins.TenantID, ins.CallID}] = true
	}
	byKey := make(map[[5]string]int)
	var deltas []rollupDelta
	for _, r := range rows {
		if !stored[[2]string{r.TenantID, r.CallID}] {
			continue
		}
		key := [5]string{r.TenantID, r.OccurredAt.UTC().Format("2006-01-02"), r.IntegrationID, r.Provider, r.Model}
		i, ok := byKey[key]
		if !ok {
			i = len(deltas)
			byKey[key] = i
			deltas = append(deltas, rollupDelta{key: key})
		}
		var latencySum, latencyCount, errorCount, blockedCount, unpriced int64
		if r.LatencyMS != nil {
			latencySum, latencyCount = *r.LatencyMS, 1
		}
		if r.ErrorCode != nil && *r.ErrorCode != "" {
			errorCount = 1
		}
		if r.PolicyResult == "blocked" {
			blockedCount = 1
		}
		if r.CostSource == "unpriced" {
			unpriced = 1
		}
		add := [counterCount]int64{1, r.TokensIn, r.TokensOut, r.CostCents, r.CostMicros, latencySum, latencyCount,
			errorCount, blockedCount, r.CacheReadTokens, r.CacheWriteTokens, r.ReasoningTokens, unpriced}
		for j, v := range add {
			deltas[i].counters[j] += v
		}
	}
	slices.SortFunc(deltas, func(a, b rollupDelta) int {
		for j := range a.key {
			if c := cmp.Compare(a.key[j], b.key[j]); c != 0 {
				return c
			}
		}
		return 0
	})
	return deltas
}

// upsertRollupsSQLite adds one chunk of deltas to usage_daily, creating
// rows as needed: a multi-row VALUES list.
func upsertRollupsSQLite(deltas []rollupDelta) (string, []any) {
	var b strings.Builder
	b.WriteString("INSERT INTO usage_daily (" + strings.Join(rollupColumns, ", ") + ") VALUES ")
	placeholders(&b, len(deltas), len(rollupColumns))
	b.WriteString(upsertRollupsTail)
	args := make([]any, 0, len(deltas)*len(rollupColumns))
	for _, d := range deltas {
		for _, k := range d.key {
			args = append(args, k)
		}
		for _, v := range d.counters {
			args = append(args, v)
		}
	}
	return b.String(), args
}
