package db_test

import (
	"log/slog"
	"strings"
	"testing"

	"hoc/l6_drivers/db"
	"hoc/l6_drivers/db/dbtest"
	"hoc/testkit"
)

// openLogged opens a fresh migrated database whose log goes to the returned buffer.
func openLogged(t *testing.T, dialect db.Dialect) (*db.DB, *testkit.LockedBuffer) {
	t.Helper()
	logs := &testkit.LockedBuffer{}
	return dbtest.NewWithLogger(t, dialect, slog.New(slog.NewTextHandler(logs, nil))), logs
}

func TestLogger_FailedStatementIsLoggedWithoutValues(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Backends(t) {
		t.Run(string(dialect), func(t *testing.T) {
			d, logs := openLogged(t, dialect)
			tenant := dbtest.Tenant("acme")
			tenant.Name = "secret-tenant-name"
			tenant.Plan = "gold" // breaks the plan CHECK
			if err := d.Conn(dbtest.Context(t)).Create(tenant).Error; err == nil {
				t.Fatal("insert with an unknown plan succeeded")
			}
			out := logs.String()
			if !strings.Contains(out, "level=ERROR") || !strings.Contains(out, "INSERT INTO") {
				t.Fatalf("failed statement not logged at error level:\n%s", out)
			}
			if strings.Contains(out, "secret-tenant-name") {
				t.Fatalf("log contains a bound value:\n%s", out)
			}
		})
	}
}

func TestLogger_UniqueViolationIsNotLoggedAsError(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Backends(t) {
		t.Run(string(dialect), func(t *testing.T) {
			d, logs := openLogged(t, dialect)
			ctx := dbtest.Context(t)
			if err := insertTenant(ctx, d, "acme"); err != nil {
				t.Fatalf("first insert: %v", err)
			}
			if _, ok := db.IsUniqueViolation(insertTenant(ctx, d, "acme")); !ok {
				t.Fatal("duplicate insert did not fail with a unique violation")
			}
			if out := logs.String(); strings.Contains(out, "level=ERROR") {
				t.Fatalf("expected conflict logged as an error:\n%s", out)
			}
		})
	}
}
