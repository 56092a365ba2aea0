package integrations

import (
	"context"
	"time"

	spine "hoc/l4_spine"
)

// VerifyIntegrationKey turns an X-CUS-Integration-Key into its actor. It is
// public: it is what turns an anonymous request into an actor.
var VerifyIntegrationKey = spine.Declare[VerifyKeyInput, spine.Actor]("integrations.keys.verify",
	"Verify an X-CUS-Integration-Key and return its actor", spine.Public())

// VerifyKeyInput carries a key exactly as presented.
type VerifyKeyInput struct {
	Key string
}

// integrationKeyScopes are the fixed capabilities of an integration key.
var integrationKeyScopes = []string{scopeLimitsRead, "telemetry:write"}

// verifyIntegrationKey trusts a key verified within FactsTTL.
func (h handlers) verifyIntegrationKey(ctx context.Context, in VerifyKeyInput) (spine.Actor, error) {
	return h.facts.credential("integration", in.Key, func() (spine.Actor, time.Time, error) {
		k, err := h.engine.VerifyIntegrationKey(ctx, in.Key)
		if err != nil {
			return spine.Actor{}, time.Time{}, err
		}
		return spine.Actor{
			Type: spine.ActorMachine, ID: k.KeyID, TenantID: k.TenantID, Credential: spine.CredentialIntegrationKey,
			Scopes: integrationKeyScopes, IntegrationID: k.IntegrationID, RateLimitRPM: k.RateLimitRPM,
		}, time.Time{}, nil
	})
}
