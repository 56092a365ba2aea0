package pricing

import "go.uber.org/fx"

// Module provides the pricing adapter.
var Module = fx.Module("pricing.adapters", fx.Provide(NewPrices))
