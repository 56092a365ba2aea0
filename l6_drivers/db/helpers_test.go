package db_test

import (
	"context"
	"testing"

	"hoc/l6_drivers/db"
	"hoc/l6_drivers/db/dbtest"
	models "hoc/l7_models"
)

// insertTenant creates a tenant through Conn, so it joins a transaction in
// ctx, and returns the error for the test to judge.
func insertTenant(ctx context.Context, d *db.DB, slug string) error {
	return d.Conn(ctx).Create(dbtest.Tenant(slug)).Error
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
