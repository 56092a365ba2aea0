package db

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"gorm.io/gorm/logger"
)

// slowQueryThreshold is the duration above which a statement is logged at
// warn level. It is well under the request deadlines, so a slow database shows
// up in the logs before it shows up as timeouts.
const slowQueryThreshold = 200 * time.Millisecond

// gormLogger routes gorm's log to slog at warn level: slow statements and
// failed statements only. Statements are logged with placeholders, never with
// their bound values, because the values include credentials' hashes and tenants'
// data. Errors that are part of normal operation are not logged as failures:
// unique violations (drivers turn them into conflicts) and cancellations
// (the client went away).
type gormLogger struct{ logger.Interface }

func newGormLogger(l *slog.Logger) logger.Interface {
	return gormLogger{logger.NewSlogLogger(l, logger.Config{
		SlowThreshold:             slowQueryThreshold,
		LogLevel:                  logger.Warn,
		IgnoreRecordNotFoundError: true,
	})}
}

// LogMode keeps the filtering when gorm derives a logger at another level.
func (g gormLogger) LogMode(level logger.LogLevel) logger.Interface {
	return gormLogger{g.Interface.LogMode(level)}
}

// ParamsFilter keeps bound values out of the log. gorm looks for this method
// on the logger itself, so the embedded logger's version is not enough.
func (gormLogger) ParamsFilter(_ context.Context, sql string, _ ...any) (string, []any) {
	return sql, nil
}

// Trace logs a statement, treating expected errors as success so that only
// their slowness can make them appear.
func (g gormLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	if _, unique := IsUniqueViolation(err); unique || errors.Is(err, context.Canceled) {
		err = nil
	}
	g.Interface.Trace(ctx, begin, fc, err)
}
