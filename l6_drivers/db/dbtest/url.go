package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"hoc/l6_drivers/db"
)

// URL returns the URL of a fresh, empty, unmigrated database for tests that
// start the whole server from its configuration: for SQLite a file in
// t.TempDir(), for Postgres a new database on the EnvDatabaseURL server,
// dropped (even with sessions still connected) when t ends.
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

// testDatabase is the database on the EnvDatabaseURL server that holds the
// tests' schemas. Creating a database costs a Postgres server about 200 ms
// of copying and syncing; a schema costs a millisecond.
const testDatabase = "hoc_tests"

// ensureTestDatabase creates testDatabase once per process, unless it
// exists. Another test process may create it at the same moment, which is
// as good.
var ensureTestDatabase = sync.OnceValue(func() error {
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	admin, err := db.Open(ctx, db.Config{URL: os.Getenv(EnvDatabaseURL), MaxOpenConns: 1, Logger: quiet})
	if err != nil {
		return err
	}
	defer admin.Close()
	var n int64
	if err := admin.Conn(ctx).Raw(`SELECT count(*) FROM pg_database WHERE datname = ?`, testDatabase).Scan(&n).Error; err != nil || n > 0 {
		return err
	}
	err = admin.Conn(ctx).Exec(`CREATE DATABASE ` + testDatabase).Error
	if err != nil && (strings.Contains(err.Error(), "42P04") || strings.Contains(err.Error(), "23505")) {
		return nil // duplicate_database, or the unique index of a concurrent create
	}
	return err
})

// quiet discards the admin connections' statement log: a failure is
// reported by the test that asked.
var quiet = slog.New(slog.DiscardHandler)

// postgresURL creates a schema named t_<random hex> in testDatabase and
// returns a URL whose connections use it (search_path), so that each test
// has tables of its own; the schema is dropped when t ends.
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
	if err := ensureTestDatabase(); err != nil {
		t.Fatalf("dbtest: create database %s: %v", testDatabase, err)
	}
	u.Path = "/" + testDatabase
	admin := u.String()
	schema := "t_" + randomHex(8)
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
