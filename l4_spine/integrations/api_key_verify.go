package integrations

import (
	"context"
	"time"

	spine "hoc/l4_spine"
)

// VerifyAPIKey turns an X-AOS-Key into its actor. It is public: it is what
// turns an anonymous request into an actor.
var VerifyAPIKey = spine.Declare[VerifyKeyInput, spine.Actor]("integrations.api_keys.verify",
	"Verify an X-AOS-Key and return its actor", spine.Public())

// verifyAPIKey trusts a key verified within FactsTTL, never past its expiry.
func (h handlers) verifyAPIKey(ctx context.Context, in VerifyKeyInput) (spine.Actor, error) {
	return h.facts.credential("api", in.Key, func() (spine.Actor, time.Time, error) {
		k, err := h.engine.VerifyAPIKey(ctx, in.Key)
		if err != nil {
			return spine.Actor{}, time.Time{}, err
		}
		var expires time.Time
		if k.ExpiresAt != nil {
			expires = *k.ExpiresAt
		}
		return spine.Actor{
			Type: spine.ActorMachine, ID: k.ID, TenantID: k.TenantID, Credential: spine.CredentialAPIKey,
			Scopes: k.Scopes, RateLimitRPM: k.RateLimitRPM,
		}, expires, nil
	})
}
