package account

import (
	"context"
	"errors"

	spine "hoc/l4_spine"
	engine "hoc/l5_engines/account"
)

// handlers binds the account operations to the account engine.
type handlers struct {
	engine *engine.Engine
}

// Bindings returns the account domain's operation bindings.
func Bindings(e *engine.Engine) ([]spine.Binding, error) {
	if e == nil {
		return nil, errors.New("account operations: nil engine")
	}
	h := handlers{engine: e}
	return []spine.Binding{
		spine.Bind(CreateTenant, h.createTenant),
		spine.Bind(GetTenant, h.getTenant),
		spine.Bind(ListTenants, h.listTenants),
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
