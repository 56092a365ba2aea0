package db_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The migrations must carry the same versions for every dialect: Ready and
// Migrate compare versions, so a version missing on one backend would leave
// that backend's schema silently behind.
func TestMigrations_SameVersionsOnEveryDialect(t *testing.T) {
	t.Parallel()
	postgres := migrationVersions(t, "postgres")
	sqlite := migrationVersions(t, "sqlite")
	if len(postgres) == 0 {
		t.Fatal("no migrations found")
	}
	if !slices.Equal(postgres, sqlite) {
		t.Fatalf("migration versions differ:\npostgres: %v\nsqlite:   %v", postgres, sqlite)
	}
}

var (
	uniqueIndex  = regexp.MustCompile(`(?is)CREATE\s+UNIQUE\s+INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)\s+ON\s+(\w+)\s*\(([^)]*)\)`)
	sqlComment   = regexp.MustCompile(`--[^\n]*`)
	inlineUnique = regexp.MustCompile(`(?i)\bUNIQUE\b`)
	identifier   = regexp.MustCompile(`^\w+$`)
)

// IsUniqueViolation rebuilds SQLite index names from table and columns, which
// is only right if every unique index is named ux_<table>_<cols> and no
// uniqueness is declared inline (Postgres would name that <table>_<col>_key).
func TestMigrations_UniqueIndexesFollowNamingRule(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"postgres", "sqlite"} {
		for _, file := range migrationFiles(t, dialect) {
			path := filepath.Join("migrations", dialect, file)
			body, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			sql := sqlComment.ReplaceAllString(string(body), "")
			for _, m := range uniqueIndex.FindAllStringSubmatch(sql, -1) {
				name, table, cols := m[1], m[2], strings.Split(m[3], ",")
				for i := range cols {
					cols[i] = strings.TrimSpace(cols[i])
				}
				want := "ux_" + table + "_" + strings.Join(cols, "_")
				plain := !slices.ContainsFunc(cols, func(c string) bool { return !identifier.MatchString(c) })
				switch {
				case plain && name != want:
					t.Errorf("%s: unique index %s on %s(%s) must be named %s", path, name, table, m[3], want)
				case !plain && !strings.HasPrefix(name, "ux_"+table+"_"):
					t.Errorf("%s: unique expression index %s on %s must be named ux_%s_<what>", path, name, table, table)
				}
			}
			withoutIndexes := uniqueIndex.ReplaceAllString(sql, "")
			if inlineUnique.MatchString(withoutIndexes) {
				t.Errorf("%s: inline UNIQUE constraint: declare it as CREATE UNIQUE INDEX ux_<table>_<cols>", path)
			}
		}
	}
}

func migrationFiles(t *testing.T, dialect string) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("migrations", dialect, "*.sql"))
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = filepath.Base(p)
	}
	return names
}

// migrationVersions lists the version prefixes (the part before the first
// underscore) of a dialect's migration files, in order.
func migrationVersions(t *testing.T, dialect string) []string {
	t.Helper()
	var versions []string
	for _, name := range migrationFiles(t, dialect) {
		version, _, _ := strings.Cut(name, "_")
		versions = append(versions, version)
	}
	return versions
}
