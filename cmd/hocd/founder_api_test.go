package main

import (
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	api "hoc/l2_api"
	"hoc/testkit"
)

func TestFounderAPI_TokenCreateListGet(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, h *harness) {
		auth := h.founder()
		created := h.do(http.MethodPost, "/api/v1/fdr/tenants", map[string]any{"name": "Acme Robotics", "plan": "pro", "external_org_id": "org_42"}, auth...)
		if created.Status != http.StatusCreated || !created.Success {
			t.Fatalf("create: %d %s", created.Status, created.Raw)
		}
		var tenant api.TenantJSON
		created.decode(t, &tenant)
		if tenant.Slug != "acme-robotics" || tenant.Plan != "pro" || tenant.LifecycleState != "ACTIVE" ||
			tenant.OnboardingState != "CREATED" || tenant.ExternalOrgID == nil || *tenant.ExternalOrgID != "org_42" {
			t.Fatalf("tenant = %+v", tenant)
		}
		if _, err := time.Parse(time.RFC3339Nano, created.Meta.Timestamp); err != nil || !strings.HasSuffix(created.Meta.Timestamp, "Z") {
			t.Fatalf("meta.timestamp %q is not UTC RFC 3339", created.Meta.Timestamp)
		}

		h.do(http.MethodPost, "/api/v1/fdr/tenants", map[string]any{"name": "Second"}, auth...)
		list := h.do(http.MethodGet, "/api/v1/fdr/tenants?limit=1", nil, auth...)
		var items []api.TenantJSON
		list.decode(t, &items)
		if list.Status != http.StatusOK || len(items) != 1 || items[0].ID != tenant.ID ||
			*list.Meta.Total != 2 || *list.Meta.Page != 1 || *list.Meta.PageSize != 1 || !*list.Meta.HasMore {
			t.Fatalf("list: %s", list.Raw)
		}

		got := h.do(http.MethodGet, "/api/v1/fdr/tenants/"+tenant.ID, nil, auth...)
		var fetched api.TenantJSON
		got.decode(t, &fetched)
		if got.Status != http.StatusOK || !reflect.DeepEqual(fetched, tenant) {
			t.Fatalf("get: %s, want %+v", got.Raw, tenant)
		}
	})
}

func TestFounderAPI_AuthFailures(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "sqlite")
	sign := func(claims jwt.MapClaims, key string) []string {
		tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(key))
		if err != nil {
			t.Fatal(err)
		}
		return []string{"Authorization", "Bearer " + tok}
	}
	now := time.Now()
	claims := func(mod func(jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{"iss": "hoc-founder", "sub": "alice", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "reason": "r"}
		mod(c)
		return c
	}
	cases := []struct {
		name    string
		headers []string
		status  int
		code    string
		reason  string
	}{
		{"no credential", nil, 401, "MISSING_AUTH", ""},
		{"bad signature", sign(claims(func(jwt.MapClaims) {}), "wrong-secret"), 401, "INVALID_CREDENTIALS", "jwt_invalid"},
		// Another issuer is a customer token's, and customer auth is off here.
		{"wrong issuer", sign(claims(func(c jwt.MapClaims) { c["iss"] = "evil" }), testSecret), 401, "INVALID_CREDENTIALS", "customer_auth_disabled"},
		{"expired", sign(claims(func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Hour).Unix() }), testSecret), 401, "INVALID_CREDENTIALS", "jwt_expired"},
		{"missing reason", sign(claims(func(c jwt.MapClaims) { delete(c, "reason") }), testSecret), 401, "INVALID_CREDENTIALS", "jwt_invalid"},
		{"not a bearer", []string{"Authorization", "Basic YTpi"}, 401, "INVALID_CREDENTIALS", "jwt_invalid"},
		{"mixed", append(h.founder(), "X-AOS-Key", "aos_x"), 400, "MIXED_AUTH", ""},
		{"unknown api key", []string{"X-AOS-Key", "aos_unknown"}, 401, "INVALID_CREDENTIALS", "api_key_invalid"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, path := range []string{"/api/v1/fdr/tenants", "/api/v1/fdr/operations"} {
				r := h.do(http.MethodGet, path, nil, tc.headers...)
				r.expectError(t, tc.status, tc.code)
				if tc.reason != "" && r.Error.Details["reason"] != tc.reason {
					t.Fatalf("details.reason = %v, want %s", r.Error.Details["reason"], tc.reason)
				}
			}
		})
	}
}

