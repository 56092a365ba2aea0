// Package integrations declares the operations on integrations, integration
// keys and machine API keys, and binds them to the integrations engine.
package integrations

import (
	"time"

	spine "hoc/l4_spine"
)

// Integration is an integration as operations return it.
type Integration struct {
	ID               string
	TenantID         string
	Name             string
	ProviderType     string
	DefaultModel     *string
	Status           string
	BudgetLimitCents int64
	TokenLimitMonth  int64
	RateLimitRPM     int
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// CreateIntegrationInput creates an integration in TenantID. Adapters set
// TenantID from the actor for tenant actors; founders name it.
type CreateIntegrationInput struct {
	TenantID         string
	Name             string
	ProviderType     string
	DefaultModel     *string
	BudgetLimitCents int64
	TokenLimitMonth  int64
	RateLimitRPM     int
}

// CreatedIntegration is a new integration and its key, shown this once.
type CreatedIntegration struct {
	Integration Integration
	Key         string
}

// VerifyKeyInput carries a key exactly as presented.
type VerifyKeyInput struct {
	Key string
}

// APIKey is a machine API key as operations return it, never its secret.
type APIKey struct {
	ID           string
	TenantID     string
	Name         string
	Prefix       string
	Scopes       []string
	RateLimitRPM int
	Status       string
	Frozen       bool
	ExpiresAt    *time.Time
	CreatedAt    time.Time
	LastUsedAt   *time.Time
}

// CreateAPIKeyInput creates an API key in TenantID.
type CreateAPIKeyInput struct {
	TenantID     string
	Name         string
	Scopes       []string
	RateLimitRPM int
	ExpiresAt    *time.Time
}

// CreatedAPIKey is a new API key and its secret, shown this once.
type CreatedAPIKey struct {
	APIKey APIKey
	Key    string
}

// APIKeyInput names one API key.
type APIKeyInput struct {
	ID string
}

// The integrations operations. Verification is public: it is what turns an
// anonymous request into an actor.
var (
	CreateIntegration = spine.Declare[CreateIntegrationInput, CreatedIntegration]("integrations.integrations.create",
		"Create an integration with its first key", spine.RequireScope("integrations:write"))
	VerifyIntegrationKey = spine.Declare[VerifyKeyInput, spine.Actor]("integrations.keys.verify",
		"Verify an X-CUS-Integration-Key and return its actor", spine.Public())
	CreateAPIKey = spine.Declare[CreateAPIKeyInput, CreatedAPIKey]("integrations.api_keys.create",
		"Create a machine API key for a tenant", spine.Allow(spine.ActorFounder))
	VerifyAPIKey = spine.Declare[VerifyKeyInput, spine.Actor]("integrations.api_keys.verify",
		"Verify an X-AOS-Key and return its actor", spine.Public())
	RevokeAPIKey = spine.Declare[APIKeyInput, struct{}]("integrations.api_keys.revoke",
		"Revoke a machine API key", spine.Allow(spine.ActorFounder))
	FreezeAPIKey = spine.Declare[APIKeyInput, struct{}]("integrations.api_keys.freeze",
		"Freeze a machine API key", spine.Allow(spine.ActorFounder))
)
