package main

import (
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	api "hoc/l2_api"
)

// integrationsAdmin returns the header pair of a machine key that may read
// and write the tenant's integrations.
func (h *harness) integrationsAdmin(tenantID string) []string {
	h.t.Helper()
	return []string{"X-AOS-Key", h.newAPIKey(tenantID, "integrations:read", "integrations:write")}
}

// createIntegration creates an integration through the customer API and
// returns it with its key.
func (h *harness) createIntegration(auth []string, body map[string]any) (api.IntegrationJSON, string) {
	h.t.Helper()
	r := h.do(http.MethodPost, "/api/v1/integrations", body, auth...)
	var out struct {
		Integration api.IntegrationJSON `json:"integration"`
		Key         string              `json:"key"`
	}
	r.decode(h.t, &out)
	if r.Status != http.StatusCreated || out.Key == "" {
		h.t.Fatalf("create integration: %d %s", r.Status, r.Raw)
	}
	return out.Integration, out.Key
}

// integration decodes a response that must be 200 with an integration.
func (r response) integration(t testing.TB) api.IntegrationJSON {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("got %d %s, want 200", r.Status, r.Raw)
	}
	var i api.IntegrationJSON
	r.decode(t, &i)
	return i
}

// fieldNames lists details.fields[].field of a validation error.
func (r response) fieldNames() []string {
	var names []string
	if r.Error == nil {
		return nil
	}
	list, _ := r.Error.Details["fields"].([]any)
	for _, f := range list {
		if m, ok := f.(map[string]any); ok {
			names = append(names, m["field"].(string))
		}
	}
	slices.Sort(names)
	return names
}

// reason is details.reason of an error.
func (r response) reason() any {
	if r.Error == nil {
		return nil
	}
	return r.Error.Details["reason"]
}

func ingestWith(h *harness, key, callID string, mod ...func(map[string]any)) response {
	h.t.Helper()
	return h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", usage(callID, mod...), "X-CUS-Integration-Key", key)
}

func TestIntegrationsAPI_CreateListGetPatchDisableEnableRotateDelete(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, h *harness) {
		f := h.newTenant("Acme")
		admin := h.integrationsAdmin(f.TenantID)
		created, key := h.createIntegration(admin, map[string]any{"name": "chat", "provider_type": "anthropic",
			"default_model": "claude", "budget_limit_cents": 1000, "token_limit_month": 50_000, "rate_limit_rpm": 60})
		if created.TenantID != f.TenantID || created.Status != "enabled" || *created.DefaultModel != "claude" ||
			created.BudgetLimitCents != 1000 || created.TokenLimitMonth != 50_000 || created.RateLimitRPM != 60 ||
			!strings.HasPrefix(key, f.TenantID+":"+created.ID+":") {
			t.Fatalf("created %+v with key %q", created, key)
		}
		path := "/api/v1/integrations/" + created.ID

		list := h.do(http.MethodGet, "/api/v1/integrations", nil, admin...)
		var items []api.IntegrationJSON
		list.decode(t, &items)
		if list.Status != 200 || *list.Meta.Total != 2 || *list.Meta.PageSize != 100 || *list.Meta.HasMore ||
			len(items) != 2 || items[0].ID != f.IntegrationID || !reflect.DeepEqual(items[1], created) {
			t.Fatalf("list: %s", list.Raw)
		}
		second := h.do(http.MethodGet, "/api/v1/integrations?limit=1&offset=1", nil, admin...)
		second.decode(t, &items)
		if *second.Meta.Total != 2 || *second.Meta.Page != 2 || *second.Meta.HasMore || len(items) != 1 || items[0].ID != created.ID {
			t.Fatalf("second page: %s", second.Raw)
		}
		if got := h.do(http.MethodGet, path, nil, admin...).integration(t); !reflect.DeepEqual(got, created) {
			t.Fatalf("get = %+v, want %+v", got, created)
		}

		patched := h.do(http.MethodPatch, path, map[string]any{"name": "chat-2", "rate_limit_rpm": 120, "default_model": nil}, admin...).integration(t)
		if patched.Name != "chat-2" || patched.RateLimitRPM != 120 || patched.DefaultModel != nil ||
			patched.BudgetLimitCents != 1000 || patched.TokenLimitMonth != 50_000 || patched.ProviderType != "anthropic" ||
			patched.CreatedAt != created.CreatedAt {
			t.Fatalf("patched: %+v", patched)
		}

		if got := h.do(http.MethodPost, path+"/disable", nil, admin...).integration(t); got.Status != "disabled" {
			t.Fatalf("disable: %+v", got)
		}
		ingestWith(h, key, "while-disabled").expectError(t, 403, "INTEGRATION_DISABLED")
		if got := h.do(http.MethodPost, path+"/enable", nil, admin...).integration(t); got.Status != "enabled" {
			t.Fatalf("enable: %+v", got)
		}
		if r := ingestWith(h, key, "enabled-again"); r.Status != 201 {
			t.Fatalf("telemetry after enable: %s", r.Raw)
		}

		rotated := h.do(http.MethodPost, path+"/keys", map[string]any{"revoke_existing": true}, admin...)
		var fresh struct {
			Key     string `json:"key"`
			Revoked int64  `json:"revoked_keys"`
		}
		rotated.decode(t, &fresh)
		if rotated.Status != 201 || fresh.Key == key || fresh.Revoked != 1 || !strings.HasPrefix(fresh.Key, f.TenantID+":"+created.ID+":") {
			t.Fatalf("rotate: %s", rotated.Raw)
		}
		ingestWith(h, key, "old-key").expectError(t, 401, "INVALID_CREDENTIALS")
		if r := ingestWith(h, fresh.Key, "new-key"); r.Status != 201 {
			t.Fatalf("telemetry with the new key: %s", r.Raw)
		}

		deleted := h.do(http.MethodDelete, path, nil, admin...)
		if deleted.Status != 200 || !strings.Contains(deleted.Raw, `"deleted":true`) {
			t.Fatalf("delete: %s", deleted.Raw)
		}
		for _, r := range []response{
			h.do(http.MethodGet, path, nil, admin...),
			h.do(http.MethodPatch, path, map[string]any{"name": "x"}, admin...),
			h.do(http.MethodDelete, path, nil, admin...),
			h.do(http.MethodPost, path+"/enable", nil, admin...),
			h.do(http.MethodPost, path+"/keys", nil, admin...),
			h.do(http.MethodGet, path+"/limits", nil, admin...),
		} {
			r.expectError(t, 404, "NOT_FOUND")
		}
		ingestWith(h, fresh.Key, "after-delete").expectError(t, 401, "INVALID_CREDENTIALS")
		if r := h.do(http.MethodGet, "/api/v1/integrations", nil, admin...); *r.Meta.Total != 1 {
			t.Fatalf("list after delete: %s", r.Raw)
		}
		// A deleted integration's name is free again.
		h.createIntegration(admin, map[string]any{"name": "chat-2", "provider_type": "custom"})
	})
}

