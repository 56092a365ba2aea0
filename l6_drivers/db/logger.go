package db

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm/logger"
)

// slowQueryThreshold is the duration above which a statement is logged at
// warn level. It is well under the request deadlines, so a slow database shows
// up in the logs before it shows up as timeouts.
const slowQueryThreshold = 200 * time.Millisecond

// maxLoggedSQL bounds the statement text in a log line: a multi-row statement
// can hold thousands of placeholders, and the first part says which it was.
const maxLoggedSQL = 1024

// statementLog writes slow and failed statements to slog, for gorm and for
// the statements drivers send through Query and Exec. Statements are logged
// with placeholders, never with their bound values, because the values include
// credentials' hashes and tenants' data. Errors that are part of normal
// operation are not logged as failures: unique violations (drivers turn them
// into conflicts), cancellations (the client went away) and gorm's "record
// not found". Nor is a database that cannot be reached or does not answer
// in time: the request that met it is answered 503, and the HTTP layer folds
// an outage's failures into one line a minute (see l2_api's outageLog),
// where this wrote one line per statement of every failing request.
//
// It implements gorm's logger.Interface itself rather than wrapping gorm's
// slog logger, because that one renders every statement with its values
// (a regular expression over every argument) before deciding whether to log
// it at all: at a thousand rows per statement that was most of the CPU of a
// batch ingest, for lines that were then never written. Here the statement
// text is only built when the statement is slow or failed.
type statementLog struct {
	log *slog.Logger
}

var _ logger.Interface = statementLog{}

// LogMode is part of gorm's interface; the level is fixed at warn (slow and
// failed statements), so it returns the logger unchanged.
func (l statementLog) LogMode(logger.LogLevel) logger.Interface { return l }

// Info is part of gorm's interface; gorm's informational messages are dropped.
func (l statementLog) Info(context.Context, string, ...any) {}

// Warn logs a warning gorm raises outside a statement.
func (l statementLog) Warn(ctx context.Context, msg string, data ...any) {
	l.log.WarnContext(ctx, fmt.Sprintf(msg, data...))
}

// Error logs an error gorm raises outside a statement.
func (l statementLog) Error(ctx context.Context, msg string, data ...any) {
	l.log.ErrorContext(ctx, fmt.Sprintf(msg, data...))
}

// ParamsFilter keeps bound values out of the statement text gorm renders.
func (statementLog) ParamsFilter(_ context.Context, sql string, _ ...any) (string, []any) {
	return sql, nil
}

// Trace is called by gorm after every statement.
func (l statementLog) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	l.statement(ctx, begin, err, func() string { sql, _ := fc(); return sql })
}

// statement logs one finished statement if it failed unexpectedly or was
// slow; sql is only called then.
func (l statementLog) statement(ctx context.Context, begin time.Time, err error, sql func() string) {
	elapsed := time.Since(begin)
	if expected(err) {
		err = nil
	}
	if err == nil && elapsed < slowQueryThreshold {
		return
	}
	level, msg := slog.LevelWarn, "slow SQL statement"
	if err != nil {
		level, msg = slog.LevelError, "SQL statement failed"
	}
	if !l.log.Enabled(ctx, level) {
		return
	}
	text := sql()
	if len(text) > maxLoggedSQL {
		text = text[:maxLoggedSQL] + "…"
	}
	attrs := []slog.Attr{slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000), slog.String("sql", text)}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	l.log.LogAttrs(ctx, level, msg, attrs...)
}

// expected reports errors that normal operation produces.
func expected(err error) bool {
	if err == nil {
		return false
	}
	_, unique := IsUniqueViolation(err)
	return unique || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, logger.ErrRecordNotFound) || isConnectionFailure(err)
}
