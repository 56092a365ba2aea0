// Package protection declares request protection's operations: the decision
// asked for on every protected request, and the listing of protection
// events. The decision handler gathers the facts the protection engine needs
// from the account, telemetry and integrations domains.
package protection

import (
	"time"

	spine "hoc/l4_spine"
)

// DecideInput describes the request to decide on; who is asking comes from
// the actor.
type DecideInput struct {
	Route  string
	Path   string
	Method string
	Ingest bool
}

// RateHeaders describe the bucket closest to its limit.
type RateHeaders struct {
	Name      string
	Limit     int
	Window    time.Duration
	Remaining int
	Reset     time.Duration
}

// Decision is protection's answer. A refusal is not an error of the
// operation: Refusal carries the error to answer with, so that the HTTP
// layer can still write the rate-limit headers and Retry-After.
type Decision struct {
	Outcome        string
	Dimension      string
	Refusal        *spine.Error
	RetryAfter     time.Duration
	Headers        *RateHeaders
	BudgetExceeded bool
}

// Decide is the protection decision. It answers in every lifecycle state
// (the protected operation itself is then admitted or refused by the tenant
// guard).
var Decide = spine.Declare[DecideInput, Decision]("protection.requests.decide",
	"Decide whether a tenant's request may proceed (rate, burst, cost, anomaly)", spine.AnyLifecycle())