func TestIntegrationsAPI_RotateWithoutRevokeKeepsTheOldKey(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "sqlite")
	f := h.newTenant("Acme")
	admin := h.integrationsAdmin(f.TenantID)
	r := h.do(http.MethodPost, "/api/v1/integrations/"+f.IntegrationID+"/keys", nil, admin...)
	var fresh struct {
		Key     string `json:"key"`
		Revoked int64  `json:"revoked_keys"`
	}
	r.decode(t, &fresh)
	if r.Status != 201 || fresh.Revoked != 0 {
		t.Fatalf("rotate without a body: %s", r.Raw)
	}
	for i, key := range []string{f.IntegrationKey, fresh.Key} {
		if r := ingestWith(h, key, "k"+string(rune('0'+i))); r.Status != 201 {
			t.Fatalf("key %d: %s", i, r.Raw)
		}
	}
	h.do(http.MethodPost, "/api/v1/integrations/"+f.IntegrationID+"/keys", map[string]any{"revoke_existing": "yes"}, admin...).
		expectError(t, 422, "VALIDATION_FAILED")
}

func TestIntegrationsAPI_ValidationReportsEveryFieldAndNamesConflict(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, h *harness) {
		f := h.newTenant("Acme")
		admin := h.integrationsAdmin(f.TenantID)
		path := "/api/v1/integrations/" + f.IntegrationID
		cases := []struct {
			name, method, path string
			body               any
			fields             []string
		}{
			{"empty create", http.MethodPost, "/api/v1/integrations", map[string]any{}, []string{"name", "provider_type"}},
			{"rules on create", http.MethodPost, "/api/v1/integrations", map[string]any{"name": strings.Repeat("n", 101),
				"provider_type": "gpt", "default_model": strings.Repeat("m", 101), "budget_limit_cents": -1,
				"token_limit_month": -1, "rate_limit_rpm": 1_000_001},
				[]string{"budget_limit_cents", "default_model", "name", "provider_type", "rate_limit_rpm", "token_limit_month"}},
			{"types on create", http.MethodPost, "/api/v1/integrations", map[string]any{"name": 5, "provider_type": "openai",
				"budget_limit_cents": "10", "rate_limit_rpm": 1.5}, []string{"budget_limit_cents", "name", "rate_limit_rpm"}},
			{"rules on patch", http.MethodPatch, path, map[string]any{"name": "", "budget_limit_cents": -5, "rate_limit_rpm": -1},
				[]string{"budget_limit_cents", "name", "rate_limit_rpm"}},
			{"over the maximum limits", http.MethodPatch, path, map[string]any{"budget_limit_cents": int64(1e12) + 1,
				"token_limit_month": int64(1e15) + 1}, []string{"budget_limit_cents", "token_limit_month"}},
			{"types on patch", http.MethodPatch, path, map[string]any{"name": nil, "token_limit_month": 1.5, "default_model": 7},
				[]string{"default_model", "name", "token_limit_month"}},
			{"paging", http.MethodGet, "/api/v1/integrations?limit=1001&offset=-1", nil, []string{"limit", "offset"}},
			{"an offset past the maximum", http.MethodGet, "/api/v1/integrations?offset=1000000001", nil, []string{"offset"}},
		}
		for _, tc := range cases {
			r := h.do(tc.method, tc.path, tc.body, admin...)
			r.expectError(t, 422, "VALIDATION_FAILED")
			if got := r.fieldNames(); !slices.Equal(got, tc.fields) {
				t.Errorf("%s: fields %v, want %v", tc.name, got, tc.fields)
			}
		}
		h.do(http.MethodGet, "/api/v1/integrations?limit=ten", nil, admin...).expectError(t, 400, "INVALID_REQUEST")
		h.do(http.MethodPost, "/api/v1/integrations", "{not json", admin...).expectError(t, 400, "INVALID_REQUEST")

		h.do(http.MethodPost, "/api/v1/integrations", map[string]any{"name": "prod", "provider_type": "openai"}, admin...).
			expectError(t, 409, "CONFLICT")
		other, _ := h.createIntegration(admin, map[string]any{"name": "dev", "provider_type": "openai"})
		h.do(http.MethodPatch, "/api/v1/integrations/"+other.ID, map[string]any{"name": "prod"}, admin...).expectError(t, 409, "CONFLICT")
		if got := h.do(http.MethodGet, path, nil, admin...).integration(t); got.Name != "prod" || got.BudgetLimitCents != 0 {
			t.Fatalf("refused patches changed the integration: %+v", got)
		}
		if got := h.do(http.MethodPatch, path, map[string]any{}, admin...).integration(t); got.Name != "prod" {
			t.Fatalf("empty patch: %+v", got)
		}
		for _, id := range []string{"not-a-uuid", strings.ToUpper(f.IntegrationID), "0193a8e0-0000-7000-8000-0000000000ff"} {
			h.do(http.MethodGet, "/api/v1/integrations/"+id, nil, admin...).expectError(t, 404, "NOT_FOUND")
			h.do(http.MethodPost, "/api/v1/integrations/"+id+"/disable", nil, admin...).expectError(t, 404, "NOT_FOUND")
		}
	})
}

