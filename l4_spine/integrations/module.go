package integrations

import (
	"go.uber.org/fx"
	spine "hoc/l4_spine"

	engine "hoc/l5_engines/integrations"
	telemetryengine "hoc/l5_engines/telemetry"
)

// Module wires the integrations engine and adds its operations to the
// registry. The telemetry domain's call rate is provided here because the
// limits operation is its only user.
var Module = fx.Module("integrations.operations",
	fx.Provide(
		engine.NewEngine,
		NewFacts,
		telemetryengine.NewCallRate,
		spine.AsBindings(Bindings),
	),
)
