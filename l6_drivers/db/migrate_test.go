package db_test

import (
	"strings"
	"testing"

	"hoc/l6_drivers/db"
	"hoc/l6_drivers/db/dbtest"
	"hoc/testkit"
)

func TestMigrate_IsIdempotent(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		ctx := dbtest.Context(t)
		// dbtest.New has migrated once already.
		if err := d.Migrate(ctx); err != nil {
			t.Fatalf("second Migrate: %v", err)
		}
		if err := d.Ready(ctx); err != nil {
			t.Fatalf("Ready after two migrations: %v", err)
		}
		if err := insertTenant(ctx, d, "acme"); err != nil {
			t.Fatalf("insert into migrated schema: %v", err)
		}
	})
}

func TestReady_FailsBeforeMigrateAndPassesAfter(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Backends(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := dbtest.Context(t)
			d, err := db.Open(ctx, db.Config{URL: dbtest.URL(t, dialect)})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			testkit.CloseAtEnd(t, d)

			err = d.Ready(ctx)
			if err == nil || !strings.Contains(err.Error(), "never migrated") {
				t.Fatalf("Ready before Migrate = %v, want a 'never migrated' error", err)
			}
			if err := d.Migrate(ctx); err != nil {
				t.Fatalf("Migrate: %v", err)
			}
			if err := d.Ready(ctx); err != nil {
				t.Fatalf("Ready after Migrate: %v", err)
			}
		})
	}
}

func TestReady_NamesPendingVersions(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		ctx := dbtest.Context(t)
		// Pretend version 1 was never applied.
		if err := d.Conn(ctx).Exec("DELETE FROM goose_db_version WHERE version_id = 1").Error; err != nil {
			t.Fatalf("forget version 1: %v", err)
		}
		err := d.Ready(ctx)
		if err == nil || !strings.Contains(err.Error(), "pending migration(s) (version 1)") {
			t.Fatalf("Ready = %v, want it to name pending version 1", err)
		}
	})
}

func TestStatus_ListsPendingMigrationsWithoutApplyingThem(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Backends(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := dbtest.Context(t)
			d, err := db.Open(ctx, db.Config{URL: dbtest.URL(t, dialect)})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			testkit.CloseAtEnd(t, d)
			before, err := d.Status(ctx)
			if err != nil || before.Applied != 0 || len(before.Pending) == 0 || before.ServerVersion == "" {
				t.Fatalf("unmigrated: %+v, %v", before, err)
			}
			if again, err := d.Status(ctx); err != nil || again.Applied != 0 || len(again.Pending) != len(before.Pending) {
				t.Fatalf("Status changed the database: %+v, %v", again, err)
			}
			if err := d.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			after, err := d.Status(ctx)
			if err != nil || len(after.Pending) != 0 || after.Applied != before.Pending[len(before.Pending)-1] {
				t.Fatalf("migrated: %+v, %v (pending before %v)", after, err, before.Pending)
			}
		})
	}
}
