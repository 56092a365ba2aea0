package telemetry

import "go.uber.org/fx"

// Module provides the telemetry adapter.
var Module = fx.Module("telemetry.adapters", fx.Provide(NewTelemetry))