func TestIntegrationsAPI_ScopesAndActorsAreEnforced(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, h *harness) {
		f := h.newTenant("Acme")
		readOnly := []string{"X-AOS-Key", h.newAPIKey(f.TenantID, "integrations:read")}
		wildcard := []string{"X-AOS-Key", h.newAPIKey(f.TenantID, "integrations:*")}
		path := "/api/v1/integrations/" + f.IntegrationID

		if r := h.do(http.MethodGet, "/api/v1/integrations", nil, readOnly...); r.Status != 200 {
			t.Fatalf("integrations:read lists: %s", r.Raw)
		}
		if r := h.do(http.MethodGet, path+"/limits", nil, readOnly...); r.Status != 200 {
			t.Fatalf("integrations:read reads limits: %s", r.Raw)
		}
		denied := []struct {
			name   string
			auth   []string
			method string
			path   string
			body   any
			reason string
		}{
			{"read key creates", readOnly, http.MethodPost, "/api/v1/integrations", map[string]any{"name": "x", "provider_type": "openai"}, "scope_denied"},
			{"read key patches", readOnly, http.MethodPatch, path, map[string]any{"name": "x"}, "scope_denied"},
			{"read key disables", readOnly, http.MethodPost, path + "/disable", nil, "scope_denied"},
			{"read key rotates", readOnly, http.MethodPost, path + "/keys", nil, "scope_denied"},
			{"read key deletes", readOnly, http.MethodDelete, path, nil, "scope_denied"},
			{"telemetry key lists", f.readKeyHeader(), http.MethodGet, "/api/v1/integrations", nil, "scope_denied"},
			{"telemetry key reads limits", f.readKeyHeader(), http.MethodGet, path + "/limits", nil, "scope_denied"},
			{"integration key lists", f.integrationKeyHeader(), http.MethodGet, "/api/v1/integrations", nil, "scope_denied"},
			{"integration key gets", f.integrationKeyHeader(), http.MethodGet, path, nil, "scope_denied"},
			{"integration key disables itself", f.integrationKeyHeader(), http.MethodPost, path + "/disable", nil, "scope_denied"},
			{"founder lists", h.founder(), http.MethodGet, "/api/v1/integrations", nil, "actor_not_allowed"},
			{"founder creates", h.founder(), http.MethodPost, "/api/v1/integrations", map[string]any{"name": "x", "provider_type": "openai"}, "actor_not_allowed"},
			{"founder reads limits", h.founder(), http.MethodGet, path + "/limits", nil, "actor_not_allowed"},
		}
		for _, tc := range denied {
			r := h.do(tc.method, tc.path, tc.body, tc.auth...)
			r.expectError(t, 403, "FORBIDDEN")
			if r.reason() != tc.reason {
				t.Errorf("%s: reason %v, want %s", tc.name, r.reason(), tc.reason)
			}
		}
		if got := h.do(http.MethodGet, path, nil, readOnly...).integration(t); got.Status != "enabled" || got.Name != "prod" {
			t.Fatalf("refused writes changed the integration: %+v", got)
		}
		if got := h.do(http.MethodPost, path+"/disable", nil, wildcard...).integration(t); got.Status != "disabled" {
			t.Fatalf("integrations:* disables: %+v", got)
		}
	})
}

