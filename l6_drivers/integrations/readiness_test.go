package integrations_test

import (
	"testing"

	"hoc/l6_drivers/db/dbtest"
)

func TestIntegrations_HasLiveKeyOnEnabledIntegration(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, f fixture) {
		tenant := dbtest.SeedTenant(t, f.ctx, f.d, "ready")
		has := func() bool {
			ok, err := f.s.HasLiveKeyOnEnabledIntegration(f.ctx, tenant)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		row := f.mustCreate(t, tenant, "prod")
		if has() {
			t.Fatal("an integration without keys counted")
		}
		if _, err := f.s.CreateIntegrationKey(f.ctx, tenant, row.ID, hash("s1")); err != nil {
			t.Fatal(err)
		}
		if !has() {
			t.Fatal("an enabled integration with a live key did not count")
		}
		if err := f.s.SetIntegrationStatus(f.ctx, tenant, row.ID, "disabled"); err != nil {
			t.Fatal(err)
		}
		if has() {
			t.Fatal("a disabled integration counted")
		}
		if err := f.s.SetIntegrationStatus(f.ctx, tenant, row.ID, "enabled"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.RevokeIntegrationKeys(f.ctx, tenant, row.ID); err != nil {
			t.Fatal(err)
		}
		if has() {
			t.Fatal("a revoked key counted")
		}
	})
}
