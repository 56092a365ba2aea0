package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	sqlite "github.com/glebarez/go-sqlite"
	"github.com/jackc/pgx/v5/pgconn"
)

// UnavailableError marks a failure to reach the database at all, as opposed
// to a statement the database rejected. Upper layers detect it through the
// interface{ Unavailable() bool } duck type, without importing this package,
// and answer "try again later" instead of "internal error".
type UnavailableError struct{ Err error }

// Error returns the underlying error's text.
func (e *UnavailableError) Error() string { return "database unavailable: " + e.Err.Error() }

// Unwrap exposes the underlying error to errors.Is and errors.As.
func (e *UnavailableError) Unwrap() error { return e.Err }

// Unavailable reports true; it is the method upper layers look for.
func (e *UnavailableError) Unavailable() bool { return true }

// Classify wraps connection-level failures in *UnavailableError and returns
// every other error unchanged (nil stays nil). Drivers call it on each error
// they return, so the difference between "the database is down" and "this
// query is wrong" survives the trip up the layers.
//
// Connection-level means: the server could not be reached or dropped the
// connection (refused, reset, closed mid-statement, DNS, pgx connect errors, SQLSTATE class 08,
// server shutting down or out of connection slots), database/sql gave up on
// the connection (sql.ErrConnDone, driver.ErrBadConn, the pool is closed), or
// SQLite could not open its file or stayed locked beyond the busy timeout.
// A context deadline counts only when it struck while connecting; a slow query
// stays the caller's deadline error.
func Classify(err error) error {
	if err == nil {
		return nil
	}
	var already *UnavailableError
	if errors.As(err, &already) || !isConnectionFailure(err) {
		return err
	}
	return &UnavailableError{Err: err}
}

// isConnectionFailure implements the list documented on Classify.
func isConnectionFailure(err error) bool {
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) {
		return true // includes a deadline that expired while connecting
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return isUnavailableSQLState(pgErr.Code)
	}
	var sqliteErr *sqlite.Error
	if errors.As(err, &sqliteErr) {
		switch sqliteErr.Code() & 0xff { // primary result code
		case sqliteBusy, sqliteCantOpen:
			return true
		}
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return false
	}
	var netErr net.Error
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF): // the server closed the connection mid-statement
		return true
	case errors.Is(err, sql.ErrConnDone),
		errors.Is(err, driver.ErrBadConn),
		errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE),
		errors.As(err, &netErr):
		return true
	}
	// database/sql does not export the error of a closed *sql.DB.
	return strings.Contains(err.Error(), "sql: database is closed")
}

// SQLite primary result codes that mean "cannot use the database right now".
const (
	sqliteBusy     = 5  // SQLITE_BUSY: locked past the busy timeout
	sqliteCantOpen = 14 // SQLITE_CANTOPEN: the file cannot be opened
)

// isUnavailableSQLState reports whether a Postgres SQLSTATE means the server
// cannot serve us rather than that our statement is wrong.
func isUnavailableSQLState(code string) bool {
	switch {
	case strings.HasPrefix(code, "08"): // connection_exception class
		return true
	case code == "53300", // too_many_connections
		code == "57P01", // admin_shutdown
		code == "57P02", // crash_shutdown
		code == "57P03": // cannot_connect_now (starting up, recovering)
		return true
	}
	return false
}
