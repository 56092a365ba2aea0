package db

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	gormsqlite "github.com/glebarez/sqlite"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
)

// sqlitePragmas are applied to every SQLite connection. Foreign keys are off
// by default in SQLite; WAL lets readers in other processes (a `hocd migrate`,
// an operator's sqlite3 shell) proceed while hocd writes; the busy timeout
// makes such a second process wait instead of failing at once; and
// _txlock=immediate takes the write lock when a transaction begins, so that a
// transaction never fails half-way with SQLITE_BUSY when it first writes.
const sqlitePragmas = "_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_txlock=immediate"

// acceptedURLs is quoted by every URL error, so an operator sees the fix.
const acceptedURLs = `"sqlite:<path>" (e.g. sqlite:data/hoc.db) or "postgres://user@host:5432/db" ("postgresql://" also works)`

// Open connects to the database named by cfg.URL and checks, within ctx, that
// it answers. It does not migrate: the server start and `hocd migrate` decide
// when the schema changes. A database that cannot be reached yields an error
// that Classify marks as unavailable.
//
// SQLite gets exactly one connection. SQLite admits one writer at a time, and
// with several pooled connections concurrent writers inside this process would
// fail with SQLITE_BUSY after the busy timeout instead of queueing; one
// connection makes database/sql queue them. The price is documented on InTx.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	dialect, target, err := parseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()

	var sqlDB *sql.DB
	var dialector gorm.Dialector
	switch dialect {
	case DialectSQLite:
		sqlDB, err = openSQLite(target)
		dialector = &gormsqlite.Dialector{Conn: sqlDB}
	case DialectPostgres:
		sqlDB, err = openPostgres(target, cfg)
		dialector = postgres.New(postgres.Config{Conn: sqlDB})
	}
	if err != nil {
		return nil, err
	}
	// Ping before gorm.Open: the SQLite dialector queries the server version
	// without a context, and gorm's own ping ignores ctx too.
	if err := sqlDB.PingContext(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, Classify(fmt.Errorf("connect to %s database: %w", dialect, err))
	}
	base, err := gorm.Open(dialector, &gorm.Config{
		Logger:                 statementLog{log: cfg.Logger},
		NowFunc:                func() time.Time { return UTC(time.Now()) },
		SkipDefaultTransaction: true, // InTx is the only way a transaction starts
		DisableAutomaticPing:   true, // done above, with ctx
	})
	if err != nil {
		_ = sqlDB.Close()
		return nil, Classify(fmt.Errorf("open %s database: %w", dialect, err))
	}
	return &DB{base: base, sql: sqlDB, dialect: dialect, logger: cfg.Logger}, nil
}

// parseURL splits a database URL into its dialect and what the driver needs:
// a file path for SQLite, the URL itself for Postgres. Errors name only the
// scheme, never the URL, because a Postgres URL may hold a password.
func parseURL(raw string) (Dialect, string, error) {
	switch {
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		return DialectPostgres, raw, nil
	case strings.HasPrefix(raw, "sqlite:"):
		path := strings.TrimPrefix(raw, "sqlite:")
		path = strings.TrimPrefix(path, "//") // sqlite:///var/x.db is sqlite:/var/x.db
		switch {
		case path == "":
			return "", "", fmt.Errorf("database URL %q has no file path: want %s", raw, acceptedURLs)
		case strings.Contains(path, "?"):
			return "", "", fmt.Errorf("database URL %q has query parameters: hoc sets the SQLite pragmas itself; want %s", raw, acceptedURLs)
		}
		return DialectSQLite, path, nil
	case raw == "":
		return "", "", fmt.Errorf("database URL is empty: want %s", acceptedURLs)
	default:
		scheme, _, found := strings.Cut(raw, ":")
		if !found {
			scheme = "(none)"
		}
		return "", "", fmt.Errorf("database URL scheme %q is not supported: want %s", scheme, acceptedURLs)
	}
}

// openSQLite creates the file's directory if needed, so that the embedded
// default (`go run ./cmd/hocd`) works in a fresh checkout, and configures the
// single-connection pool described on Open.
func openSQLite(path string) (*sql.DB, error) {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create SQLite directory: %w", err)
		}
	}
	sqlDB, err := sql.Open(gormsqlite.DriverName, path+"?"+sqlitePragmas)
	if err != nil {
		return nil, fmt.Errorf("open SQLite database %s: %w", path, err)
	}
	sqlDB.SetMaxOpenConns(1)
	sqlDB.SetMaxIdleConns(1)
	sqlDB.SetConnMaxLifetime(0) // the one connection is never worth recycling
	sqlDB.SetConnMaxIdleTime(0)
	return sqlDB, nil
}

// openPostgres builds a pgx-backed pool whose sessions run in UTC (so that
// date_trunc and now() agree with the Go side) and whose timestamptz values
// scan as UTC rather than the process's local zone.
func openPostgres(url string, cfg Config) (*sql.DB, error) {
	pgCfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse postgres URL: %w", err)
	}
	pgCfg.RuntimeParams["timezone"] = "UTC"
	sqlDB := stdlib.OpenDB(*pgCfg, stdlib.OptionAfterConnect(scanTimesInUTC))
	sqlDB.SetMaxOpenConns(cfg.MaxOpenConns)
	sqlDB.SetMaxIdleConns(cfg.MaxIdleConns)
	sqlDB.SetConnMaxLifetime(cfg.ConnMaxLifetime)
	sqlDB.SetConnMaxIdleTime(cfg.ConnMaxIdleTime)
	return sqlDB, nil
}

// scanTimesInUTC makes timestamptz columns come back in UTC on conn.
func scanTimesInUTC(_ context.Context, conn *pgx.Conn) error {
	conn.TypeMap().RegisterType(&pgtype.Type{
		Name:  "timestamptz",
		OID:   pgtype.TimestamptzOID,
		Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC},
	})
	return nil
}
