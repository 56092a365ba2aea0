package db_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hoc/l6_drivers/db"
	"hoc/l6_drivers/db/dbtest"
	models "hoc/l7_models"
	"hoc/testkit"
)

func TestOpen_RejectsUnsupportedURLs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, url, wantInError string
	}{
		{"unknown scheme", "mysql://root:secret@localhost/hoc", `scheme "mysql"`},
		{"no scheme", "hoc.db", `scheme "(none)"`},
		{"empty", "", "empty"},
		{"sqlite without path", "sqlite:", "no file path"},
		{"sqlite with parameters", "sqlite:hoc.db?_pragma=foreign_keys(0)", "query parameters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := db.Open(dbtest.Context(t), db.Config{URL: tt.url})
			if err == nil {
				t.Fatalf("Open(%q) succeeded", tt.url)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.wantInError) || !strings.Contains(msg, "sqlite:<path>") {
				t.Fatalf("Open(%q) = %q, want it to mention %q and the accepted forms", tt.url, msg, tt.wantInError)
			}
			if strings.Contains(msg, "secret") {
				t.Fatalf("error leaks the password: %q", msg)
			}
		})
	}
}

func TestOpen_ReportsDialect(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Backends(t) {
		t.Run(string(dialect), func(t *testing.T) {
			if got := dbtest.New(t, dialect).Dialect(); got != dialect {
				t.Fatalf("Dialect() = %q, want %q", got, dialect)
			}
		})
	}
}

func TestOpen_SQLiteCreatesDirectoryAndEnablesPragmas(t *testing.T) {
	t.Parallel()
	ctx := dbtest.Context(t)
	path := filepath.Join(t.TempDir(), "nested", "dir", "hoc.db")
	d, err := db.Open(ctx, db.Config{URL: "sqlite:" + path})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	testkit.CloseAtEnd(t, d)
	pragmas := map[string]string{"foreign_keys": "1", "journal_mode": "wal", "busy_timeout": "10000"}
	for pragma, want := range pragmas {
		var got string
		if err := d.Conn(ctx).Raw("PRAGMA " + pragma).Scan(&got).Error; err != nil {
			t.Fatalf("PRAGMA %s: %v", pragma, err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %q, want %q", pragma, got, want)
		}
	}
}

func TestOpen_TimestampsRoundTripInUTCAtMicroseconds(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		ctx := dbtest.Context(t)
		tenant := dbtest.Tenant("acme")
		if err := d.Conn(ctx).Create(tenant).Error; err != nil {
			t.Fatalf("insert: %v", err)
		}
		if tenant.CreatedAt.Location() != time.UTC || tenant.CreatedAt.Nanosecond()%1000 != 0 {
			t.Fatalf("gorm set CreatedAt = %v, want UTC at microsecond precision", tenant.CreatedAt)
		}
		var got models.Tenant
		if err := d.Conn(ctx).First(&got, "id = ?", tenant.ID).Error; err != nil {
			t.Fatalf("read back: %v", err)
		}
		if got.CreatedAt.Location() != time.UTC || !got.CreatedAt.Equal(tenant.CreatedAt) {
			t.Fatalf("CreatedAt read back as %v, want %v in UTC", got.CreatedAt, tenant.CreatedAt)
		}
	})
}

func TestUTC_NormalisesZoneAndPrecision(t *testing.T) {
	t.Parallel()
	in := time.Date(2025, 3, 1, 12, 0, 0, 123456789, time.FixedZone("CET", 3600))
	want := time.Date(2025, 3, 1, 11, 0, 0, 123456000, time.UTC)
	if got := db.UTC(in); got != want {
		t.Fatalf("UTC(%v) = %v, want %v", in, got, want)
	}
}
