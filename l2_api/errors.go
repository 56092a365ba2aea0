package api

import (
	"errors"
	"log/slog"
	"strings"

	"github.com/gofiber/fiber/v2"

	"hoc/l5_engines/fault"
)

// statusOf is the one mapping from error kinds to HTTP statuses.
var statusOf = map[fault.Kind]int{
	fault.KindInternal:         fiber.StatusInternalServerError,
	fault.KindInvalidRequest:   fiber.StatusBadRequest,
	fault.KindValidation:       fiber.StatusUnprocessableEntity,
	fault.KindUnauthenticated:  fiber.StatusUnauthorized,
	fault.KindForbidden:        fiber.StatusForbidden,
	fault.KindNotFound:         fiber.StatusNotFound,
	fault.KindConflict:         fiber.StatusConflict,
	fault.KindTooLarge:         fiber.StatusRequestEntityTooLarge,
	fault.KindRateLimited:      fiber.StatusTooManyRequests,
	fault.KindThrottled:        fiber.StatusServiceUnavailable,
	fault.KindUnavailable:      fiber.StatusServiceUnavailable,
	fault.KindRequestTimeout:   fiber.StatusRequestTimeout,
	fault.KindURITooLong:       fiber.StatusRequestURITooLong,
	fault.KindHeadersTooLarge:  fiber.StatusRequestHeaderFieldsTooLarge,
	fault.KindMethodNotAllowed: fiber.StatusMethodNotAllowed,
	fault.KindUnsupportedMedia: fiber.StatusUnsupportedMediaType,
}

// fiberErrors translates the errors Fiber and fasthttp raise themselves (no
// route, a body over the limit, a request that could not be read) into the
// product's error codes. A network error while the request was read (Fiber
// reports it as 502) is the client's connection failing: a malformed
// request, not a failure of the server.
var fiberErrors = map[int]*fault.Error{
	fiber.StatusNotFound: fault.New(fault.KindNotFound, fault.CodeNotFound, "no such route"),
	fiber.StatusMethodNotAllowed: fault.New(fault.KindMethodNotAllowed, fault.CodeMethodNotAllowed,
		"this path does not allow the method; the Allow header lists those it does"),
	fiber.StatusRequestEntityTooLarge:       fault.New(fault.KindTooLarge, fault.CodePayloadTooLarge, "request body is too large"),
	fiber.StatusBadRequest:                  fault.InvalidRequest("malformed request"),
	fiber.StatusBadGateway:                  fault.InvalidRequest("malformed request"),
	fiber.StatusRequestTimeout:              fault.New(fault.KindRequestTimeout, fault.CodeRequestTimeout, "the request did not arrive in time"),
	fiber.StatusRequestHeaderFieldsTooLarge: errHeadersTooLarge,
}

// errHeadersTooLarge answers a request head over maxHeadBytes.
var errHeadersTooLarge = fault.New(fault.KindHeadersTooLarge, fault.CodeHeadersTooLarge,
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
		fe, ok := fault.As(err)
		if !ok {
			var fiberErr *fiber.Error
			if errors.As(err, &fiberErr) && fiberErrors[fiberErr.Code] != nil {
				fe = fiberErrors[fiberErr.Code]
			} else {
				fe = fault.Internal(err)
			}
		}
		if fe.Kind == fault.KindInternal || fe.Kind == fault.KindUnavailable {
			attrs := []slog.Attr{
				slog.String("request_id", requestID(c)),
				slog.String("method", c.Method()),
				slog.String("path", c.Path()),
				slog.String("error", err.Error()),
			}
			if fe.Kind == fault.KindUnavailable {
				outages.failed(c.UserContext(), attrs...)
			} else {
				log.LogAttrs(c.UserContext(), slog.LevelError, "request failed", attrs...)
			}
		}
		if fe.Kind == fault.KindMethodNotAllowed {
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
