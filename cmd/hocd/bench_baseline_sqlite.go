package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	gormsqlite "github.com/glebarez/sqlite"
)

// sqliteBaselinePragmas are the pragmas hoc sets on its own SQLite
// connection (l6_drivers/db/open.go), so that both write to the file the
// same way: foreign keys, WAL, a busy timeout and immediate transactions.
const sqliteBaselinePragmas = "_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_txlock=immediate"

// sqliteChunkRows is the rows of one multi-row insert: the Go driver binds
// parameters in time quadratic in their number, and 100 rows is where hoc's
// driver found the sweet spot.
const sqliteChunkRows = 100

// sqliteSingleInsertSQL inserts one row.
var sqliteSingleInsertSQL = "INSERT INTO usage_records (" + baselineColumns + ") VALUES " +
	placeholderRows(1, baselineColumnCount) + insertIgnore

// sqliteBaseline writes through database/sql on a connection of its own to
// the bench's file. It has exactly one connection, as hoc has: SQLite admits
// one writer at a time, so the workload's clients share it.
type sqliteBaseline struct {
	dsn                 string
	tenant, integration string
	rows                *baselineRows
}

func newSQLiteBaseline(url string, rows *baselineRows) (*sqliteBaseline, error) {
	path, ok := strings.CutPrefix(url, "sqlite:")
	if !ok {
		return nil, fmt.Errorf("baseline: %q is not a sqlite: URL", url)
	}
	return &sqliteBaseline{dsn: strings.TrimPrefix(path, "//") + "?" + sqliteBaselinePragmas,
		tenant: rows.tenant.String(), integration: rows.integration.String(), rows: rows}, nil
}

func (b *sqliteBaseline) batches(ctx context.Context, conns, size int, d time.Duration) (loadResult, error) {
	conn, err := b.open(ctx)
	if err != nil {
		return loadResult{}, err
	}
	defer conn.Close()
	return closedLoop(ctx, conns, d, func(ctx context.Context) (int, error) {
		rows := b.rows.next(size, time.Now())
		return len(rows), inSQLTx(ctx, conn, func(tx *sql.Tx) error {
			for start := 0; start < len(rows); start += sqliteChunkRows {
				if err := b.insert(ctx, tx, rows[start:min(start+sqliteChunkRows, len(rows))]); err != nil {
					return err
				}
			}
			day := rows[0].at.Format(time.DateOnly)
			if _, err := tx.ExecContext(ctx, rollupUpsertSQL, baselineRollupArgs(b.tenant, day, b.integration, rows)...); err != nil {
				return fmt.Errorf("baseline rollup upsert: %w", err)
			}
			return nil
		})
	})
}

func (b *sqliteBaseline) singles(ctx context.Context, conns int, d time.Duration) (loadResult, error) {
	conn, err := b.open(ctx)
	if err != nil {
		return loadResult{}, err
	}
	defer conn.Close()
	return closedLoop(ctx, conns, d, func(ctx context.Context) (int, error) {
		r := b.rows.next(1, time.Now())[0]
		res, err := conn.ExecContext(ctx, sqliteSingleInsertSQL, r.values(r.id.String(), b.tenant, b.integration)...)
		if err != nil {
			return 0, fmt.Errorf("baseline single insert: %w", err)
		}
		n, err := res.RowsAffected()
		return int(n), err
	})
}

// insert writes rows with one multi-row insert.
func (b *sqliteBaseline) insert(ctx context.Context, tx *sql.Tx, rows []baselineRow) error {
	query := "INSERT INTO usage_records (" + baselineColumns + ") VALUES " + placeholderRows(len(rows), baselineColumnCount) + insertIgnore
	args := make([]any, 0, len(rows)*baselineColumnCount)
	for _, r := range rows {
		args = append(args, r.values(r.id.String(), b.tenant, b.integration)...)
	}
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("baseline batch insert: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("baseline batch insert: %w", err)
	}
	if n != int64(len(rows)) {
		return fmt.Errorf("baseline batch inserted %d rows, want %d", n, len(rows))
	}
	return nil
}

// open opens the one connection.
func (b *sqliteBaseline) open(ctx context.Context) (*sql.DB, error) {
	conn, err := sql.Open(gormsqlite.DriverName, b.dsn)
	if err != nil {
		return nil, fmt.Errorf("baseline: open SQLite: %w", err)
	}
	conn.SetMaxOpenConns(1)
	if err := conn.PingContext(ctx); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("baseline: open SQLite: %w", err)
	}
	return conn, nil
}

// inSQLTx runs fn in a transaction on conn, committed when fn succeeds.
func inSQLTx(ctx context.Context, conn *sql.DB, fn func(*sql.Tx) error) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("baseline: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("baseline: commit: %w", err)
	}
	return nil
}
