package db_test

import (
	"testing"

	"hoc/l6_drivers/db"
	"hoc/l6_drivers/db/dbtest"
)

func TestIsUniqueViolation_DuplicateSlugNamesTheIndex(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		ctx := dbtest.Context(t)
		if err := insertTenant(ctx, d, "acme"); err != nil {
			t.Fatalf("first insert: %v", err)
		}
		err := insertTenant(ctx, d, "acme")
		index, ok := db.IsUniqueViolation(err)
		if !ok || index != "ux_tenants_slug" {
			t.Fatalf("IsUniqueViolation(%v) = %q, %v; want ux_tenants_slug, true", err, index, ok)
		}
	})
}

// The same index name comes back from both backends for every kind of
// unique index, so drivers can match one string.
func TestIsUniqueViolation_SameNameOnEveryBackend(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		ctx := dbtest.Context(t)
		for _, stmt := range []string{
			"CREATE TABLE dbtest_pairs (id integer PRIMARY KEY, a text NOT NULL, b text NOT NULL, name text NOT NULL)",
			"CREATE UNIQUE INDEX ux_dbtest_pairs_a_b ON dbtest_pairs (a, b)",
			"CREATE UNIQUE INDEX ux_dbtest_pairs_lower_name ON dbtest_pairs (lower(name))",
			"INSERT INTO dbtest_pairs (id, a, b, name) VALUES (1, 'a', 'b', 'Name')",
		} {
			if err := d.Conn(ctx).Exec(stmt).Error; err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
		}
		tests := []struct {
			name      string
			insert    string
			wantIndex string
		}{
			{"primary key", "INSERT INTO dbtest_pairs (id, a, b, name) VALUES (1, 'x', 'y', 'other')", "dbtest_pairs_pkey"},
			{"composite columns", "INSERT INTO dbtest_pairs (id, a, b, name) VALUES (2, 'a', 'b', 'other')", "ux_dbtest_pairs_a_b"},
			{"expression", "INSERT INTO dbtest_pairs (id, a, b, name) VALUES (3, 'x', 'y', 'NAME')", "ux_dbtest_pairs_lower_name"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := d.Conn(ctx).Exec(tt.insert).Error
				index, ok := db.IsUniqueViolation(err)
				if !ok || index != tt.wantIndex {
					t.Fatalf("IsUniqueViolation(%v) = %q, %v; want %q, true", err, index, ok, tt.wantIndex)
				}
			})
		}
	})
}

func TestIsUniqueViolation_IgnoresOtherErrors(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		ctx := dbtest.Context(t)
		tenant := dbtest.Tenant("acme")
		tenant.Plan = "gold" // breaks the plan CHECK, not a unique index
		err := d.Conn(ctx).Create(tenant).Error
		if err == nil {
			t.Fatal("insert with an unknown plan succeeded; the CHECK constraint is missing")
		}
		if index, ok := db.IsUniqueViolation(err); ok {
			t.Fatalf("IsUniqueViolation(%v) = %q, true; want false", err, index)
		}
		if _, ok := db.IsUniqueViolation(nil); ok {
			t.Fatal("IsUniqueViolation(nil) = true")
		}
	})
}
