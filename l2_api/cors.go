package api

import (
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/cors"
)

// allowOrigins answers CORS for the configured dashboard origins only: a
// browser page from any other origin may not read hoc's answers. Preflight
// requests are answered here, before authentication (a browser sends them
// without credentials). With no origins configured every cross-origin read
// is refused by the browser, and preflights still get a plain 204 rather
// than 401. Credentials are headers (never cookies), so none are allowed.
func allowOrigins(origins []string) fiber.Handler {
	return cors.New(cors.Config{
		AllowOriginsFunc: func(origin string) bool { return slices.Contains(origins, origin) },
		AllowMethods:     strings.Join([]string{fiber.MethodGet, fiber.MethodPost, fiber.MethodPatch, fiber.MethodDelete}, ","),
		AllowHeaders: strings.Join([]string{fiber.HeaderAuthorization, fiber.HeaderContentType, headerAPIKey,
			headerIntegrationKey, headerRequestID}, ","),
		ExposeHeaders: strings.Join([]string{headerRequestID, fiber.HeaderRetryAfter, "RateLimit", "RateLimit-Policy",
			"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-HOC-Budget"}, ","),
		MaxAge: 600,
	})
}
