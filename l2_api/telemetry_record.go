package api

import (
	"slices"
	"strconv"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/google/uuid"

	"hoc/l4_spine/telemetry"
	"hoc/l5_engines/fault"
)

// Field limits of a usage record (SPEC §3.1, §1.4).
const (
	maxCallID       = 100
	maxProvider     = 50
	maxModel        = 100
	maxTokens       = 1_000_000_000
	maxCostCents    = 1_000_000_000
	maxCostMicros   = 10_000_000_000_000
	maxLatencyMS    = 86_400_000
	maxShortText    = 100
	maxErrorCode    = 50
	maxErrorMessage = 4096
	microsPerCent   = 10_000
)

var policyResults = []string{"allowed", "warned", "blocked"}

// recordSchema is a usage record's fields (SPEC §3.1): every rule except
// the ones that need the clock or stored state (occurred_at's window, the
// integration), which the telemetry engine decides. A null is the same as
// leaving a field out.
var recordSchema = newSchema(
	field[telemetry.Record]{name: "integration_id", read: func(rec *telemetry.Record, r *valueReader) {
		if s, ok := r.text(0, 36); ok {
			if uuid.Validate(s) != nil {
				r.fail("must be a UUID")
			}
			rec.IntegrationID = s
		}
	}},
	field[telemetry.Record]{name: "call_id", required: true, read: func(rec *telemetry.Record, r *valueReader) {
		rec.CallID, _ = r.text(1, maxCallID)
	}},
	field[telemetry.Record]{name: "provider", required: true, read: func(rec *telemetry.Record, r *valueReader) {
		rec.Provider, _ = r.text(1, maxProvider)
	}},
	field[telemetry.Record]{name: "model", required: true, read: func(rec *telemetry.Record, r *valueReader) {
		rec.Model, _ = r.text(1, maxModel)
	}},
	field[telemetry.Record]{name: "tokens_in", required: true, read: func(rec *telemetry.Record, r *valueReader) {
		rec.TokensIn, _ = r.integer(0, maxTokens)
	}},
	field[telemetry.Record]{name: "tokens_out", required: true, read: func(rec *telemetry.Record, r *valueReader) {
		rec.TokensOut, _ = r.integer(0, maxTokens)
	}},
	field[telemetry.Record]{name: "cost_cents", required: true, read: func(rec *telemetry.Record, r *valueReader) {
		rec.CostCents, _ = r.integer(0, maxCostCents)
	}},
	field[telemetry.Record]{name: "cost_micros", read: func(rec *telemetry.Record, r *valueReader) {
		rec.CostMicros = optInteger(r, maxCostMicros)
	}},
	field[telemetry.Record]{name: "latency_ms", read: func(rec *telemetry.Record, r *valueReader) {
		rec.LatencyMS = optInteger(r, maxLatencyMS)
	}},
	field[telemetry.Record]{name: "session_id", read: func(rec *telemetry.Record, r *valueReader) {
		rec.SessionID = r.optText(maxShortText)
	}},
	field[telemetry.Record]{name: "agent_id", read: func(rec *telemetry.Record, r *valueReader) {
		rec.AgentID = r.optText(maxShortText)
	}},
	field[telemetry.Record]{name: "policy_result", read: func(rec *telemetry.Record, r *valueReader) {
		if rec.PolicyResult = r.optText(20); rec.PolicyResult != nil && !slices.Contains(policyResults, *rec.PolicyResult) {
			r.fail("must be one of allowed, warned, blocked")
		}
	}},
	field[telemetry.Record]{name: "error_code", read: func(rec *telemetry.Record, r *valueReader) {
		rec.ErrorCode = r.optText(maxErrorCode)
	}},
	field[telemetry.Record]{name: "error_message", read: func(rec *telemetry.Record, r *valueReader) {
		rec.ErrorMessage = r.optText(maxErrorMessage)
	}},
	field[telemetry.Record]{name: "metadata", read: func(rec *telemetry.Record, r *valueReader) {
		rec.Metadata = r.metadata()
	}},
	field[telemetry.Record]{name: "cache_read_tokens", read: func(rec *telemetry.Record, r *valueReader) {
		rec.CacheReadTokens = optInteger(r, maxTokens)
	}},
	field[telemetry.Record]{name: "cache_write_tokens", read: func(rec *telemetry.Record, r *valueReader) {
		rec.CacheWriteTokens = optInteger(r, maxTokens)
	}},
	field[telemetry.Record]{name: "reasoning_tokens", read: func(rec *telemetry.Record, r *valueReader) {
		rec.ReasoningTokens = optInteger(r, maxTokens)
	}},
	field[telemetry.Record]{name: "occurred_at", read: func(rec *telemetry.Record, r *valueReader) {
		if t, ok := r.timestamp(); ok {
			rec.OccurredAt = &t
		}
	}},
)

