package main

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
)

// sdkCallID is how the Python SDK names calls: "call-" and 16 hex digits.
func sdkCallID(t *testing.T) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "call-" + hex.EncodeToString(b)
}

// sdkRecord is a record exactly as the Python SDK sends it: the fields it
// always sends (integration_id taken from the key), plus the optional ones
// only when the caller set them.
func sdkRecord(t *testing.T, integrationID string, withOptional bool) map[string]any {
	rec := map[string]any{
		"call_id": sdkCallID(t), "provider": "openai", "model": "gpt-4o-mini",
		"tokens_in": 812, "tokens_out": 96, "cost_cents": 1, "policy_result": "allowed",
		"metadata":       map[string]any{"sdk": "python", "version": "1.4.2", "tags": []string{"chat"}},
		"integration_id": integrationID,
	}
	if withOptional {
		rec["latency_ms"] = 734
		rec["session_id"] = "user session 7 / free text"
		rec["agent_id"] = "support-bot"
		rec["error_code"] = "rate_limit_exceeded"
		rec["error_message"] = "Rate limit reached for gpt-4o-mini"
	}
	return rec
}

// TestSDK_PythonRequestShapesAreAccepted replays the Python SDK: single
// records, a full default batch of 50, and the retry of that batch after a
// lost response, all with X-CUS-Integration-Key and application/json; the
// SDK treats any 2xx as success and reads data from the envelope.
func TestSDK_PythonRequestShapesAreAccepted(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, h *harness) {
		f := h.newTenant("SDK user")
		integrationID := strings.Split(f.IntegrationKey, ":")[1]
		for _, optional := range []bool{false, true} {
			r := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", sdkRecord(t, integrationID, optional), f.integrationKeyHeader()...)
			var data struct{ Status, ID string }
			r.decode(t, &data)
			if r.Status/100 != 2 || data.Status != "accepted" || data.ID == "" {
				t.Fatalf("single (optional=%v): %s", optional, r.Raw)
			}
		}
		records := make([]any, 50)
		for i := range records {
			records[i] = sdkRecord(t, integrationID, i%2 == 0)
		}
		body := map[string]any{"records": records}
		for attempt, wantAccepted := range []int{50, 0} {
			r := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage/batch", body, f.integrationKeyHeader()...)
			var data struct{ Accepted, Duplicates, Total int }
			r.decode(t, &data)
			if r.Status != 200 || data.Accepted != wantAccepted || data.Duplicates != 50-wantAccepted || data.Total != 50 {
				t.Fatalf("batch attempt %d: %d %s", attempt, r.Status, r.Raw)
			}
		}
		if n := h.storedCount(f); n != 52 {
			t.Fatalf("%d records stored, want 52", n)
		}
	})
}
