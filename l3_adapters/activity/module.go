package activity

import "go.uber.org/fx"

// Module provides the telemetry adapter.
var Module = fx.Module("activity.adapters", fx.Provide(NewTelemetry))
