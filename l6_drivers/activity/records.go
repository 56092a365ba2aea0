package activity

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"hoc/l6_drivers/db"
)

// RecordRow is one usage record with every column of usage_records.
// Metadata is a JSON object; nil or empty means {}. Postgres stores it as
// jsonb, so it reads back semantically equal, not byte for byte.
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
	ID     string
	CallID string
}

// Existing is what idempotency needs of a stored record: its id, to answer a
// duplicate with the original, and its content hash, to tell a duplicate
// from a conflict.
type Existing struct {
	ID          string
	CallID      string
	ContentHash []byte
}

// recordColumns are the columns InsertRecords writes, in the order of
// recordArgs. The first is a string on purpose: gorm expands a slice bound
// right after "(", so a []byte must never come first in a row.
const recordColumns = "id, tenant_id, integration_id, call_id, provider, model, tokens_in, tokens_out, cost_cents, " +
	"cost_micros, latency_ms, session_id, agent_id, policy_result, error_code, error_message, metadata, " +
	"occurred_at, received_at, content_hash"

const recordColumnCount = 20

// InsertRecords stores rows that are new and silently skips those whose
// (tenant_id, call_id) is already stored, in one statement per chunk; it
// returns the rows it stored, in no particular order. The database decides,
// so two concurrent ingests of one call_id can never both store it. The
// caller assigns ids (UUID v7) and received_at, and the content hash.
//
// Rows are written in (tenant_id, call_id) order so that concurrent
// transactions take the unique index's locks in the same order and cannot
// deadlock on each other.
func (s *Store) InsertRecords(ctx context.Context, rows []RecordRow) ([]Inserted, error) {
	sorted := slices.Clone(rows)
	slices.SortFunc(sorted, func(a, b RecordRow) int {
		return cmp.Or(strings.Compare(a.TenantID, b.TenantID), strings.Compare(a.CallID, b.CallID))
	})
	inserted := make([]Inserted, 0, len(rows))
	for _, c := range chunks(len(sorted), s.recordsPerInsert) {
		chunk := sorted[c[0]:c[1]]
		var b strings.Builder
		b.WriteString("INSERT INTO usage_records (" + recordColumns + ") VALUES ")
		placeholders(&b, len(chunk), recordColumnCount)
		b.WriteString(" ON CONFLICT (tenant_id, call_id) DO NOTHING RETURNING id, call_id")
		args := make([]any, 0, len(chunk)*recordColumnCount)
		for _, r := range chunk {
			args = append(args, recordArgs(r)...)
		}
		var got []Inserted
		if err := s.db.Conn(ctx).Raw(b.String(), args...).Find(&got).Error; err != nil {
			return nil, fmt.Errorf("insert usage records: %w", db.Classify(err))
		}
		inserted = append(inserted, got...)
	}
	return inserted, nil
}

// recordArgs returns r's values in recordColumns order, normalised for
// storage: times in UTC at microsecond precision, metadata as JSON text (a
// string, so that SQLite stores text rather than a blob).
func recordArgs(r RecordRow) []any {
	metadata := string(r.Metadata)
	if len(r.Metadata) == 0 {
		metadata = "{}"
	}
	return []any{
		r.ID, r.TenantID, r.IntegrationID, r.CallID, r.Provider, r.Model, r.TokensIn, r.TokensOut, r.CostCents,
		r.CostMicros, r.LatencyMS, r.SessionID, r.AgentID, r.PolicyResult, r.ErrorCode, r.ErrorMessage, metadata,
		db.UTC(r.OccurredAt), db.UTC(r.ReceivedAt), r.ContentHash,
	}
}

// FindByCallIDs returns the tenant's stored records among callIDs, one query
// per thousand ids; call ids that name none are absent.
func (s *Store) FindByCallIDs(ctx context.Context, tenantID string, callIDs []string) ([]Existing, error) {
	found := make([]Existing, 0, len(callIDs))
	for _, c := range chunks(len(callIDs), inListChunk) {
		var got []Existing
		err := s.db.Conn(ctx).Raw("SELECT id, call_id, content_hash FROM usage_records WHERE tenant_id = ? AND call_id IN ?",
			tenantID, callIDs[c[0]:c[1]]).Find(&got).Error
		if err != nil {
			return nil, fmt.Errorf("find usage records by call id: %w", db.Classify(err))
		}
		found = append(found, got...)
	}
	return found, nil
}
