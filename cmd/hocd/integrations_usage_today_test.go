package main

import (
	"net/http"
	"testing"
	"time"
)

// TestIntegrations_UsageTodayCountsOnlyTodaysRecordsOfThatIntegration is
// the HTTP test of docs/contributing.md's first worked example.
func TestIntegrations_UsageTodayCountsOnlyTodaysRecordsOfThatIntegration(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, h *harness) {
		f, other := h.newTenant("Acme"), h.newTenant("Other")
		yesterday := time.Now().UTC().Add(-24 * time.Hour).Format(time.RFC3339)
		for _, rec := range []map[string]any{usage("a"), usage("b"), usage("old", func(m map[string]any) { m["occurred_at"] = yesterday })} {
			if r := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", rec, f.integrationKeyHeader()...); r.Status != 201 {
				t.Fatalf("ingest: %s", r.Raw)
			}
		}
		h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", usage("x"), other.integrationKeyHeader()...)

		reader := []string{"X-AOS-Key", h.newAPIKey(f.TenantID, "integrations:read")}
		r := h.do(http.MethodGet, "/api/v1/integrations/"+f.IntegrationID+"/usage-today", nil, reader...)
		var got struct {
			IntegrationID string `json:"integration_id"`
			Date          string `json:"date"`
			Calls         int64  `json:"total_calls"`
			Cents         int64  `json:"total_cost_cents"`
		}
		r.decode(t, &got)
		if r.Status != 200 || got.IntegrationID != f.IntegrationID || got.Date != time.Now().UTC().Format(time.DateOnly) ||
			got.Calls != 2 || got.Cents != 14 {
			t.Fatalf("usage today = %d %+v, want today's 2 calls and 14 cents", r.Status, got)
		}
		h.do(http.MethodGet, "/api/v1/integrations/"+other.IntegrationID+"/usage-today", nil, reader...).
			expectError(t, 404, "NOT_FOUND")
		writer := []string{"X-AOS-Key", h.newAPIKey(f.TenantID, "telemetry:write")}
		h.do(http.MethodGet, "/api/v1/integrations/"+f.IntegrationID+"/usage-today", nil, writer...).
			expectError(t, 403, "FORBIDDEN")
	})
}
