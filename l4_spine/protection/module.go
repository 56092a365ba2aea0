package protection

import (
	"go.uber.org/fx"
	spine "hoc/l4_spine"

	engine "hoc/l5_engines/protection"
)

// Module wires the protection engine and its metrics and adds the
// protection operations to the registry. The state backend (memory or
// Redis), the event recorder and the limits are provided by cmd/hocd, which
// owns their configuration.
var Module = fx.Module("protection.operations",
	fx.Provide(
		engine.NewEngine,
		newDecisionMetrics,
		spine.AsBindings(Bindings),
		spine.AsBindings(EventBindings),
	),
	// The recorder stops after the HTTP server (registered later, stopped
	// earlier) and before the database closes, so no event of a clean
	// shutdown is lost.
	fx.Invoke(func(lc fx.Lifecycle, r *engine.Recorder) { lc.Append(fx.StartStopHook(r.Start, r.Close)) }),
	// Registered after the recorder's hook, so it runs before the recorder
	// drains: the count of a backend outage still open is recorded.
	fx.Invoke(func(lc fx.Lifecycle, e *engine.Engine) { lc.Append(fx.StopHook(e.Close)) }),
)
