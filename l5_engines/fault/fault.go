// Package fault is the one error type of hoc's domain logic. Engines return
// *fault.Error values that carry a Kind (what went wrong, in domain terms), a
// stable Code from the product's closed set of error codes, a message that is
// safe to show a client, and optional details. The HTTP layer maps kinds to
// status codes in exactly one place; engines never know about HTTP.
//
// The package lives in L5 because engines must be able to return these values
// and L5 may not import L4. It is the one L5 package that L2, L3 and L4 may
// import too (kinds, codes and the error type; no logic, no I/O), so that an
// error has one name in every layer.
package fault

import (
	"context"
	"errors"
	"fmt"
)

// Kind classifies an error by what the caller can do about it.
type Kind uint8

// The kinds, each with one HTTP meaning chosen by the HTTP layer.
const (
	KindInternal        Kind = iota // unexpected; the cause is logged, never shown
	KindInvalidRequest              // the request itself is malformed (not JSON, bad header)
	KindValidation                  // well-formed input that breaks field rules
	KindUnauthenticated             // missing or invalid credential
	KindForbidden                   // authenticated but not allowed
	KindNotFound                    // no such resource for this caller
	KindConflict                    // state conflict (duplicate, illegal transition)
	KindTooLarge                    // payload or batch over its limit
	KindRateLimited                 // protection rejected the request
	KindThrottled                   // protection throttled the request
	KindUnavailable                 // a required dependency is down
	// The request itself could not be read as HTTP: these only the HTTP
	// layer raises.
	KindRequestTimeout   // the request did not arrive in time
	KindURITooLong       // the request target is over its limit
	KindHeadersTooLarge  // the request head is over its limit
	KindMethodNotAllowed // the path exists, the method does not
	KindUnsupportedMedia // the body's content coding is not one the server decodes
)

var kindNames = [...]string{
	KindInternal:         "internal",
	KindInvalidRequest:   "invalid_request",
	KindValidation:       "validation",
	KindUnauthenticated:  "unauthenticated",
	KindForbidden:        "forbidden",
	KindNotFound:         "not_found",
	KindConflict:         "conflict",
	KindTooLarge:         "too_large",
	KindRateLimited:      "rate_limited",
	KindThrottled:        "throttled",
	KindUnavailable:      "unavailable",
	KindRequestTimeout:   "request_timeout",
	KindURITooLong:       "uri_too_long",
	KindHeadersTooLarge:  "headers_too_large",
	KindMethodNotAllowed: "method_not_allowed",
	KindUnsupportedMedia: "unsupported_media",
}

// String returns the kind's lower-case name.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// The stable error codes of SPEC §1.3. The set is closed: add to it deliberately.
const (
	CodeInvalidRequest       = "INVALID_REQUEST"
	CodeMixedAuth            = "MIXED_AUTH"
	CodeMissingAuth          = "MISSING_AUTH"
	CodeInvalidCredentials   = "INVALID_CREDENTIALS"
	CodeForbidden            = "FORBIDDEN"
	CodeTenantSuspended      = "TENANT_SUSPENDED"
	CodeIntegrationDisabled  = "INTEGRATION_DISABLED"
	CodeNotFound             = "NOT_FOUND"
	CodeConflict             = "CONFLICT"
	CodeIdempotencyConflict  = "IDEMPOTENCY_CONFLICT"
	CodePayloadTooLarge      = "PAYLOAD_TOO_LARGE"
	CodeValidationFailed     = "VALIDATION_FAILED"
	CodeMissingIntegrationID = "MISSING_INTEGRATION_ID"
	CodeRateLimited          = "RATE_LIMITED"
	CodeCostLimitExceeded    = "COST_LIMIT_EXCEEDED"
	CodeThrottled            = "THROTTLED"
	CodeInternal             = "INTERNAL"
	CodeUnavailable          = "UNAVAILABLE"
	CodeRequestTimeout       = "REQUEST_TIMEOUT"
	CodeURITooLong           = "URI_TOO_LONG"
	CodeHeadersTooLarge      = "HEADERS_TOO_LARGE"
	CodeMethodNotAllowed     = "METHOD_NOT_ALLOWED"
	CodeUnsupportedMedia     = "UNSUPPORTED_MEDIA_TYPE"
)

// InternalMessage is the only text a client ever sees for an unexpected failure.
const InternalMessage = "internal error"

// Error is a domain error. Message and Details are written for clients; Cause
// is for logs only and never leaves the process.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	Details map[string]any
	Cause   error
}

// Error renders the error for logs, including the cause.
func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Cause)
	}
	return e.Code + ": " + e.Message
}

// Unwrap exposes the cause to errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Cause }

// New returns an error of the given kind and code.
func New(kind Kind, code, message string) *Error {
	return &Error{Kind: kind, Code: code, Message: message}
}

// WithDetail returns a copy of e with one more detail set.
func (e *Error) WithDetail(key string, value any) *Error {
	c := *e
	c.Details = make(map[string]any, len(e.Details)+1)
	for k, v := range e.Details {
		c.Details[k] = v
	}
	c.Details[key] = value
	return &c
}

// WithCause returns a copy of e that remembers cause for the logs.
func (e *Error) WithCause(cause error) *Error {
	c := *e
	c.Cause = cause
	return &c
}

// As returns the *Error in err's chain, if there is one.
func As(err error) (*Error, bool) {
	var fe *Error
	if errors.As(err, &fe) {
		return fe, true
	}
	return nil, false
}

// KindOf returns the kind of err: the kind of its *Error, or KindInternal for
// any other non-nil error.
func KindOf(err error) Kind {
	if fe, ok := As(err); ok {
		return fe.Kind
	}
	return KindInternal
}

// Internal wraps an unexpected cause. The client sees only InternalMessage.
func Internal(cause error) *Error {
	return &Error{Kind: KindInternal, Code: CodeInternal, Message: InternalMessage, Cause: cause}
}

// Unavailable reports that a required dependency is down.
func Unavailable(cause error) *Error {
	return &Error{Kind: KindUnavailable, Code: CodeUnavailable, Message: "a required dependency is unavailable", Cause: cause}
}

// NotFound reports a resource that does not exist for this caller.
func NotFound(what string) *Error {
	return New(KindNotFound, CodeNotFound, what+" not found")
}

// Conflict reports a state conflict.
func Conflict(message string) *Error {
	return New(KindConflict, CodeConflict, message)
}

// Forbidden reports an authenticated caller that may not do this; reason is
// the machine-readable details.reason.
func Forbidden(reason, message string) *Error {
	return New(KindForbidden, CodeForbidden, message).WithDetail("reason", reason)
}

// InvalidRequest reports a malformed request.
func InvalidRequest(message string) *Error {
	return New(KindInvalidRequest, CodeInvalidRequest, message)
}

// IsUnavailable reports whether err means that a dependency could not serve
// rather than that the request was wrong: an UNAVAILABLE error, an error
// that says so with an Unavailable() bool method (L6's connection
// failures), or a deadline that ran out.
func IsUnavailable(err error) bool {
	if fe, ok := As(err); ok {
		return fe.Kind == KindUnavailable
	}
	var u interface{ Unavailable() bool }
	return (errors.As(err, &u) && u.Unavailable()) || errors.Is(err, context.DeadlineExceeded)
}
