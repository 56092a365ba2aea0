// Package auth adapts credential verification: the HTTP layer hands over the
// credentials it found and receives the verified actor.
package auth

import (
	"context"
	"errors"
	"time"

	spine "hoc/l4_spine"
	ops "hoc/l4_spine/auth"
	integrationsops "hoc/l4_spine/integrations"
)

// Authenticator verifies credentials through the auth operations.
type Authenticator struct {
	reg *spine.Registry
}

// NewAuthenticator returns the authenticator adapter.
func NewAuthenticator(reg *spine.Registry) (*Authenticator, error) {
	if reg == nil {
		return nil, errors.New("authenticator adapter: nil registry")
	}
	return &Authenticator{reg: reg}, nil
}

// VerifyBearer verifies an Authorization bearer token.
func (a *Authenticator) VerifyBearer(ctx context.Context, token string) (spine.Actor, error) {
	return ops.VerifyBearerToken.Call(ctx, a.reg, ops.VerifyTokenInput{Token: token})
}

// VerifyAPIKey verifies an X-AOS-Key.
func (a *Authenticator) VerifyAPIKey(ctx context.Context, key string) (spine.Actor, error) {
	return integrationsops.VerifyAPIKey.Call(ctx, a.reg, integrationsops.VerifyKeyInput{Key: key})
}

// VerifyIntegrationKey verifies an X-CUS-Integration-Key.
func (a *Authenticator) VerifyIntegrationKey(ctx context.Context, key string) (spine.Actor, error) {
	return integrationsops.VerifyIntegrationKey.Call(ctx, a.reg, integrationsops.VerifyKeyInput{Key: key})
}

// IssueFounderToken mints a founder token.
func (a *Authenticator) IssueFounderToken(ctx context.Context, subject, reason string, ttl time.Duration) (string, error) {
	out, err := ops.IssueFounderToken.Call(ctx, a.reg, ops.IssueFounderTokenInput{Subject: subject, Reason: reason, TTL: ttl})
	return out.Token, err
}
