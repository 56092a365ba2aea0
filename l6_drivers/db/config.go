package db

import (
	"log/slog"
	"time"
)

// Config says where the database is and how to pool connections to it.
type Config struct {
	// URL is "sqlite:<path>" (e.g. "sqlite:data/hoc.db") or
	// "postgres://user:password@host:port/db?sslmode=disable" ("postgresql://"
	// is accepted too).
	URL string
	// MaxOpenConns caps the Postgres pool; 0 means 20. SQLite always uses
	// exactly one connection (see Open).
	MaxOpenConns int
	// MaxIdleConns is how many idle Postgres connections to keep; 0 means
	// half of MaxOpenConns.
	MaxIdleConns int
	// ConnMaxLifetime recycles Postgres connections so that a failover or a
	// load balancer in front of Postgres is followed; 0 means 30 minutes.
	ConnMaxLifetime time.Duration
	// ConnMaxIdleTime closes idle Postgres connections; 0 means 5 minutes.
	ConnMaxIdleTime time.Duration
	// Logger receives slow queries and failed statements from gorm and the
	// migration log from goose; nil means slog.Default().
	Logger *slog.Logger
}

// Pool defaults, sized for one hocd replica among several sharing a Postgres
// whose default max_connections is 100.
const (
	defaultMaxOpenConns    = 20
	defaultConnMaxLifetime = 30 * time.Minute
	defaultConnMaxIdleTime = 5 * time.Minute
)

// withDefaults fills the zero values documented on Config.
func (c Config) withDefaults() Config {
	if c.MaxOpenConns <= 0 {
		c.MaxOpenConns = defaultMaxOpenConns
	}
	if c.MaxIdleConns <= 0 {
		c.MaxIdleConns = max(1, c.MaxOpenConns/2)
	}
	c.MaxIdleConns = min(c.MaxIdleConns, c.MaxOpenConns)
	if c.ConnMaxLifetime <= 0 {
		c.ConnMaxLifetime = defaultConnMaxLifetime
	}
	if c.ConnMaxIdleTime <= 0 {
		c.ConnMaxIdleTime = defaultConnMaxIdleTime
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}
