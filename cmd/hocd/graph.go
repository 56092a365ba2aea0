package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.uber.org/fx"
	"go.uber.org/fx/fxevent"

	api "hoc/l2_api"
	accountadapter "hoc/l3_adapters/account"
	authadapter "hoc/l3_adapters/auth"
	integrationsadapter "hoc/l3_adapters/integrations"
	opsadapter "hoc/l3_adapters/ops"
	pricingadapter "hoc/l3_adapters/pricing"
	protectionadapter "hoc/l3_adapters/protection"
	telemetryadapter "hoc/l3_adapters/telemetry"
	spine "hoc/l4_spine"
	accountops "hoc/l4_spine/account"
	authops "hoc/l4_spine/auth"
	integrationsops "hoc/l4_spine/integrations"
	pricingops "hoc/l4_spine/pricing"
	protectionops "hoc/l4_spine/protection"
	telemetryops "hoc/l4_spine/telemetry"
	accountengine "hoc/l5_engines/account"
	authengine "hoc/l5_engines/auth"
	integrationsengine "hoc/l5_engines/integrations"
	pricingengine "hoc/l5_engines/pricing"
	protectionengine "hoc/l5_engines/protection"
	telemetryengine "hoc/l5_engines/telemetry"
	accountdb "hoc/l6_drivers/account"
	"hoc/l6_drivers/db"
	integrationsdb "hoc/l6_drivers/integrations"
	pricingdb "hoc/l6_drivers/pricing"
	protectiondb "hoc/l6_drivers/protection"
	telemetrydb "hoc/l6_drivers/telemetry"
)

// core is the part of the graph every command needs: configuration, logging,
// metrics, the database, the registry with every domain's operations, and
// the adapters. It is also where the ports declared by consumers are bound to
// the packages that implement them.
func core(cfg Config, log *slog.Logger) fx.Option {
	return fx.Options(
		fx.WithLogger(func() fxevent.Logger {
			// A failed start or stop is returned by fx and printed once by
			// run; fx's own lines about it would say the same three times.
			l := &fxevent.SlogLogger{Logger: log}
			l.UseLogLevel(slog.LevelDebug)
			l.UseErrorLevel(slog.LevelDebug)
			return l
		}),
		// The one clock every engine reads.
		fx.Supply(cfg, log, time.Now, cfg.operationTimeout()),
		fx.Provide(
			newMetrics,
			func(cfg Config, log *slog.Logger) db.Config {
				return db.Config{URL: cfg.DatabaseURL, Logger: log}
			},
			newFounderTokens,
			newCustomerTokens,
			// Ports of the layers below, bound to their implementations.
			func(d *db.DB) spine.TxRunner { return d },
			fx.Annotate(accountdb.NewStore, fx.As(new(accountengine.Store))),
			fx.Annotate(integrationsdb.NewStore, fx.As(new(integrationsengine.Store))),
			fx.Annotate(telemetrydb.NewStore, fx.As(new(telemetryengine.Store)), fx.As(new(telemetryengine.RecentCounter))),
			fx.Annotate(protectiondb.NewEvents, fx.As(new(protectionengine.EventStore))),
			fx.Annotate(pricingdb.NewStore, fx.As(new(pricingengine.Store))),
			protectionengine.NewRecorder,
			func(r *protectionengine.Recorder) protectionengine.EventSink { return r },
			newProtectionState,
			newProtectionLimits,
			newMetricLabels,
			func() spine.Scopes { return integrationsengine.Scopes() },
		),
		db.Module,
		spine.Module,
		accountops.Module,
		authops.Module,
		integrationsops.Module,
		telemetryops.Module,
		protectionops.Module,
		pricingops.Module,
		accountadapter.Module,
		authadapter.Module,
		integrationsadapter.Module,
		telemetryadapter.Module,
		protectionadapter.Module,
		pricingadapter.Module,
		opsadapter.Module,
	)
}

// server adds the HTTP layer, which calls the adapters, and binds its one
// port, Readiness, to the database.
func server(cfg Config) fx.Option {
	return fx.Options(
		fx.Supply(
			api.Config{BodyLimit: cfg.BodyLimit, OperationTimeout: time.Duration(cfg.operationTimeout()),
				ProtectionOff: cfg.Protection.Disabled, CORSOrigins: list(cfg.CORSOrigins)},
			api.ListenConfig{Addr: cfg.Addr},
		),
		fx.Provide(func(d *db.DB) api.Readiness { return d }),
		api.Module,
	)
}

// newFounderTokens builds founder token handling from the configured secret.
func newFounderTokens(cfg Config) *authengine.FounderTokens {
	return authengine.NewFounderTokens(cfg.FounderSecret, time.Now)
}

// newCustomerTokens builds customer (OIDC) token verification from the
// configuration; it is off when no issuer is configured. A JWKS URL is
// fetched in the background, so an identity provider that is down does not
// stop the server from starting.
func newCustomerTokens(lc fx.Lifecycle, cfg Config) (*authengine.CustomerTokens, error) {
	c, err := authengine.NewCustomerTokens(context.Background(), authengine.CustomerConfig{
		Issuer: cfg.OIDC.Issuer, Audience: cfg.OIDC.Audience, JWKSURL: cfg.OIDC.JWKSURL,
		JWKSFile: cfg.OIDC.JWKSFile, TenantClaim: cfg.OIDC.TenantClaim,
	}, time.Now)
	if err != nil {
		return nil, err
	}
	lc.Append(fx.StopHook(c.Close))
	return c, nil
}

// newProtectionState is the protection state backend: Redis when
// HOC_REDIS_URL is set, so that every replica enforces one limit, else
// process memory.
func newProtectionState(lc fx.Lifecycle, cfg Config) (protectiondb.State, error) {
	if cfg.RedisURL == "" {
		return protectiondb.NewMemory(protectiondb.MemoryOptions{}), nil
	}
	client, err := protectiondb.ParseRedisURL(cfg.RedisURL)
	if err != nil {
		return nil, err
	}
	lc.Append(fx.StopHook(client.Close))
	return protectiondb.NewRedis(client, protectiondb.RedisOptions{}), nil
}

// newProtectionLimits applies the configured overrides to SPEC §4.2's
// defaults.
func newProtectionLimits(cfg Config) protectionengine.Limits {
	limits := protectionengine.DefaultLimits()
	if cfg.Protection.RoutePerMinute > 0 {
		limits.RoutePerMinute = cfg.Protection.RoutePerMinute
	}
	if cfg.Protection.BurstPerSecond > 0 {
		limits.BurstPerSecond = cfg.Protection.BurstPerSecond
	}
	limits.FailClosed = cfg.Protection.FailClosed
	return limits
}

// newMetricLabels is the bounded set of model names the ingest metrics use.
func newMetricLabels(cfg Config) telemetryops.MetricLabels {
	if cfg.MetricsModels == "" {
		return telemetryops.MetricLabels{Models: telemetryops.DefaultMetricModels()}
	}
	return telemetryops.MetricLabels{Models: list(cfg.MetricsModels)}
}

// newMetrics returns the process's Prometheus registry with the Go and
// process collectors, as both the place to register and the place to read.
func newMetrics() (prometheus.Registerer, prometheus.Gatherer) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg, reg
}
