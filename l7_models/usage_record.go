package models

import "time"

// UsageRecord is one reported LLM call. The table is append-only: rows are
// never updated or deleted through the API. (tenant_id, call_id) is unique,
// which is what makes ingest idempotent under concurrency: the database, not
// a read before the write, decides which of two racing inserts wins.
type UsageRecord struct {
	ID            string    `gorm:"primaryKey;type:uuid;index:ix_usage_records_tenant_time,priority:3,sort:desc;index:ix_usage_records_tenant_integration_time,priority:4,sort:desc"`
	TenantID      string    `gorm:"type:uuid;not null;uniqueIndex:ux_usage_records_tenant_id_call_id,priority:1;index:ix_usage_records_tenant_time,priority:1;index:ix_usage_records_tenant_integration_time,priority:1"`
	IntegrationID string    `gorm:"type:uuid;not null;index:ix_usage_records_tenant_integration_time,priority:2"`
	CallID        string    `gorm:"not null;uniqueIndex:ux_usage_records_tenant_id_call_id,priority:2"`
	Provider      string    `gorm:"not null"`
	Model         string    `gorm:"not null"`
	TokensIn      int64     `gorm:"not null"`
	TokensOut     int64     `gorm:"not null"`
	CostCents     int64     `gorm:"not null"`
	CostMicros    int64     `gorm:"not null"`
	LatencyMS     *int64    `gorm:"column:latency_ms"`
	SessionID     *string   `gorm:""`
	AgentID       *string   `gorm:""`
	PolicyResult  string    `gorm:"not null"`
	ErrorCode     *string   `gorm:""`
	ErrorMessage  *string   `gorm:""`
	Metadata      string    `gorm:"type:json;not null"`
	OccurredAt    time.Time `gorm:"not null;index:ix_usage_records_tenant_time,priority:2,sort:desc;index:ix_usage_records_tenant_integration_time,priority:3,sort:desc"`
	ReceivedAt    time.Time `gorm:"not null"`
	ContentHash   []byte    `gorm:"not null"`
	// The token detail (parts of tokens_in and tokens_out), who decided the
	// cost (client, price_table or unpriced), the client's own cents when
	// hoc priced the record, and the price row it used.
	CacheReadTokens  int64   `gorm:"not null;default:0"`
	CacheWriteTokens int64   `gorm:"not null;default:0"`
	ReasoningTokens  int64   `gorm:"not null;default:0"`
	CostSource       string  `gorm:"not null;default:client"`
	ClientCostCents  *int64  `gorm:""`
	PriceID          *string `gorm:"type:uuid"`
}

// TableName pins the table name so a rename of the struct cannot move data.
func (UsageRecord) TableName() string { return "usage_records" }
