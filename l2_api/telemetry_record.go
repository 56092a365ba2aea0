package api

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/google/uuid"

	spine "hoc/l4_spine"
	"hoc/l4_spine/telemetry"
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

// newJSONDecoder reads a request body token by token. Invalid UTF-8 does not
// stop it: every string is checked where it is used, so that the error names
// the field (SPEC §1.4) and, in a batch, stays with its record. Duplicate
// names are allowed and the last one wins, as with encoding/json.
func newJSONDecoder(body []byte) *jsontext.Decoder {
	return jsontext.NewDecoder(bytes.NewReader(body), jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))
}

// recordReader reads one record object in a single pass over its tokens,
// naming every failing field with prefix (e.g. "records[3].") so that a
// batch reports where each error is. It checks every field rule of SPEC
// §3.1 except the ones that need the clock or stored state (occurred_at's
// window, the integration), which the telemetry engine decides.
type recordReader struct {
	prefix string
	fields spine.Fields
	rec    telemetry.Record
	// callID is the record's call_id as sent, when it is a readable
	// string, so that a refused record can still be matched to its result.
	callID string
	seen   requiredField // the required fields present and not null
}

// requiredField is a bit set of the fields a record must carry.
type requiredField uint8

const (
	seenCallID requiredField = 1 << iota
	seenProvider
	seenModel
	seenTokensIn
	seenTokensOut
	seenCostCents
)

// required names the required fields, in the order they are reported.
var required = []struct {
	bit  requiredField
	name string
}{
	{seenCallID, "call_id"}, {seenProvider, "provider"}, {seenModel, "model"},
	{seenTokensIn, "tokens_in"}, {seenTokensOut, "tokens_out"}, {seenCostCents, "cost_cents"},
}

// readRecord reads the next value of dec as a record. A value that is not
// an object, or breaks a field rule, is refused with field errors; only a
// body that is not JSON at all returns an error, which ends the request.
func readRecord(dec *jsontext.Decoder, prefix string) (*telemetry.Record, string, []spine.FieldError, error) {
	r := &recordReader{prefix: prefix}
	if dec.PeekKind() != '{' {
		if _, err := dec.ReadValue(); err != nil {
			return nil, "", nil, err
		}
		return nil, "", []spine.FieldError{{Field: trimDot(prefix), Message: "must be a JSON object"}}, nil
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, "", nil, err
	}
	// A value read from dec is valid only until the next read, so each is
	// used before the next is read; names are compared without copying.
	var nameBuf []byte
	for dec.PeekKind() != '}' {
		raw, err := dec.ReadValue()
		if err != nil {
			return nil, "", nil, err
		}
		name := raw[1 : len(raw)-1]
		if bytes.IndexByte(name, '\\') >= 0 {
			nameBuf, _ = jsontext.AppendUnquote(nameBuf[:0], raw)
			name = nameBuf
		} else {
			nameBuf = append(nameBuf[:0], name...) // raw is gone after the next read
			name = nameBuf
		}
		if string(name) == "metadata" && dec.PeekKind() == '{' {
			// Canonicalized straight from the body's tokens.
			r.rec.Metadata = r.metadata(dec)
			continue
		}
		value, err := dec.ReadValue()
		if err != nil {
			return nil, "", nil, err
		}
		r.field(name, value)
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, "", nil, err
	}
	for _, f := range required {
		if r.seen&f.bit == 0 {
			r.fail(f.name, "is required")
		}
	}
	if c := r.rec.CostMicros; c != nil && (*c+microsPerCent-1)/microsPerCent > r.rec.CostCents {
		r.fail("cost_micros", "must round up to cost_cents or below")
	}
	if len(r.fields) > 0 {
		return nil, r.callID, r.fields, nil
	}
	return &r.rec, r.callID, nil, nil
}

