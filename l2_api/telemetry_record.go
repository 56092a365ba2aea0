package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/google/uuid"

	spine "hoc/l4_spine"
	"hoc/l4_spine/activity"
)

// Field limits of a usage record (SPEC §3.1).
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
	maxMetadata     = 16 << 10
	microsPerCent   = 10_000
)

var policyResults = map[string]bool{"allowed": true, "warned": true, "blocked": true}

// recordReader reads one record object, naming every failing field with
// prefix (e.g. "records[3].") so a batch reports where each error is.
type recordReader struct {
	obj    object
	prefix string
	fields spine.Fields
}

// parseRecord checks every field rule of SPEC §3.1 except the ones that
// need the clock or stored state (occurred_at's window, the integration),
// which the activity engine decides.
func parseRecord(raw json.RawMessage, prefix string) (*activity.Record, []spine.FieldError) {
	var obj object
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return nil, []spine.FieldError{{Field: trimDot(prefix), Message: "must be a JSON object"}}
	}
	return readRecord(obj, prefix)
}

// readRecord is parseRecord for an object already decoded.
func readRecord(obj object, prefix string) (*activity.Record, []spine.FieldError) {
	r := &recordReader{obj: obj, prefix: prefix}
	var rec activity.Record
	if id := r.optText("integration_id", 36); id != nil {
		if uuid.Validate(*id) != nil {
			r.fail("integration_id", "must be a UUID")
		}
		rec.IntegrationID = *id
	}
	rec.CallID = r.text("call_id", maxCallID)
	rec.Provider = r.text("provider", maxProvider)
	rec.Model = r.text("model", maxModel)
	rec.TokensIn = r.count("tokens_in", maxTokens)
	rec.TokensOut = r.count("tokens_out", maxTokens)
	rec.CostCents = r.count("cost_cents", maxCostCents)
	rec.CostMicros = r.optCount("cost_micros", maxCostMicros)
	if rec.CostMicros != nil && (*rec.CostMicros+microsPerCent-1)/microsPerCent > rec.CostCents {
		r.fail("cost_micros", "must round up to cost_cents or below")
	}
	rec.LatencyMS = r.optCount("latency_ms", maxLatencyMS)
	rec.SessionID = r.optText("session_id", maxShortText)
	rec.AgentID = r.optText("agent_id", maxShortText)
	if rec.PolicyResult = r.optText("policy_result", 20); rec.PolicyResult != nil && !policyResults[*rec.PolicyResult] {
		r.fail("policy_result", "must be one of allowed, warned, blocked")
	}
	rec.ErrorCode = r.optText("error_code", maxErrorCode)
	rec.ErrorMessage = r.optText("error_message", maxErrorMessage)
	rec.Metadata = r.metadata()
	r.obj.optTime("occurred_at", &rec.OccurredAt, &r.fields)
	r.prefixTimeError()
	if len(r.fields) > 0 {
		return nil, r.fields
	}
	return &rec, nil
}

func (r *recordReader) fail(field, format string, args ...any) {
	r.fields.Add(r.prefix+field, format, args...)
}

// text reads a required string of 1..max characters.
func (r *recordReader) text(name string, max int) string {
	s := r.optText(name, max)
	if s == nil {
		if _, present := r.obj[name]; !present || isNull(r.obj[name]) {
			r.fail(name, "is required")
		}
		return ""
	}
	if *s == "" {
		r.fail(name, "must not be empty")
	}
	return *s
}

// optText reads an optional string of at most max characters.
func (r *recordReader) optText(name string, max int) *string {
	raw, ok := r.obj[name]
	if !ok || isNull(raw) {
		return nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		r.fail(name, "must be a string")
		return nil
	}
	if utf8.RuneCountInString(s) > max {
		r.fail(name, "must be at most %d characters", max)
		return nil
	}
	return &s
}

// count reads a required integer in 0..max.
func (r *recordReader) count(name string, max int64) int64 {
	if raw, ok := r.obj[name]; !ok || isNull(raw) {
		r.fail(name, "is required")
		return 0
	}
	n := r.optCount(name, max)
	if n == nil {
		return 0
	}
	return *n
}

// optCount reads an optional integer in 0..max.
func (r *recordReader) optCount(name string, max int64) *int64 {
	raw, ok := r.obj[name]
	if !ok || isNull(raw) {
		return nil
	}
	n, ok := parseInteger(raw)
	switch {
	case !ok:
		r.fail(name, "must be an integer")
		return nil
	case n < 0:
		r.fail(name, "must be >= 0")
		return nil
	case n > max:
		r.fail(name, "must be <= %d", max)
		return nil
	}
	return &n
}

// metadata returns the canonical JSON of the metadata object (keys sorted,
// numbers kept exactly as sent), or nil when none was sent.
func (r *recordReader) metadata() []byte {
	raw, ok := r.obj["metadata"]
	if !ok || isNull(raw) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		r.fail("metadata", "must be a JSON object")
		return nil
	}
	canonical, err := json.Marshal(m)
	if err != nil {
		r.fail("metadata", "must be a JSON object")
		return nil
	}
	if len(canonical) > maxMetadata {
		r.fail("metadata", "must be at most %d bytes serialized", maxMetadata)
		return nil
	}
	return canonical
}

// prefixTimeError puts the record prefix on an occurred_at error added by
// the shared optTime reader.
func (r *recordReader) prefixTimeError() {
	for i, f := range r.fields {
		if f.Field == "occurred_at" {
			r.fields[i].Field = r.prefix + f.Field
		}
	}
}

func trimDot(prefix string) string {
	if prefix == "" {
		return "body"
	}
	return prefix[:len(prefix)-1]
}

// recordIndexPrefix is the field prefix of batch record i.
func recordIndexPrefix(i int) string { return fmt.Sprintf("records[%d].", i) }
