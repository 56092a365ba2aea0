// Package account declares the account domain's operations (tenants) and
// binds them to the account engine.
package account

import (
	"time"

	spine "hoc/l4_spine"
)

// Tenant is a tenant as operations return it; states use their SPEC names.
type Tenant struct {
	ID              string
	Name            string
	Slug            string
	Plan            string
	ExternalOrgID   *string
	LifecycleState  string
	OnboardingState string
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// CreateTenantInput creates a tenant; empty Slug and Plan take defaults.
type CreateTenantInput struct {
	Name          string
	Slug          string
	Plan          string
	ExternalOrgID *string
}

// GetTenantInput names one tenant.
type GetTenantInput struct {
	TenantID string
}

// ListTenantsInput asks for one page of tenants.
type ListTenantsInput struct {
	Limit  int
	Offset int
}

// TenantPage is one page of tenants and the total count.
type TenantPage struct {
	Items []Tenant
	Total int64
}

// The account operations.
var (
	CreateTenant = spine.Declare[CreateTenantInput, Tenant]("account.tenants.create",
		"Create a tenant (ACTIVE, onboarding CREATED)", spine.Allow(spine.ActorFounder))
	GetTenant = spine.Declare[GetTenantInput, Tenant]("account.tenants.get",
		"Get one tenant by id", spine.Allow(spine.ActorFounder))
	ListTenants = spine.Declare[ListTenantsInput, TenantPage]("account.tenants.list",
		"List tenants, oldest first", spine.Allow(spine.ActorFounder))
)

// ChangeLifecycleInput applies a lifecycle action to a tenant.
type ChangeLifecycleInput struct {
	TenantID string
	Action   string
	Reason   string
}

// AdvanceOnboardingInput moves a tenant's onboarding forward.
type AdvanceOnboardingInput struct {
	TenantID    string
	TargetState string
	Reason      string
}

// SessionInput asks who the caller is; everything comes from the actor.
type SessionInput struct{}

// SessionContext tells the dashboard who is calling and where their tenant
// stands (SPEC §5). Nil fields are null: nothing is invented.
type SessionContext struct {
	ActorType       string
	TenantID        *string
	Capabilities    []string
	LifecycleState  *string
	OnboardingState *string
}

// The tenant state and session operations.
var (
	ChangeLifecycle = spine.Declare[ChangeLifecycleInput, Tenant]("account.tenants.change_lifecycle",
		"Suspend, resume, terminate or archive a tenant", spine.Allow(spine.ActorFounder))
	AdvanceOnboarding = spine.Declare[AdvanceOnboardingInput, Tenant]("account.tenants.advance_onboarding",
		"Move a tenant's onboarding forward", spine.Allow(spine.ActorFounder))
	GetSessionContext = spine.Declare[SessionInput, SessionContext]("account.session.context",
		"Who the caller is, their tenant, scopes, lifecycle and onboarding", spine.AnyLifecycle())
)
