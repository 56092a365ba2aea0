package telemetry

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"hoc/l6_drivers/db"
)

// writeRecordsStatement is the Postgres write, one round trip with no
// transaction of its own: the insert, the rollup upsert computed from
// exactly the rows the insert returned, and the lookup of the rows it
// skipped, in one WITH query. Every column is one array parameter, so a
// statement of a thousand rows binds 26 values, not 26,000;
// ids and metadata travel as text and are cast once.
//
// Its parts see one snapshot, taken before the insert: so the final
// SELECT's lookup of stored records finds only records stored before the
// statement, which are exactly the rows the insert skipped — except a row
// that a concurrent transaction stored and committed after the snapshot,
// which the insert waited for and skipped; findSkipped reads those
// afterwards. The rollup upsert takes its rows in key order so that
// concurrent writes lock shared rollup rows in the same order.
var writeRecordsStatement = "WITH input AS (" +
	"SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], " +
	"$8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::text[], $13::text[], $14::text[], " +
	"$15::text[], $16::text[], $17::text[], $18::timestamptz[], $19::timestamptz[], $20::bytea[], $21::bigint[], " +
	"$22::bigint[], $23::bigint[], $24::text[], $25::bigint[], $26::text[]) " +
	"AS r(" + recordColumns + ")), " +
	"ins AS (INSERT INTO usage_records (" + recordColumns + ") " +
	"SELECT id::uuid, tenant_id::uuid, integration_id::uuid, call_id, provider, model, tokens_in, tokens_out, " +
	"cost_cents, cost_micros, latency_ms, session_id, agent_id, policy_result, error_code, error_message, " +
	"metadata::json, occurred_at, received_at, content_hash, cache_read_tokens, cache_write_tokens, reasoning_tokens, " +
	"cost_source, client_cost_cents, price_id::uuid FROM input " +
	"ON CONFLICT (tenant_id, call_id) DO NOTHING " +
	"RETURNING id, tenant_id, call_id, integration_id, provider, model, tokens_in, tokens_out, cost_cents, " +
	"cost_micros, latency_ms, error_code, policy_result, occurred_at, cache_read_tokens, cache_write_tokens, " +
	"reasoning_tokens, cost_source), " +
	"rollup AS (INSERT INTO usage_daily (" + strings.Join(rollupColumns, ", ") + ") " +
	"SELECT tenant_id, (occurred_at AT TIME ZONE 'UTC')::date, integration_id, provider, model, count(*), " +
	"sum(tokens_in), sum(tokens_out), sum(cost_cents), sum(cost_micros), coalesce(sum(latency_ms), 0), " +
	"count(latency_ms), count(*) FILTER (WHERE error_code <> ''), count(*) FILTER (WHERE policy_result = 'blocked'), " +
	"sum(cache_read_tokens), sum(cache_write_tokens), sum(reasoning_tokens), count(*) FILTER (WHERE cost_source = 'unpriced') " +
	"FROM ins GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5" + upsertRollupsTail + ") " +
	"SELECT true, id::text, tenant_id::text, call_id, NULL::bytea FROM ins " +
	"UNION ALL " +
	"SELECT false, u.id::text, u.tenant_id::text, u.call_id, u.content_hash FROM input i " +
	"JOIN usage_records u ON u.tenant_id = i.tenant_id::uuid AND u.call_id = i.call_id " +
	"WHERE NOT EXISTS (SELECT 1 FROM ins WHERE ins.tenant_id = i.tenant_id::uuid AND ins.call_id = i.call_id)"

// writePostgres writes rows, sorted by (tenant_id, call_id), one statement
// per chunk of recordsPerInsert.
func (s *Store) writePostgres(ctx context.Context, rows []RecordRow) (Written, error) {
	var w Written
	for _, c := range chunks(len(rows), s.recordsPerInsert) {
		chunk := rows[c[0]:c[1]]
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

// recordArrays returns rows as one slice per column, in recordColumns
// order, normalised for storage as the SQLite values are.
func recordArrays(rows []RecordRow) []any {
	n := len(rows)
	var (
		ids, tenants, integrations, calls, providers, models = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		tokensIn, tokensOut, cents, micros                   = make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
		latencies                                            = make([]*int64, n)
		sessions, agents, errorCodes, errorMessages          = make([]*string, n), make([]*string, n), make([]*string, n), make([]*string, n)
		policies, metadata                                   = make([]string, n), make([]string, n)
		occurred, received                                   = make([]time.Time, n), make([]time.Time, n)
		hashes                                               = make([][]byte, n)
		cacheRead, cacheWrite, reasoning, clientCents        = make([]int64, n), make([]int64, n), make([]int64, n), make([]*int64, n)
		sources, priceIDs                                    = make([]string, n), make([]*string, n)
	)
	for i, r := range rows {
		ids[i], tenants[i], integrations[i], calls[i], providers[i], models[i] = r.ID, r.TenantID, r.IntegrationID, r.CallID, r.Provider, r.Model
		tokensIn[i], tokensOut[i], cents[i], micros[i] = r.TokensIn, r.TokensOut, r.CostCents, r.CostMicros
		latencies[i] = r.LatencyMS
		sessions[i], agents[i], errorCodes[i], errorMessages[i] = r.SessionID, r.AgentID, r.ErrorCode, r.ErrorMessage
		policies[i], metadata[i] = r.PolicyResult, metadataText(r.Metadata)
		occurred[i], received[i] = db.UTC(r.OccurredAt), db.UTC(r.ReceivedAt)
		hashes[i] = r.ContentHash
		cacheRead[i], cacheWrite[i], reasoning[i], clientCents[i] = r.CacheReadTokens, r.CacheWriteTokens, r.ReasoningTokens, r.ClientCostCents
		sources[i], priceIDs[i] = r.CostSource, r.PriceID
	}
	return []any{ids, tenants, integrations, calls, providers, models, tokensIn, tokensOut, cents, micros, latencies,
		sessions, agents, policies, errorCodes, errorMessages, metadata, occurred, received, hashes,
		cacheRead, cacheWrite, reasoning, sources, clientCents, priceIDs}
}
