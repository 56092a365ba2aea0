package api

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"hoc/l5_engines/fault"
)

// TestCheckRecord_JudgesARecordByTheAPIsRulesAndNamesUnknownFields: the
// record of issue 15 item 6, which hocd report stored with 0 tokens and $0,
// and the other ways a hand-written record goes wrong, in the API's words.
func TestCheckRecord_JudgesARecordByTheAPIsRulesAndNamesUnknownFields(t *testing.T) {
	t.Parallel()
	const valid = `"call_id":"c","provider":"openai","model":"gpt-4o","tokens_in":1,"tokens_out":2,"cost_cents":3`
	cases := []struct {
		name, body string
		want       []string // "field message", in order; none for a record the API takes
		notJSON    bool
	}{
		{"misspelled required fields",
			`{"call_id":"typo-1","provider":"openai","model":"gpt-4o","tokensIn":1000,"tokens_out":7,"cost_cent":5}`,
			[]string{"tokens_in is required", "cost_cents is required",
				"tokensIn is an unknown field (did you mean tokens_in?)", "cost_cent is an unknown field (did you mean cost_cents?)"}, false},
		{"a string for an integer", `{` + strings.Replace(valid, `"tokens_in":1`, `"tokens_in":"1"`, 1) + `}`,
			[]string{"tokens_in must be an integer"}, false},
		{"null is missing", `{` + strings.Replace(valid, `"cost_cents":3`, `"cost_cents":null`, 1) + `}`,
			[]string{"cost_cents is required"}, false},
		{"an unknown field like no other", `{` + valid + `,"vendor_note":"x","vendor_note":"y"}`,
			[]string{"vendor_note is an unknown field"}, false},
		{"a field in another case", `{` + valid + `,"Session-ID":"s"}`,
			[]string{"Session-ID is an unknown field (did you mean session_id?)"}, false},
		{"not an object", `[1]`, []string{"body must be a JSON object"}, false},
		{"nested deeper than a batch allows", `{` + valid + `,"metadata":` + strings.Repeat(`{"a":`, 30) + `1` + strings.Repeat(`}`, 30) + `}`,
			[]string{"body nests deeper than 30 levels, the most a record in a batch may"}, false},
		{"not JSON", `{"call_id":`, nil, true},
		{"two values", `{` + valid + `} {}`, nil, true},
		{"integers decided on the literal", `{` + strings.Replace(valid, `"tokens_in":1`, `"tokens_in":5.0`, 1) + `}`, nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec, fields, err := CheckRecord([]byte(tc.body))
			if (err != nil) != tc.notJSON {
				t.Fatalf("error %v, want one: %v", err, tc.notJSON)
			}
			var got []string
			for _, f := range fields {
				got = append(got, f.Field+" "+f.Message)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("field errors\n%q\nwant\n%q", got, tc.want)
			}
			if (rec != nil) != (err == nil && len(tc.want) == 0) {
				t.Fatalf("record %+v with errors %v %v", rec, fields, err)
			}
			if rec != nil && (rec.CallID != "c" || rec.TokensIn == 0 || rec.CostCents != 3) {
				t.Fatalf("record read as %+v", rec)
			}
		})
	}
}

// TestCheckRecord_KnowsTheFieldsTheAPIReadsAndDocuments: the record schema
// that decides what is unknown is what readRecord reads (a value of the
// wrong type in each field is an error naming it) and what the OpenAPI
// document describes.
func TestCheckRecord_KnowsTheFieldsTheAPIReadsAndDocuments(t *testing.T) {
	t.Parallel()
	for _, name := range recordSchema.names() {
		_, fields, err := CheckRecord([]byte(`{"` + name + `":true}`))
		if err != nil || !slices.ContainsFunc(fields, func(f fault.FieldError) bool {
			return f.Field == name && !strings.Contains(f.Message, "unknown")
		}) {
			t.Errorf("%s: the API's reader does not read it: %v %v", name, fields, err)
		}
	}
	var doc struct {
		Components struct {
			Schemas struct {
				UsageRecordInput struct {
					Properties map[string]json.RawMessage `json:"properties"`
				} `json:"UsageRecordInput"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatal(err)
	}
	var documented []string
	for name := range doc.Components.Schemas.UsageRecordInput.Properties {
		documented = append(documented, name)
	}
	slices.Sort(documented)
	listed := slices.Sorted(slices.Values(recordSchema.names()))
	if !slices.Equal(documented, listed) {
		t.Fatalf("OpenAPI UsageRecordInput has %v; the record schema %v", documented, listed)
	}
}
