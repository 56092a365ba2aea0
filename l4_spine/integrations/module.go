// Package integrations declares the operations on integrations, integration
// keys and machine API keys — one file each — and binds them to the
// integrations engine. Inputs and results that are the engine's own shapes
// are aliases of its types.
package integrations

import (
	"context"
	"errors"
	"time"

	"go.uber.org/fx"

	spine "hoc/l4_spine"
	accountengine "hoc/l5_engines/account"
	engine "hoc/l5_engines/integrations"
	telemetryengine "hoc/l5_engines/telemetry"
)

// Module wires the integrations engine, its cached facts and its operations.
// The telemetry domain's call rate is provided here because the limits
// operation is its only user.
var Module = fx.Module("integrations.operations",
	fx.Provide(
		engine.NewEngine,
		NewFacts,
		telemetryengine.NewCallRate,
		spine.AsBindings(Bindings),
	),
)

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
		spine.Bind(GetIntegrationUsageToday, h.usageToday),
		spine.Bind(VerifyIntegrationKey, h.verifyIntegrationKey),
		spine.Bind(CreateAPIKey, h.createAPIKey, spine.Transactional()),
		spine.Bind(VerifyAPIKey, h.verifyAPIKey),
		spine.Bind(RevokeAPIKey, h.revokeAPIKey),
		spine.Bind(FreezeAPIKey, h.freezeAPIKey),
	}, nil
}

type handlers struct {
	engine    *engine.Engine
	facts     *Facts
	accounts  *accountengine.Engine
	telemetry *telemetryengine.Engine
	calls     *telemetryengine.CallRate
	now       func() time.Time
}

// The scopes of the customer integration operations (SPEC §2.3): a tenant's
// customers and its machine keys with the named scope manage the tenant's
// own integrations. Founders have no tenant, so the policy refuses them;
// they provision through ProvisionIntegration. Reads are allowed while the
// tenant is suspended.
const (
	scopeRead       = "integrations:read"
	scopeWrite      = "integrations:write"
	scopeLimitsRead = "integrations:limits:read"
)

// tenantActors admits the actors that have a tenant of their own.
var tenantActors = spine.Allow(spine.ActorCustomer, spine.ActorMachine)

// Integration is an integration as operations return it.
type Integration = engine.Integration

// IntegrationInput names one integration of TenantID.
type IntegrationInput struct {
	TenantID string
	ID       string
}

// changed passes a change's result on and, when it succeeded, drops the
// cached facts once it commits, so that this replica sees it at once.
func changed[T any](ctx context.Context, f *Facts, out T, err error) (T, error) {
	if err == nil {
		f.forgetAfterCommit(ctx)
	}
	return out, err
}
