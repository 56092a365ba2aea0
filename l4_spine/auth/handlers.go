package auth

import (
	"context"
	"errors"

	spine "hoc/l4_spine"
	engine "hoc/l5_engines/auth"
)

type handlers struct {
	founders *engine.FounderTokens
}

// Bindings returns the auth domain's operation bindings.
func Bindings(founders *engine.FounderTokens) ([]spine.Binding, error) {
	if founders == nil {
		return nil, errors.New("auth operations: nil founder tokens")
	}
	h := handlers{founders: founders}
	return []spine.Binding{
		spine.Bind(VerifyBearerToken, h.verifyBearer),
		spine.Bind(IssueFounderToken, h.issueFounderToken),
	}, nil
}

// verifyBearer verifies a founder token. Customer (OIDC) tokens join here
// when human authentication is built; until then every other token is
// invalid.
func (h handlers) verifyBearer(_ context.Context, in VerifyTokenInput) (spine.Actor, error) {
	f, err := h.founders.Verify(in.Token)
	if err != nil {
		return spine.Actor{}, err
	}
	return spine.Actor{Type: spine.ActorFounder, ID: f.Subject, Credential: spine.CredentialFounderToken}, nil
}

func (h handlers) issueFounderToken(_ context.Context, in IssueFounderTokenInput) (FounderToken, error) {
	tok, err := h.founders.Issue(in.Subject, in.Reason, in.TTL)
	if err != nil {
		return FounderToken{}, spine.InvalidRequest(err.Error())
	}
	return FounderToken{Token: tok}, nil
}
