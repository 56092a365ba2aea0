package account

import (
	"context"

	spine "hoc/l4_spine"
)

// AdvanceOnboarding is POST /api/v1/fdr/tenants/{id}/onboarding.
var AdvanceOnboarding = spine.Declare[AdvanceOnboardingInput, Tenant]("account.tenants.advance_onboarding",
	"Move a tenant's onboarding forward", spine.Allow(spine.ActorFounder))

// AdvanceOnboardingInput moves a tenant's onboarding forward.
type AdvanceOnboardingInput struct {
	TenantID    string
	TargetState string
	Reason      string
}

func (h handlers) advanceOnboarding(ctx context.Context, in AdvanceOnboardingInput) (Tenant, error) {
	t, err := h.engine.AdvanceOnboarding(ctx, in.TenantID, in.TargetState, in.Reason, changer(ctx))
	if err == nil {
		spine.AfterCommit(ctx, func() { h.tenants.Forget(in.TenantID) })
	}
	return tenantOut(t, err)
}
