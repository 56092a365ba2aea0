package auth

import (
	"context"
	"errors"

	spine "hoc/l4_spine"
	accountops "hoc/l4_spine/account"
	accountengine "hoc/l5_engines/account"
	engine "hoc/l5_engines/auth"
)

type handlers struct {
	founders  *engine.FounderTokens
	customers *engine.CustomerTokens
	accounts  *accountengine.Engine
	tenants   *accountops.TenantFacts
}

// Bindings returns the auth domain's operation bindings. A customer token
// names an organisation; turning it into a tenant is a fact of the account
// domain, so the handler asks that engine: domains meet here, in L4.
func Bindings(founders *engine.FounderTokens, customers *engine.CustomerTokens, accounts *accountengine.Engine,
	tenants *accountops.TenantFacts) ([]spine.Binding, error) {
	if founders == nil || customers == nil || accounts == nil || tenants == nil {
		return nil, errors.New("auth operations: nil dependency")
	}
	h := handlers{founders: founders, customers: customers, accounts: accounts, tenants: tenants}
	return []spine.Binding{
		spine.Bind(VerifyBearerToken, h.verifyBearer),
		spine.Bind(IssueFounderToken, h.issueFounderToken),
	}, nil
}

// verifyBearer routes a bearer token by its (unverified) issuer: hoc-founder
// to the founder secret, anything else to the customer OIDC verifier, which
// refuses every issuer but the configured one. Nothing from the peek is
// trusted; each verifier checks the signature first.
func (h handlers) verifyBearer(ctx context.Context, in VerifyTokenInput) (spine.Actor, error) {
	if engine.PeekIssuer(in.Token) == engine.FounderIssuer || !h.customers.Enabled() {
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

func (h handlers) issueFounderToken(_ context.Context, in IssueFounderTokenInput) (FounderToken, error) {
	tok, err := h.founders.Issue(in.Subject, in.Reason, in.TTL)
	if err != nil {
		return FounderToken{}, spine.InvalidRequest(err.Error())
	}
	return FounderToken{Token: tok}, nil
}
