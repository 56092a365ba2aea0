package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"

	spine "hoc/l4_spine"
	"hoc/l5_engines/fault"
)

const (
	headerRequestID = "X-Request-ID"
	localRequestID  = "hoc.request_id"
	localDeadline   = "hoc.deadline"
)

// requestIDs assigns every request its id (SPEC §1.2): the client's
// X-Request-ID when it is 1..128 characters of [A-Za-z0-9._-], otherwise
// "req-" and 16 hex digits. The id goes into the response header, the
// context every layer below sees, and the access log line written when the
// request is done. The context also carries the request's deadline (see
// requestDeadline).
func requestIDs(log *slog.Logger, routes *routeIndex, outages *outageLog, timeout time.Duration) fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		id := c.Get(headerRequestID)
		if !validRequestID(id) {
			id = newRequestID()
		}
		c.Locals(localRequestID, id)
		c.Set(headerRequestID, id)
		// Bodies are JSON (or the docs page): never let a browser sniff them
		// into something it would execute.
		c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
		deadline := &requestDeadline{timeout: timeout}
		c.Locals(localDeadline, deadline)
		c.SetUserContext(deadline.start(spine.WithRequestID(c.UserContext(), id)))
		defer deadline.stop()
		err := c.Next()
		if err != nil {
			if herr := c.App().ErrorHandler(c, err); herr != nil {
				_ = c.SendStatus(fiber.StatusInternalServerError)
			}
		}
		// The path as asked; the route pattern too when the request reached
		// an endpoint, so that lines of one endpoint group together.
		attrs := []slog.Attr{
			slog.String("request_id", id),
			slog.String("method", c.Method()),
			slog.String("path", c.Path()),
		}
		if pattern := c.Route().Path; routes.isEndpoint(c.Method(), pattern) {
			attrs = append(attrs, slog.String("route", pattern))
		}
		attrs = append(attrs,
			slog.Int("status", c.Response().StatusCode()),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000))
		log.LogAttrs(c.UserContext(), slog.LevelInfo, "request", attrs...)
		outages.due(c.UserContext())
		return nil
	}
}

// requestDeadline is the bound on what a request asks of the layers below:
// one deadline, which every operation the request calls inherits instead of
// starting a timer of its own. A handler that reads a body renews it once
// the body is read (operationContext): decoding is bounded by the body's own
// limits, and the time it takes is the request's, not the database's — a
// valid 8 MB batch that took seconds to decode was answered 503 UNAVAILABLE,
// blaming a dependency that had not been asked yet.
type requestDeadline struct {
	timeout time.Duration
	cancel  context.CancelFunc
}

// start returns parent bounded by a fresh deadline, ending the previous one.
func (d *requestDeadline) start(parent context.Context) context.Context {
	d.stop()
	ctx, cancel := context.WithTimeout(parent, d.timeout)
	d.cancel = cancel
	return ctx
}

func (d *requestDeadline) stop() {
	if d.cancel != nil {
		d.cancel()
	}
}

// operationContext renews the request's deadline, now that its body has
// been read, and returns the context to call the layers below with. If the
// reading itself outlasted the deadline (a machine so loaded that bounded
// work took seconds), the request is answered 503 without blaming a
// dependency.
func operationContext(c *fiber.Ctx) (context.Context, error) {
	ctx := c.UserContext()
	if ctx.Err() != nil {
		return nil, errOutOfTime
	}
	d, ok := c.Locals(localDeadline).(*requestDeadline)
	if !ok {
		return ctx, nil
	}
	ctx = d.start(context.WithoutCancel(ctx))
	c.SetUserContext(ctx)
	return ctx, nil
}

// errOutOfTime answers a request that ran out of its own time before it
// asked anything of a dependency.
var errOutOfTime = fault.New(fault.KindUnavailable, fault.CodeUnavailable,
	"the server could not read the request in time; retry later")

// requestID returns the id assigned to the request, or a fresh one when the
// request failed before the middleware ran (a body over the size limit).
func requestID(c *fiber.Ctx) string {
	if id, ok := c.Locals(localRequestID).(string); ok {
		return id
	}
	id := newRequestID()
	c.Locals(localRequestID, id)
	c.Set(headerRequestID, id)
	return id
}

func validRequestID(id string) bool {
	if len(id) == 0 || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		ch := id[i]
		ok := ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '.' || ch == '_' || ch == '-'
		if !ok {
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "req-" + hex.EncodeToString(b[:])
}
