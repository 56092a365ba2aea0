package api

import (
	"context"
	"strings"
	"testing"

	"hoc/l5_engines/fault"
)

// decodeOne reads one record body the way the single ingest does.
func decodeOne(t *testing.T, body string) (map[string]string, *fault.FieldError) {
	t.Helper()
	rec, _, fields, err := readRecord(newJSONDecoder([]byte(body)), "")
	if err != nil {
		t.Fatalf("%s: not JSON: %v", body, err)
	}
	if len(fields) > 0 {
		return nil, &fields[0]
	}
	out := map[string]string{"call_id": rec.CallID, "metadata": string(rec.Metadata)}
	return out, nil
}

const base = `"call_id":"c","provider":"openai","model":"gpt-4o","tokens_in":1,"tokens_out":2,"cost_cents":3`

func TestReadRecord_RefusesWhatTheDatabasesWouldDisagreeOn(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body, field string
	}{
		{"NUL in a string", `{` + base + `,"session_id":"a\u0000b"}`, "session_id"},
		{"NUL in a metadata value", `{` + base + `,"metadata":{"k":"a\u0000"}}`, "metadata.k"},
		{"NUL in a metadata key", `{` + base + `,"metadata":{"a\u0000":1}}`, "metadata"},
		{"invalid UTF-8", "{" + base + `,"agent_id":"x` + "\xff" + `"}`, "agent_id"},
		{"a lone surrogate", `{` + base + `,"agent_id":"x\ud800"}`, "agent_id"},
		{"invalid UTF-8 in metadata", "{" + base + `,"metadata":{"k":["` + "\xfe" + `"]}}`, "metadata.k[0]"},
		{"a metadata number beyond a float64", `{` + base + `,"metadata":{"n":1e1000000}}`, "metadata.n"},
		{"a metadata number of 33 characters", `{` + base + `,"metadata":{"n":1.00000000000000000000000000000001}}`, "metadata.n"},
		{"a fraction", `{` + base + `,"latency_ms":1000000000.0000000001}`, "latency_ms"},
		{"an underflow", `{` + base + `,"latency_ms":1e-400}`, "latency_ms"},
		{"a string for a number", `{` + base + `,"cost_micros":"5"}`, "cost_micros"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, fe := decodeOne(t, tc.body)
			if fe == nil || fe.Field != tc.field {
				t.Fatalf("field error %+v, want one naming %s", fe, tc.field)
			}
		})
	}
}

func TestReadRecord_IntegersAreDecidedOnTheLiteral(t *testing.T) {
	t.Parallel()
	for _, lit := range []string{"5", "5.0", "5e0", "50e-1"} {
		if _, fe := decodeOne(t, `{"call_id":"c","provider":"p","model":"m","tokens_in":`+lit+`,"tokens_out":0,"cost_cents":0}`); fe != nil {
			t.Errorf("tokens_in %s refused: %+v", lit, fe)
		}
	}
}

func TestReadRecord_MetadataIsCanonical(t *testing.T) {
	t.Parallel()
	got, fe := decodeOne(t, `{`+base+`, "metadata": {"z": 1.50, "a": {"y": [true, null, "<&>"], "b": "\u00e9\n"}, "a": {"last": 1}} }`)
	if fe != nil {
		t.Fatal(fe)
	}
	// Keys sorted, the last duplicate wins, numbers as sent, strings in their
	// shortest escaping and never HTML-escaped.
	if want := `{"a":{"last":1},"z":1.50}`; got["metadata"] != want {
		t.Fatalf("metadata = %s, want %s", got["metadata"], want)
	}
	got, fe = decodeOne(t, `{`+base+`,"metadata":{"s":"<&> é \t \u2028"}}`)
	if fe != nil {
		t.Fatal(fe)
	}
	if want := "{\"s\":\"<&> é \\t \u2028\"}"; got["metadata"] != want {
		t.Fatalf("metadata = %s, want %s", got["metadata"], want)
	}
}

func TestReadRecord_MetadataLimitCountsTheCanonicalForm(t *testing.T) {
	t.Parallel()
	// 3,000 '<' are 3 KB as sent; HTML escaping would count 18 KB.
	if _, fe := decodeOne(t, `{`+base+`,"metadata":{"html":"`+strings.Repeat("<", 3000)+`"}}`); fe != nil {
		t.Fatalf("refused: %+v", fe)
	}
	// Insignificant whitespace does not count either.
	spaced := `{` + base + `,"metadata":{"k":"` + strings.Repeat("x", 16<<10-20) + `"` + strings.Repeat(" ", 5000) + `}}`
	if _, fe := decodeOne(t, spaced); fe != nil {
		t.Fatalf("refused for its whitespace: %+v", fe)
	}
	if _, fe := decodeOne(t, `{`+base+`,"metadata":{"k":"`+strings.Repeat("x", 16<<10)+`"}}`); fe == nil || fe.Field != "metadata" {
		t.Fatalf("over 16 KiB: %+v", fe)
	}
}

func TestReadRecord_ARefusedMetadataDoesNotDerailTheRecord(t *testing.T) {
	t.Parallel()
	_, callID, fields, err := readRecord(newJSONDecoder([]byte(`{"metadata":{"a":{"b":"\u0000","c":[1,2]}},"call_id":"after"}`)), "")
	if err != nil || callID != "after" {
		t.Fatalf("call id %q, err %v: the fields after the metadata must still be read", callID, err)
	}
	if fields[0].Field != "metadata.a.b" {
		t.Fatalf("fields %+v", fields)
	}
}

func TestReadBatch_EachRecordIsJudgedAlone(t *testing.T) {
	t.Parallel()
	body := `{"ignored": {"x": 1}, "records": [{` + base + `}, 7, {"call_id": "bad", "tokens_in": -1}, {` +
		strings.Replace(base, `"c"`, `"d"`, 1) + `}]}`
	items, err := readBatch(context.Background(), newJSONDecoder([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 4 || items[0].Record == nil || items[1].Error == nil || items[2].Error == nil || items[3].Record == nil {
		t.Fatalf("items = %+v", items)
	}
	if items[2].CallID != "bad" || firstField(items[2].Error) != "records[2].tokens_in" {
		t.Fatalf("refused record: %+v", items[2])
	}
	if firstField(items[1].Error) != "records[1]" {
		t.Fatalf("a record that is not an object: %+v", items[1].Error)
	}
}

func TestReadBatch_BodyErrors(t *testing.T) {
	t.Parallel()
	cases := []struct{ body, code string }{
		{`{"records": [`, fault.CodeInvalidRequest},
		{`{"records": []} trailing`, fault.CodeInvalidRequest},
		{`{"records": {}}`, fault.CodeValidationFailed},
		{`{"records": null}`, fault.CodeValidationFailed},
		{`[]`, fault.CodeValidationFailed},
		{`{}`, fault.CodeValidationFailed},
		{`{"records": [` + strings.TrimSuffix(strings.Repeat(`{},`, 1001), ",") + `]}`, fault.CodePayloadTooLarge},
	}
	for _, tc := range cases {
		_, err := readBatch(context.Background(), newJSONDecoder([]byte(tc.body)))
		fe, ok := fault.As(err)
		if !ok || fe.Code != tc.code {
			t.Errorf("%.40s: %v, want %s", tc.body, err, tc.code)
		}
	}
}

// firstField is the first failing field of a record's refusal.
func firstField(e *fault.Error) string {
	if fields, _ := e.Details["fields"].([]fault.FieldError); len(fields) > 0 {
		return fields[0].Field
	}
	return ""
}
