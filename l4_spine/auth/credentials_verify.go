package auth

import (
	"context"

	spine "hoc/l4_spine"
	accountengine "hoc/l5_engines/account"
	engine "hoc/l5_engines/auth"
)

// VerifyBearerToken turns an Authorization bearer token into its actor. It
// is public: it is what turns an anonymous request into an actor.
var VerifyBearerToken = spine.Declare[VerifyTokenInput, spine.Actor]("auth.credentials.verify_bearer",
	"Verify an Authorization bearer token and return its actor", spine.Public())

// VerifyTokenInput carries a bearer token exactly as presented.
type VerifyTokenInput struct {
	Token string
}

// verifyBearer routes a bearer token by its (unverified) issuer: hoc-founder
// to the founder secret, anything else to the customer OIDC verifier, which
// refuses every issuer but the configured one. Nothing from the peek is
// trusted; each verifier checks the signature first.
//
// A token whose verifier is off is refused with a reason saying so; one
// without a readable issuer goes to whichever verifier is on, which refuses
// it as jwt_invalid.
func (h handlers) verifyBearer(ctx context.Context, in VerifyTokenInput) (spine.Actor, error) {
	iss := engine.PeekIssuer(in.Token)
	switch {
	case !h.founders.Enabled() && !h.customers.Enabled():
		return spine.Actor{}, engine.AuthOff(engine.ReasonAuthNotConfigured)
	case iss == engine.FounderIssuer && !h.founders.Enabled():
		return spine.Actor{}, engine.AuthOff(engine.ReasonFounderAuthDisabled)
	case iss != "" && iss != engine.FounderIssuer && !h.customers.Enabled():
		return spine.Actor{}, engine.AuthOff(engine.ReasonCustomerAuthDisabled)
	}
	if iss == engine.FounderIssuer || !h.customers.Enabled() {
		f, err := h.founders.Verify(in.Token)
		if err != nil {
			return spine.Actor{}, err
		}
		return spine.Actor{Type: spine.ActorFounder, ID: f.Subject, Credential: spine.CredentialFounderToken}, nil
	}
	c, err := h.customers.Verify(ctx, in.Token)
	if err != nil {
		return spine.Actor{}, err
	}
	t, err := h.tenants.ByOrg(ctx, c.OrgID)
	if err != nil {
		return spine.Actor{}, err
	}
	if t.Onboarding < accountengine.OnboardingIdentityVerified {
		// The first authenticated customer request verifies the identity.
		if _, err := h.accounts.Advance(ctx, t.ID, accountengine.OnboardingIdentityVerified, "first authenticated customer request"); err != nil {
			return spine.Actor{}, err
		}
		h.tenants.Forget(t.ID)
	}
	return spine.Actor{Type: spine.ActorCustomer, ID: c.Subject, TenantID: t.ID, Credential: spine.CredentialCustomerToken}, nil
}
