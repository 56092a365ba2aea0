package integrations

import (
	"context"
	"errors"
	"time"

	spine "hoc/l4_spine"
	accountengine "hoc/l5_engines/account"
	engine "hoc/l5_engines/integrations"
	telemetryengine "hoc/l5_engines/telemetry"
)

// integrationKeyScopes are the fixed capabilities of an integration key.
var integrationKeyScopes = []string{scopeLimitsRead, "telemetry:write"}

type handlers struct {
	engine    *engine.Engine
	facts     *Facts
	accounts  *accountengine.Engine
	telemetry *telemetryengine.Engine
	calls     *telemetryengine.CallRate
	now       func() time.Time
}

// Bindings returns the integrations domain's operation bindings. Some
// operations need facts from other domains — that the tenant exists and
// its onboarding (account), an integration's usage (telemetry) — so their
// handlers ask those engines and pass plain values on: domains meet here,
// in L4. now is the clock that dates the limits' month.
func Bindings(e *engine.Engine, facts *Facts, accounts *accountengine.Engine, telemetry *telemetryengine.Engine,
	calls *telemetryengine.CallRate, now func() time.Time) ([]spine.Binding, error) {
	if e == nil || facts == nil || accounts == nil || telemetry == nil || calls == nil || now == nil {
		return nil, errors.New("integrations operations: nil dependency")
	}
	h := handlers{engine: e, facts: facts, accounts: accounts, telemetry: telemetry, calls: calls, now: now}
	return []spine.Binding{
		spine.Bind(ProvisionIntegration, h.createIntegration, spine.Transactional()),
		spine.Bind(CreateIntegration, h.createIntegration, spine.Transactional()),
		spine.Bind(ListIntegrations, h.listIntegrations),
		spine.Bind(GetIntegration, h.getIntegration),
		spine.Bind(UpdateIntegration, h.updateIntegration, spine.Transactional()),
		spine.Bind(DeleteIntegration, h.deleteIntegration, spine.Transactional()),
		spine.Bind(EnableIntegration, h.enableIntegration, spine.Transactional()),
		spine.Bind(DisableIntegration, h.disableIntegration, spine.Transactional()),
		spine.Bind(RotateIntegrationKey, h.rotateIntegrationKey, spine.Transactional()),
		spine.Bind(GetIntegrationLimits, h.integrationLimits),
		spine.Bind(VerifyIntegrationKey, h.verifyIntegrationKey),
		spine.Bind(CreateAPIKey, h.createAPIKey, spine.Transactional()),
		spine.Bind(VerifyAPIKey, h.verifyAPIKey),
		spine.Bind(RevokeAPIKey, h.revokeAPIKey),
		spine.Bind(FreezeAPIKey, h.freezeAPIKey),
	}, nil
}

// createIntegration serves both the founders' provisioning, where the tenant
// is named and must exist, and a tenant actor's create in its own tenant.
// The first key of a tenant moves its onboarding to API_KEY_CREATED.
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
	if err := h.keyCreated(ctx, in.TenantID, "integration key created"); err != nil {
		return CreatedIntegration{}, err
	}
	return CreatedIntegration{Integration: integrationOut(i), Key: key}, nil
}

// keyCreated is the onboarding trigger "first API key or integration key
// created → API_KEY_CREATED"; a tenant already past it stays where it is.
func (h handlers) keyCreated(ctx context.Context, tenantID, why string) error {
	if _, err := h.accounts.Advance(ctx, tenantID, accountengine.OnboardingAPIKeyCreated, why); err != nil {
		return err
	}
	return h.completeIfReady(ctx, tenantID)
}

// completeIfReady applies onboarding's COMPLETE rule after a change that can
// satisfy it late (a key created or an integration enabled after telemetry
// was sent): a tenant at SDK_CONNECTED with an enabled integration that has a
// live key is COMPLETE.
func (h handlers) completeIfReady(ctx context.Context, tenantID string) error {
	t, err := h.accounts.GetTenant(ctx, tenantID)
	if err != nil || t.Onboarding != accountengine.OnboardingSDKConnected {
		return err
	}
	live, err := h.engine.HasLiveEnabledIntegration(ctx, tenantID)
	if err != nil || !live {
		return err
	}
	_, err = h.accounts.Advance(ctx, tenantID, accountengine.OnboardingComplete, "an enabled integration has a live key after telemetry was sent")
	return err
}

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
	if err := h.keyCreated(ctx, in.TenantID, "API key created"); err != nil {
		return CreatedAPIKey{}, err
	}
	return CreatedAPIKey{APIKey: apiKeyOut(k), Key: key}, nil
}

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

func (h handlers) revokeAPIKey(ctx context.Context, in APIKeyInput) (struct{}, error) {
	return changed(ctx, h.facts, struct{}{}, h.engine.RevokeAPIKey(ctx, in.ID))
}

func (h handlers) freezeAPIKey(ctx context.Context, in APIKeyInput) (struct{}, error) {
	return changed(ctx, h.facts, struct{}{}, h.engine.FreezeAPIKey(ctx, in.ID))
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
