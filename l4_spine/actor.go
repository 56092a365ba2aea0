package spine

import (
	"context"
	"strings"
)

// ActorType is who is calling, as SPEC §2.1 names it.
type ActorType string

// The actor types.
const (
	ActorFounder  ActorType = "founder"
	ActorCustomer ActorType = "customer"
	ActorMachine  ActorType = "machine"
)

// Credential is the kind of credential an actor presented. Two machine actors
// can differ here: a tenant API key or an integration key.
type Credential string

// The credential kinds.
const (
	CredentialFounderToken   Credential = "founder_token"
	CredentialCustomerToken  Credential = "customer_token"
	CredentialAPIKey         Credential = "api_key"
	CredentialIntegrationKey Credential = "integration_key"
	// CredentialCLI is the operator at a terminal running hocd directly on
	// the database; it acts as a founder.
	CredentialCLI Credential = "cli"
)

// Actor is the verified caller of one request. The tenant always comes from
// here and never from a request body, header or query parameter.
type Actor struct {
	Type       ActorType
	ID         string
	TenantID   string
	Credential Credential
	// Scopes are the machine key's scopes, sorted; empty for humans.
	Scopes []string
	// IntegrationID is set for integration keys: the only integration the
	// key may write telemetry for.
	IntegrationID string
	// RateLimitRPM is the credential's own requests-per-minute limit; 0 means
	// none.
	RateLimitRPM int
}

// HasScope reports whether a machine actor's scopes grant scope: an exact
// match, "*", or a prefix wildcard "x:*" granting every "x:...".
func (a Actor) HasScope(scope string) bool {
	for _, s := range a.Scopes {
		if s == "*" || s == scope {
			return true
		}
		if prefix, ok := strings.CutSuffix(s, "*"); ok && strings.HasSuffix(prefix, ":") && strings.HasPrefix(scope, prefix) {
			return true
		}
	}
	return false
}

type actorKey struct{}
type requestIDKey struct{}

// WithActor returns ctx carrying the verified actor.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor carried by ctx.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok
}

// WithRequestID returns ctx carrying the request id, so that the audit record
// of every operation names the request that caused it.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request id carried by ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