func deref(n *int64) int64 {
	if n == nil {
		return 0
	}
	return *n
}

func optInteger(r *valueReader, max int64) *int64 {
	if n, ok := r.integer(0, max); ok {
		return &n
	}
	return nil
}

// readRecord reads the next value of dec as a usage record, naming every
// failing field with prefix (e.g. "records[3].") so that a batch reports
// where each error is. It also returns the record's call_id when it is a
// readable string, so that a refused record can still be matched to its
// result. Only a body that is not JSON at all returns an error.
func readRecord(dec *jsontext.Decoder, prefix string) (*telemetry.Record, string, []fault.FieldError, error) {
	var rec telemetry.Record
	fields, err := recordSchema.read(dec, prefix, &rec)
	if err != nil {
		return nil, "", nil, err
	}
	if c := rec.CostMicros; c != nil && (*c+microsPerCent-1)/microsPerCent > rec.CostCents {
		fields.Add(prefix+"cost_micros", "must round up to cost_cents or below")
	}
	// Cache reads and writes are parts of tokens_in, reasoning of
	// tokens_out (SPEC §8): more than their whole is refused, naming the
	// part that passes it.
	read, write := deref(rec.CacheReadTokens), deref(rec.CacheWriteTokens)
	switch {
	case read > rec.TokensIn:
		fields.Add(prefix+"cache_read_tokens", "must be at most tokens_in")
	case read+write > rec.TokensIn:
		fields.Add(prefix+"cache_write_tokens", "with cache_read_tokens must be at most tokens_in")
	}
	if deref(rec.ReasoningTokens) > rec.TokensOut {
		fields.Add(prefix+"reasoning_tokens", "must be at most tokens_out")
	}
	if len(fields) > 0 {
		return nil, rec.CallID, fields, nil
	}
	return &rec, rec.CallID, nil, nil
}

// metadata reads an object value as its canonical JSON: keys sorted, no
// insignificant whitespace, strings in their shortest escaping (never
// HTML-escaped) and numbers exactly as sent. The size limit applies to this
// form, which is what is stored, hashed and returned (SPEC §1.4).
func (r *valueReader) metadata() []byte {
	if r.dec.PeekKind() != '{' {
		if r.value() != nil {
			r.fail("must be a JSON object")
		}
		return nil
	}
	depth := r.dec.StackDepth()
	budget := newMetadataBudget()
	out, problem := canonicalJSON(nil, r.dec, "metadata", &budget)
	if problem != nil {
		// Skip what is left of the object, so the record reads on after it.
		for r.dec.StackDepth() > depth {
			if _, err := r.dec.ReadToken(); err != nil {
				r.err = err
				break
			}
		}
		r.fields.Add(r.prefix+problem.Field, "%s", problem.Message)
		return nil
	}
	return out
}

// recordIndexPrefix is the field prefix of batch record i.
func recordIndexPrefix(i int) string { return "records[" + strconv.Itoa(i) + "]." }
