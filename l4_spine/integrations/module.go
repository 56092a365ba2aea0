package integrations

import (
	"go.uber.org/fx"

	engine "hoc/l5_engines/integrations"
)

// Module wires the integrations engine and adds its operations to the
// registry.
var Module = fx.Module("integrations.operations",
	fx.Provide(
		engine.NewEngine,
		fx.Annotate(Bindings, fx.ResultTags(`group:"operations,flatten"`)),
	),
)
