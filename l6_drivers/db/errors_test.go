package db_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"hoc/l6_drivers/db"
	"hoc/l6_drivers/db/dbtest"
)

// isUnavailable detects the marker the way upper layers do: by duck type,
// without naming *db.UnavailableError.
func isUnavailable(err error) bool {
	var u interface{ Unavailable() bool }
	return errors.As(err, &u) && u.Unavailable()
}

func TestClassify(t *testing.T) {
	t.Parallel()
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	tests := []struct {
		name            string
		err             error
		wantUnavailable bool
	}{
		{"connection done", fmt.Errorf("query: %w", sql.ErrConnDone), true},
		{"bad connection", driver.ErrBadConn, true},
		{"connection refused", fmt.Errorf("dial: %w", refused), true},
		{"closed pool", errors.New("sql: database is closed"), true},
		{"connection closed mid-statement", fmt.Errorf("write usage records: %w", io.ErrUnexpectedEOF), true},
		{"postgres connection failure", &pgconn.PgError{Code: "08006"}, true},
		{"postgres shutting down", &pgconn.PgError{Code: "57P01"}, true},
		{"postgres too many connections", &pgconn.PgError{Code: "53300"}, true},
		{"postgres unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"postgres check violation", &pgconn.PgError{Code: "23514"}, false},
		{"query deadline", fmt.Errorf("select: %w", context.DeadlineExceeded), false},
		{"cancelled", context.Canceled, false},
		{"record not found", sql.ErrNoRows, false},
		{"plain error", errors.New("syntax error"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := db.Classify(tt.err)
			if isUnavailable(got) != tt.wantUnavailable {
				t.Fatalf("Classify(%v) unavailable = %v, want %v", tt.err, !tt.wantUnavailable, tt.wantUnavailable)
			}
			if !errors.Is(got, tt.err) {
				t.Fatalf("Classify(%v) = %v, which no longer wraps the original", tt.err, got)
			}
			if !tt.wantUnavailable && got != tt.err {
				t.Fatalf("Classify(%v) = %v, want it unchanged", tt.err, got)
			}
		})
	}
}

func TestClassify_NilAndAlreadyClassified(t *testing.T) {
	t.Parallel()
	if err := db.Classify(nil); err != nil {
		t.Fatalf("Classify(nil) = %v", err)
	}
	once := db.Classify(sql.ErrConnDone)
	if twice := db.Classify(once); twice != once {
		t.Fatalf("Classify wrapped an already unavailable error again: %v", twice)
	}
}

func TestOpen_UnreachablePostgresIsUnavailable(t *testing.T) {
	t.Parallel()
	ctx := dbtest.Context(t)
	_, err := db.Open(ctx, db.Config{URL: "postgres://postgres@127.0.0.1:1/hoc?sslmode=disable&connect_timeout=5"})
	if err == nil {
		t.Fatal("Open of a closed port succeeded")
	}
	if !isUnavailable(err) {
		t.Fatalf("Open error %v is not marked unavailable", err)
	}
}

func TestClassify_QueryOnClosedDatabaseIsUnavailable(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		ctx := dbtest.Context(t)
		if err := d.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		err := db.Classify(d.Conn(ctx).Exec("SELECT 1").Error)
		if !isUnavailable(err) {
			t.Fatalf("query on a closed database: %v is not marked unavailable", err)
		}
		if err := d.Ready(ctx); !isUnavailable(err) {
			t.Fatalf("Ready on a closed database: %v is not marked unavailable", err)
		}
	})
}

func TestClassify_LeavesUniqueViolationAlone(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		ctx := dbtest.Context(t)
		if err := insertTenant(ctx, d, "acme"); err != nil {
			t.Fatalf("first insert: %v", err)
		}
		err := db.Classify(insertTenant(ctx, d, "acme"))
		if isUnavailable(err) {
			t.Fatalf("unique violation %v marked unavailable", err)
		}
		if _, ok := db.IsUniqueViolation(err); !ok {
			t.Fatalf("Classify hid the unique violation: %v", err)
		}
	})
}
