package api

import (
	"errors"
	"log/slog"
	"strings"

	"github.com/gofiber/fiber/v2"

	spine "hoc/l4_spine"
)

// statusOf is the one mapping from error kinds to HTTP statuses.
var statusOf = map[spine.Kind]int{
	spine.KindInternal:         fiber.StatusInternalServerError,
	spine.KindInvalidRequest:   fiber.StatusBadRequest,
	spine.KindValidation:       fiber.StatusUnprocessableEntity,
	spine.KindUnauthenticated:  fiber.StatusUnauthorized,
	spine.KindForbidden:        fiber.StatusForbidden,
	spine.KindNotFound:         fiber.StatusNotFound,
	spine.KindConflict:         fiber.StatusConflict,
	spine.KindTooLarge:         fiber.StatusRequestEntityTooLarge,
	spine.KindRateLimited:      fiber.StatusTooManyRequests,
	spine.KindThrottled:        fiber.StatusServiceUnavailable,
	spine.KindUnavailable:      fiber.StatusServiceUnavailable,
	spine.KindRequestTimeout:   fiber.StatusRequestTimeout,
	spine.KindURITooLong:       fiber.StatusRequestURITooLong,
	spine.KindHeadersTooLarge:  fiber.StatusRequestHeaderFieldsTooLarge,
	spine.KindMethodNotAllowed: fiber.StatusMethodNotAllowed,
	spine.KindUnsupportedMedia: fiber.StatusUnsupportedMediaType,
}

// fiberErrors translates the errors Fiber and fasthttp raise themselves (no
// route, a body over the limit, a request that could not be read) into the
// product's error codes. A network error while the request was read (Fiber
// reports it as 502) is the client's connection failing: a malformed
// request, not a failure of the server.
var fiberErrors = map[int]*spine.Error{
	fiber.StatusNotFound: spine.NewError(spine.KindNotFound, spine.CodeNotFound, "no such route"),
	fiber.StatusMethodNotAllowed: spine.NewError(spine.KindMethodNotAllowed, spine.CodeMethodNotAllowed,
		"this path does not allow the method; the Allow header lists those it does"),
	fiber.StatusRequestEntityTooLarge:       spine.NewError(spine.KindTooLarge, spine.CodePayloadTooLarge, "request body is too large"),
	fiber.StatusBadRequest:                  spine.InvalidRequest("malformed request"),
	fiber.StatusBadGateway:                  spine.InvalidRequest("malformed request"),
	fiber.StatusRequestTimeout:              spine.NewError(spine.KindRequestTimeout, spine.CodeRequestTimeout, "the request did not arrive in time"),
	fiber.StatusRequestHeaderFieldsTooLarge: errHeadersTooLarge,
}

// errHeadersTooLarge answers a request head over maxHeadBytes.
var errHeadersTooLarge = spine.NewError(spine.KindHeadersTooLarge, spine.CodeHeadersTooLarge,
	"the request head is larger than 32 KiB")

// errorHandler renders every error a handler or middleware returns. It is
// the only place that chooses a status for an error, and it never lets the
// text of an unexpected error reach the client: that goes to the log under
// the request id: at once for an internal failure, folded with the others
// of an outage for an unavailable dependency (see outageLog). It is the one
// place a request's failure is logged with its cause.
func errorHandler(log *slog.Logger, routes *routeIndex, outages *outageLog) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		// A request refused before the middleware ran (fasthttp could not
		// read it: too slow, head too large) has no access line; it gets a
		// line here, at info: it is the client's doing, not the server's.
		_, routed := c.Locals(localRequestID).(string)
		fe, ok := spine.AsError(err)
		if !ok {
			var fiberErr *fiber.Error
			if errors.As(err, &fiberErr) && fiberErrors[fiberErr.Code] != nil {
				fe = fiberErrors[fiberErr.Code]
			} else {
				fe = spine.Internal(err)
			}
		}
		if fe.Kind == spine.KindInternal || fe.Kind == spine.KindUnavailable {
			attrs := []slog.Attr{
				slog.String("request_id", requestID(c)),
				slog.String("method", c.Method()),
				slog.String("path", c.Path()),
				slog.String("error", err.Error()),
			}
			if fe.Kind == spine.KindUnavailable {
				outages.failed(c.UserContext(), attrs...)
			} else {
				log.LogAttrs(c.UserContext(), slog.LevelError, "request failed", attrs...)
			}
		}
		if fe.Kind == spine.KindMethodNotAllowed {
			c.Set(fiber.HeaderAllow, strings.Join(routes.allow(c.Path()), ", "))
		}
		status, ok := statusOf[fe.Kind]
		if !ok {
			status = fiber.StatusInternalServerError
		}
		if !routed {
			c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
			log.InfoContext(c.UserContext(), "request refused", slog.String("request_id", requestID(c)),
				slog.Int("status", status), slog.String("code", fe.Code))
		}
		return respondError(c, status, errorBody{Code: fe.Code, Message: fe.Message, Details: fe.Details})
	}
}
