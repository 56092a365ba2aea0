// Package activity declares the LLM usage telemetry operations (ingest,
// summary, history, daily series) and binds them to the activity engine,
// bringing in the facts it needs from the account and integrations domains.
package activity

import (
	"time"

	spine "hoc/l4_spine"
	engine "hoc/l5_engines/activity"
)

// Record is one usage record as the client sent it, after the HTTP layer's
// field checks. Pointers are optional fields: nil means "not sent", which
// matters for the idempotency hash (server defaults are not part of it).
type Record struct {
	IntegrationID string
	CallID        string
	Provider      string
	Model         string
	TokensIn      int64
	TokensOut     int64
	CostCents     int64
	CostMicros    *int64
	LatencyMS     *int64
	SessionID     *string
	AgentID       *string
	PolicyResult  *string
	ErrorCode     *string
	ErrorMessage  *string
	// Metadata is the canonical JSON of the metadata object (keys sorted,
	// no insignificant whitespace); nil when the client sent none.
	Metadata   []byte
	OccurredAt *time.Time
}

// RecordError is why one record was refused; see the engine's type.
type RecordError = engine.RecordError

// BatchItem is one record of a batch: either a Record to ingest, or the
// error the HTTP layer already found in it.
type BatchItem struct {
	CallID string
	Record *Record
	Error  *RecordError
}

// IngestInput ingests records for TenantID. KeyIntegrationID is the
// integration of the integration key that sent them ("" for an API key).
type IngestInput struct {
	TenantID         string
	KeyIntegrationID string
	Items            []BatchItem
}

// The statuses of an ingested record.
const (
	StatusAccepted  = "accepted"
	StatusDuplicate = "duplicate"
	StatusConflict  = "conflict"
	StatusRejected  = "rejected"
)

// ItemResult is the outcome of one record, in input order.
type ItemResult struct {
	Index  int
	CallID string
	Status string
	ID     string
	Error  *RecordError
}

// IngestResult counts the outcomes and lists them in input order.
type IngestResult struct {
	Accepted   int
	Duplicates int
	Conflicts  int
	Rejected   int
	Results    []ItemResult
}

// RangeInput asks for a summary or daily series over inclusive UTC days.
// Empty dates take the defaults: the 30 days ending today.
type RangeInput struct {
	TenantID      string
	IntegrationID string
	StartDate     string
	EndDate       string
}

// Totals are sums over a window.
type Totals struct {
	Calls        int64
	TokensIn     int64
	TokensOut    int64
	CostCents    int64
	CostMicros   int64
	AvgLatencyMS *int64
	ErrorCount   int64
	BlockedCount int64
}

// IntegrationUsage is one integration's share of a summary.
type IntegrationUsage struct {
	IntegrationID   string
	IntegrationName string
	ProviderType    string
	Totals
}

// ModelUsage is one model's share of a summary.
type ModelUsage struct {
	Provider string
	Model    string
	Totals
}

// Summary is the usage of a window.
type Summary struct {
	TenantID      string
	PeriodStart   string
	PeriodEnd     string
	Totals        Totals
	ByIntegration []IntegrationUsage // nil when filtered by integration
	ByModel       []ModelUsage
}

// DailyRow is one (day, integration) of the daily series.
type DailyRow struct {
	Date          string
	IntegrationID string
	Totals
}

// HistoryInput asks for one page of records, newest first, by offset or by
// the cursor of the previous page.
type HistoryInput struct {
	TenantID      string
	IntegrationID string
	Limit         int
	Offset        int
	Cursor        string
}

// StoredRecord is a record as stored.
type StoredRecord struct {
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
}

// HistoryPage is one page of records.
type HistoryPage struct {
	Items      []StoredRecord
	Total      int64
	NextCursor string
}

// The telemetry operations.
var (
	IngestUsage = spine.Declare[IngestInput, IngestResult]("activity.telemetry.ingest",
		"Ingest LLM usage records idempotently (one or a batch)",
		spine.Allow(spine.ActorMachine), spine.RequireScope("telemetry:write"))
	UsageSummary = spine.Declare[RangeInput, Summary]("activity.telemetry.usage_summary",
		"Usage totals and breakdowns over a window of UTC days",
		spine.Allow(spine.ActorCustomer, spine.ActorMachine), spine.RequireScope("telemetry:read"), spine.ReadOnly())
	DailyAggregates = spine.Declare[RangeInput, []DailyRow]("activity.telemetry.daily_aggregates",
		"Usage per UTC day and integration over a window",
		spine.Allow(spine.ActorCustomer, spine.ActorMachine), spine.RequireScope("telemetry:read"), spine.ReadOnly())
	UsageHistory = spine.Declare[HistoryInput, HistoryPage]("activity.telemetry.usage_history",
		"Usage records, newest first, by offset or keyset cursor",
		spine.Allow(spine.ActorCustomer, spine.ActorMachine), spine.RequireScope("telemetry:read"), spine.ReadOnly())
)
