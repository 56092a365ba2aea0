package telemetry

import "time"

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
	// Parts of TokensIn and TokensOut; 0 when the client sent none.
	CacheReadTokens  int64
	CacheWriteTokens int64
	ReasoningTokens  int64
	// CostSource is client, price_table or unpriced; ClientCostCents is the
	// client's own cents when the price table decided the cost, and PriceID
	// the row that did.
	CostSource      string
	ClientCostCents *int64
	PriceID         *string
}

// recordColumns are the columns of usage_records a write stores, in the
// order of recordArrays and of the SQLite insert's values.
const recordColumns = "id, tenant_id, integration_id, call_id, provider, model, tokens_in, tokens_out, cost_cents, " +
	"cost_micros, latency_ms, session_id, agent_id, policy_result, error_code, error_message, metadata, " +
	"occurred_at, received_at, content_hash, cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_source, " +
	"client_cost_cents, price_id"

const recordColumnCount = 26

// metadataText is the stored metadata: JSON text, so that SQLite stores text
// rather than a blob; empty means {}.
func metadataText(m []byte) string {
	if len(m) == 0 {
		return "{}"
	}
	return string(m)
}
