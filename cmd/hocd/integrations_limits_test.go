package main

import (
	"encoding/json"
	"math"
	"net/http"
	"testing"
	"time"
)

func TestIntegrationsAPI_LimitsMatchThisMonthsTelemetry(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, h *harness) {
		f := h.newTenant("Acme")
		admin := h.integrationsAdmin(f.TenantID)
		integ, key := h.createIntegration(admin, map[string]any{"name": "metered", "provider_type": "openai",
			"budget_limit_cents": 200, "token_limit_month": 3000, "rate_limit_rpm": 60})

		// Three calls now, one ten minutes ago, one in the previous month
		// (when that is still inside ingest's 30 days), and one of another
		// integration that must not count.
		now := time.Now().UTC()
		monthStart := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
		type call struct {
			at             time.Time
			in, out, cents int64
			sendOccurredAt bool
			lastMinute     bool
		}
		calls := []call{
			{at: now, in: 100, out: 50, cents: 25, lastMinute: true},
			{at: now, in: 100, out: 50, cents: 25, lastMinute: true},
			{at: now, in: 100, out: 50, cents: 25, lastMinute: true},
			{at: now.Add(-10 * time.Minute), in: 200, out: 0, cents: 10, sendOccurredAt: true},
		}
		if prev := monthStart.Add(-time.Hour); now.Sub(prev) < 29*24*time.Hour {
			calls = append(calls, call{at: prev, in: 5000, out: 5000, cents: 500, sendOccurredAt: true})
		}
		var wantCents, wantTokens, wantRPM int64
		for i, c := range calls {
			r := ingestWith(h, key, "limits-"+string(rune('a'+i)), func(m map[string]any) {
				m["tokens_in"], m["tokens_out"], m["cost_cents"], m["cost_micros"] = c.in, c.out, c.cents, c.cents*10_000
				if c.sendOccurredAt {
					m["occurred_at"] = c.at.Format(time.RFC3339Nano)
				}
			})
			if r.Status != 201 {
				t.Fatalf("ingest %d: %s", i, r.Raw)
			}
			if !c.at.Before(monthStart) {
				wantCents += c.cents
				wantTokens += c.in + c.out
			}
			if c.lastMinute {
				wantRPM++
			}
		}
		if r := ingestWith(h, f.IntegrationKey, "other-integration", func(m map[string]any) { m["cost_cents"], m["cost_micros"] = 90, 900_000 }); r.Status != 201 {
			t.Fatal(r.Raw)
		}

		pct := func(used, limit int64) float64 { return math.Round(float64(used)*10_000/float64(limit)) / 100 }
		want := limitsJSON{
			BudgetLimitCents: 200, BudgetUsedCents: wantCents, BudgetPercent: pct(wantCents, 200),
			TokenLimitMonth: 3000, TokensUsedMonth: wantTokens, TokenPercent: pct(wantTokens, 3000),
			RateLimitRPM: 60, CurrentRPM: wantRPM, RatePercent: pct(wantRPM, 60),
		}
		path := "/api/v1/integrations/" + integ.ID + "/limits"
		for name, auth := range map[string][]string{"its own integration key": {"X-CUS-Integration-Key", key}, "a machine key": admin} {
			r := h.do(http.MethodGet, path, nil, auth...)
			var got limitsJSON
			r.decode(t, &got)
			if r.Status != 200 || got != want {
				t.Fatalf("%s: got %+v\nwant %+v\n%s", name, got, want, r.Raw)
			}
		}
		if !calls[3].at.Before(monthStart) {
			// Worked out by hand: 85 of 200 cents, 650 of 3000 tokens, 3 of 60 calls a minute.
			if want.BudgetPercent != 42.5 || want.TokenPercent != 21.67 || want.RatePercent != 5 {
				t.Fatalf("percents %+v", want)
			}
		}

		// The SDK reads data.<field> from the envelope; every figure is a
		// JSON number.
		r := h.do(http.MethodGet, path, nil, "X-CUS-Integration-Key", key)
		var sdk struct {
			Success bool           `json:"success"`
			Data    map[string]any `json:"data"`
		}
		if err := json.Unmarshal([]byte(r.Raw), &sdk); err != nil {
			t.Fatal(err)
		}
		for _, field := range []string{"budget_limit_cents", "budget_used_cents", "budget_percent", "token_limit_month",
			"tokens_used_month", "token_percent", "rate_limit_rpm", "current_rpm", "rate_percent"} {
			if _, ok := sdk.Data[field].(float64); !ok || !sdk.Success {
				t.Errorf("data.%s = %#v in %s", field, sdk.Data[field], r.Raw)
			}
		}

		// The key reads only its own integration's limits.
		other := h.do(http.MethodGet, "/api/v1/integrations/"+f.IntegrationID+"/limits", nil, "X-CUS-Integration-Key", key)
		other.expectError(t, 403, "FORBIDDEN")
		if other.reason() != "integration_mismatch" {
			t.Fatalf("reason: %s", other.Raw)
		}

		// Without limits every percent is 0, however much was used.
		r = h.do(http.MethodGet, "/api/v1/integrations/"+f.IntegrationID+"/limits", nil, admin...)
		var unlimited limitsJSON
		r.decode(t, &unlimited)
		if unlimited != (limitsJSON{BudgetUsedCents: 90, TokensUsedMonth: 150, CurrentRPM: 1}) {
			t.Fatalf("unlimited: %+v", unlimited)
		}
	})
}
