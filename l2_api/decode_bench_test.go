package api

import "testing"

var benchBody = []byte(`{"call_id":"call-0123456789abcdef","provider":"openai","model":"gpt-4o","tokens_in":812,"tokens_out":96,"cost_cents":1,"latency_ms":400,"session_id":"sess-1","metadata":{"k":"v","n":3,"feature":"chat"}}`)

// BenchmarkReadRecord decodes and checks one typical SDK record.
func BenchmarkReadRecord(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		rec, _, fields, err := readRecord(newJSONDecoder(benchBody), "")
		if err != nil || len(fields) > 0 || rec.TokensIn != 812 {
			b.Fatal(err, fields)
		}
	}
}
