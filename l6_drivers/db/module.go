package db

import (
	"context"
	"time"

	"go.uber.org/fx"
)

// Module provides the *DB opened from the Config in the graph. Migrations are
// applied when the application starts, so `hocd serve`, `hocd migrate` and
// every CLI command find the schema current; the database is closed when the
// application stops, after the hooks registered later (the HTTP server) have
// finished.
var Module = fx.Module("db",
	fx.Provide(openFromGraph),
)

// openTimeout bounds connecting at start, so an unreachable database host
// fails the start instead of hanging it.
const openTimeout = 15 * time.Second

func openFromGraph(lc fx.Lifecycle, cfg Config) (*DB, error) {
	ctx, cancel := context.WithTimeout(context.Background(), openTimeout)
	defer cancel()
	d, err := Open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	lc.Append(fx.Hook{
		OnStart: d.Migrate,
		OnStop:  func(context.Context) error { return d.Close() },
	})
	return d, nil
}
