package account

import (
	"context"
	"errors"
	"fmt"

	"hoc/l5_engines/fault"
	store "hoc/l6_drivers/account"
)

// ParseOnboarding parses an onboarding state name.
func ParseOnboarding(s string) (Onboarding, error) {
	for i, name := range onboardingNames {
		if name == s {
			return Onboarding(i), nil
		}
	}
	return 0, fmt.Errorf("unknown onboarding state %q", s)
}

// AdvanceOnboarding moves a tenant's onboarding forward to target. It is
// idempotent, may skip states, and never moves backwards: a target at or
// below the current state changes nothing. The update is one conditional
// statement, so concurrent advances end at the highest target.
func (e *Engine) AdvanceOnboarding(ctx context.Context, tenantID, target, reason string, by Changer) (Tenant, error) {
	var fields fault.Fields
	to, err := ParseOnboarding(target)
	if err != nil {
		fields.Add("target_state", "must be one of CREATED, IDENTITY_VERIFIED, API_KEY_CREATED, SDK_CONNECTED, COMPLETE")
	}
	checkReason(reason, &fields)
	if err := fields.Err(); err != nil {
		return Tenant{}, err
	}
	if _, err := e.GetTenant(ctx, tenantID); err != nil {
		return Tenant{}, err
	}
	if _, err := e.advance(ctx, tenantID, to, reason, by); err != nil {
		return Tenant{}, err
	}
	return e.GetTenant(ctx, tenantID)
}

// Advance is the automatic trigger of SPEC §2.2 (first key, first telemetry,
// first customer request): it raises the state to at least target and
// reports whether it moved.
func (e *Engine) Advance(ctx context.Context, tenantID string, target Onboarding, why string) (bool, error) {
	return e.advance(ctx, tenantID, target, why, Changer{Type: "system", ID: "onboarding"})
}

func (e *Engine) advance(ctx context.Context, tenantID string, to Onboarding, reason string, by Changer) (bool, error) {
	moved, err := e.store.AdvanceOnboarding(ctx, tenantID, int(to), store.EventRow{
		Kind: "onboarding", ToState: to.String(), ActorType: by.Type, ActorID: by.ID, Reason: reason,
	})
	if errors.Is(err, store.ErrTenantNotFound) {
		return false, fault.NotFound("tenant")
	}
	return moved, err
}
