package integrations

import "go.uber.org/fx"

// Module provides the integrations adapter.
var Module = fx.Module("integrations.adapters", fx.Provide(NewIntegrations))
