package spine

import (
	"hoc/l5_engines/fault"
)

// Error is the one error type of domain logic; see package fault. The alias
// lets the HTTP layer, which may not import L5, name and inspect it.
type Error = fault.Error

// Kind classifies an Error.
type Kind = fault.Kind

// FieldError is one failing field of a validation error.
type FieldError = fault.FieldError

// Fields collects field errors.
type Fields = fault.Fields

// The error kinds, re-exported for the layers above L4.
const (
	KindInternal         = fault.KindInternal
	KindInvalidRequest   = fault.KindInvalidRequest
	KindValidation       = fault.KindValidation
	KindUnauthenticated  = fault.KindUnauthenticated
	KindForbidden        = fault.KindForbidden
	KindNotFound         = fault.KindNotFound
	KindConflict         = fault.KindConflict
	KindTooLarge         = fault.KindTooLarge
	KindRateLimited      = fault.KindRateLimited
	KindThrottled        = fault.KindThrottled
	KindUnavailable      = fault.KindUnavailable
	KindRequestTimeout   = fault.KindRequestTimeout
	KindURITooLong       = fault.KindURITooLong
	KindHeadersTooLarge  = fault.KindHeadersTooLarge
	KindMethodNotAllowed = fault.KindMethodNotAllowed
	KindUnsupportedMedia = fault.KindUnsupportedMedia
)

// AsError returns the *Error in err's chain, if there is one.
func AsError(err error) (*Error, bool) { return fault.As(err) }

// NewError returns an error of the given kind and code; see fault.New.
func NewError(kind Kind, code, message string) *Error { return fault.New(kind, code, message) }

// Internal wraps an unexpected cause; see fault.Internal.
func Internal(cause error) *Error { return fault.Internal(cause) }

// Validation returns a VALIDATION_FAILED error listing fields.
func Validation(fields ...FieldError) *Error { return fault.Validation(fields...) }

// InvalidRequest reports a malformed request.
func InvalidRequest(message string) *Error { return fault.InvalidRequest(message) }

// NotFound reports a resource that does not exist for this caller.
func NotFound(what string) *Error { return fault.NotFound(what) }

// Unavailable reports a dependency that cannot serve now; see fault.Unavailable.
func Unavailable(cause error) *Error { return fault.Unavailable(cause) }

// IsUnavailable reports whether err means that a dependency could not
// serve; see fault.IsUnavailable.
func IsUnavailable(err error) bool { return fault.IsUnavailable(err) }

// Forbidden reports an authenticated caller that may not do this.
func Forbidden(reason, message string) *Error { return fault.Forbidden(reason, message) }

// The stable error codes of SPEC §1.3, re-exported for the layers above L4.
const (
	CodeInvalidRequest       = fault.CodeInvalidRequest
	CodeMixedAuth            = fault.CodeMixedAuth
	CodeMissingAuth          = fault.CodeMissingAuth
	CodeInvalidCredentials   = fault.CodeInvalidCredentials
	CodeForbidden            = fault.CodeForbidden
	CodeTenantSuspended      = fault.CodeTenantSuspended
	CodeIntegrationDisabled  = fault.CodeIntegrationDisabled
	CodeNotFound             = fault.CodeNotFound
	CodeConflict             = fault.CodeConflict
	CodeIdempotencyConflict  = fault.CodeIdempotencyConflict
	CodePayloadTooLarge      = fault.CodePayloadTooLarge
	CodeValidationFailed     = fault.CodeValidationFailed
	CodeMissingIntegrationID = fault.CodeMissingIntegrationID
	CodeRateLimited          = fault.CodeRateLimited
	CodeCostLimitExceeded    = fault.CodeCostLimitExceeded
	CodeThrottled            = fault.CodeThrottled
	CodeInternal             = fault.CodeInternal
	CodeUnavailable          = fault.CodeUnavailable
	CodeRequestTimeout       = fault.CodeRequestTimeout
	CodeURITooLong           = fault.CodeURITooLong
	CodeHeadersTooLarge      = fault.CodeHeadersTooLarge
	CodeMethodNotAllowed     = fault.CodeMethodNotAllowed
	CodeUnsupportedMedia     = fault.CodeUnsupportedMedia
)
