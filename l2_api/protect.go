package api

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	protectionadapter "hoc/l3_adapters/protection"
	"hoc/l4_spine/protection"
)

// protect is the protection middleware of a tenant route (SPEC §4). It runs
// after authentication, as the first handler of the route, so that the
// route pattern — never the raw path — is the bucket key. It writes the rate
// limit header fields on every protected response, and Retry-After on a
// refusal; ingest marks telemetry ingest, which is warned rather than
// refused over budget.
func protect(p *protectionadapter.Guard, ingest bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		d, err := p.Decide(c.UserContext(), protection.DecideInput{
			Route: c.Route().Path, Path: c.Path(), Method: c.Method(), Ingest: ingest,
		})
		if err != nil {
			return err
		}
		if d.Headers != nil {
			setRateHeaders(c, d.Headers)
		}
		if d.Err != nil {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(retryAfterSeconds(d.RetryAfter)))
			return d.Err
		}
		if d.BudgetExceeded {
			c.Set("X-HOC-Budget", "exceeded")
		}
		return c.Next()
	}
}

// setRateHeaders writes the IETF httpapi draft fields (RateLimit-Policy and
// RateLimit) and the common X-RateLimit-* fields for one bucket.
func setRateHeaders(c *fiber.Ctx, h *protection.RateHeaders) {
	window := int(h.Window / time.Second)
	reset := retryAfterSeconds(h.Reset)
	c.Set("RateLimit-Policy", fmt.Sprintf("%q;q=%d;w=%d", h.Name, h.Limit, window))
	c.Set("RateLimit", fmt.Sprintf("%q;r=%d;t=%d", h.Name, h.Remaining, reset))
	c.Set("X-RateLimit-Limit", strconv.Itoa(h.Limit))
	c.Set("X-RateLimit-Remaining", strconv.Itoa(h.Remaining))
	c.Set("X-RateLimit-Reset", strconv.Itoa(reset))
}

// retryAfterSeconds rounds up to whole seconds, at least 1.
func retryAfterSeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}
