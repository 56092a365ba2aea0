package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"hoc/l6_drivers/db"
	models "hoc/l7_models"
)

// testCtx bounds each test so that a transaction left open on SQLite's single
// connection fails the test instead of hanging the suite.
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// newTenant returns a tenant that satisfies every CHECK of the tenants table.
func newTenant(slug string) *models.Tenant {
	return &models.Tenant{
		ID:              uuid.NewString(),
		Name:            "Tenant " + slug,
		Slug:            slug,
		Plan:            "free",
		LifecycleState:  "ACTIVE",
		OnboardingState: 0,
	}
}

// insertTenant creates a tenant through Conn, so it joins a transaction in ctx.
func insertTenant(ctx context.Context, d *db.DB, slug string) error {
	return d.Conn(ctx).Create(newTenant(slug)).Error
}

// tenantSlugs lists the committed tenants' slugs, sorted.
func tenantSlugs(t *testing.T, ctx context.Context, d *db.DB) []string {
	t.Helper()
	var slugs []string
	if err := d.Conn(ctx).Model(&models.Tenant{}).Order("slug").Pluck("slug", &slugs).Error; err != nil {
		t.Fatalf("list tenants: %v", err)
	}
	return slugs
}
