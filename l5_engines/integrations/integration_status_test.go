package integrations

import (
	"context"
	"strings"
	"testing"

	"hoc/l5_engines/fault"
)

func TestManage_UnknownForeignAndMalformedIDsAreNotFound(t *testing.T) {
	t.Parallel()
	e, s := newManageEngine(t)
	ctx := context.Background()
	integ := seed(t, e, "prod")[0]
	for name, tc := range map[string]struct{ tenant, id string }{
		"another tenant's": {tenantB, integ.ID},
		"unknown":          {tenantA, "0193a8e0-0000-7000-8000-0000000009ff"},
		"not a uuid":       {tenantA, "prod"},
	} {
		calls := map[string]error{}
		_, calls["get"] = e.GetIntegration(ctx, tc.tenant, tc.id)
		_, calls["update"] = e.UpdateIntegration(ctx, tc.tenant, tc.id, IntegrationChanges{Name: ptr("x")})
		_, calls["enable"] = e.EnableIntegration(ctx, tc.tenant, tc.id)
		_, calls["disable"] = e.DisableIntegration(ctx, tc.tenant, tc.id)
		_, calls["rotate"] = e.RotateIntegrationKey(ctx, tc.tenant, tc.id, true)
		calls["delete"] = e.DeleteIntegration(ctx, tc.tenant, tc.id)
		for call, err := range calls {
			if fault.KindOf(err) != fault.KindNotFound {
				t.Errorf("%s id, %s: err = %v, want NOT_FOUND", name, call, err)
			}
		}
	}
	if len(s.keys) != 1 || s.keys[0].RevokedAt != nil || s.integrations[integ.ID].Status != StatusEnabled {
		t.Fatalf("a refused call changed state: keys %+v, integration %+v", s.keys, s.integrations[integ.ID])
	}
}

func TestStatus_DisableAndEnableAreIdempotent(t *testing.T) {
	t.Parallel()
	e, s := newManageEngine(t)
	ctx := context.Background()
	integ := seed(t, e, "prod")[0]
	for i, step := range []struct {
		act    func(context.Context, string, string) (Integration, error)
		status string
		writes int
	}{
		{e.DisableIntegration, StatusDisabled, 1},
		{e.DisableIntegration, StatusDisabled, 1},
		{e.EnableIntegration, StatusEnabled, 2},
		{e.EnableIntegration, StatusEnabled, 2},
	} {
		got, err := step.act(ctx, tenantA, integ.ID)
		if err != nil || got.Status != step.status || s.writes != step.writes {
			t.Fatalf("step %d: %+v %v, %d writes", i, got, err, s.writes)
		}
	}
}

func TestDeleteIntegration_HidesItAndRevokesItsKeys(t *testing.T) {
	t.Parallel()
	e, s := newManageEngine(t)
	ctx := context.Background()
	ints := seed(t, e, "prod", "dev")
	if err := e.DeleteIntegration(ctx, tenantA, ints[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.GetIntegration(ctx, tenantA, ints[0].ID); fault.KindOf(err) != fault.KindNotFound {
		t.Fatalf("get after delete: %v", err)
	}
	for _, k := range s.keys {
		if revoked := k.RevokedAt != nil; revoked != (k.IntegrationID == ints[0].ID) {
			t.Fatalf("key %+v: revoked = %v", k, revoked)
		}
	}
	if err := e.DeleteIntegration(ctx, tenantA, ints[0].ID); fault.KindOf(err) != fault.KindNotFound {
		t.Fatalf("second delete: %v", err)
	}
}

func TestRotateIntegrationKey_KeepsOrRevokesTheOldKeys(t *testing.T) {
	t.Parallel()
	e, _ := newManageEngine(t)
	ctx := context.Background()
	integ, first, err := e.CreateIntegration(ctx, NewIntegration{TenantID: tenantA, Name: "prod", ProviderType: "openai"})
	if err != nil {
		t.Fatal(err)
	}
	second, err := e.RotateIntegrationKey(ctx, tenantA, integ.ID, false)
	if err != nil || second.Revoked != 0 || second.Key == first {
		t.Fatalf("rotate keeping: %+v %v", second, err)
	}
	for _, key := range []string{first, second.Key} {
		if _, err := e.VerifyIntegrationKey(ctx, key); err != nil {
			t.Fatalf("key kept by a rotation without revoke: %v", err)
		}
	}
	third, err := e.RotateIntegrationKey(ctx, tenantA, integ.ID, true)
	if err != nil || third.Revoked != 2 || !strings.HasPrefix(third.Key, tenantA+":"+integ.ID+":") {
		t.Fatalf("rotate revoking: %+v %v", third, err)
	}
	for _, key := range []string{first, second.Key} {
		if _, err := e.VerifyIntegrationKey(ctx, key); reasonOf(err) != ReasonIntegrationKeyInvalid {
			t.Fatalf("revoked key still verifies: %v", err)
		}
	}
	if _, err := e.VerifyIntegrationKey(ctx, third.Key); err != nil {
		t.Fatalf("new key: %v", err)
	}
}
