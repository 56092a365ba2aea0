package db

import (
	"errors"
	"strings"

	sqlite "github.com/glebarez/go-sqlite"
	"github.com/jackc/pgx/v5/pgconn"
)

// IsUniqueViolation reports whether err is a unique-constraint violation and
// names the violated index the same way on both backends, so that a driver
// matches one string whatever the dialect:
//
//   - Postgres reports the constraint name; it is returned as is.
//   - SQLite reports only table and columns ("UNIQUE constraint failed:
//     tenants.slug"), so the name is rebuilt from the migrations' naming
//     rule, ux_<table>_<col>[_<col>...] ("ux_tenants_slug"). A primary-key
//     violation becomes <table>_pkey, Postgres's default name. For an index
//     on expressions SQLite reports the index name itself, which is returned.
//
// The rule holds only if every unique constraint is declared as
// CREATE UNIQUE INDEX ux_<table>_<cols> ON <table> (<cols>); the migration
// naming test in this package fails the build when a migration breaks it.
func IsUniqueViolation(err error) (index string, ok bool) {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		if pgErr.Code != "23505" { // unique_violation
			return "", false
		}
		return pgErr.ConstraintName, true
	}
	var sqliteErr *sqlite.Error
	if errors.As(err, &sqliteErr) {
		switch sqliteErr.Code() {
		case sqliteConstraintUnique:
			return sqliteIndexName(sqliteErr.Error(), false), true
		case sqliteConstraintPrimaryKey:
			return sqliteIndexName(sqliteErr.Error(), true), true
		}
	}
	return "", false
}

// SQLite extended result codes for unique violations.
const (
	sqliteConstraintPrimaryKey = 1555 // SQLITE_CONSTRAINT_PRIMARYKEY
	sqliteConstraintUnique     = 2067 // SQLITE_CONSTRAINT_UNIQUE
)

// sqliteIndexName derives the index name from a message such as
// "constraint failed: UNIQUE constraint failed: t.a, t.b (2067)" or
// "... UNIQUE constraint failed: index 'ux_t_lower_name' (2067)".
// It returns "" when the message has an unexpected shape.
func sqliteIndexName(msg string, primaryKey bool) string {
	const marker = "UNIQUE constraint failed: "
	_, detail, found := strings.Cut(msg, marker)
	if !found {
		return ""
	}
	if i := strings.LastIndex(detail, " ("); i >= 0 {
		detail = detail[:i] // the driver's " (2067)" suffix
	}
	if name, ok := strings.CutPrefix(detail, "index '"); ok {
		return strings.TrimSuffix(name, "'")
	}
	var table string
	var cols []string
	for qualified := range strings.SplitSeq(detail, ", ") {
		t, col, ok := strings.Cut(qualified, ".")
		if !ok || (table != "" && t != table) {
			return ""
		}
		table = t
		cols = append(cols, col)
	}
	if primaryKey {
		return table + "_pkey"
	}
	return "ux_" + table + "_" + strings.Join(cols, "_")
}
