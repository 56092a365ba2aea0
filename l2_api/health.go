package api

import (
	"context"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Readiness reports whether the service can serve: the database answers and
// every migration is applied. The database driver implements it.
type Readiness interface {
	Ready(ctx context.Context) error
}

// readyTimeout bounds one readiness probe so a hung database answers 503
// instead of hanging the probe.
const readyTimeout = 2 * time.Second

func health(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

func ready(r Readiness, log *slog.Logger) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, cancel := context.WithTimeout(c.UserContext(), readyTimeout)
		defer cancel()
		if err := r.Ready(ctx); err != nil {
			log.WarnContext(ctx, "not ready", slog.String("request_id", requestID(c)), slog.String("error", err.Error()))
			return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable"})
		}
		return c.JSON(fiber.Map{"status": "ready"})
	}
}

func metrics(g prometheus.Gatherer) fiber.Handler {
	return adaptor.HTTPHandler(promhttp.HandlerFor(g, promhttp.HandlerOpts{}))
}
