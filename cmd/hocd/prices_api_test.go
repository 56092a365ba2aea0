package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	integrationsengine "hoc/l5_engines/integrations"
)

// TestPricesAPI_ScopesValidationAndIsolation: prices need prices:read and
// prices:write; a bad body is 422 naming each field and adds nothing; a
// duplicate row is 409; a tenant's row is in its own effective table only;
// the founder's global row is in everyone's.
func TestPricesAPI_ScopesValidationAndIsolation(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, h *harness) {
		a, b := h.newTenant("A"), h.newTenant("B")
		aWrite := []string{"X-AOS-Key", h.newAPIKey(a.TenantID, "prices:read", "prices:write")}
		aRead := []string{"X-AOS-Key", h.newAPIKey(a.TenantID, "prices:read")}
		bRead := []string{"X-AOS-Key", h.newAPIKey(b.TenantID, "prices:*")}
		from := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
		row := map[string]any{"provider": "openai", "model": "acme-ft-1", "effective_from": from,
			"usd_per_mtok": map[string]any{"input": "0.3", "output": 1.2, "cache_read": "0.15"},
			"tier":         map[string]any{"above_input_tokens": 128_000, "usd_per_mtok": map[string]any{"input": "0.6", "output": "2.4"}}}

		h.do(http.MethodGet, "/api/v1/prices", nil, a.readKeyHeader()...).expectError(t, 403, "FORBIDDEN")
		h.do(http.MethodPost, "/api/v1/prices", row, aRead...).expectError(t, 403, "FORBIDDEN")

		h.do(http.MethodPost, "/api/v1/prices", map[string]any{"provider": "openai", "model": "m", "effective_from": "yesterday",
			"usd_per_mtok": map[string]any{"input": "1", "output": "1"}}, aWrite...).expectError(t, 422, "VALIDATION_FAILED")
		bad := h.do(http.MethodPost, "/api/v1/prices", map[string]any{"provider": "", "model": "m", "effective_from": from,
			"usd_per_mtok": map[string]any{"input": "-1", "output": "1e-3", "cache_write": 0.1234567}}, aWrite...)
		bad.expectError(t, 422, "VALIDATION_FAILED")
		for _, field := range []string{"provider", "usd_per_mtok.input", "usd_per_mtok.output", "usd_per_mtok.cache_write"} {
			if !strings.Contains(bad.Raw, `"field":"`+field+`"`) {
				t.Errorf("a bad price body does not name %s: %s", field, bad.Raw)
			}
		}

		created := h.do(http.MethodPost, "/api/v1/prices", row, aWrite...)
		if created.Status != 201 || !strings.Contains(created.Raw, `"cache_read":"0.15","cache_write":"0.30"`) ||
			!strings.Contains(created.Raw, `"above_input_tokens":128000`) {
			t.Fatalf("created: %d %s", created.Status, created.Raw)
		}
		h.do(http.MethodPost, "/api/v1/prices", row, aWrite...).expectError(t, 409, "CONFLICT")

		global := map[string]any{"provider": "mistral", "model": "acme-global-1", "effective_from": from,
			"usd_per_mtok": map[string]any{"input": "1", "output": "3"}}
		if r := h.do(http.MethodPost, "/api/v1/fdr/prices", global, h.founder()...); r.Status != 201 || !strings.Contains(r.Raw, `"scope":"global"`) {
			t.Fatalf("founder's global row: %d %s", r.Status, r.Raw)
		}
		h.do(http.MethodPost, "/api/v1/fdr/prices", global, aWrite...).expectError(t, 403, "FORBIDDEN")

		all := func(auth []string) string {
			r := h.do(http.MethodGet, "/api/v1/prices?limit=1000", nil, auth...)
			if r.Status != 200 {
				t.Fatalf("list: %s", r.Raw)
			}
			return r.Raw
		}
		if r := all(aRead); !strings.Contains(r, `"acme-ft-1"`) || !strings.Contains(r, `"acme-global-1"`) || !strings.Contains(r, `"gpt-4o-mini"`) {
			t.Errorf("A's effective table lacks its row, the new global row or the shipped list")
		}
		if r := all(bRead); strings.Contains(r, `"acme-ft-1"`) || !strings.Contains(r, `"acme-global-1"`) {
			t.Errorf("B's effective table shows A's row or lacks the global one")
		}
		if r := h.do(http.MethodGet, "/api/v1/prices/resolve?provider=openai&model=acme-ft-1", nil, bRead...); !strings.Contains(r.Raw, `"price":null`) {
			t.Errorf("B resolves A's row: %s", r.Raw)
		}
		h.do(http.MethodGet, "/api/v1/prices/resolve?provider=openai", nil, aRead...).expectError(t, 422, "VALIDATION_FAILED")
		h.do(http.MethodGet, "/api/v1/prices/resolve?provider=openai&model=x&at=now", nil, aRead...).expectError(t, 400, "INVALID_REQUEST")
	})
}

// TestIntegrationsAPI_EveryProviderTypeOnBothDatabases creates an
// integration of every provider type the engine lists (the database's CHECK
// must accept the same set) and refuses one it does not.
func TestIntegrationsAPI_EveryProviderTypeOnBothDatabases(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, h *harness) {
		f := h.newTenant("Acme")
		admin := h.integrationsAdmin(f.TenantID)
		for _, p := range integrationsengine.ProviderTypes {
			if created, _ := h.createIntegration(admin, map[string]any{"name": "via " + p, "provider_type": p}); created.ProviderType != p {
				t.Errorf("created %+v, want provider_type %s", created, p)
			}
		}
		r := h.do(http.MethodPost, "/api/v1/integrations", map[string]any{"name": "x", "provider_type": "openrouter"}, admin...)
		r.expectError(t, 422, "VALIDATION_FAILED")
	})
}
