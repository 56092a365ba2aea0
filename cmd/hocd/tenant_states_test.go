package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"go.uber.org/fx"

	api "hoc/l2_api"
	accountengine "hoc/l5_engines/account"
	accountdb "hoc/l6_drivers/account"
	"hoc/l6_drivers/db"
	"hoc/l6_drivers/db/dbtest"
)

func (h *harness) lifecycle(tenantID, action string) response {
	return h.do(http.MethodPost, "/api/v1/fdr/tenants/"+tenantID+"/lifecycle", map[string]any{"action": action, "reason": "test " + action}, h.founder()...)
}

func (h *harness) tenant(id string) api.TenantJSON {
	h.t.Helper()
	var t api.TenantJSON
	h.do(http.MethodGet, "/api/v1/fdr/tenants/"+id, nil, h.founder()...).decode(h.t, &t)
	return t
}

func TestLifecycle_SuspendRefusesWritesKeepsReadsResumeRestores(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, h *harness) {
		f := h.newTenant("Acme")
		if r := h.lifecycle(f.TenantID, "suspend"); r.Status != 200 || !strings.Contains(r.Raw, `"lifecycle_state":"SUSPENDED"`) {
			t.Fatalf("suspend: %s", r.Raw)
		}
		h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", usage("s1"), f.integrationKeyHeader()...).expectError(t, 403, "TENANT_SUSPENDED")
		h.do(http.MethodPost, "/api/v1/telemetry/llm-usage/batch", map[string]any{"records": []any{usage("s2")}}, f.integrationKeyHeader()...).expectError(t, 403, "TENANT_SUSPENDED")
		if r := h.do(http.MethodGet, "/api/v1/telemetry/usage-summary", nil, f.readKeyHeader()...); r.Status != 200 {
			t.Fatalf("read while suspended: %s", r.Raw)
		}
		if r := h.lifecycle(f.TenantID, "resume"); r.Status != 200 {
			t.Fatalf("resume: %s", r.Raw)
		}
		if r := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", usage("s3"), f.integrationKeyHeader()...); r.Status != 201 {
			t.Fatalf("write after resume: %s", r.Raw)
		}
	})
}

func TestLifecycle_TerminatedRefusesEverythingButSessionContext(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, h *harness) {
		f := h.newTenant("Acme")
		h.lifecycle(f.TenantID, "terminate")
		h.do(http.MethodGet, "/api/v1/telemetry/usage-summary", nil, f.readKeyHeader()...).expectError(t, 403, "TENANT_SUSPENDED")
		h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", usage("t1"), f.integrationKeyHeader()...).expectError(t, 403, "TENANT_SUSPENDED")
		r := h.do(http.MethodGet, "/api/v1/session/context", nil, f.readKeyHeader()...)
		if r.Status != 200 || !strings.Contains(r.Raw, `"lifecycle_state":"TERMINATED"`) {
			t.Fatalf("session context of a terminated tenant: %s", r.Raw)
		}
		for _, action := range []string{"resume", "suspend", "terminate"} {
			h.lifecycle(f.TenantID, action).expectError(t, 409, "CONFLICT")
		}
		if r := h.lifecycle(f.TenantID, "archive"); r.Status != 200 || h.tenant(f.TenantID).LifecycleState != "ARCHIVED" {
			t.Fatalf("archive: %s", r.Raw)
		}
		for _, action := range []string{"resume", "suspend", "terminate", "archive"} {
			h.lifecycle(f.TenantID, action).expectError(t, 409, "CONFLICT")
		}
		h.do(http.MethodPost, "/api/v1/fdr/tenants/"+f.TenantID+"/lifecycle", map[string]any{"action": "suspend"}, h.founder()...).expectError(t, 422, "VALIDATION_FAILED")
		h.lifecycle("0193a8e0-0000-7000-8000-0000000000ff", "suspend").expectError(t, 404, "NOT_FOUND")
	})
}

