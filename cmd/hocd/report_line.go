package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	api "hoc/l2_api"
	"hoc/l2_api/client"
	"hoc/l4_spine/telemetry"
)

// jsonSpace is JSON's whitespace (RFC 8259): a line of nothing else is
// blank, here and where the progress counts the lines of a file.
const jsonSpace = " \t\r\n"

// readReportLine judges one line of `hocd report` by the API's own rules
// (api.CheckRecord) and returns the record as the Go client sends it, or
// why the line is not sent, in the API's words: "is not a JSON record: ...",
// or "not sent: tokens_in is required; tokensIn is an unknown field (did
// you mean tokens_in?)".
//
// A line with an unknown field is refused although the API would ignore
// the field: in a file written by hand or by a script it is almost always a
// typo, and the record would be stored with a zero where the value was
// meant to go (issue 15). Refusing it costs a rerun of the corrected lines,
// which the call ids make safe; storing it costs a wrong record.
func readReportLine(line []byte) (client.Record, string) {
	rec, fields, err := api.CheckRecord(line)
	if err != nil {
		return client.Record{}, "is not a JSON record: " + err.Error()
	}
	if len(fields) > 0 {
		problems := make([]string, len(fields))
		for i, f := range fields {
			problems[i] = printable(f.Field) + " " + f.Message
		}
		return client.Record{}, "not sent: " + strings.Join(problems, "; ")
	}
	out, err := clientRecord(rec)
	if err != nil {
		return client.Record{}, "not sent: " + err.Error()
	}
	return out, ""
}

// clientRecord is the record the API read, in the client's shape. Metadata
// numbers stay json.Number so that they are sent exactly as written, as the
// API would store them, not rounded through a float64.
func clientRecord(r *telemetry.Record) (client.Record, error) {
	out := client.Record{
		CallID: r.CallID, IntegrationID: r.IntegrationID, Provider: r.Provider, Model: r.Model,
		TokensIn: r.TokensIn, TokensOut: r.TokensOut, CostCents: r.CostCents, CostMicros: r.CostMicros,
		LatencyMS: r.LatencyMS, SessionID: r.SessionID, AgentID: r.AgentID,
		ErrorCode: r.ErrorCode, ErrorMessage: r.ErrorMessage, OccurredAt: r.OccurredAt,
	}
	if r.PolicyResult != nil {
		out.PolicyResult = *r.PolicyResult
	}
	if r.Metadata != nil {
		dec := json.NewDecoder(bytes.NewReader(r.Metadata))
		dec.UseNumber()
		if err := dec.Decode(&out.Metadata); err != nil {
			return client.Record{}, fmt.Errorf("metadata: %w", err)
		}
	}
	return out, nil
}

// printable keeps a field name taken from the file safe and short on a
// terminal: an unknown member's name may hold control characters or run
// to megabytes.
func printable(s string) string {
	const most = 64
	if utf8.RuneCountInString(s) > most {
		s = string([]rune(s)[:most]) + "…"
	}
	if !utf8.ValidString(s) || strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return strconv.Quote(s)
	}
	return s
}
