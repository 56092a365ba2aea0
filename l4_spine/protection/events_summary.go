package protection

import (
	"context"

	spine "hoc/l4_spine"
	"hoc/l5_engines/fault"
	engine "hoc/l5_engines/protection"
)

// SummarizeEvents is GET /api/v1/protection/events/summary: how many of the
// tenant's protection events each dimension and decision holds.
var SummarizeEvents = spine.Declare[EventQuery, []EventCount]("protection.events.summary",
	"Count the tenant's protection events per dimension and decision", spine.Allow(spine.ActorCustomer, spine.ActorMachine),
	spine.RequireScope("protection:read"), spine.ReadOnly())

// EventCount is how many events have one dimension and decision.
type EventCount = engine.EventCount

// summary counts a tenant actor's own events, as list lists them.
func (e events) summary(ctx context.Context, in EventQuery) ([]EventCount, error) {
	actor, _ := spine.ActorFrom(ctx)
	if in.TenantID == "" || in.TenantID != actor.TenantID {
		return nil, fault.Forbidden("tenant_mismatch", "protection events are counted for the caller's own tenant only")
	}
	return e.recorder.Count(ctx, in)
}
