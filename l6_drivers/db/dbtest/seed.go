package dbtest

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"hoc/l6_drivers/db"
	models "hoc/l7_models"
)

// Context returns a context that ends with t, or after setupTimeout, so that
// a statement stuck behind SQLite's single connection (a transaction a test
// left open) fails the test instead of hanging the suite.
func Context(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), setupTimeout)
	t.Cleanup(cancel)
	return ctx
}

// Tenant returns a tenant that satisfies every CHECK of the tenants table,
// with a fresh id; a test changes the fields its case is about. Its times
// are left for gorm to set on insert, as the drivers leave them.
func Tenant(slug string) *models.Tenant {
	return &models.Tenant{ID: uuid.NewString(), Name: "Tenant " + slug, Slug: slug, Plan: "free", LifecycleState: "ACTIVE"}
}

// SeedTenant inserts Tenant(slug) straight into the table, for the foreign
// keys of a storage test that is not about tenants, and returns its id.
func SeedTenant(t testing.TB, ctx context.Context, d *db.DB, slug string) string {
	t.Helper()
	m := Tenant(slug)
	if err := d.Conn(ctx).Create(m).Error; err != nil {
		t.Fatalf("dbtest: insert tenant %s: %v", slug, err)
	}
	return m.ID
}

// SeedIntegration inserts an enabled openai integration of tenantID with
// the given id (fixed ids give tests a known order) and name, and returns
// its id.
func SeedIntegration(t testing.TB, ctx context.Context, d *db.DB, tenantID, id, name string) string {
	t.Helper()
	m := models.Integration{ID: id, TenantID: tenantID, Name: name, ProviderType: "openai", Status: "enabled"}
	if err := d.Conn(ctx).Create(&m).Error; err != nil {
		t.Fatalf("dbtest: insert integration %s: %v", name, err)
	}
	return m.ID
}
