package api

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"hoc/l4_spine/telemetry"
	"hoc/l5_engines/fault"
)

// batchNesting is the depth a batch body adds around each record: the
// object that holds "records", and the array.
const batchNesting = 2

// CheckRecord judges one record, a JSON object as the telemetry routes take
// it, with the API's own reader, for tools that send records through the Go
// client (hocd report): the client's plain struct cannot tell a missing
// field from a zero, so such a tool must refuse what the API would refuse,
// in the API's words, before the record is decoded into it. It applies
// every rule the API applies before storing a record except those that need
// the clock or stored state (occurred_at's window, the integration), and
// the nesting limit as a record inside a batch meets it.
//
// It is stricter than the API in one way: a member the API does not read,
// which the API ignores so that SDKs may send more than it knows, is
// reported as an unknown field, with the field it probably stands for. In
// a hand-written record such a member is almost always a typo, and the
// field it was meant to be is then missing or zero.
//
// The result is the record as the API reads it, or the field errors (the
// API's first, then the unknown members in the order they appear). An error
// means the text is not one JSON value.
func CheckRecord(body []byte) (*telemetry.Record, []fault.FieldError, error) {
	if depth, balanced := jsonDepth(body); balanced && depth+batchNesting > maxJSONDepth {
		return nil, []fault.FieldError{{Field: "body", Message: fmt.Sprintf("nests deeper than %d levels, the most a record in a batch may", maxJSONDepth-batchNesting)}}, nil
	}
	dec := newJSONDecoder(body)
	rec, _, fields, err := readRecord(dec, "")
	if err == nil {
		if _, err = dec.ReadToken(); err == io.EOF {
			err = nil
		} else if err == nil {
			err = errors.New("more than one JSON value")
		}
	}
	if err != nil {
		return nil, nil, err
	}
	fields = append(fields, unknownFields(body)...)
	if len(fields) > 0 {
		return nil, fields, nil
	}
	return rec, nil, nil
}

// unknownFields names the members of the object in body (valid JSON) that
// are not record fields, each once.
func unknownFields(body []byte) []fault.FieldError {
	dec := newJSONDecoder(body)
	if dec.PeekKind() != '{' {
		return nil
	}
	var seen []string
	var fields []fault.FieldError
	_, err := dec.ReadToken()
	for err == nil && dec.PeekKind() != '}' {
		var raw []byte
		if raw, err = dec.ReadValue(); err != nil {
			break
		}
		name, _ := unquote(raw)
		err = dec.SkipValue()
		if isRecordField(name) || slices.Contains(seen, name) {
			continue
		}
		seen = append(seen, name)
		msg := "is an unknown field"
		if guess := closestField(name); guess != "" {
			msg += " (did you mean " + guess + "?)"
		}
		fields = append(fields, fault.FieldError{Field: name, Message: msg})
	}
	return fields
}

// closestField is the record field that name most likely misspells: the
// same letters in another case or spacing (tokensIn, Cost-Cents), or at
// most two edits away (cost_cent); "" when none is that close.
func closestField(name string) string {
	norm := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r == '_' || r == '-' || r == ' ' {
				return -1
			}
			return r
		}, strings.ToLower(s))
	}
	n := norm(name)
	best, bestDist := "", 3
	for _, f := range recordSchema.names() {
		if d := editDistance(n, norm(f)); d < bestDist {
			best, bestDist = f, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes (the
// field names are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// isRecordField reports whether the API reads a member of this name.
func isRecordField(name string) bool {
	_, ok := recordSchema.index[name]
	return ok
}