func TestOnboarding_AutomaticTriggersAndFounderAdvance(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, h *harness) {
		r := h.do(http.MethodPost, "/api/v1/fdr/tenants", map[string]any{"name": "Fresh"}, h.founder()...)
		var tenant api.TenantJSON
		r.decode(t, &tenant)
		if tenant.OnboardingState != "CREATED" {
			t.Fatalf("new tenant: %s", tenant.OnboardingState)
		}
		readKey := h.newAPIKey(tenant.ID, "telemetry:read")
		if got := h.tenant(tenant.ID).OnboardingState; got != "API_KEY_CREATED" {
			t.Fatalf("after the first API key: %s", got)
		}
		s := h.do(http.MethodGet, "/api/v1/session/context", nil, "X-AOS-Key", readKey)
		if s.Status != 200 {
			t.Fatalf("session context below COMPLETE: %s", s.Raw)
		}
		_, key := h.newIntegration(tenant.ID, "prod")
		if r := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", usage("first"), "X-CUS-Integration-Key", key); r.Status != 201 {
			t.Fatal(r.Raw)
		}
		if got := h.tenant(tenant.ID).OnboardingState; got != "COMPLETE" {
			t.Fatalf("after the first telemetry through an integration key: %s", got)
		}
		back := h.do(http.MethodPost, "/api/v1/fdr/tenants/"+tenant.ID+"/onboarding", map[string]any{"target_state": "CREATED", "reason": "undo"}, h.founder()...)
		if back.Status != 200 || h.tenant(tenant.ID).OnboardingState != "COMPLETE" {
			t.Fatalf("a lower target must be a no-op: %s", back.Raw)
		}
		other := h.do(http.MethodPost, "/api/v1/fdr/tenants", map[string]any{"name": "Other"}, h.founder()...)
		var o api.TenantJSON
		other.decode(t, &o)
		done := h.do(http.MethodPost, "/api/v1/fdr/tenants/"+o.ID+"/onboarding", map[string]any{"target_state": "COMPLETE", "reason": "white glove"}, h.founder()...)
		if done.Status != 200 || !strings.Contains(done.Raw, `"onboarding_state":"COMPLETE"`) {
			t.Fatalf("founder completes: %s", done.Raw)
		}
		h.do(http.MethodPost, "/api/v1/fdr/tenants/"+o.ID+"/onboarding", map[string]any{"target_state": "DONE", "reason": "x"}, h.founder()...).expectError(t, 422, "VALIDATION_FAILED")
	})
}

type sessionOut struct {
	ActorType       string   `json:"actor_type"`
	TenantID        *string  `json:"tenant_id"`
	TenantName      *string  `json:"tenant_name"`
	Capabilities    []string `json:"capabilities"`
	LifecycleState  *string  `json:"lifecycle_state"`
	OnboardingState *string  `json:"onboarding_state"`
}

func TestSessionContext_FounderAPIKeyAndIntegrationKey(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, h *harness) {
		f := h.newTenant("Acme")
		var founder sessionOut
		h.do(http.MethodGet, "/api/v1/session/context", nil, h.founder()...).decode(t, &founder)
		if founder.ActorType != "founder" || founder.TenantID != nil || founder.TenantName != nil || len(founder.Capabilities) != 0 || founder.Capabilities == nil ||
			founder.LifecycleState != nil || founder.OnboardingState != nil {
			t.Fatalf("founder: %+v", founder)
		}
		key := h.newAPIKey(f.TenantID, "telemetry:write", "integrations:read", "protection:read")
		var machine sessionOut
		h.do(http.MethodGet, "/api/v1/session/context", nil, "X-AOS-Key", key).decode(t, &machine)
		if machine.ActorType != "machine" || *machine.TenantID != f.TenantID || machine.TenantName == nil || *machine.TenantName != "Acme" ||
			*machine.LifecycleState != "ACTIVE" || machine.OnboardingState != nil ||
			len(machine.Capabilities) != 3 || machine.Capabilities[0] != "integrations:read" || machine.Capabilities[2] != "telemetry:write" {
			t.Fatalf("api key: %+v", machine)
		}
		var integration sessionOut
		h.do(http.MethodGet, "/api/v1/session/context", nil, f.integrationKeyHeader()...).decode(t, &integration)
		if integration.ActorType != "machine" || *integration.TenantID != f.TenantID || integration.TenantName == nil || *integration.TenantName != "Acme" ||
			integration.OnboardingState != nil ||
			len(integration.Capabilities) != 2 || integration.Capabilities[0] != "integrations:limits:read" || integration.Capabilities[1] != "telemetry:write" {
			t.Fatalf("integration key: %+v", integration)
		}
	})
}

// vanishingStore reports one tenant as gone, as if its row had been deleted
// between authentication and the session read.
type vanishingStore struct {
	accountengine.Store
	gone *string
}

func (v vanishingStore) GetTenant(ctx context.Context, id string) (accountdb.TenantRow, error) {
	if *v.gone == id {
		return accountdb.TenantRow{}, accountdb.ErrTenantNotFound
	}
	return v.Store.GetTenant(ctx, id)
}

func TestSessionContext_MissingTenantIs404AndStoppedDatabase503(t *testing.T) {
	t.Parallel()
	gone := ""
	var d *db.DB
	h := newHarness(t, "sqlite", fx.Populate(&d), fx.Decorate(func(s accountengine.Store) accountengine.Store {
		return vanishingStore{Store: s, gone: &gone}
	}))
	f := h.newTenant("Acme")
	gone = f.TenantID
	h.do(http.MethodGet, "/api/v1/session/context", nil, f.readKeyHeader()...).expectError(t, 404, "NOT_FOUND")
	gone = ""
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	h.do(http.MethodGet, "/api/v1/session/context", nil, f.readKeyHeader()...).expectError(t, 503, "UNAVAILABLE")
}

