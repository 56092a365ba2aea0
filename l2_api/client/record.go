package client

import "time"

// Record is one LLM call, as POST /api/v1/telemetry/llm-usage takes it
// (SPEC §3.1). CallID is the idempotency key: a record sent again with the
// same CallID and content is stored once, so the client may retry freely.
// Send gives a record without a CallID a random one.
type Record struct {
	CallID        string         `json:"call_id"`
	IntegrationID string         `json:"integration_id,omitempty"` // required with an API key; an integration key implies it
	Provider      string         `json:"provider"`
	Model         string         `json:"model"`
	TokensIn      int64          `json:"tokens_in"`
	TokensOut     int64          `json:"tokens_out"`
	CostCents     int64          `json:"cost_cents"`
	CostMicros    *int64         `json:"cost_micros,omitempty"`
	LatencyMS     *int64         `json:"latency_ms,omitempty"`
	SessionID     *string        `json:"session_id,omitempty"`
	AgentID       *string        `json:"agent_id,omitempty"`
	PolicyResult  string         `json:"policy_result,omitempty"` // allowed (default), warned or blocked
	ErrorCode     *string        `json:"error_code,omitempty"`
	ErrorMessage  *string        `json:"error_message,omitempty"`
	Metadata      map[string]any `json:"metadata,omitempty"`
	OccurredAt    *time.Time     `json:"occurred_at,omitempty"` // default: when the server received it
}

// Outcome is what became of a record.
type Outcome string

const (
	// Accepted: stored now.
	Accepted Outcome = "accepted"
	// Duplicate: a record with this CallID and the same content was stored
	// already — by an earlier Send, or by an earlier attempt of this one
	// whose answer was lost (Result.Attempts > 1 tells).
	Duplicate Outcome = "duplicate"
	// Conflict: this CallID is stored with different content; nothing changed.
	Conflict Outcome = "conflict"
	// Rejected: the server refused the record (Code, Message and Fields say
	// why); sending it again would be refused again.
	Rejected Outcome = "rejected"
	// Failed: the record may not have been delivered — MaxAttempts ran out, the
	// client was closed before it could deliver, or the server refused the
	// whole request (a bad key: Code says). Err says which.
	Failed Outcome = "failed"
)

// Result is the outcome of one record.
type Result struct {
	CallID  string
	Outcome Outcome
	// ID is the stored record's id (the original's for a duplicate).
	ID string
	// Code, Message, Reason and Fields are the server's error for a
	// conflict, a rejected record or a refused request (SPEC §1.3).
	Code    string
	Message string
	Reason  string
	Fields  []FieldError
	// Attempts is how many requests carried the record.
	Attempts int
	// Err is why a Failed record was not delivered.
	Err error
}

// Stored reports whether the record is stored: accepted now or before.
func (r Result) Stored() bool { return r.Outcome == Accepted || r.Outcome == Duplicate }

// FieldError names one field the server refused and why.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}
