package main

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"go.uber.org/fx"

	spine "hoc/l4_spine"
	accountops "hoc/l4_spine/account"
	integrationsops "hoc/l4_spine/integrations"
	"hoc/l6_drivers/db"
	"hoc/l6_drivers/db/dbtest"
	"hoc/testkit"
)

// The documented lifetimes of the cached facts; every change must be
// enforced on every replica within them.
var (
	tenantStaleness      = accountops.TenantFactsTTL
	credentialStaleness  = integrationsops.FactsTTL
	integrationStaleness = integrationsops.FactsTTL
)

// twoReplicas is two servers on one database: a, where the changes are
// made, and b, whose clock the test moves, that must notice them.
type twoReplicas struct {
	a, b *harness
	bClk *testkit.Clock
	f    tenantFixture
}

func newTwoReplicas(t *testing.T, dialect db.Dialect) twoReplicas {
	t.Helper()
	cfg := testConfig(t, dialect)
	a := newHarnessWithConfig(t, cfg)
	clk := testkit.NewClock(time.Now().UTC())
	b := newHarnessWithConfig(t, cfg, fx.Decorate(func(func() time.Time) func() time.Time { return clk.Now }))
	return twoReplicas{a: a, b: b, bClk: clk, f: a.newTenant("stale")}
}

// ingestOn sends one record to h with the fixture's integration key.
func (r twoReplicas) ingestOn(h *harness, callID string) response {
	return h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", usage(callID), r.f.integrationKeyHeader()...)
}

// ingestsOnB returns a function that sends replica b a new record each time.
func (r twoReplicas) ingestsOnB() func() response {
	n := 0
	return func() response {
		n++
		return r.ingestOn(r.b, fmt.Sprint("after-", n))
	}
}

// expectStaleThenRefused checks that replica b, which has just used the fact,
// still answers want before the bound and refuses once it has passed.
func (r twoReplicas) expectStaleThenRefused(t *testing.T, bound time.Duration, send func() response, status int, code string) {
	t.Helper()
	r.bClk.Advance(bound - time.Millisecond)
	if got := send(); got.Status >= 400 {
		t.Fatalf("within the bound replica b answered from a fresh read (%s): the fact is not cached", got.Raw)
	}
	r.bClk.Advance(time.Millisecond)
	send().expectError(t, status, code)
}

func TestFactStaleness_ASuspendedTenantIsRefusedEverywhereWithinTheBound(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Backends(t) {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			r := newTwoReplicas(t, dialect)
			// The first record completes onboarding, after which b reads the
			// tenant afresh; the second leaves it cached.
			for _, id := range []string{"before-1", "before-2"} {
				if got := r.ingestOn(r.b, id); got.Status != http.StatusCreated {
					t.Fatalf("%s: %s", id, got.Raw)
				}
			}
			suspend := r.a.do(http.MethodPost, "/api/v1/fdr/tenants/"+r.f.TenantID+"/lifecycle",
				map[string]any{"action": "suspend", "reason": "test"}, r.a.founder()...)
			if suspend.Status != http.StatusOK {
				t.Fatalf("suspend: %s", suspend.Raw)
			}
			// The replica that suspended enforces it at once.
			r.ingestOn(r.a, "on-a").expectError(t, http.StatusForbidden, "TENANT_SUSPENDED")
			r.expectStaleThenRefused(t, tenantStaleness, r.ingestsOnB(), http.StatusForbidden, "TENANT_SUSPENDED")
		})
	}
}

func TestFactStaleness_ARevokedAPIKeyIsRefusedEverywhereWithinTheBound(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Backends(t) {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			r := newTwoReplicas(t, dialect)
			created := r.a.do(http.MethodPost, "/api/v1/fdr/tenants/"+r.f.TenantID+"/api-keys",
				map[string]any{"name": "reader", "scopes": []string{"telemetry:read"}}, r.a.founder()...)
			var key struct {
				APIKey struct{ ID string } `json:"api_key"`
				Key    string              `json:"key"`
			}
			created.decode(t, &key)
			read := func(h *harness) response {
				return h.do(http.MethodGet, "/api/v1/telemetry/usage-summary", nil, "X-AOS-Key", key.Key)
			}
			if got := read(r.b); got.Status != http.StatusOK {
				t.Fatalf("before: %s", got.Raw)
			}
			ctx := spine.WithActor(context.Background(), cliActor())
			if err := r.a.integrations.RevokeAPIKey(ctx, key.APIKey.ID); err != nil {
				t.Fatal(err)
			}
			read(r.a).expectError(t, http.StatusUnauthorized, "INVALID_CREDENTIALS")
			r.expectStaleThenRefused(t, credentialStaleness, func() response { return read(r.b) },
				http.StatusUnauthorized, "INVALID_CREDENTIALS")
		})
	}
}

func TestFactStaleness_ADisabledIntegrationIsRefusedEverywhereWithinTheBound(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Backends(t) {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			r := newTwoReplicas(t, dialect)
			if got := r.ingestOn(r.b, "before"); got.Status != http.StatusCreated {
				t.Fatalf("before: %s", got.Raw)
			}
			admin := []string{"X-AOS-Key", r.a.newAPIKey(r.f.TenantID, "integrations:write")}
			if got := r.a.do(http.MethodPost, "/api/v1/integrations/"+r.f.IntegrationID+"/disable", nil, admin...); got.Status != http.StatusOK {
				t.Fatalf("disable: %s", got.Raw)
			}
			r.ingestOn(r.a, "on-a").expectError(t, http.StatusForbidden, "INTEGRATION_DISABLED")
			r.expectStaleThenRefused(t, integrationStaleness, r.ingestsOnB(), http.StatusForbidden, "INTEGRATION_DISABLED")
		})
	}
}

func TestFactStaleness_ADeletedIntegrationsKeyIsRefusedEverywhereWithinTheBound(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Backends(t) {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			r := newTwoReplicas(t, dialect)
			if got := r.ingestOn(r.b, "before"); got.Status != http.StatusCreated {
				t.Fatalf("before: %s", got.Raw)
			}
			admin := []string{"X-AOS-Key", r.a.newAPIKey(r.f.TenantID, "integrations:write")}
			if got := r.a.do(http.MethodDelete, "/api/v1/integrations/"+r.f.IntegrationID, nil, admin...); got.Status >= 300 {
				t.Fatalf("delete: %s", got.Raw)
			}
			r.ingestOn(r.a, "on-a").expectError(t, http.StatusUnauthorized, "INVALID_CREDENTIALS")
			r.expectStaleThenRefused(t, credentialStaleness, r.ingestsOnB(), http.StatusUnauthorized, "INVALID_CREDENTIALS")
		})
	}
}
