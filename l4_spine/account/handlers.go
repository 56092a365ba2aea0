package account

import (
	"context"
	"errors"
	"sort"

	spine "hoc/l4_spine"
	engine "hoc/l5_engines/account"
)

// handlers binds the account operations to the account engine.
type handlers struct {
	engine  *engine.Engine
	tenants *TenantFacts
}

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
	}, nil
}

func (h handlers) createTenant(ctx context.Context, in CreateTenantInput) (Tenant, error) {
	t, err := h.engine.CreateTenant(ctx, engine.NewTenant{
		Name: in.Name, Slug: in.Slug, Plan: in.Plan, ExternalOrgID: in.ExternalOrgID,
	})
	if err != nil {
		return Tenant{}, err
	}
	return tenantOut(t), nil
}

func (h handlers) getTenant(ctx context.Context, in GetTenantInput) (Tenant, error) {
	t, err := h.engine.GetTenant(ctx, in.TenantID)
	if err != nil {
		return Tenant{}, err
	}
	return tenantOut(t), nil
}

func (h handlers) listTenants(ctx context.Context, in ListTenantsInput) (TenantPage, error) {
	ts, total, err := h.engine.ListTenants(ctx, in.Limit, in.Offset)
	if err != nil {
		return TenantPage{}, err
	}
	page := TenantPage{Items: make([]Tenant, len(ts)), Total: total}
	for i, t := range ts {
		page.Items[i] = tenantOut(t)
	}
	return page, nil
}

func changer(ctx context.Context) engine.Changer {
	actor, _ := spine.ActorFrom(ctx)
	return engine.Changer{Type: string(actor.Type), ID: actor.ID}
}

func (h handlers) changeLifecycle(ctx context.Context, in ChangeLifecycleInput) (Tenant, error) {
	t, err := h.engine.ChangeLifecycle(ctx, in.TenantID, in.Action, in.Reason, changer(ctx))
	if err != nil {
		return Tenant{}, err
	}
	spine.AfterCommit(ctx, func() { h.tenants.Forget(in.TenantID) })
	return tenantOut(t), nil
}

func (h handlers) advanceOnboarding(ctx context.Context, in AdvanceOnboardingInput) (Tenant, error) {
	t, err := h.engine.AdvanceOnboarding(ctx, in.TenantID, in.TargetState, in.Reason, changer(ctx))
	if err != nil {
		return Tenant{}, err
	}
	spine.AfterCommit(ctx, func() { h.tenants.Forget(in.TenantID) })
	return tenantOut(t), nil
}

// integrationKeyCapabilities are what an integration key may do (SPEC §5).
var integrationKeyCapabilities = []string{"integrations:limits:read", "telemetry:write"}

// sessionContext answers from the actor and one read of the tenant row: a
// row that has disappeared is NOT_FOUND, a database failure UNAVAILABLE.
func (h handlers) sessionContext(ctx context.Context, _ SessionInput) (SessionContext, error) {
	actor, _ := spine.ActorFrom(ctx)
	out := SessionContext{ActorType: string(actor.Type), Capabilities: []string{}}
	if actor.TenantID == "" {
		return out, nil
	}
	t, err := h.engine.GetTenant(ctx, actor.TenantID)
	if err != nil {
		return SessionContext{}, err
	}
	lifecycle := string(t.Lifecycle)
	out.TenantID, out.LifecycleState = &t.ID, &lifecycle
	switch actor.Credential {
	case spine.CredentialCustomerToken:
		onboarding := t.Onboarding.String()
		out.OnboardingState = &onboarding
	case spine.CredentialIntegrationKey:
		out.Capabilities = append(out.Capabilities, integrationKeyCapabilities...)
	default:
		out.Capabilities = append(out.Capabilities, actor.Scopes...)
		sort.Strings(out.Capabilities)
	}
	return out, nil
}

func tenantOut(t engine.Tenant) Tenant {
	return Tenant{
		ID:              t.ID,
		Name:            t.Name,
		Slug:            t.Slug,
		Plan:            string(t.Plan),
		ExternalOrgID:   t.ExternalOrgID,
		LifecycleState:  string(t.Lifecycle),
		OnboardingState: t.Onboarding.String(),
		CreatedAt:       t.CreatedAt,
		UpdatedAt:       t.UpdatedAt,
	}
}
