package telemetry

import (
	"crypto/sha256"
	"encoding/json"
	"time"

	"hoc/l5_engines/fault"
)

// Record is one usage record as the client sent it; nil pointers are fields
// it did not send.
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
	Metadata      []byte // canonical JSON object, nil when not sent
	OccurredAt    *time.Time
	// Parts of TokensIn (cache reads and writes) and of TokensOut
	// (reasoning), as the client counted them.
	CacheReadTokens  *int64
	CacheWriteTokens *int64
	ReasoningTokens  *int64
}

// PolicyAllowed is the policy result of a record that sent none.
const PolicyAllowed = "allowed"

// microsPerCent converts cents to micro-dollars.
const microsPerCent = 10_000

// MicrosToCents rounds micro-dollars half up to cents: the cents of a
// record hoc priced, and of every total.
func MicrosToCents(micros int64) int64 { return (micros + microsPerCent/2) / microsPerCent }

// Window of occurred_at accepted around the receive time (SPEC §3.1).
const (
	maxAge    = 30 * 24 * time.Hour
	maxFuture = 5 * time.Minute
)

// hashedRecord is the canonical content of a record for idempotency: the
// record as the client sent it, without server defaults, so that an SDK retry
// of the same record always hashes the same (SPEC §7). Field order is fixed
// by the struct, and metadata is already canonical JSON.
type hashedRecord struct {
	IntegrationID string          `json:"integration_id"`
	CallID        string          `json:"call_id"`
	Provider      string          `json:"provider"`
	Model         string          `json:"model"`
	TokensIn      int64           `json:"tokens_in"`
	TokensOut     int64           `json:"tokens_out"`
	CostCents     int64           `json:"cost_cents"`
	CostMicros    *int64          `json:"cost_micros,omitempty"`
	LatencyMS     *int64          `json:"latency_ms,omitempty"`
	SessionID     *string         `json:"session_id,omitempty"`
	AgentID       *string         `json:"agent_id,omitempty"`
	PolicyResult  *string         `json:"policy_result,omitempty"`
	ErrorCode     *string         `json:"error_code,omitempty"`
	ErrorMessage  *string         `json:"error_message,omitempty"`
	Metadata      json.RawMessage `json:"metadata"`
	OccurredAt    string          `json:"occurred_at,omitempty"`
	// Hashed only when sent, as the fields above: records stored before
	// these fields existed keep their hash, so their retries stay
	// duplicates.
	CacheReadTokens  *int64 `json:"cache_read_tokens,omitempty"`
	CacheWriteTokens *int64 `json:"cache_write_tokens,omitempty"`
	ReasoningTokens  *int64 `json:"reasoning_tokens,omitempty"`
}

// contentHash hashes r as sent, with integrationID the integration it was
// resolved to (a missing integration_id equals the key's).
func contentHash(r *Record, integrationID string) []byte {
	h := hashedRecord{
		IntegrationID: integrationID, CallID: r.CallID, Provider: r.Provider, Model: r.Model,
		TokensIn: r.TokensIn, TokensOut: r.TokensOut, CostCents: r.CostCents, CostMicros: r.CostMicros,
		LatencyMS: r.LatencyMS, SessionID: r.SessionID, AgentID: r.AgentID, PolicyResult: r.PolicyResult,
		ErrorCode: r.ErrorCode, ErrorMessage: r.ErrorMessage, Metadata: metadataOrEmpty(r.Metadata),
		CacheReadTokens: r.CacheReadTokens, CacheWriteTokens: r.CacheWriteTokens, ReasoningTokens: r.ReasoningTokens,
	}
	if r.OccurredAt != nil {
		h.OccurredAt = r.OccurredAt.UTC().Format(time.RFC3339Nano)
	}
	b, _ := json.Marshal(h) // only strings, integers and valid JSON: cannot fail
	sum := sha256.Sum256(b)
	return sum[:]
}

func metadataOrEmpty(m []byte) json.RawMessage {
	if m == nil {
		return json.RawMessage("{}")
	}
	return m
}

// checkOccurredAt refuses a time outside [now − 30 days, now + 5 minutes].
func checkOccurredAt(at *time.Time, now time.Time) *fault.Error {
	if at == nil || (!at.Before(now.Add(-maxAge)) && !at.After(now.Add(maxFuture))) {
		return nil
	}
	return RecordInvalid([]fault.FieldError{{Field: "occurred_at", Message: "must lie within the last 30 days and at most 5 minutes ahead"}})
}

// RecordInvalid is the refusal of a record whose fields break the rules: a
// batch reports it for that record, a single-record request answers it.
func RecordInvalid(fields []fault.FieldError) *fault.Error {
	return fault.New(fault.KindValidation, fault.CodeValidationFailed, "record validation failed").WithDetail("fields", fields)
}
