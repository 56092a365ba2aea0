package integrations_test

import (
	"context"
	"crypto/sha256"
	"testing"

	"hoc/l6_drivers/db"
	"hoc/l6_drivers/db/dbtest"
	"hoc/l6_drivers/integrations"
)

// fixture is one test database with a store and two tenants.
type fixture struct {
	ctx   context.Context
	d     *db.DB
	s     *integrations.Store
	acme  string // tenant ids
	other string
}

// forEach runs fn on every backend with a fresh fixture: its own databases,
// so the calling test may run in parallel with the others.
func forEach(t *testing.T, fn func(t *testing.T, f fixture)) {
	t.Helper()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		ctx := dbtest.Context(t)
		s, err := integrations.NewStore(d)
		if err != nil {
			t.Fatal(err)
		}
		fn(t, fixture{ctx: ctx, d: d, s: s, acme: dbtest.SeedTenant(t, ctx, d, "acme"), other: dbtest.SeedTenant(t, ctx, d, "other")})
	})
}

// newIntegration returns a valid integration row for tenantID.
func newIntegration(tenantID, name string) integrations.IntegrationRow {
	return integrations.IntegrationRow{TenantID: tenantID, Name: name, ProviderType: "openai", Status: "enabled"}
}

// mustCreate creates an integration or fails the test.
func (f fixture) mustCreate(t *testing.T, tenantID, name string) integrations.IntegrationRow {
	t.Helper()
	row, err := f.s.CreateIntegration(f.ctx, newIntegration(tenantID, name))
	if err != nil {
		t.Fatalf("create integration %s: %v", name, err)
	}
	return row
}

// hash stands in for the engine's hash of a secret.
func hash(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}
