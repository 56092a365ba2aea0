package activity

import (
	"go.uber.org/fx"

	engine "hoc/l5_engines/activity"
)

// Module wires the activity engine, the ingest metrics and the ingester, and
// adds the telemetry operations to the registry.
var Module = fx.Module("activity.operations",
	fx.Provide(
		engine.NewEngine,
		newIngestMetrics,
		newIngester,
		fx.Annotate(Bindings, fx.ResultTags(`group:"operations,flatten"`)),
	),
	// Group commit stops after the HTTP server (registered later, stopped
	// earlier), so every request that was answered has been committed, and
	// before the database closes.
	fx.Invoke(func(lc fx.Lifecycle, i *ingester) { lc.Append(fx.StartStopHook(i.start, i.stop)) }),
)
