package telemetry

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"hoc/l6_drivers/db"
)

// Written is the outcome of WriteRecords: the rows it stored, and for every
// other row the record already stored under its (tenant_id, call_id).
type Written struct {
	Inserted []Inserted
	Existing []Existing
}

// WriteRecords stores the rows that are new, adds exactly those to the daily
// rollups, and finds the stored record of every row it skipped — atomically:
// in the transaction of ctx when there is one, else on its own. It is the
// whole write of an ingest.
//
// On Postgres it is one statement (one round trip, no transaction of its
// own needed): the insert, the rollup upsert computed from the rows the
// insert returned, and the lookup of the skipped rows, in one WITH query.
// On SQLite, where a statement costs no round trip but WITH cannot hold an
// INSERT, it is InsertRecords, FindByCallIDs and ApplyRollups in one
// transaction.
func (s *Store) WriteRecords(ctx context.Context, rows []RecordRow) (Written, error) {
	if len(rows) == 0 {
		return Written{}, nil
	}
	if s.db.Dialect() == db.DialectPostgres {
		return s.writeRecordsPostgres(ctx, rows)
	}
	var w Written
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		inserted, err := s.InsertRecords(ctx, rows)
		if err != nil {
			return err
		}
		w.Inserted = inserted
		if w.Existing, err = s.findSkipped(ctx, rows, inserted, nil); err != nil {
			return err
		}
		return s.ApplyRollups(ctx, rollupDeltas(rows, inserted))
	})
	if err != nil {
		return Written{}, err
	}
	return w, nil
}

// writeRecordsStatement is the Postgres write. Its parts see one snapshot,
// taken before the insert: so the final SELECT's lookup of stored records
// finds only records stored before the statement, which are exactly the
// rows the insert skipped — except a row that a concurrent transaction
// stored and committed after the snapshot, which the insert waited for and
// skipped; findSkipped reads those afterwards. The rollup upsert takes its
// rows in key order so that concurrent writes lock shared rollup rows in the
// same order.
var writeRecordsStatement = "WITH input AS (" +
	"SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], " +
	"$8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::text[], $13::text[], $14::text[], " +
	"$15::text[], $16::text[], $17::text[], $18::timestamptz[], $19::timestamptz[], $20::bytea[]) " +
	"AS r(" + recordColumns + ")), " +
	"ins AS (INSERT INTO usage_records (" + recordColumns + ") " +
	"SELECT id::uuid, tenant_id::uuid, integration_id::uuid, call_id, provider, model, tokens_in, tokens_out, " +
	"cost_cents, cost_micros, latency_ms, session_id, agent_id, policy_result, error_code, error_message, " +
	"metadata::json, occurred_at, received_at, content_hash FROM input " +
	"ON CONFLICT (tenant_id, call_id) DO NOTHING " +
	"RETURNING id, tenant_id, call_id, integration_id, provider, model, tokens_in, tokens_out, cost_cents, " +
	"cost_micros, latency_ms, error_code, policy_result, occurred_at), " +
	"rollup AS (INSERT INTO usage_daily (" + strings.Join(rollupColumns, ", ") + ") " +
	"SELECT tenant_id, (occurred_at AT TIME ZONE 'UTC')::date, integration_id, provider, model, count(*), " +
	"sum(tokens_in), sum(tokens_out), sum(cost_cents), sum(cost_micros), coalesce(sum(latency_ms), 0), " +
	"count(latency_ms), count(*) FILTER (WHERE error_code <> ''), count(*) FILTER (WHERE policy_result = 'blocked') " +
	"FROM ins GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5" + upsertRollupsTail + ") " +
	"SELECT true, id::text, tenant_id::text, call_id, NULL::bytea FROM ins " +
	"UNION ALL " +
	"SELECT false, u.id::text, u.tenant_id::text, u.call_id, u.content_hash FROM input i " +
	"JOIN usage_records u ON u.tenant_id = i.tenant_id::uuid AND u.call_id = i.call_id " +
	"WHERE NOT EXISTS (SELECT 1 FROM ins WHERE ins.tenant_id = i.tenant_id::uuid AND ins.call_id = i.call_id)"

func (s *Store) writeRecordsPostgres(ctx context.Context, rows []RecordRow) (Written, error) {
	sorted := sortedByCall(rows)
	var w Written
	for _, c := range chunks(len(sorted), s.recordsPerInsert) {
		chunk := sorted[c[0]:c[1]]
		var found []Existing
		scan := func(r *sql.Rows) error {
			var inserted bool
			var ex Existing
			if err := r.Scan(&inserted, &ex.ID, &ex.TenantID, &ex.CallID, &ex.ContentHash); err != nil {
				return err
			}
			if inserted {
				w.Inserted = append(w.Inserted, Inserted{ID: ex.ID, TenantID: ex.TenantID, CallID: ex.CallID})
			} else {
				found = append(found, ex)
			}
			return nil
		}
		before := len(w.Inserted)
		if err := s.db.Query(ctx, writeRecordsStatement, recordArrays(chunk), scan); err != nil {
			return Written{}, fmt.Errorf("write usage records: %w", err)
		}
		rest, err := s.findSkipped(ctx, chunk, w.Inserted[before:], found)
		if err != nil {
			return Written{}, err
		}
		w.Existing = append(w.Existing, rest...)
	}
	return w, nil
}

// findSkipped returns the stored records of the rows that were not
// inserted: found, plus those it reads now for the rows found lacks.
func (s *Store) findSkipped(ctx context.Context, rows []RecordRow, inserted []Inserted, found []Existing) ([]Existing, error) {
	known := make(map[[2]string]bool, len(inserted)+len(found))
	for _, ins := range inserted {
		known[[2]string{ins.TenantID, ins.CallID}] = true
	}
	for _, ex := range found {
		known[[2]string{ex.TenantID, ex.CallID}] = true
	}
	missing := make(map[string][]string) // tenant → call ids
	for _, r := range rows {
		if !known[[2]string{r.TenantID, r.CallID}] {
			missing[r.TenantID] = append(missing[r.TenantID], r.CallID)
		}
	}
	for tenantID, callIDs := range missing {
		more, err := s.FindByCallIDs(ctx, tenantID, callIDs)
		if err != nil {
			return nil, err
		}
		found = append(found, more...)
	}
	return found, nil
}

// rollupDeltas is what the inserted rows add to the daily rollups: the same
// sums as the Postgres statement computes.
func rollupDeltas(rows []RecordRow, inserted []Inserted) []RollupDelta {
	stored := make(map[[2]string]bool, len(inserted))
	for _, ins := range inserted {
		stored[[2]string{ins.TenantID, ins.CallID}] = true
	}
	deltas := make([]RollupDelta, 0, len(inserted))
	for _, r := range rows {
		if !stored[[2]string{r.TenantID, r.CallID}] {
			continue
		}
		d := RollupDelta{
			TenantID: r.TenantID, Day: r.OccurredAt.UTC().Format("2006-01-02"), IntegrationID: r.IntegrationID,
			Provider: r.Provider, Model: r.Model, Calls: 1, TokensIn: r.TokensIn, TokensOut: r.TokensOut,
			CostCents: r.CostCents, CostMicros: r.CostMicros,
		}
		if r.LatencyMS != nil {
			d.LatencySum, d.LatencyCount = *r.LatencyMS, 1
		}
		if r.ErrorCode != nil && *r.ErrorCode != "" {
			d.ErrorCount = 1
		}
		if r.PolicyResult == "blocked" {
			d.BlockedCount = 1
		}
		deltas = append(deltas, d)
	}
	return deltas
}
