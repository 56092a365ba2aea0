package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/fx"

	"hoc/l6_drivers/db"
)

// startTimeout bounds opening the database, migrating and binding the port.
const startTimeout = 60 * time.Second

// stopTimeout bounds the graceful shutdown: in-flight requests finish, then
// the database closes.
const stopTimeout = 30 * time.Second

func newServeCmd(cfg *Config, stderr io.Writer) *cobra.Command {
	c := &cobra.Command{
		Use:   "serve",
		Short: "Run the HTTP server (the default command)",
		Long: `Run the HTTP server: open the database, apply pending migrations, and serve
the API on --addr until SIGINT or SIGTERM, then shut down cleanly (exit 0).

Each flag overrides the environment variable named in its help.`,
		Example: `  hocd serve
  HOC_FOUNDER_SECRET=$(openssl rand -hex 32) hocd serve --addr 127.0.0.1:8080
  hocd serve --database-url postgres://hoc@db:5432/hoc --redis-url redis://cache:6379/0`,
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error { return runServe(*cfg, stderr) },
	}
	cfg.bindFlags(c.Flags())
	return c
}

func runServe(cfg Config, stderr io.Writer) error {
	if err := cfg.validate(); err != nil {
		return err
	}
	log := newLogger(cfg.LogFormat, cfg.LogLevel, stderr)
	var d *db.DB
	app := fx.New(core(cfg, log), server(cfg), fx.Populate(&d))
	if err := app.Err(); err != nil {
		return graphError(cfg, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	startCtx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	if err := app.Start(startCtx); err != nil {
		return fmt.Errorf("start: %w", graphError(cfg, err))
	}
	logStart(log, cfg, d.Dialect())
	<-ctx.Done()
	log.Info("shutting down")
	stopCtx, cancelStop := context.WithTimeout(context.Background(), stopTimeout)
	defer cancelStop()
	return app.Stop(stopCtx)
}

// logStart writes the one line that says how this hocd runs, and warns when
// founder auth is off on an address every interface can reach.
func logStart(log *slog.Logger, cfg Config, dialect db.Dialect) {
	onOff := func(on bool) string {
		if on {
			return "on"
		}
		return "off"
	}
	protection := "memory"
	switch {
	case cfg.Protection.Disabled:
		protection = "off"
	case cfg.RedisURL != "":
		protection = "redis"
	}
	log.Info("hocd started",
		slog.String("addr", cfg.Addr),
		slog.String("database", string(dialect)),
		slog.String("founder_auth", onOff(cfg.FounderSecret != "")),
		slog.String("customer_auth", onOff(cfg.OIDC.Issuer != "")),
		slog.String("protection", protection),
		slog.Bool("protection_fail_closed", cfg.Protection.FailClosed))
	if host, _, err := net.SplitHostPort(cfg.Addr); err == nil && cfg.FounderSecret == "" &&
		(host == "" || net.ParseIP(host).IsUnspecified()) {
		log.Warn("founder auth is off (HOC_FOUNDER_SECRET is empty) on an address every interface can reach: " +
			"the founder API answers 401 founder_auth_disabled; set HOC_FOUNDER_SECRET, or bind 127.0.0.1 for local use")
	}
}