func TestCLI_TenantLifecycleAndOnboarding(t *testing.T) {
	t.Setenv("HOC_DATABASE_URL", testConfig(t, "sqlite").DatabaseURL)
	var stdout, stderr bytes.Buffer
	if run([]string{"tenants", "create", "--name", "CLI"}, &stdout, &stderr) != 0 {
		t.Fatal(stderr.String())
	}
	var tenant api.TenantJSON
	decodeJSON(t, stdout.String(), &tenant)
	stdout.Reset()
	if run([]string{"tenants", "lifecycle", "--tenant", tenant.ID, "--action", "suspend", "--reason", "unpaid"}, &stdout, &stderr) != 0 {
		t.Fatal(stderr.String())
	}
	decodeJSON(t, stdout.String(), &tenant)
	if tenant.LifecycleState != "SUSPENDED" {
		t.Fatalf("lifecycle: %s", stdout.String())
	}
	stdout.Reset()
	if run([]string{"tenants", "onboarding", "--tenant", tenant.ID, "--target", "SDK_CONNECTED", "--reason", "migrated"}, &stdout, &stderr) != 0 {
		t.Fatal(stderr.String())
	}
	decodeJSON(t, stdout.String(), &tenant)
	if tenant.OnboardingState != "SDK_CONNECTED" {
		t.Fatalf("onboarding: %s", stdout.String())
	}
	if run([]string{"tenants", "lifecycle", "--tenant", tenant.ID, "--action", "archive", "--reason", "x"}, &stdout, &stderr) == 0 {
		t.Fatal("illegal transition accepted")
	}
}

func decodeJSON(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("not one JSON document: %v\n%s", err, s)
	}
}

// TestOnboarding_CompleteNeedsALiveKeyOnAnEnabledIntegration follows the
// COMPLETE rule when telemetry arrives through an API key: without a live
// integration key the tenant stops at SDK_CONNECTED, and the key created
// later completes it.
func TestOnboarding_CompleteNeedsALiveKeyOnAnEnabledIntegration(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, h *harness) {
		r := h.do(http.MethodPost, "/api/v1/fdr/tenants", map[string]any{"name": "Late key"}, h.founder()...)
		var tenant api.TenantJSON
		r.decode(t, &tenant)
		integrationID, _ := h.newIntegration(tenant.ID, "prod")
		if _, err := h.integrationStore().RevokeIntegrationKeys(context.Background(), tenant.ID, integrationID); err != nil {
			t.Fatal(err)
		}
		writer := []string{"X-AOS-Key", h.newAPIKey(tenant.ID, "telemetry:write", "integrations:write")}
		rec := usage("via-api-key", func(m map[string]any) { m["integration_id"] = integrationID })
		if r := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", rec, writer...); r.Status != 201 {
			t.Fatal(r.Raw)
		}
		if got := h.tenant(tenant.ID).OnboardingState; got != "SDK_CONNECTED" {
			t.Fatalf("telemetry without a live integration key: %s", got)
		}
		if r := h.do(http.MethodPost, "/api/v1/integrations/"+integrationID+"/keys", map[string]any{}, writer...); r.Status != 201 {
			t.Fatalf("new key: %s", r.Raw)
		}
		if got := h.tenant(tenant.ID).OnboardingState; got != "COMPLETE" {
			t.Fatalf("after a live key: %s", got)
		}
	})
}

// onboardingOutage wraps the tenant store so that onboarding advances fail
// while down is set: the rest of the store works.
type onboardingOutage struct {
	accountengine.Store
	down *atomic.Bool
}

func (o onboardingOutage) AdvanceOnboarding(ctx context.Context, id string, target int, ev accountdb.EventRow) (bool, error) {
	if o.down.Load() {
		return false, errors.New("onboarding store down")
	}
	return o.Store.AdvanceOnboarding(ctx, id, target, ev)
}

// TestOnboarding_AdvancesAfterTheCommitAndTheNextRecordRetries: the first
// record is stored and answered 201 even when onboarding cannot be
// advanced (it runs after the commit, not in the record's transaction); the
// tenant's next record — here a duplicate of the first — advances it.
func TestOnboarding_AdvancesAfterTheCommitAndTheNextRecordRetries(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Backends(t) {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			down := &atomic.Bool{}
			h := newHarness(t, dialect, fx.Decorate(func(s accountengine.Store) accountengine.Store {
				return onboardingOutage{Store: s, down: down}
			}))
			f := h.newTenant("Retried onboarding")
			before := h.tenant(f.TenantID).OnboardingState
			down.Store(true)
			if r := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", usage("first"), f.integrationKeyHeader()...); r.Status != 201 {
				t.Fatalf("first record with onboarding down: %d %s", r.Status, r.Raw)
			}
			if n := h.storedCount(f); n != 1 {
				t.Fatalf("%d records stored", n)
			}
			if got := h.tenant(f.TenantID).OnboardingState; got != before {
				t.Fatalf("onboarding moved to %s while its store was down", got)
			}
			down.Store(false)
			if r := h.do(http.MethodPost, "/api/v1/telemetry/llm-usage", usage("first"), f.integrationKeyHeader()...); r.Status != 200 {
				t.Fatalf("the repeat: %d %s", r.Status, r.Raw)
			}
			if got := h.tenant(f.TenantID).OnboardingState; got != "COMPLETE" {
				t.Fatalf("after the repeat: %s, want COMPLETE", got)
			}
		})
	}
}
