package api

import (
	"errors"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/prometheus/client_golang/prometheus"
)

// Config is the HTTP layer's configuration.
type Config struct {
	// BodyLimit is the largest request body accepted, in bytes (SPEC §1.4).
	BodyLimit int
	// ReadTimeout, WriteTimeout and IdleTimeout bound slow clients.
	ReadTimeout  time.Duration
	WriteTimeout time.Duration
	IdleTimeout  time.Duration
	// ProtectionOff turns request protection off (for measuring its cost,
	// or a deployment that protects at its edge).
	ProtectionOff bool
	// CORSOrigins are the browser origins (scheme, host and port, e.g.
	// https://dashboard.example.com) allowed to call the API; none by
	// default.
	CORSOrigins []string
}

// DefaultBodyLimit is 8 MiB.
const DefaultBodyLimit = 8 << 20

// Deps are the ports the HTTP layer calls.
type Deps struct {
	Auth             Authenticator
	Tenants          Tenants
	APIKeys          APIKeys
	Integrations     Integrations
	Telemetry        Telemetry
	Protection       Protection
	ProtectionEvents ProtectionEvents
	Catalog          Catalog
	Readiness        Readiness
	Metrics          prometheus.Gatherer
	Logger           *slog.Logger
}

func (d Deps) validate() error {
	if d.Auth == nil || d.Tenants == nil || d.APIKeys == nil || d.Integrations == nil || d.Telemetry == nil || d.Protection == nil || d.ProtectionEvents == nil || d.Catalog == nil || d.Readiness == nil || d.Metrics == nil || d.Logger == nil {
		return errors.New("api: every dependency is required")
	}
	return nil
}

// NewApp builds the Fiber application with every route. It does not listen;
// the fx module binds the listener when the application starts.
func NewApp(cfg Config, d Deps) (*fiber.App, error) {
	if err := d.validate(); err != nil {
		return nil, err
	}
	if cfg.BodyLimit <= 0 {
		cfg.BodyLimit = DefaultBodyLimit
	}
	app := fiber.New(fiber.Config{
		AppName:               "hoc",
		BodyLimit:             cfg.BodyLimit,
		ReadBufferSize:        maxHeadBytes,
		ReadTimeout:           orDefault(cfg.ReadTimeout, 30*time.Second),
		WriteTimeout:          orDefault(cfg.WriteTimeout, 30*time.Second),
		IdleTimeout:           orDefault(cfg.IdleTimeout, 120*time.Second),
		ErrorHandler:          errorHandler(d.Logger),
		JSONEncoder:           marshalJSON,
		DisableStartupMessage: true,
		// Values read from a request are copied, so no layer below can keep
		// a reference into a buffer that Fiber reuses for the next request.
		Immutable: true,
	})
	app.Use(requestIDs(d.Logger))
	app.Use(checkHead)
	app.Use(allowOrigins(cfg.CORSOrigins))
	app.Use(recover.New(recover.Config{
		EnableStackTrace: true,
		StackTraceHandler: func(c *fiber.Ctx, e any) {
			d.Logger.ErrorContext(c.UserContext(), "handler panicked", slog.String("request_id", requestID(c)), slog.Any("panic", e))
		},
	}))

	app.Get("/health", health)
	app.Get("/ready", ready(d.Readiness, d.Logger))
	app.Get("/metrics", metrics(d.Metrics))
	app.Get("/openapi.json", openAPI)
	app.Get("/docs", docs)

	v1 := app.Group("/api/v1", authenticate(d.Auth))

	// Founder routes and the session context are exempt from protection
	// (SPEC §4.1, §5).
	fdr := v1.Group("/fdr")
	tenants := tenantRoutes{tenants: d.Tenants}
	events := protectionEventRoutes{events: d.ProtectionEvents}
	fdr.Post("/tenants", tenants.create)
	fdr.Get("/tenants", tenants.list)
	fdr.Get("/tenants/:id", tenants.get)
	fdr.Post("/tenants/:id/api-keys", apiKeyRoutes{keys: d.APIKeys}.create)
	fdr.Post("/tenants/:id/lifecycle", tenants.lifecycle)
	fdr.Post("/tenants/:id/onboarding", tenants.onboarding)
	fdr.Get("/operations", operations(d.Catalog))
	fdr.Get("/protection/events", events.listAll)
	v1.Get("/session/context", tenants.session)

	// Tenant routes: protection runs first in each route's chain, so that it
	// sees the route pattern.
	guard := protect(d.Protection, false)
	ingestGuard := protect(d.Protection, true)
	if cfg.ProtectionOff {
		guard, ingestGuard = next, next
	}
	integrations := integrationRoutes{integrations: d.Integrations}
	v1.Get("/integrations", guard, integrations.list)
	v1.Post("/integrations", guard, integrations.create)
	v1.Get("/integrations/:id", guard, integrations.get)
	v1.Patch("/integrations/:id", guard, integrations.update)
	v1.Delete("/integrations/:id", guard, integrations.remove)
	v1.Post("/integrations/:id/enable", guard, integrations.enable)
	v1.Post("/integrations/:id/disable", guard, integrations.disable)
	v1.Post("/integrations/:id/keys", guard, integrations.rotateKey)
	v1.Get("/integrations/:id/limits", guard, integrations.limits)

	telemetry := telemetryRoutes{telemetry: d.Telemetry}
	v1.Post("/telemetry/llm-usage", ingestGuard, telemetry.ingestOne)
	v1.Post("/telemetry/llm-usage/batch", ingestGuard, telemetry.ingestBatch)
	v1.Get("/telemetry/usage-summary", guard, telemetry.summary)
	v1.Get("/telemetry/usage-history", guard, telemetry.history)
	v1.Get("/telemetry/daily-aggregates", guard, telemetry.daily)

	v1.Get("/protection/events", guard, events.list)
	return app, nil
}

func next(c *fiber.Ctx) error { return c.Next() }

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
