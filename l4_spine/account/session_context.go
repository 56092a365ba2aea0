package account

import (
	"context"
	"sort"

	spine "hoc/l4_spine"
)

// GetSessionContext is GET /api/v1/session/context. It answers in every
// lifecycle state: it is how the dashboard learns the state.
var GetSessionContext = spine.Declare[SessionInput, SessionContext]("account.session.context",
	"Who the caller is, their tenant, scopes, lifecycle and onboarding", spine.AnyLifecycle())

// SessionInput asks who the caller is; everything comes from the actor.
type SessionInput struct{}

// SessionContext tells the dashboard who is calling and where their tenant
// stands (SPEC §5). Nil fields are null: nothing is invented. TenantName is
// there so that a person sees which tenant they are looking at, not its id.
type SessionContext struct {
	ActorType       string
	TenantID        *string
	TenantName      *string
	Capabilities    []string
	LifecycleState  *string
	OnboardingState *string
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
	out.TenantID, out.TenantName, out.LifecycleState = &t.ID, &t.Name, &lifecycle
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
