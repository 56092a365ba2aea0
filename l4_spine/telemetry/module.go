// Package telemetry declares the LLM usage telemetry operations — one file
// each: ingest, summary, daily, history — and binds them to the telemetry
// engine, bringing in the facts they need from the account and integrations
// domains. Where an operation's input or output is the engine's own shape,
// the type here is an alias of it: one struct per shape, and no conversion.
package telemetry

import (
	"context"
	"errors"

	"go.uber.org/fx"

	spine "hoc/l4_spine"
	integrationsops "hoc/l4_spine/integrations"
	engine "hoc/l5_engines/telemetry"
)

// Module wires the telemetry engine, the ingest metrics and the ingester, and
// adds the telemetry operations to the registry.
var Module = fx.Module("telemetry.operations",
	fx.Provide(
		engine.NewEngine,
		newIngestMetrics,
		newWriter,
		newIngester,
		spine.AsBindings(Bindings),
	),
	// The writer stops after the HTTP server (registered later, stopped
	// earlier), so every request that was answered has been committed, and
	// before the database closes.
	fx.Invoke(func(lc fx.Lifecycle, w *engine.Writer) { lc.Append(fx.StartStopHook(w.Start, w.Close)) }),
)

// Bindings returns the telemetry operation bindings. Ingest's one write is
// atomic on its own (see engine.Writer), so it is not marked transactional.
func Bindings(e *engine.Engine, integrations *integrationsops.Facts, ingest *ingester) ([]spine.Binding, error) {
	if e == nil || integrations == nil || ingest == nil {
		return nil, errors.New("telemetry operations: nil dependency")
	}
	q := queries{engine: e, integrations: integrations}
	return []spine.Binding{
		spine.Bind(Ingest, ingest.ingest),
		spine.Bind(GetSummary, q.summary),
		spine.Bind(GetDaily, q.daily),
		spine.Bind(GetHistory, q.history),
		spine.Bind(GetUnpricedModels, q.unpricedModels),
	}, nil
}

// queries handles the read operations. They need facts from the
// integrations domain (that a filtered integration is the tenant's, and the
// names of the integrations in a summary), which they read through that
// domain's cached facts, at most integrationsops.FactsTTL old: domains meet
// here, in L4.
type queries struct {
	engine       *engine.Engine
	integrations *integrationsops.Facts
}

// requireIntegration checks that a query's integration is the tenant's.
func (q queries) requireIntegration(ctx context.Context, tenantID, integrationID string) error {
	if integrationID == "" {
		return nil
	}
	_, err := q.integrations.Integration(ctx, tenantID, integrationID)
	return err
}
