package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/fx"
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
	fx.Provide(newAppFromGraph),
	fx.Invoke(serve),
)

type appParams struct {
	fx.In
	Config       Config
	Auth         Authenticator
	Tenants      Tenants
	APIKeys      APIKeys
	Integrations Integrations
	Telemetry    Telemetry
	Protection   Protection
	Events       ProtectionEvents
	Catalog      Catalog
	Readiness    Readiness
	Metrics      prometheus.Gatherer
	Logger       *slog.Logger
}

func newAppFromGraph(p appParams) (*fiber.App, error) {
	return NewApp(p.Config, Deps{Auth: p.Auth, Tenants: p.Tenants, APIKeys: p.APIKeys, Integrations: p.Integrations, Telemetry: p.Telemetry, Protection: p.Protection, ProtectionEvents: p.Events, Catalog: p.Catalog, Readiness: p.Readiness, Metrics: p.Metrics, Logger: p.Logger})
}

func serve(lc fx.Lifecycle, app *fiber.App, cfg ListenConfig, log *slog.Logger) {
	var ln net.Listener
	served := make(chan struct{})
	lc.Append(fx.Hook{
		OnStart: func(context.Context) error {
			var err error
			if ln, err = net.Listen("tcp", cfg.Addr); err != nil {
				return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
			}
			log.Info("listening", slog.String("addr", ln.Addr().String()))
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
