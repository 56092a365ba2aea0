package integrations

import (
	"context"

	spine "hoc/l4_spine"
	engine "hoc/l5_engines/integrations"
)

func (h handlers) listIntegrations(ctx context.Context, in ListIntegrationsInput) (IntegrationPage, error) {
	items, total, err := h.engine.ListIntegrations(ctx, in.TenantID, in.Limit, in.Offset)
	if err != nil {
		return IntegrationPage{}, err
	}
	out := IntegrationPage{Items: make([]Integration, len(items)), Total: total}
	for i, it := range items {
		out.Items[i] = integrationOut(it)
	}
	return out, nil
}

func (h handlers) getIntegration(ctx context.Context, in IntegrationInput) (Integration, error) {
	i, err := h.engine.GetIntegration(ctx, in.TenantID, in.ID)
	return integrationOut(i), err
}

// updateIntegration reads, changes and writes in one transaction, so the
// result it returns is the row it wrote.
func (h handlers) updateIntegration(ctx context.Context, in UpdateIntegrationInput) (Integration, error) {
	i, err := h.engine.UpdateIntegration(ctx, in.TenantID, in.ID, engine.IntegrationChanges{
		Name: in.Name, SetDefaultModel: in.SetDefaultModel, DefaultModel: in.DefaultModel,
		BudgetLimitCents: in.BudgetLimitCents, TokenLimitMonth: in.TokenLimitMonth, RateLimitRPM: in.RateLimitRPM,
	})
	return changed(ctx, h.facts, integrationOut(i), err)
}

// deleteIntegration hides the integration and revokes its keys in one
// transaction.
func (h handlers) deleteIntegration(ctx context.Context, in IntegrationInput) (struct{}, error) {
	return changed(ctx, h.facts, struct{}{}, h.engine.DeleteIntegration(ctx, in.TenantID, in.ID))
}

func (h handlers) enableIntegration(ctx context.Context, in IntegrationInput) (Integration, error) {
	i, err := h.engine.EnableIntegration(ctx, in.TenantID, in.ID)
	if err != nil {
		return Integration{}, err
	}
	return changed(ctx, h.facts, integrationOut(i), h.completeIfReady(ctx, in.TenantID))
}

func (h handlers) disableIntegration(ctx context.Context, in IntegrationInput) (Integration, error) {
	i, err := h.engine.DisableIntegration(ctx, in.TenantID, in.ID)
	return changed(ctx, h.facts, integrationOut(i), err)
}

// rotateIntegrationKey revokes (when asked) and creates in one transaction:
// a failed rotation leaves the old keys working.
func (h handlers) rotateIntegrationKey(ctx context.Context, in RotateKeyInput) (RotatedKey, error) {
	k, err := h.engine.RotateIntegrationKey(ctx, in.TenantID, in.ID, in.RevokeExisting)
	if err != nil {
		return RotatedKey{}, err
	}
	if err := h.keyCreated(ctx, in.TenantID, "integration key created"); err != nil {
		return RotatedKey{}, err
	}
	return changed(ctx, h.facts, RotatedKey{Key: k.Key, Revoked: k.Revoked}, nil)
}

// changed passes a change's result on and, when it succeeded, drops the
// cached facts once it commits, so that this replica sees it at once.
func changed[T any](ctx context.Context, f *Facts, out T, err error) (T, error) {
	if err == nil {
		f.forgetAfterCommit(ctx)
	}
	return out, err
}

// integrationLimits asks the integrations engine for the integration, the
// telemetry engine for its usage this month and in the last minute, both at
// one instant, and the integrations engine again to set the one against the
// other. The current rate is counted from telemetry records (see
// telemetry.CallRate) until request protection offers a live rate.
func (h handlers) integrationLimits(ctx context.Context, in IntegrationInput) (IntegrationLimits, error) {
	if err := mayReadLimits(ctx, in.ID); err != nil {
		return IntegrationLimits{}, err
	}
	i, err := h.engine.GetIntegration(ctx, in.TenantID, in.ID)
	if err != nil {
		return IntegrationLimits{}, err
	}
	now := h.now()
	month, err := h.telemetry.MonthToDate(ctx, i.TenantID, i.ID, now)
	if err != nil {
		return IntegrationLimits{}, err
	}
	rpm, err := h.calls.PerMinute(ctx, i.TenantID, i.ID, now)
	if err != nil {
		return IntegrationLimits{}, err
	}
	st := engine.Limits(i, engine.Usage{
		CostCents: month.Totals.CostCents, Tokens: month.Totals.TokensIn + month.Totals.TokensOut, CallsPerMinute: rpm,
	})
	return IntegrationLimits{
		IntegrationID: i.ID, PeriodStart: month.Window.Start, PeriodEnd: month.Window.End,
		BudgetLimitCents: st.BudgetLimitCents, BudgetUsedCents: st.BudgetUsedCents, BudgetPercent: st.BudgetPercent,
		TokenLimitMonth: st.TokenLimitMonth, TokensUsedMonth: st.TokensUsedMonth, TokenPercent: st.TokenPercent,
		RateLimitRPM: st.RateLimitRPM, CurrentRPM: st.CurrentRPM, RatePercent: st.RatePercent,
	}, nil
}

// mayReadLimits is the part of the limits operation's policy that one scope
// cannot express: an integration key reads only its own integration's
// limits, whatever id it asks for; a machine API key needs integrations:read
// (or the narrower integrations:limits:read); customers may.
func mayReadLimits(ctx context.Context, integrationID string) error {
	actor, _ := spine.ActorFrom(ctx)
	switch {
	case actor.Credential == spine.CredentialIntegrationKey:
		if actor.IntegrationID != integrationID {
			return spine.Forbidden("integration_mismatch", "an integration key may read only its own integration's limits")
		}
	case actor.Type == spine.ActorMachine && !actor.HasScope(scopeRead) && !actor.HasScope(scopeLimitsRead):
		return spine.Forbidden("scope_denied", "the credential lacks the scope "+scopeRead)
	}
	return nil
}