func TestFounderAPI_RequestIDEchoedOrGenerated(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "sqlite")
	r := h.do(http.MethodGet, "/api/v1/fdr/tenants", nil, "X-Request-ID", "client.id-1_A")
	if r.Meta.RequestID != "client.id-1_A" || r.Header.Get("X-Request-ID") != "client.id-1_A" {
		t.Fatalf("client id not used: %s", r.Raw)
	}
	for _, bad := range []string{"has space", strings.Repeat("a", 129), "semi;colon"} {
		r := h.do(http.MethodGet, "/api/v1/fdr/tenants", nil, "X-Request-ID", bad)
		id := r.Header.Get("X-Request-ID")
		if id == bad || !strings.HasPrefix(id, "req-") || len(id) != 20 || r.Meta.RequestID != id {
			t.Fatalf("bad client id %q: got %q / %q", bad, id, r.Meta.RequestID)
		}
	}
}

func TestFounderAPI_CreateValidationAndConflicts(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, h *harness) {
		auth := h.founder()
		r := h.do(http.MethodPost, "/api/v1/fdr/tenants", map[string]any{"name": 42, "slug": true, "plan": []int{1}}, auth...)
		r.expectError(t, 422, "VALIDATION_FAILED")
		if fields := r.Error.Details["fields"].([]any); len(fields) != 3 {
			t.Fatalf("want 3 field errors: %s", r.Raw)
		}
		r = h.do(http.MethodPost, "/api/v1/fdr/tenants", map[string]any{"name": "", "plan": "gold"}, auth...)
		r.expectError(t, 422, "VALIDATION_FAILED")

		r = h.do(http.MethodPost, "/api/v1/fdr/tenants", `{"name": "Acme"`, auth...)
		r.expectError(t, 400, "INVALID_REQUEST")
		r = h.do(http.MethodPost, "/api/v1/fdr/tenants", `[1,2]`, auth...)
		r.expectError(t, 422, "VALIDATION_FAILED")
		r = h.do(http.MethodPost, "/api/v1/fdr/tenants", nil, append(auth, "Content-Type", "text/plain")...)
		r.expectError(t, 400, "INVALID_REQUEST")
		deep := strings.Repeat(`{"a":`, 40) + "1" + strings.Repeat("}", 40)
		r = h.do(http.MethodPost, "/api/v1/fdr/tenants", deep, auth...)
		r.expectError(t, 422, "VALIDATION_FAILED")

		if r := h.do(http.MethodPost, "/api/v1/fdr/tenants", map[string]any{"name": "Acme"}, auth...); r.Status != 201 {
			t.Fatalf("create: %s", r.Raw)
		}
		r = h.do(http.MethodPost, "/api/v1/fdr/tenants", map[string]any{"name": "ACME!"}, auth...)
		r.expectError(t, 409, "CONFLICT")

		list := h.do(http.MethodGet, "/api/v1/fdr/tenants", nil, auth...)
		if *list.Meta.Total != 1 {
			t.Fatalf("rejected requests changed data: %s", list.Raw)
		}
	})
}

func TestFounderAPI_NotFoundAndBadQueries(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "sqlite")
	auth := h.founder()
	h.do(http.MethodGet, "/api/v1/fdr/tenants/not-a-uuid", nil, auth...).expectError(t, 404, "NOT_FOUND")
	h.do(http.MethodGet, "/api/v1/fdr/tenants/0193a8e0-0000-7000-8000-000000000001", nil, auth...).expectError(t, 404, "NOT_FOUND")
	h.do(http.MethodGet, "/api/v1/no/such/route", nil, auth...).expectError(t, 404, "NOT_FOUND")
	h.do(http.MethodGet, "/api/v1/no/such/route", nil).expectError(t, 401, "MISSING_AUTH")
	h.do(http.MethodGet, "/api/v1/fdr/tenants?limit=abc", nil, auth...).expectError(t, 400, "INVALID_REQUEST")
	h.do(http.MethodGet, "/api/v1/fdr/tenants?limit=0", nil, auth...).expectError(t, 422, "VALIDATION_FAILED")
	h.do(http.MethodGet, "/api/v1/fdr/tenants?offset=-1", nil, auth...).expectError(t, 422, "VALIDATION_FAILED")
}

// The body limit is enforced by the HTTP server before any handler runs, so
// this test goes through a real listener rather than app.Test.
func TestFounderAPI_BodyOverLimitIs413(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t, "sqlite")
	cfg.BodyLimit = 1024
	cfg.Addr = testkit.FreeAddr(t)
	h := newHarnessWithConfig(t, cfg)
	req, err := http.NewRequest(http.MethodPost, "http://"+cfg.Addr+"/api/v1/fdr/tenants",
		strings.NewReader(`{"name":"`+strings.Repeat("a", 2048)+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(h.founder()[0], h.founder()[1])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 413 || !strings.Contains(string(body), `"code":"PAYLOAD_TOO_LARGE"`) ||
		!strings.Contains(string(body), `"request_id":"`+resp.Header.Get("X-Request-ID")+`"`) {
		t.Fatalf("got %d %s", resp.StatusCode, body)
	}
}
