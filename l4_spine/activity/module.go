package activity

import (
	"log/slog"

	"go.uber.org/fx"

	spine "hoc/l4_spine"
	accountops "hoc/l4_spine/account"
	integrationops "hoc/l4_spine/integrations"
	accountengine "hoc/l5_engines/account"
	engine "hoc/l5_engines/activity"
	integrationsengine "hoc/l5_engines/integrations"
)

// Module wires the activity engine, the ingest metrics and the ingester, and
// adds the telemetry operations to the registry.
var Module = fx.Module("activity.operations",
	fx.Provide(
		engine.NewEngine,
		newIngestMetrics,
		newIngesterFromGraph,
		fx.Annotate(Bindings, fx.ResultTags(`group:"operations,flatten"`)),
	),
	// Group commit stops after the HTTP server (registered later, stopped
	// earlier), so every request that was answered has been committed, and
	// before the database closes.
	fx.Invoke(func(lc fx.Lifecycle, i *ingester) { lc.Append(fx.StartStopHook(i.start, i.stop)) }),
)

type ingesterParams struct {
	fx.In
	Activity         *engine.Engine
	Accounts         *accountengine.Engine
	Tenants          *accountops.TenantFacts
	Integrations     *integrationsengine.Engine
	IntegrationFacts *integrationops.Facts
	Metrics          *ingestMetrics
	Tx               spine.TxRunner
	Logger           *slog.Logger
}

func newIngesterFromGraph(p ingesterParams) (*ingester, error) {
	return newIngester(ingesterDeps{
		Activity: p.Activity, Accounts: p.Accounts, Tenants: p.Tenants, Integrations: p.Integrations,
		IntegrationFacts: p.IntegrationFacts, Metrics: p.Metrics, Tx: p.Tx, Logger: p.Logger,
	})
}