// field reads one member. A null is the same as leaving the field out.
func (r *recordReader) field(name []byte, v jsontext.Value) {
	if v.Kind() == 'n' {
		return
	}
	switch string(name) {
	case "integration_id":
		if s, ok := r.text("integration_id", v, 36); ok {
			if uuid.Validate(s) != nil {
				r.fail("integration_id", "must be a UUID")
			}
			r.rec.IntegrationID = s
		}
	case "call_id":
		r.seen |= seenCallID
		r.rec.CallID = r.requiredText("call_id", v, maxCallID)
		r.callID = r.rec.CallID
	case "provider":
		r.seen |= seenProvider
		r.rec.Provider = r.requiredText("provider", v, maxProvider)
	case "model":
		r.seen |= seenModel
		r.rec.Model = r.requiredText("model", v, maxModel)
	case "tokens_in":
		r.seen |= seenTokensIn
		r.rec.TokensIn = r.requiredCount("tokens_in", v, maxTokens)
	case "tokens_out":
		r.seen |= seenTokensOut
		r.rec.TokensOut = r.requiredCount("tokens_out", v, maxTokens)
	case "cost_cents":
		r.seen |= seenCostCents
		r.rec.CostCents = r.requiredCount("cost_cents", v, maxCostCents)
	case "cost_micros":
		r.rec.CostMicros = r.count("cost_micros", v, maxCostMicros)
	case "latency_ms":
		r.rec.LatencyMS = r.count("latency_ms", v, maxLatencyMS)
	case "session_id":
		r.rec.SessionID = r.optText("session_id", v, maxShortText)
	case "agent_id":
		r.rec.AgentID = r.optText("agent_id", v, maxShortText)
	case "policy_result":
		if r.rec.PolicyResult = r.optText("policy_result", v, 20); r.rec.PolicyResult != nil && !slices.Contains(policyResults, *r.rec.PolicyResult) {
			r.fail("policy_result", "must be one of allowed, warned, blocked")
		}
	case "error_code":
		r.rec.ErrorCode = r.optText("error_code", v, maxErrorCode)
	case "error_message":
		r.rec.ErrorMessage = r.optText("error_message", v, maxErrorMessage)
	case "metadata": // anything but an object; objects are read by metadata
		r.fail("metadata", "must be a JSON object")
	case "occurred_at":
		s, ok := unquote(v)
		t, err := time.Parse(time.RFC3339Nano, s)
		if v.Kind() != '"' || !ok || err != nil {
			r.fail("occurred_at", "must be an RFC 3339 timestamp")
			return
		}
		t = t.UTC()
		r.rec.OccurredAt = &t
	}
}

func (r *recordReader) fail(field, format string, args ...any) {
	r.fields.Add(r.prefix+field, format, args...)
}

// text reads a string of at most max characters that is valid UTF-8 and
// holds no NUL, reporting the first rule it breaks.
func (r *recordReader) text(name string, v jsontext.Value, max int) (string, bool) {
	if v.Kind() != '"' {
		r.fail(name, "must be a string")
		return "", false
	}
	s, ok := unquote(v)
	switch {
	case !ok:
		r.fail(name, "must be valid UTF-8")
	case strings.IndexByte(s, 0) >= 0:
		r.fail(name, "must not contain NUL characters")
	case utf8.RuneCountInString(s) > max:
		r.fail(name, "must be at most %d characters", max)
	default:
		return s, true
	}
	return "", false
}

// requiredText reads a required, non-empty string.
func (r *recordReader) requiredText(name string, v jsontext.Value, max int) string {
	s, ok := r.text(name, v, max)
	if ok && s == "" {
		r.fail(name, "must not be empty")
	}
	return s
}

// optText reads an optional string into a pointer.
func (r *recordReader) optText(name string, v jsontext.Value, max int) *string {
	if s, ok := r.text(name, v, max); ok {
		return &s
	}
	return nil
}

// count reads an integer in 0..max, decided on the literal (wholeNumber).
func (r *recordReader) count(name string, v jsontext.Value, max int64) *int64 {
	if v.Kind() != '0' {
		r.fail(name, "must be an integer")
		return nil
	}
	n, whole, fits := wholeNumber(v)
	switch {
	case !whole:
		r.fail(name, "must be an integer")
	case v[0] == '-' && (n < 0 || !fits):
		r.fail(name, "must be >= 0")
	case !fits || n > max:
		r.fail(name, "must be <= %d", max)
	default:
		return &n
	}
	return nil
}

// requiredCount reads a required integer in 0..max.
func (r *recordReader) requiredCount(name string, v jsontext.Value, max int64) int64 {
	if n := r.count(name, v, max); n != nil {
		return *n
	}
	return 0
}

// metadata reads the metadata object at dec and returns its canonical JSON:
// keys sorted, no insignificant whitespace, strings in their shortest
// escaping (never HTML-escaped) and numbers exactly as sent. The size limit
// applies to this form, which is what is stored, hashed and returned (SPEC
// §1.4).
func (r *recordReader) metadata(dec *jsontext.Decoder) []byte {
	depth := dec.StackDepth()
	budget := newMetadataBudget()
	out, problem := canonicalJSON(nil, dec, "metadata", &budget)
	if problem != nil {
		// Skip what is left of the object, so the record reads on after it.
		for dec.StackDepth() > depth {
			if _, err := dec.ReadToken(); err != nil {
				break
			}
		}
		r.fail(problem.Field, "%s", problem.Message)
		return nil
	}
	return out
}

// unquote returns the text of a JSON string literal, and false when it is
// not valid UTF-8 (raw invalid bytes, or an escaped lone surrogate), which
// must be refused rather than silently replaced.
func unquote(v []byte) (string, bool) {
	if len(v) >= 2 && bytes.IndexByte(v, '\\') < 0 && utf8.Valid(v[1:len(v)-1]) {
		return string(v[1 : len(v)-1]), true
	}
	b, err := jsontext.AppendUnquote(nil, v)
	return string(b), err == nil
}

func trimDot(prefix string) string {
	if prefix == "" {
		return "body"
	}
	return prefix[:len(prefix)-1]
}

// recordIndexPrefix is the field prefix of batch record i.
func recordIndexPrefix(i int) string { return "records[" + strconv.Itoa(i) + "]." }
