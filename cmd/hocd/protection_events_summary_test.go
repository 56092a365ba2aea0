package main

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"hoc/l6_drivers/db/dbtest"
)

// TestProtectionEvents_SummaryCountsTheTenantsOwnPerDimensionAndDecision:
// acme's three events (a rate rejection, a cost and an anomaly warning) are
// counted per dimension and decision, filtered like the list; the other
// tenant's never count, and a key without protection:read is refused.
func TestProtectionEvents_SummaryCountsTheTenantsOwnPerDimensionAndDecision(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Backends(t) {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			h, ev := protectionEventsHarness(t, dialect)
			key := []string{"X-AOS-Key", h.newAPIKey(ev.acme.TenantID, "protection:read")}
			type count struct {
				Dimension, Decision string
				Count               int64
			}
			for _, tc := range []struct {
				query url.Values
				want  []count
			}{
				{nil, []count{{"anomaly", "warn", 1}, {"cost", "warn", 1}, {"rate", "reject", 1}}},
				{url.Values{"since": {eventsBase.Add(time.Minute).Format(time.RFC3339)}}, []count{{"anomaly", "warn", 1}, {"cost", "warn", 1}}},
				{url.Values{"dimension": {"rate"}}, []count{{"rate", "reject", 1}}},
			} {
				r := h.do(http.MethodGet, "/api/v1/protection/events/summary?"+tc.query.Encode(), nil, key...)
				var got []count
				r.decode(t, &got)
				if r.Status != http.StatusOK || !slices.Equal(got, tc.want) {
					t.Errorf("%v: %d %+v, want %+v", tc.query, r.Status, got, tc.want)
				}
			}
			h.do(http.MethodGet, "/api/v1/protection/events/summary?dimension=speed", nil, key...).expectError(t, 422, "VALIDATION_FAILED")
			noScope := []string{"X-AOS-Key", h.newAPIKey(ev.acme.TenantID, "telemetry:read")}
			h.do(http.MethodGet, "/api/v1/protection/events/summary", nil, noScope...).expectError(t, 403, "FORBIDDEN")
		})
	}
}
