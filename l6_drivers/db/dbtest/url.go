package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
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

// postgresURL creates a database named hoc_t_<random hex> and returns its URL.
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
	name := "hoc_t_" + randomHex(8)
	// The name is generated above from [0-9a-f], so quoting it is enough.
	if err := adminExec(server, `CREATE DATABASE "`+name+`"`); err != nil {
		t.Fatalf("dbtest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		if err := adminExec(server, `DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`); err != nil {
			t.Errorf("dbtest: drop database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// adminExec runs one statement on the EnvDatabaseURL database. It uses a
// fresh context because t.Context() is already cancelled during Cleanup.
func adminExec(server, statement string) error {
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	admin, err := db.Open(ctx, db.Config{URL: server, MaxOpenConns: 1})
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
