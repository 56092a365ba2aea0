package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"hoc/l6_drivers/db"
)

// URL returns the URL of a fresh, empty, unmigrated database for tests that
// start the whole server from its configuration: for SQLite a file in
// t.TempDir(), for Postgres a new schema in the EnvDatabaseURL database,
// dropped when t ends.
func URL(t testing.TB, dialect db.Dialect) string {
	t.Helper()
	switch dialect {
	case db.DialectSQLite:
		return "sqlite:" + filepath.Join(t.TempDir(), "hoc.db")
	case db.DialectPostgres:
		return postgresURL(t)
	default:
		t.Fatalf("dbtest: unknown dialect %q", dialect)
		return ""
	}
}

// SchemaPrefix starts the name of every schema a test makes, so that
// whatever a killed test run leaves behind can be found and dropped
// (.ci/run does, when it ends).
const SchemaPrefix = "hoc_test_"

// quiet discards the admin connections' statement log: a failure is
// reported by the test that asked.
var quiet = slog.New(slog.DiscardHandler)

// postgresURL creates a schema named SchemaPrefix<random hex> in the
// database EnvDatabaseURL names and returns a URL whose connections use it
// (search_path), so that each test has tables of its own; the schema is
// dropped when t ends. A schema costs Postgres a millisecond where a
// database costs it about 200 ms of copying and syncing.
func postgresURL(t testing.TB) string {
	t.Helper()
	server := os.Getenv(EnvDatabaseURL)
	if server == "" {
		t.Fatalf("dbtest: a Postgres test database needs %s", EnvDatabaseURL)
	}
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("dbtest: %s is not a URL: %v", EnvDatabaseURL, err)
	}
	admin := u.String()
	schema := SchemaPrefix + randomHex(8)
	// The name is generated above from [0-9a-f], so quoting it is enough.
	if err := adminExec(admin, `CREATE SCHEMA "`+schema+`"`); err != nil {
		t.Fatalf("dbtest: create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		if err := adminExec(admin, `DROP SCHEMA IF EXISTS "`+schema+`" CASCADE`); err != nil {
			t.Errorf("dbtest: drop schema %s: %v", schema, err)
		}
	})
	q := u.Query()
	q.Set("search_path", schema)
	// A test's commits need not wait for the WAL to reach the disk: the
	// tests stop hocd, never the Postgres server, and nothing a commit makes
	// visible is lost unless the server itself crashes.
	q.Set("synchronous_commit", "off")
	u.RawQuery = q.Encode()
	return u.String()
}

// adminExec runs one statement on the EnvDatabaseURL database. It uses a
// fresh context because t.Context() is already cancelled during Cleanup.
func adminExec(server, statement string) error {
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	admin, err := db.Open(ctx, db.Config{URL: server, MaxOpenConns: 1, Logger: quiet})
	if err != nil {
		return err
	}
	defer admin.Close()
	return admin.Conn(ctx).Exec(statement).Error
}

// randomHex returns n random bytes as hex, unique enough that parallel test
// processes never pick the same database name. crypto/rand.Read never fails.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