func TestIntegrationsAPI_AnotherTenantsIntegrationIsNotFound(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, h *harness) {
		a, b := h.newTenant("A"), h.newTenant("B")
		adminB := h.integrationsAdmin(b.TenantID)
		path := "/api/v1/integrations/" + a.IntegrationID
		for _, r := range []response{
			h.do(http.MethodGet, path, nil, adminB...),
			h.do(http.MethodPatch, path, map[string]any{"name": "stolen"}, adminB...),
			h.do(http.MethodPost, path+"/disable", nil, adminB...),
			h.do(http.MethodPost, path+"/keys", map[string]any{"revoke_existing": true}, adminB...),
			h.do(http.MethodGet, path+"/limits", nil, adminB...),
			h.do(http.MethodDelete, path, nil, adminB...),
		} {
			r.expectError(t, 404, "NOT_FOUND")
		}
		// B's integration key cannot read A's limits either; it is refused
		// as another integration's before anything is looked up.
		r := h.do(http.MethodGet, path+"/limits", nil, b.integrationKeyHeader()...)
		r.expectError(t, 403, "FORBIDDEN")

		list := h.do(http.MethodGet, "/api/v1/integrations", nil, adminB...)
		var items []api.IntegrationJSON
		list.decode(t, &items)
		if *list.Meta.Total != 1 || len(items) != 1 || items[0].ID != b.IntegrationID {
			t.Fatalf("B's list: %s", list.Raw)
		}
		adminA := h.integrationsAdmin(a.TenantID)
		if got := h.do(http.MethodGet, path, nil, adminA...).integration(t); got.Name != "prod" || got.Status != "enabled" {
			t.Fatalf("A's integration after B's attempts: %+v", got)
		}
		if r := ingestWith(h, a.IntegrationKey, "still-works"); r.Status != 201 {
			t.Fatalf("A's key after B's attempts: %s", r.Raw)
		}
	})
}

// limitsJSON is what the Python SDK's check_limits() reads.
type limitsJSON struct {
	BudgetLimitCents int64   `json:"budget_limit_cents"`
	BudgetUsedCents  int64   `json:"budget_used_cents"`
	BudgetPercent    float64 `json:"budget_percent"`
	TokenLimitMonth  int64   `json:"token_limit_month"`
	TokensUsedMonth  int64   `json:"tokens_used_month"`
	TokenPercent     float64 `json:"token_percent"`
	RateLimitRPM     int     `json:"rate_limit_rpm"`
	CurrentRPM       int64   `json:"current_rpm"`
	RatePercent      float64 `json:"rate_percent"`
}

func TestIntegrationsAPI_FirstIntegrationKeyAdvancesOnboarding(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "sqlite")
	r := h.do(http.MethodPost, "/api/v1/fdr/tenants", map[string]any{"name": "Fresh"}, h.founder()...)
	var tenant api.TenantJSON
	r.decode(t, &tenant)
	if tenant.OnboardingState != "CREATED" {
		t.Fatalf("new tenant: %s", r.Raw)
	}
	h.newIntegration(tenant.ID, "prod")
	h.do(http.MethodGet, "/api/v1/fdr/tenants/"+tenant.ID, nil, h.founder()...).decode(t, &tenant)
	if tenant.OnboardingState != "API_KEY_CREATED" {
		t.Fatalf("after the first integration key: %s", tenant.OnboardingState)
	}
}
