package telemetry

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"hoc/l6_drivers/db"
	models "hoc/l7_models"
)

// dayLayout is a UTC calendar day as usage_daily.day and HistoryQuery hold it.
const dayLayout = "2006-01-02"

// Cursor is the position of the last record of a history page.
type Cursor struct {
	OccurredAt time.Time
	ID         string
}

// HistoryQuery selects one page of a tenant's records, newest first.
// IntegrationID, when set, narrows it to one integration; From and To, when
// set, to the records whose occurred_at falls on or after From and on or
// before To, inclusive UTC days 'YYYY-MM-DD' (the days the rollups put them
// on). With After the page starts just past that record (keyset paging) and
// Offset should be 0; without it Offset skips records. Limit must be
// positive.
type HistoryQuery struct {
	TenantID      string
	IntegrationID string
	From, To      string
	Limit         int
	Offset        int
	After         *Cursor
}

// ListRecords returns one page ordered by occurred_at, then id, both
// descending. The id breaks ties, so the order is total and walking pages
// by cursor never skips or repeats a record. The keyset condition is written
// as occurred_at <= t AND (occurred_at < t OR id < i): its first half bounds
// the range of the (tenant_id[, integration_id], occurred_at, id) index, so
// a cursor page reads one page of the index wherever it starts, on both
// backends; the second only filters the records that share t.
func (s *Store) ListRecords(ctx context.Context, q HistoryQuery) ([]RecordRow, error) {
	if q.Limit <= 0 {
		return []RecordRow{}, nil
	}
	query, err := s.records(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("list usage records: %w", err)
	}
	if q.After != nil {
		id, err := uuid.Parse(q.After.ID)
		if err != nil {
			return nil, fmt.Errorf("list usage records: cursor id %q: %w", q.After.ID, err)
		}
		at := db.UTC(q.After.OccurredAt)
		query = query.Where("occurred_at <= ? AND (occurred_at < ? OR id < ?)", at, at, id.String())
	}
	var ms []models.UsageRecord
	err = query.Order("occurred_at DESC, id DESC").Limit(q.Limit).Offset(q.Offset).Find(&ms).Error
	if err != nil {
		return nil, fmt.Errorf("list usage records: %w", db.Classify(err))
	}
	rows := make([]RecordRow, len(ms))
	for i, m := range ms {
		rows[i] = recordRow(m)
	}
	return rows, nil
}

// CountRecords counts the records q pages through (its paging aside). It
// sums the daily rollups, which count every stored record exactly once on
// the UTC day of its occurred_at, so it costs O(days × integrations ×
// models) rather than a scan of the records, and a window's count is the
// summary's total_calls for the same days.
func (s *Store) CountRecords(ctx context.Context, q HistoryQuery) (int64, error) {
	query := "SELECT CAST(COALESCE(SUM(calls), 0) AS bigint) FROM usage_daily WHERE tenant_id = ?"
	args := []any{q.TenantID}
	if q.IntegrationID != "" {
		query += " AND integration_id = ?"
		args = append(args, q.IntegrationID)
	}
	if q.From != "" {
		query += " AND day >= ?"
		args = append(args, q.From)
	}
	if q.To != "" {
		query += " AND day <= ?"
		args = append(args, q.To)
	}
	var n int64
	if err := s.db.Conn(ctx).Raw(query, args...).Find(&n).Error; err != nil {
		return 0, fmt.Errorf("count usage records: %w", db.Classify(err))
	}
	return n, nil
}

// records scopes a query to the tenant's records, or one integration's,
// on q's days. A day becomes the half-open range of instants [its midnight,
// the next midnight), which the occurred_at index serves.
func (s *Store) records(ctx context.Context, q HistoryQuery) (*gorm.DB, error) {
	query := s.db.Conn(ctx).Model(&models.UsageRecord{}).Where("tenant_id = ?", q.TenantID)
	if q.IntegrationID != "" {
		query = query.Where("integration_id = ?", q.IntegrationID)
	}
	if q.From != "" {
		from, err := time.Parse(dayLayout, q.From)
		if err != nil {
			return nil, fmt.Errorf("from day %q: %w", q.From, err)
		}
		query = query.Where("occurred_at >= ?", db.UTC(from))
	}
	if q.To != "" {
		to, err := time.Parse(dayLayout, q.To)
		if err != nil {
			return nil, fmt.Errorf("to day %q: %w", q.To, err)
		}
		query = query.Where("occurred_at < ?", db.UTC(to.AddDate(0, 0, 1)))
	}
	return query, nil
}

func recordRow(m models.UsageRecord) RecordRow {
	return RecordRow{
		ID:            m.ID,
		TenantID:      m.TenantID,
		IntegrationID: m.IntegrationID,
		CallID:        m.CallID,
		Provider:      m.Provider,
		Model:         m.Model,
		TokensIn:      m.TokensIn,
		TokensOut:     m.TokensOut,
		CostCents:     m.CostCents,
		CostMicros:    m.CostMicros,
		LatencyMS:     m.LatencyMS,
		SessionID:     m.SessionID,
		AgentID:       m.AgentID,
		PolicyResult:  m.PolicyResult,
		ErrorCode:     m.ErrorCode,
		ErrorMessage:  m.ErrorMessage,
		Metadata:      []byte(m.Metadata),
		OccurredAt:    m.OccurredAt.UTC(),
		ReceivedAt:    m.ReceivedAt.UTC(),
		ContentHash:   m.ContentHash,

		CacheReadTokens: m.CacheReadTokens, CacheWriteTokens: m.CacheWriteTokens, ReasoningTokens: m.ReasoningTokens,
		CostSource: m.CostSource, ClientCostCents: m.ClientCostCents, PriceID: m.PriceID,
	}
}
