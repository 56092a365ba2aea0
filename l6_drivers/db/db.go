// Package db is the database plumbing every L6 domain driver shares: opening
// SQLite or Postgres behind one gorm handle, versioned migrations, the
// transaction carried in a context, and the classification of driver errors
// into "the database is unavailable" and "this row conflicts".
//
// Domain drivers never hold a *gorm.DB of their own. They keep a *DB and ask
// it for a connection per call with Conn(ctx), so that a transaction opened
// higher up (the spine's transactional middleware calls InTx) is picked up
// without being threaded through every signature.
package db

import (
	"context"
	"database/sql"
	"log/slog"
	"time"

	"gorm.io/gorm"
)

// Dialect names the SQL backend behind a DB. Drivers switch on it only where
// the SQL genuinely differs (upserts, date truncation, array parameters).
type Dialect string

// The supported backends.
const (
	// DialectSQLite is the embedded default: a single file, no server, no cgo.
	DialectSQLite Dialect = "sqlite"
	// DialectPostgres is where a growing deployment goes: several hocd
	// replicas sharing one server.
	DialectPostgres Dialect = "postgres"
)

// DB is an open database with its dialect. It is safe for concurrent use.
type DB struct {
	base    *gorm.DB
	sql     *sql.DB
	dialect Dialect
	logger  *slog.Logger
}

// Dialect reports which backend d talks to.
func (d *DB) Dialect() Dialect { return d.dialect }

// Conn returns the handle every L6 query must go through: the transaction
// that InTx stored in ctx when there is one, otherwise the pool. Either way
// the handle carries ctx, so cancellation and deadlines reach the driver.
//
// On SQLite a query that bypasses Conn (or passes a context without the
// transaction) while a transaction is open waits for the single connection
// forever; see InTx.
func (d *DB) Conn(ctx context.Context) *gorm.DB {
	if tx, ok := d.txFrom(ctx); ok {
		return tx.WithContext(ctx)
	}
	return d.base.WithContext(ctx)
}

// Close releases the pool. Closing twice is harmless.
func (d *DB) Close() error { return d.sql.Close() }

// UTC normalises a time for storage: UTC, truncated to microseconds. Postgres
// keeps microseconds and SQLite stores text, so only times normalised this way
// compare equal after a round trip on both backends and sort correctly as
// SQLite text. gorm's own timestamps (CreatedAt, UpdatedAt) already pass
// through it; drivers must apply it to every other time they write.
func UTC(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// Query runs a statement that returns rows on the transaction in ctx, or the
// pool, through database/sql directly, and calls scan for each row. It is for
// set-based statements: gorm's statement builder would expand every slice
// argument into a placeholder list and copy every value, where Postgres takes
// an array as one parameter. The statement is logged like gorm's (slow or
// failed, never with values) and its error classified.
func (d *DB) Query(ctx context.Context, query string, args []any, scan func(*sql.Rows) error) (err error) {
	begin := time.Now()
	defer func() { d.stmts().statement(ctx, begin, err, func() string { return query }) }()
	rows, err := d.Conn(ctx).Statement.ConnPool.QueryContext(ctx, query, args...)
	if err != nil {
		return Classify(err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return Classify(rows.Err())
}

// Exec runs a statement that returns no rows the way Query does.
func (d *DB) Exec(ctx context.Context, query string, args ...any) (err error) {
	begin := time.Now()
	defer func() { d.stmts().statement(ctx, begin, err, func() string { return query }) }()
	_, err = d.Conn(ctx).Statement.ConnPool.ExecContext(ctx, query, args...)
	return Classify(err)
}

func (d *DB) stmts() statementLog { return statementLog{log: d.logger} }
