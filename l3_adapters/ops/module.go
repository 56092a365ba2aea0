package ops

import "go.uber.org/fx"

// Module provides the catalog adapter.
var Module = fx.Module("ops.adapters", fx.Provide(NewCatalog))
