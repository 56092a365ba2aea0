package main

import (
	"context"
	"net/http"

	api "hoc/l2_api"
	spine "hoc/l4_spine"
	integrationsops "hoc/l4_spine/integrations"
	integrationsdb "hoc/l6_drivers/integrations"
)

// tenantFixture is a tenant with one integration, its key, and a machine key
// that may read telemetry.
type tenantFixture struct {
	TenantID       string
	IntegrationID  string
	IntegrationKey string
	ReadKey        string
}

// integrationKeyHeader and readKeyHeader are the header pairs of the two keys.
func (f tenantFixture) integrationKeyHeader() []string {
	return []string{"X-CUS-Integration-Key", f.IntegrationKey}
}
func (f tenantFixture) readKeyHeader() []string { return []string{"X-AOS-Key", f.ReadKey} }

// newTenant creates a tenant through the founder API, an integration through
// the integrations adapter (as `hocd integrations create` does) and a
// telemetry:read API key through the founder API.
func (h *harness) newTenant(name string) tenantFixture {
	h.t.Helper()
	r := h.do(http.MethodPost, "/api/v1/fdr/tenants", map[string]any{"name": name}, h.founder()...)
	var tenant api.TenantJSON
	r.decode(h.t, &tenant)
	f := tenantFixture{TenantID: tenant.ID}
	f.IntegrationID, f.IntegrationKey = h.newIntegration(f.TenantID, "prod")
	f.ReadKey = h.newAPIKey(f.TenantID, "telemetry:read")
	return f
}

func (h *harness) newIntegration(tenantID, name string) (id, key string) {
	h.t.Helper()
	ctx := spine.WithActor(context.Background(), cliActor())
	created, err := h.integrations.Create(ctx, integrationsops.NewIntegration{TenantID: tenantID, Name: name, ProviderType: "openai"})
	if err != nil {
		h.t.Fatal(err)
	}
	return created.Integration.ID, created.Key
}

func (h *harness) newAPIKey(tenantID string, scopes ...string) string {
	h.t.Helper()
	r := h.do(http.MethodPost, "/api/v1/fdr/tenants/"+tenantID+"/api-keys", map[string]any{"name": "k", "scopes": scopes}, h.founder()...)
	var out struct {
		Key string `json:"key"`
	}
	r.decode(h.t, &out)
	if r.Status != http.StatusCreated || out.Key == "" {
		h.t.Fatalf("create api key: %s", r.Raw)
	}
	return out.Key
}

// integrationStore is the real driver, for tests that change state the API
// cannot change yet (disable, soft delete).
func (h *harness) integrationStore() *integrationsdb.Store {
	s, err := integrationsdb.NewStore(h.db)
	if err != nil {
		h.t.Fatal(err)
	}
	return s
}
