package account

import (
	"go.uber.org/fx"

	spine "hoc/l4_spine"
	engine "hoc/l5_engines/account"
)

// Module wires the account engine and adds its operations to the registry.
var Module = fx.Module("account.operations",
	fx.Provide(
		engine.NewEngine,
		NewTenantFacts,
		fx.Annotate(NewGuard, fx.As(new(spine.TenantGuard))),
		spine.AsBindings(Bindings),
	),
)
