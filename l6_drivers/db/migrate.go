package db

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/crc64"
	"io/fs"
	"slices"
	"strconv"
	"strings"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"
	"github.com/pressly/goose/v3/lock"
)

// migrations holds the versioned schema, one directory per dialect because
// the SQL differs (types, CHECK syntax). Both directories carry the same
// versions.
//
//go:embed migrations/postgres/*.sql migrations/sqlite/*.sql
var migrations embed.FS

// Migrate applies every pending migration. It is idempotent. On Postgres it
// holds a session advisory lock while it runs, so that several hocd replicas
// starting at once apply each migration exactly once; the others wait (up to
// five minutes) and then find nothing to do.
func (d *DB) Migrate(ctx context.Context) error {
	var opts []goose.ProviderOption
	if d.dialect == DialectPostgres {
		lockID, err := d.migrationLockID(ctx)
		if err != nil {
			return err
		}
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(lockID), lock.WithLockTimeout(1, 300))
		if err != nil {
			return fmt.Errorf("migrate: create lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := d.migrationProvider(opts...)
	if err != nil {
		return err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return Classify(fmt.Errorf("migrate %s database: %w", d.dialect, err))
	}
	if len(results) > 0 {
		d.logger.InfoContext(ctx, "database migrated",
			"dialect", string(d.dialect), "applied", len(results), "version", results[len(results)-1].Source.Version)
	}
	return nil
}

// Ready reports whether d can serve requests: the database answers and every
// migration this binary knows has been applied. It only reads, so a readiness
// probe never creates the version table as a side effect; versions newer than
// this binary (applied by a newer replica during a rolling deploy) are fine.
func (d *DB) Ready(ctx context.Context) error {
	if err := d.sql.PingContext(ctx); err != nil {
		return Classify(fmt.Errorf("database not ready: %w", err))
	}
	p, err := d.migrationProvider()
	if err != nil {
		return err
	}
	applied, err := d.appliedVersions(ctx)
	if err != nil {
		return err
	}
	var pending []string
	for _, src := range p.ListSources() {
		if !slices.Contains(applied, src.Version) {
			pending = append(pending, strconv.FormatInt(src.Version, 10))
		}
	}
	if len(pending) > 0 {
		return fmt.Errorf("database not ready: %d pending migration(s) (version %s); run `hocd migrate`",
			len(pending), strings.Join(pending, ", "))
	}
	return nil
}

// errNeverMigrated is appliedVersions' error for a database without the
// version table.
var errNeverMigrated = fmt.Errorf("database not ready: never migrated (no %s table); run `hocd migrate`", goose.DefaultTablename)

// appliedVersions lists the versions recorded in goose's version table, or
// fails with a clear message when the table does not exist yet.
func (d *DB) appliedVersions(ctx context.Context) ([]int64, error) {
	// Resolved like goose resolves its unqualified table name: through
	// search_path on Postgres, in the main schema on SQLite.
	query := "SELECT to_regclass(?) IS NOT NULL"
	if d.dialect == DialectSQLite {
		query = "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = ?"
	}
	var exists bool
	if err := d.base.WithContext(ctx).Raw(query, goose.DefaultTablename).Find(&exists).Error; err != nil {
		return nil, Classify(fmt.Errorf("database not ready: look up %s: %w", goose.DefaultTablename, err))
	}
	if !exists {
		return nil, errNeverMigrated
	}
	store, err := database.NewStore(d.gooseDialect(), goose.DefaultTablename)
	if err != nil {
		return nil, fmt.Errorf("database not ready: %w", err)
	}
	rows, err := store.ListMigrations(ctx, d.sql)
	if err != nil {
		return nil, Classify(fmt.Errorf("database not ready: list applied migrations: %w", err))
	}
	versions := make([]int64, 0, len(rows))
	for _, r := range rows {
		if r.IsApplied {
			versions = append(versions, r.Version)
		}
	}
	return versions, nil
}

// migrationProvider builds a goose provider over d's embedded migrations. A
// fresh provider per call is deliberate: goose remembers a failed version
// table creation for the provider's lifetime, and building one is cheap.
func (d *DB) migrationProvider(opts ...goose.ProviderOption) (*goose.Provider, error) {
	fsys, err := fs.Sub(migrations, "migrations/"+string(d.dialect))
	if err != nil {
		return nil, fmt.Errorf("migrations for %s: %w", d.dialect, err)
	}
	opts = append(opts, goose.WithDisableGlobalRegistry(true), goose.WithSlog(d.logger))
	p, err := goose.NewProvider(d.gooseDialect(), d.sql, fsys, opts...)
	if err != nil {
		return nil, fmt.Errorf("migrations for %s: %w", d.dialect, err)
	}
	return p, nil
}

// gooseDialect maps d's dialect to goose's name for it.
func (d *DB) gooseDialect() goose.Dialect {
	if d.dialect == DialectPostgres {
		return goose.DialectPostgres
	}
	return goose.DialectSQLite3
}

// migrationLockID is the advisory lock Migrate holds on Postgres: one per
// schema the connections use (search_path), because the tables and goose's
// version table live there. Deployments — or tests — in separate schemas of
// one database then migrate at once instead of taking turns (goose retries
// a taken lock once a second). The default schema, public, keeps goose's
// default lock, the one every earlier hocd took, so that an older replica
// starting during a rolling deploy still excludes a newer one.
func (d *DB) migrationLockID(ctx context.Context) (int64, error) {
	var schema string
	if err := d.Conn(ctx).Raw(`SELECT coalesce(current_schema(), '')`).Find(&schema).Error; err != nil {
		return 0, Classify(fmt.Errorf("migrate: read the current schema: %w", err))
	}
	return migrationLockFor(schema), nil
}

func migrationLockFor(schema string) int64 {
	if schema == "public" {
		return lock.DefaultLockID
	}
	return int64(crc64.Checksum([]byte("hoc migrations in schema "+schema), crc64.MakeTable(crc64.ECMA)))
}

// Status is what `hocd doctor` reports about a database: the server's
// version, the newest migration applied and those this binary would still
// apply. Reading it changes nothing.
type Status struct {
	ServerVersion string
	Applied       int64   // newest applied version; 0 when never migrated
	Pending       []int64 // versions this binary knows and the database lacks
}

// Status reads d's Status; an unreachable database is an error, an
// unmigrated one is not (every version is pending).
func (d *DB) Status(ctx context.Context) (Status, error) {
	if err := d.sql.PingContext(ctx); err != nil {
		return Status{}, Classify(err)
	}
	var s Status
	query := "SHOW server_version"
	if d.dialect == DialectSQLite {
		query = "SELECT sqlite_version()"
	}
	if err := d.base.WithContext(ctx).Raw(query).Find(&s.ServerVersion).Error; err != nil {
		return Status{}, Classify(fmt.Errorf("read the server version: %w", err))
	}
	p, err := d.migrationProvider()
	if err != nil {
		return Status{}, err
	}
	applied, err := d.appliedVersions(ctx)
	if err != nil && !errors.Is(err, errNeverMigrated) {
		return Status{}, err
	}
	for _, v := range applied {
		s.Applied = max(s.Applied, v)
	}
	for _, src := range p.ListSources() {
		if !slices.Contains(applied, src.Version) {
			s.Pending = append(s.Pending, src.Version)
		}
	}
	return s, nil
}
