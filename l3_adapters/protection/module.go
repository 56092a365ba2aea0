package protection

import "go.uber.org/fx"

// Module provides the protection adapters.
var Module = fx.Module("protection.adapters", fx.Provide(NewGuard, NewEvents))
