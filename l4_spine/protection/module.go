// Package protection declares request protection's operations — the
// decision asked for on every protected request, and the listings of
// protection events; one file each. The decision gathers the facts the
// protection engine needs from the account, telemetry and integrations
// domains.
package protection

import (
	"errors"
	"time"

	"go.uber.org/fx"

	spine "hoc/l4_spine"
	"hoc/l4_spine/cache"
	integrationsops "hoc/l4_spine/integrations"
	accountengine "hoc/l5_engines/account"
	engine "hoc/l5_engines/protection"
	telemetryengine "hoc/l5_engines/telemetry"
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
	),
	// The recorder stops after the HTTP server (registered later, stopped
	// earlier) and before the database closes, so no event of a clean
	// shutdown is lost.
	fx.Invoke(func(lc fx.Lifecycle, r *engine.Recorder) { lc.Append(fx.StartStopHook(r.Start, r.Close)) }),
	// Registered after the recorder's hook, so it runs before the recorder
	// drains: the count of a backend outage still open is recorded.
	fx.Invoke(func(lc fx.Lifecycle, e *engine.Engine) { lc.Append(fx.StopHook(e.Close)) }),
)

// Bindings returns the protection operation bindings.
func Bindings(p *engine.Engine, r *engine.Recorder, a *accountengine.Engine, t *telemetryengine.Engine,
	i *integrationsops.Facts, m *decisionMetrics, now func() time.Time) ([]spine.Binding, error) {
	if p == nil || r == nil || a == nil || t == nil || i == nil || m == nil || now == nil {
		return nil, errors.New("protection operations: nil dependency")
	}
	d := decider{protection: p, accounts: a, telemetry: t, integrations: i, metrics: m,
		cache: cache.New[string, engine.Facts](factsTTL, maxCachedFacts, now), now: now}
	e := events{recorder: r}
	return []spine.Binding{
		spine.Bind(Decide, d.decide, spine.Timeout(5*time.Second)),
		spine.Bind(ListAllEvents, e.listAll),
		spine.Bind(ListEvents, e.list),
		spine.Bind(SummarizeEvents, e.summary),
	}, nil
}
