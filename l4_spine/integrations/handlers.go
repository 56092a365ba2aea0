package integrations

import (
	"context"
	"errors"

	spine "hoc/l4_spine"
	accountengine "hoc/l5_engines/account"
	engine "hoc/l5_engines/integrations"
)

// integrationKeyScopes are the fixed capabilities of an integration key.
var integrationKeyScopes = []string{"integrations:limits:read", "telemetry:write"}

type handlers struct {
	engine   *engine.Engine
	accounts *accountengine.Engine
}

// Bindings returns the integrations domain's operation bindings. Creating a
// credential needs a fact from the account domain (the tenant exists), so
// the handler asks that engine first: domains meet here, in L4.
func Bindings(e *engine.Engine, accounts *accountengine.Engine) ([]spine.Binding, error) {
	if e == nil || accounts == nil {
		return nil, errors.New("integrations operations: nil engine")
	}
	h := handlers{engine: e, accounts: accounts}
	return []spine.Binding{
		spine.Bind(CreateIntegration, h.createIntegration, spine.Transactional()),
		spine.Bind(VerifyIntegrationKey, h.verifyIntegrationKey),
		spine.Bind(CreateAPIKey, h.createAPIKey, spine.Transactional()),
		spine.Bind(VerifyAPIKey, h.verifyAPIKey),
		spine.Bind(RevokeAPIKey, h.revokeAPIKey),
		spine.Bind(FreezeAPIKey, h.freezeAPIKey),
	}, nil
}

func (h handlers) createIntegration(ctx context.Context, in CreateIntegrationInput) (CreatedIntegration, error) {
	if _, err := h.accounts.GetTenant(ctx, in.TenantID); err != nil {
		return CreatedIntegration{}, err
	}
	i, key, err := h.engine.CreateIntegration(ctx, engine.NewIntegration{
		TenantID: in.TenantID, Name: in.Name, ProviderType: in.ProviderType, DefaultModel: in.DefaultModel,
		BudgetLimitCents: in.BudgetLimitCents, TokenLimitMonth: in.TokenLimitMonth, RateLimitRPM: in.RateLimitRPM,
	})
	if err != nil {
		return CreatedIntegration{}, err
	}
	return CreatedIntegration{Integration: integrationOut(i), Key: key}, nil
}

func (h handlers) verifyIntegrationKey(ctx context.Context, in VerifyKeyInput) (spine.Actor, error) {
	k, err := h.engine.VerifyIntegrationKey(ctx, in.Key)
	if err != nil {
		return spine.Actor{}, err
	}
	return spine.Actor{
		Type: spine.ActorMachine, ID: k.KeyID, TenantID: k.TenantID, Credential: spine.CredentialIntegrationKey,
		Scopes: integrationKeyScopes, IntegrationID: k.IntegrationID, RateLimitRPM: k.RateLimitRPM,
	}, nil
}

func (h handlers) createAPIKey(ctx context.Context, in CreateAPIKeyInput) (CreatedAPIKey, error) {
	if _, err := h.accounts.GetTenant(ctx, in.TenantID); err != nil {
		return CreatedAPIKey{}, err
	}
	k, key, err := h.engine.CreateAPIKey(ctx, engine.NewAPIKey{
		TenantID: in.TenantID, Name: in.Name, Scopes: in.Scopes, RateLimitRPM: in.RateLimitRPM, ExpiresAt: in.ExpiresAt,
	})
	if err != nil {
		return CreatedAPIKey{}, err
	}
	return CreatedAPIKey{APIKey: apiKeyOut(k), Key: key}, nil
}

func (h handlers) verifyAPIKey(ctx context.Context, in VerifyKeyInput) (spine.Actor, error) {
	k, err := h.engine.VerifyAPIKey(ctx, in.Key)
	if err != nil {
		return spine.Actor{}, err
	}
	return spine.Actor{
		Type: spine.ActorMachine, ID: k.ID, TenantID: k.TenantID, Credential: spine.CredentialAPIKey,
		Scopes: k.Scopes, RateLimitRPM: k.RateLimitRPM,
	}, nil
}

func (h handlers) revokeAPIKey(ctx context.Context, in APIKeyInput) (struct{}, error) {
	return struct{}{}, h.engine.RevokeAPIKey(ctx, in.ID)
}

func (h handlers) freezeAPIKey(ctx context.Context, in APIKeyInput) (struct{}, error) {
	return struct{}{}, h.engine.FreezeAPIKey(ctx, in.ID)
}

func integrationOut(i engine.Integration) Integration {
	return Integration{
		ID: i.ID, TenantID: i.TenantID, Name: i.Name, ProviderType: i.ProviderType, DefaultModel: i.DefaultModel,
		Status: i.Status, BudgetLimitCents: i.BudgetLimitCents, TokenLimitMonth: i.TokenLimitMonth,
		RateLimitRPM: i.RateLimitRPM, CreatedAt: i.CreatedAt, UpdatedAt: i.UpdatedAt,
	}
}

func apiKeyOut(k engine.APIKey) APIKey {
	return APIKey{
		ID: k.ID, TenantID: k.TenantID, Name: k.Name, Prefix: k.Prefix, Scopes: k.Scopes,
		RateLimitRPM: k.RateLimitRPM, Status: k.Status, Frozen: k.Frozen, ExpiresAt: k.ExpiresAt,
		CreatedAt: k.CreatedAt, LastUsedAt: k.LastUsedAt,
	}
}
