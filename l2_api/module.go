package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"syscall"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/fx"

	accountadapter "hoc/l3_adapters/account"
	authadapter "hoc/l3_adapters/auth"
	integrationsadapter "hoc/l3_adapters/integrations"
	opsadapter "hoc/l3_adapters/ops"
	pricingadapter "hoc/l3_adapters/pricing"
	protectionadapter "hoc/l3_adapters/protection"
	telemetryadapter "hoc/l3_adapters/telemetry"
)

// ListenConfig says where the server listens.
type ListenConfig struct {
	Addr string
}

// Module provides the Fiber application and binds its listener to the fx
// lifecycle: the port is bound in OnStart, so a busy address fails the start
// with an error naming it, and OnStop shuts the server down gracefully
// (in-flight requests finish) before the hooks registered earlier, such as
// closing the database, run.
var Module = fx.Module("api",
	fx.Provide(NewApp),
	fx.Invoke(serve),
)

// Deps are what the HTTP layer calls: the adapters of L3, whose methods
// scope every call to the verified actor, and Readiness, the one port it
// declares (it points sideways, at the database, which L2 must not import).
// fx fills it from the graph; tests may build it by hand.
type Deps struct {
	fx.In
	Auth             *authadapter.Authenticator
	Tenants          *accountadapter.Tenants
	Integrations     *integrationsadapter.Integrations
	Telemetry        *telemetryadapter.Telemetry
	Protection       *protectionadapter.Guard
	ProtectionEvents *protectionadapter.Events
	Prices           *pricingadapter.Prices
	Catalog          *opsadapter.Catalog
	Readiness        Readiness
	Metrics          prometheus.Gatherer
	Logger           *slog.Logger
}

func (d Deps) validate() error {
	if d.Auth == nil || d.Tenants == nil || d.Integrations == nil || d.Telemetry == nil || d.Protection == nil ||
		d.ProtectionEvents == nil || d.Prices == nil || d.Catalog == nil || d.Readiness == nil || d.Metrics == nil || d.Logger == nil {
		return errors.New("api: every dependency is required")
	}
	return nil
}

func serve(lc fx.Lifecycle, app *fiber.App, cfg ListenConfig, log *slog.Logger) {
	var ln net.Listener
	served := make(chan struct{})
	lc.Append(fx.Hook{
		OnStart: func(context.Context) error {
			var err error
			if ln, err = net.Listen("tcp", cfg.Addr); err != nil {
				if errors.Is(err, syscall.EADDRINUSE) {
					return fmt.Errorf("listen on %s: the address is in use (by another hocd? stop it, or set another HOC_ADDR)", cfg.Addr)
				}
				return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
			}
			// hocd's start line says where it listens; this one says the
			// port chosen for ":0".
			log.Debug("listening", slog.String("addr", ln.Addr().String()))
			go func() {
				defer close(served)
				if err := app.Listener(ln); err != nil && !errors.Is(err, net.ErrClosed) {
					log.Error("server stopped", slog.String("error", err.Error()))
				}
			}()
			return nil
		},
		OnStop: func(ctx context.Context) error {
			err := app.ShutdownWithContext(ctx)
			// A stop that comes before the server goroutine got to serve
			// finds no listener to close in Fiber: close it here, so the
			// server never starts accepting after it was stopped.
			_ = ln.Close()
			select {
			case <-served:
			case <-ctx.Done():
			}
			return err
		},
	})
}
