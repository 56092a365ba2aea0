package api

import (
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"

	spine "hoc/l4_spine"
)

// Config is the HTTP layer's configuration.
type Config struct {
	// BodyLimit is the largest request body accepted, in bytes (SPEC §1.4).
	BodyLimit int
	// ReadTimeout, WriteTimeout and IdleTimeout bound slow clients.
	ReadTimeout  time.Duration
	WriteTimeout time.Duration
	IdleTimeout  time.Duration
	// OperationTimeout bounds what one request asks of the layers below
	// (spine.DefaultTimeout when zero).
	OperationTimeout time.Duration
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

// NewApp builds the Fiber application with every route. It does not listen;
// the fx module binds the listener when the application starts.
func NewApp(cfg Config, d Deps) (*fiber.App, error) {
	if err := d.validate(); err != nil {
		return nil, err
	}
	if cfg.BodyLimit <= 0 {
		cfg.BodyLimit = DefaultBodyLimit
	}
	routes := &routeIndex{}
	outages := newOutageLog(d.Logger, time.Now)
	app := fiber.New(fiber.Config{
		AppName:               "hoc",
		BodyLimit:             cfg.BodyLimit,
		ReadBufferSize:        maxHeadBytes,
		ReadTimeout:           orDefault(cfg.ReadTimeout, 30*time.Second),
		WriteTimeout:          orDefault(cfg.WriteTimeout, 30*time.Second),
		IdleTimeout:           orDefault(cfg.IdleTimeout, 120*time.Second),
		ErrorHandler:          errorHandler(d.Logger, routes, outages),
		JSONEncoder:           marshalJSON,
		DisableStartupMessage: true,
		// Values read from a request are copied, so no layer below can keep
		// a reference into a buffer that Fiber reuses for the next request.
		Immutable: true,
	})
	if cfg.OperationTimeout <= 0 {
		cfg.OperationTimeout = spine.DefaultTimeout
	}
	app.Use(requestIDs(d.Logger, routes, outages, cfg.OperationTimeout))
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
	app.Get("/docs", docsSite.servePage)
	app.Get("/docs/:asset", docsSite.serveAsset)
	app.Get("/dashboard", dashboardSite.servePage)
	app.Get("/dashboard/:asset", dashboardSite.serveAsset)

	// Founder routes and the session context are exempt from protection
	// (SPEC §4.1, §5); on tenant routes it runs first in each route's chain,
	// so that it sees the route pattern.
	v1 := app.Group("/api/v1", authenticate(d.Auth))
	rt := router{v1: v1, fdr: v1.Group("/fdr"), guard: protect(d.Protection, false), ingestGuard: protect(d.Protection, true)}
	if cfg.ProtectionOff {
		rt.guard, rt.ingestGuard = next, next
	}
	tenants := tenantRoutes{tenants: d.Tenants}
	tenants.register(rt)
	tenants.registerStates(rt)
	apiKeyRoutes{keys: d.Integrations}.register(rt)
	integrationRoutes{integrations: d.Integrations}.register(rt)
	telemetry := telemetryRoutes{telemetry: d.Telemetry}
	telemetry.registerIngest(rt)
	telemetry.registerQueries(rt)
	protectionEventRoutes{events: d.ProtectionEvents}.register(rt)
	priceRoutes{prices: d.Prices}.register(rt)
	operationRoutes{catalog: d.Catalog}.register(rt)
	routes.build(app.GetRoutes(true))
	return app, nil
}

// router is where each routes file adds its routes: under /api/v1 (every
// route authenticated), under /api/v1/fdr (founders), and the protection
// guards a tenant route puts first in its chain.
type router struct {
	v1, fdr            fiber.Router
	guard, ingestGuard fiber.Handler
}

func next(c *fiber.Ctx) error { return c.Next() }

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
