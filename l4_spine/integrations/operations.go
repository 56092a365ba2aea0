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
// TenantID from the actor for tenant actors; founders name it, through
// ProvisionIntegration.
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
	// ProvisionIntegration is how founders, and the CLI that acts as one,
	// create an integration in a tenant they name.
	ProvisionIntegration = spine.Declare[CreateIntegrationInput, CreatedIntegration]("integrations.integrations.provision",
		"Create an integration with its first key in a named tenant", spine.Allow(spine.ActorFounder))
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

// IntegrationInput names one integration of TenantID.
type IntegrationInput struct {
	TenantID string
	ID       string
}

// ListIntegrationsInput asks for one page of TenantID's integrations.
type ListIntegrationsInput struct {
	TenantID string
	Limit    int
	Offset   int
}

// IntegrationPage is one page of integrations, oldest first, and how many
// live integrations the tenant has in all.
type IntegrationPage struct {
	Items []Integration
	Total int64
}

// UpdateIntegrationInput changes settings of one integration; a nil field is
// left as it is. DefaultModel replaces the default model when
// SetDefaultModel is true, and a nil DefaultModel then clears it.
type UpdateIntegrationInput struct {
	TenantID         string
	ID               string
	Name             *string
	SetDefaultModel  bool
	DefaultModel     *string
	BudgetLimitCents *int64
	TokenLimitMonth  *int64
	RateLimitRPM     *int
}

// RotateKeyInput adds a key to an integration; with RevokeExisting every
// earlier key of it is revoked in the same transaction.
type RotateKeyInput struct {
	TenantID       string
	ID             string
	RevokeExisting bool
}

// RotatedKey is a new integration key, shown this once, and how many earlier
// keys were revoked with it.
type RotatedKey struct {
	Key     string
	Revoked int64
}

// IntegrationLimits sets an integration's limits against its usage in the
// current UTC calendar month, PeriodStart through PeriodEnd ('YYYY-MM-DD').
// A limit of 0 means unlimited and its percent is 0.
type IntegrationLimits struct {
	IntegrationID    string
	PeriodStart      string
	PeriodEnd        string
	BudgetLimitCents int64
	BudgetUsedCents  int64
	BudgetPercent    float64
	TokenLimitMonth  int64
	TokensUsedMonth  int64
	TokenPercent     float64
	RateLimitRPM     int
	CurrentRPM       int64
	RatePercent      float64
}

// The scopes of the customer integration operations.
const (
	scopeRead       = "integrations:read"
	scopeWrite      = "integrations:write"
	scopeLimitsRead = "integrations:limits:read"
)

// The customer integration operations (SPEC §2.3): a tenant's customers and
// its machine keys with the named scope manage the tenant's own
// integrations. Founders have no tenant, so the policy refuses them; they
// provision through ProvisionIntegration. Reads are allowed while the
// tenant is suspended.
var (
	CreateIntegration = spine.Declare[CreateIntegrationInput, CreatedIntegration]("integrations.integrations.create",
		"Create an integration with its first key", tenantActors, spine.RequireScope(scopeWrite))
	ListIntegrations = spine.Declare[ListIntegrationsInput, IntegrationPage]("integrations.integrations.list",
		"List the tenant's integrations, oldest first", tenantActors, spine.RequireScope(scopeRead), spine.ReadOnly())
	GetIntegration = spine.Declare[IntegrationInput, Integration]("integrations.integrations.get",
		"Get one of the tenant's integrations", tenantActors, spine.RequireScope(scopeRead), spine.ReadOnly())
	UpdateIntegration = spine.Declare[UpdateIntegrationInput, Integration]("integrations.integrations.update",
		"Change an integration's name, default model or limits", tenantActors, spine.RequireScope(scopeWrite))
	DeleteIntegration = spine.Declare[IntegrationInput, struct{}]("integrations.integrations.delete",
		"Soft-delete an integration and revoke its keys", tenantActors, spine.RequireScope(scopeWrite))
	EnableIntegration = spine.Declare[IntegrationInput, Integration]("integrations.integrations.enable",
		"Enable an integration: its telemetry is accepted", tenantActors, spine.RequireScope(scopeWrite))
	DisableIntegration = spine.Declare[IntegrationInput, Integration]("integrations.integrations.disable",
		"Disable an integration: its telemetry is refused, its keys still authenticate", tenantActors, spine.RequireScope(scopeWrite))
	RotateIntegrationKey = spine.Declare[RotateKeyInput, RotatedKey]("integrations.keys.rotate",
		"Create a new integration key, optionally revoking the existing ones", tenantActors, spine.RequireScope(scopeWrite))
	// The limits are also readable with the integration's own key, which
	// has no integrations:read scope, so the handler checks the scope.
	GetIntegrationLimits = spine.Declare[IntegrationInput, IntegrationLimits]("integrations.integrations.limits",
		"An integration's limits against its usage this UTC month", tenantActors, spine.ReadOnly())
)

// tenantActors admits the actors that have a tenant of their own.
var tenantActors = spine.Allow(spine.ActorCustomer, spine.ActorMachine)
