// Package account declares the account domain's operations — tenants, their
// lifecycle and onboarding, the session context; one file each — and binds
// them to the account engine.
package account

import (
	"context"
	"errors"
	"time"

	"go.uber.org/fx"

	spine "hoc/l4_spine"
	engine "hoc/l5_engines/account"
)

// Module wires the account engine and adds its operations to the registry.
var Module = fx.Module("account.operations",
	fx.Provide(
		engine.NewEngine,
		NewTenantFacts,
		fx.Annotate(NewGuard, fx.As(new(spine.TenantGuard))),
		spine.AsBindings(Bindings),
	),
)

// Bindings returns the account domain's operation bindings.
func Bindings(e *engine.Engine, tenants *TenantFacts) ([]spine.Binding, error) {
	if e == nil || tenants == nil {
		return nil, errors.New("account operations: nil dependency")
	}
	h := handlers{engine: e, tenants: tenants}
	return []spine.Binding{
		spine.Bind(CreateTenant, h.createTenant),
		spine.Bind(GetTenant, h.getTenant),
		spine.Bind(ListTenants, h.listTenants),
		spine.Bind(ChangeLifecycle, h.changeLifecycle, spine.Transactional()),
		spine.Bind(AdvanceOnboarding, h.advanceOnboarding, spine.Transactional()),
		spine.Bind(GetSessionContext, h.sessionContext),
		spine.Bind(UpdateTenant, h.updateTenant),
	}, nil
}

// handlers binds the account operations to the account engine.
type handlers struct {
	engine  *engine.Engine
	tenants *TenantFacts
}

// Tenant is a tenant as operations return it. Its states are their SPEC
// names, where the engine's onboarding is an ordered number.
type Tenant struct {
	ID              string
	Name            string
	Slug            string
	Plan            string
	ExternalOrgID   *string
	LifecycleState  string
	OnboardingState string
	CostSource      string
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

func tenantOut(t engine.Tenant, err error) (Tenant, error) {
	if err != nil {
		return Tenant{}, err
	}
	return Tenant{
		ID:              t.ID,
		Name:            t.Name,
		Slug:            t.Slug,
		Plan:            string(t.Plan),
		ExternalOrgID:   t.ExternalOrgID,
		LifecycleState:  string(t.Lifecycle),
		OnboardingState: t.Onboarding.String(),
		CostSource:      t.CostSource,
		CreatedAt:       t.CreatedAt,
		UpdatedAt:       t.UpdatedAt,
	}, nil
}

// changer is who made a state change, for the tenant's event.
func changer(ctx context.Context) engine.Changer {
	actor, _ := spine.ActorFrom(ctx)
	return engine.Changer{Type: string(actor.Type), ID: actor.ID}
}
