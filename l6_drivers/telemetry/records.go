package telemetry

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"hoc/l6_drivers/db"
)

// RecordRow is one usage record with every column of usage_records.
// Metadata is a JSON object; nil or empty means {}. Both backends store and
// return it byte for byte (a json column on Postgres, text on SQLite).
type RecordRow struct {
	ID            string
	TenantID      string
	IntegrationID string
	CallID        string
	Provider      string
	Model         string
	TokensIn      int64
	TokensOut     int64
	CostCents     int64
	CostMicros    int64
	LatencyMS     *int64
	SessionID     *string
	AgentID       *string
	PolicyResult  string
	ErrorCode     *string
	ErrorMessage  *string
	Metadata      []byte
	OccurredAt    time.Time
	ReceivedAt    time.Time
	ContentHash   []byte
}

// Inserted names a record that InsertRecords stored.
type Inserted struct {
	ID       string
	TenantID string
	CallID   string
}

// Existing is what idempotency needs of a stored record: its id, to answer a
// duplicate with the original, and its content hash, to tell a duplicate
// from a conflict.
type Existing struct {
	ID          string
	TenantID    string
	CallID      string
	ContentHash []byte
}

// recordColumns are the columns InsertRecords writes, in the order of
// recordArgs.
const recordColumns = "id, tenant_id, integration_id, call_id, provider, model, tokens_in, tokens_out, cost_cents, " +
	"cost_micros, latency_ms, session_id, agent_id, policy_result, error_code, error_message, metadata, " +
	"occurred_at, received_at, content_hash"

const recordColumnCount = 20

// insertRecordsUnnest is the Postgres insert: every column is one array
// parameter, so a statement of a thousand rows binds twenty values, not
// twenty thousand. Ids and metadata travel as text and are cast once.
const insertRecordsUnnest = "INSERT INTO usage_records (" + recordColumns + ") " +
	"SELECT id::uuid, tenant_id::uuid, integration_id::uuid, call_id, provider, model, tokens_in, tokens_out, " +
	"cost_cents, cost_micros, latency_ms, session_id, agent_id, policy_result, error_code, error_message, " +
	"metadata::json, occurred_at, received_at, content_hash " +
	"FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], " +
	"$8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::text[], $13::text[], $14::text[], " +
	"$15::text[], $16::text[], $17::text[], $18::timestamptz[], $19::timestamptz[], $20::bytea[]) " +
	"AS r(" + recordColumns + ") " +
	"ON CONFLICT (tenant_id, call_id) DO NOTHING RETURNING id, tenant_id, call_id"

// InsertRecords stores rows that are new and silently skips those whose
// (tenant_id, call_id) is already stored; it returns the rows it stored, in
// no particular order. The database decides, so two concurrent ingests of
// one call_id can never both store it. The caller assigns ids (UUID v7),
// received_at and the content hash. Rows may belong to several tenants.
//
// Rows are written in (tenant_id, call_id) order so that concurrent
// transactions take the unique index's locks in the same order and cannot
// deadlock on each other.
func (s *Store) InsertRecords(ctx context.Context, rows []RecordRow) ([]Inserted, error) {
	sorted := sortedByCall(rows)
	inserted := make([]Inserted, 0, len(rows))
	scan := func(r *sql.Rows) error {
		var ins Inserted
		if err := r.Scan(&ins.ID, &ins.TenantID, &ins.CallID); err != nil {
			return err
		}
		inserted = append(inserted, ins)
		return nil
	}
	for _, c := range chunks(len(sorted), s.recordsPerInsert) {
		query, args := s.insertRecordsStatement(sorted[c[0]:c[1]])
		if err := s.db.Query(ctx, query, args, scan); err != nil {
			return nil, fmt.Errorf("insert usage records: %w", err)
		}
	}
	return inserted, nil
}

// sortedByCall returns rows in (tenant_id, call_id) order, the order in which
// every write takes the unique index's locks.
func sortedByCall(rows []RecordRow) []RecordRow {
	sorted := slices.Clone(rows)
	slices.SortFunc(sorted, func(a, b RecordRow) int {
		return cmp.Or(strings.Compare(a.TenantID, b.TenantID), strings.Compare(a.CallID, b.CallID))
	})
	return sorted
}

// insertRecordsStatement is the insert of one chunk: column arrays on
// Postgres, a multi-row VALUES list on SQLite.
func (s *Store) insertRecordsStatement(rows []RecordRow) (string, []any) {
	if s.db.Dialect() == db.DialectPostgres {
		return insertRecordsUnnest, recordArrays(rows)
	}
	var b strings.Builder
	b.WriteString("INSERT INTO usage_records (" + recordColumns + ") VALUES ")
	placeholders(&b, len(rows), recordColumnCount)
	b.WriteString(" ON CONFLICT (tenant_id, call_id) DO NOTHING RETURNING id, tenant_id, call_id")
	args := make([]any, 0, len(rows)*recordColumnCount)
	for _, r := range rows {
		args = append(args,
			r.ID, r.TenantID, r.IntegrationID, r.CallID, r.Provider, r.Model, r.TokensIn, r.TokensOut, r.CostCents,
			r.CostMicros, r.LatencyMS, r.SessionID, r.AgentID, r.PolicyResult, r.ErrorCode, r.ErrorMessage,
			metadataText(r.Metadata), db.UTC(r.OccurredAt), db.UTC(r.ReceivedAt), r.ContentHash)
	}
	return b.String(), args
}

// recordArrays returns rows as one slice per column, in recordColumns
// order, normalised for storage like the SQLite values.
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
	)
	for i, r := range rows {
		ids[i], tenants[i], integrations[i], calls[i], providers[i], models[i] = r.ID, r.TenantID, r.IntegrationID, r.CallID, r.Provider, r.Model
		tokensIn[i], tokensOut[i], cents[i], micros[i] = r.TokensIn, r.TokensOut, r.CostCents, r.CostMicros
		latencies[i] = r.LatencyMS
		sessions[i], agents[i], errorCodes[i], errorMessages[i] = r.SessionID, r.AgentID, r.ErrorCode, r.ErrorMessage
		policies[i], metadata[i] = r.PolicyResult, metadataText(r.Metadata)
		occurred[i], received[i] = db.UTC(r.OccurredAt), db.UTC(r.ReceivedAt)
		hashes[i] = r.ContentHash
	}
	return []any{ids, tenants, integrations, calls, providers, models, tokensIn, tokensOut, cents, micros, latencies,
		sessions, agents, policies, errorCodes, errorMessages, metadata, occurred, received, hashes}
}

// metadataText is the stored metadata: JSON text, so that SQLite stores text
// rather than a blob; empty means {}.
func metadataText(m []byte) string {
	if len(m) == 0 {
		return "{}"
	}
	return string(m)
}

// FindByCallIDs returns the tenant's stored records among callIDs, one query
// per thousand ids; call ids that name none are absent.
func (s *Store) FindByCallIDs(ctx context.Context, tenantID string, callIDs []string) ([]Existing, error) {
	found := make([]Existing, 0, len(callIDs))
	for _, c := range chunks(len(callIDs), inListChunk) {
		var got []Existing
		err := s.db.Conn(ctx).Raw("SELECT id, tenant_id, call_id, content_hash FROM usage_records WHERE tenant_id = ? AND call_id IN ?",
			tenantID, callIDs[c[0]:c[1]]).Find(&got).Error
		if err != nil {
			return nil, fmt.Errorf("find usage records by call id: %w", db.Classify(err))
		}
		found = append(found, got...)
	}
	return found, nil
}
