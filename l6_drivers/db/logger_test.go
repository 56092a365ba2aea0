package db_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"hoc/l6_drivers/db"
	"hoc/l6_drivers/db/dbtest"
)

// syncBuffer lets the database log into a buffer from any goroutine.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// openLogged opens a fresh migrated database whose log goes to the returned buffer.
func openLogged(t *testing.T, dialect db.Dialect) (*db.DB, *syncBuffer) {
	t.Helper()
	ctx := testCtx(t)
	logs := &syncBuffer{}
	d, err := db.Open(ctx, db.Config{URL: dbtest.URL(t, dialect), Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = d.Close() })
	if err := d.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return d, logs
}

func TestLogger_FailedStatementIsLoggedWithoutValues(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Backends(t) {
		t.Run(string(dialect), func(t *testing.T) {
			d, logs := openLogged(t, dialect)
			tenant := newTenant("acme")
			tenant.Name = "secret-tenant-name"
			tenant.Plan = "gold" // breaks the plan CHECK
			if err := d.Conn(testCtx(t)).Create(tenant).Error; err == nil {
				t.Fatal("insert with an unknown plan succeeded")
			}
			out := logs.String()
			if !strings.Contains(out, "level=ERROR") || !strings.Contains(out, "INSERT INTO") {
				t.Fatalf("failed statement not logged at error level:\n%s", out)
			}
			if strings.Contains(out, "secret-tenant-name") {
				t.Fatalf("log contains a bound value:\n%s", out)
			}
		})
	}
}

func TestLogger_UniqueViolationIsNotLoggedAsError(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Backends(t) {
		t.Run(string(dialect), func(t *testing.T) {
			d, logs := openLogged(t, dialect)
			ctx := testCtx(t)
			if err := insertTenant(ctx, d, "acme"); err != nil {
				t.Fatalf("first insert: %v", err)
			}
			if _, ok := db.IsUniqueViolation(insertTenant(ctx, d, "acme")); !ok {
				t.Fatal("duplicate insert did not fail with a unique violation")
			}
			if out := logs.String(); strings.Contains(out, "level=ERROR") {
				t.Fatalf("expected conflict logged as an error:\n%s", out)
			}
		})
	}
}
