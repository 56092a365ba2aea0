// Package dbtest gives storage tests their own empty, migrated database on
// every backend they must pass on. SQLite always runs; Postgres runs when
// HOC_TEST_DATABASE_URL points at a server, and in CI it must.
//
// `go test ./...` runs packages in parallel, so no two callers ever share
// tables: each New or URL call gets its own SQLite file or its own schema
// in the Postgres database HOC_TEST_DATABASE_URL names, removed when the
// test ends.
package dbtest

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"hoc/l6_drivers/db"
)

// EnvDatabaseURL names the variable holding the URL of the Postgres
// database that holds the tests' schemas, e.g.
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable.
const EnvDatabaseURL = "HOC_TEST_DATABASE_URL"

// setupTimeout bounds creating, migrating and dropping a test database.
const setupTimeout = 60 * time.Second

// Backends lists the dialects a storage test must run on: SQLite always, and
// Postgres when EnvDatabaseURL is set. With CI=true and no EnvDatabaseURL it
// fails the test: in CI a missing Postgres is a broken pipeline, never a
// silently skipped half of the suite.
func Backends(t testing.TB) []db.Dialect {
	t.Helper()
	if os.Getenv(EnvDatabaseURL) != "" {
		return []db.Dialect{db.DialectSQLite, db.DialectPostgres}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true but %s is not set: the Postgres storage tests are mandatory in CI", EnvDatabaseURL)
	}
	return []db.Dialect{db.DialectSQLite}
}

// ForEach runs fn as one subtest per backend, named after the dialect, each
// with its own fresh database from New.
func ForEach(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	for _, dialect := range Backends(t) {
		t.Run(string(dialect), func(t *testing.T) {
			fn(t, New(t, dialect))
		})
	}
}

// New returns a migrated, empty database of the given dialect, closed and
// removed when t ends. Warnings and errors from the database are written to
// the test's output.
func New(t testing.TB, dialect db.Dialect) *db.DB {
	t.Helper()
	return NewWithLogger(t, dialect, testLogger(t))
}

// NewWithLogger is New with the database's logger given, for tests of what
// the database logs.
func NewWithLogger(t testing.TB, dialect db.Dialect, log *slog.Logger) *db.DB {
	t.Helper()
	url := URL(t, dialect)
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	d, err := db.Open(ctx, db.Config{URL: url, Logger: log})
	if err != nil {
		t.Fatalf("dbtest: open %s test database: %v", dialect, err)
	}
	// Registered after URL's cleanup, so it runs first: close, then drop.
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("dbtest: close %s test database: %v", dialect, err)
		}
	})
	if err := d.Migrate(ctx); err != nil {
		t.Fatalf("dbtest: migrate %s test database: %v", dialect, err)
	}
	return d
}

// testLogger sends warnings and errors to the test's output, where they are
// shown next to the failure they explain.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}
