package integrations

import (
	"go.uber.org/fx"

	activityengine "hoc/l5_engines/activity"
	engine "hoc/l5_engines/integrations"
)

// Module wires the integrations engine and adds its operations to the
// registry. The activity domain's call rate is provided here because the
// limits operation is its only user.
var Module = fx.Module("integrations.operations",
	fx.Provide(
		engine.NewEngine,
		NewFacts,
		activityengine.NewCallRate,
		fx.Annotate(Bindings, fx.ResultTags(`group:"operations,flatten"`)),
	),
)
