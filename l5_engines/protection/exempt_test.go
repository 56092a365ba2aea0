package protection

import "testing"

func TestExempt_MatchesWholeSegments(t *testing.T) {
	t.Parallel()
	cases := map[string]bool{
		"/health": true, "/health/deep": true, "/ready": true, "/metrics": true, "/docs": true, "/openapi.json": true,
		"/api/v1/fdr": true, "/api/v1/fdr/tenants": true, "/api/v1/onboarding": true, "/api/v1/onboarding/step": true,
		"/healthz-x": false, "/healthz": false, "/api/v1/fdrx": false, "/api/v1/integrations": false,
		"/api/v1/telemetry/llm-usage": false, "/metricsz": false, "/": false,
	}
	for path, want := range cases {
		if got := Exempt(path); got != want {
			t.Errorf("Exempt(%q) = %v, want %v", path, got, want)
		}
	}
}
