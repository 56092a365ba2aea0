package activity

import (
	"go.uber.org/fx"

	engine "hoc/l5_engines/activity"
)

// Module wires the activity engine and the ingest metrics and adds the
// telemetry operations to the registry.
var Module = fx.Module("activity.operations",
	fx.Provide(
		engine.NewEngine,
		newIngestMetrics,
		fx.Annotate(Bindings, fx.ResultTags(`group:"operations,flatten"`)),
	),
)
