package integrations

import (
	"context"

	spine "hoc/l4_spine"
	"hoc/l5_engines/fault"
	engine "hoc/l5_engines/integrations"
)

// GetIntegrationLimits is GET /api/v1/integrations/{id}/limits. The limits
// are also readable with the integration's own key, which has no
// integrations:read scope, so the handler checks the scope (mayReadLimits).
var GetIntegrationLimits = spine.Declare[IntegrationInput, IntegrationLimits]("integrations.integrations.limits",
	"An integration's limits against its usage this UTC month", tenantActors, spine.ReadOnly())

// IntegrationLimits sets an integration's limits against its usage in the
// current UTC calendar month, PeriodStart through PeriodEnd ('YYYY-MM-DD').
// A limit of 0 means unlimited and its percent is 0.
type IntegrationLimits struct {
	IntegrationID string
	PeriodStart   string
	PeriodEnd     string
	engine.LimitStatus
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
		CostMicros: month.Totals.CostMicros, Tokens: month.Totals.TokensIn + month.Totals.TokensOut, CallsPerMinute: rpm,
	})
	return IntegrationLimits{IntegrationID: i.ID, PeriodStart: month.Window.Start, PeriodEnd: month.Window.End, LimitStatus: st}, nil
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
			return fault.Forbidden("integration_mismatch", "an integration key may read only its own integration's limits")
		}
	case actor.Type == spine.ActorMachine && !actor.HasScope(scopeRead) && !actor.HasScope(scopeLimitsRead):
		return fault.Forbidden("scope_denied", "the credential lacks the scope "+scopeRead)
	}
	return nil
}
