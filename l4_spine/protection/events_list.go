package protection

import (
	"context"

	spine "hoc/l4_spine"
	"hoc/l5_engines/fault"
)

// ListEvents is GET /api/v1/protection/events: a tenant's customers, and its
// machine keys with protection:read, list their own tenant's events.
var ListEvents = spine.Declare[EventQuery, EventPage]("protection.events.list",
	"List the tenant's protection events, newest first", spine.Allow(spine.ActorCustomer, spine.ActorMachine),
	spine.RequireScope("protection:read"), spine.ReadOnly())

// list serves a tenant actor. An empty TenantID would select every tenant,
// so the handler insists on the actor's own, whatever the adapter passed.
func (e events) list(ctx context.Context, in EventQuery) (EventPage, error) {
	actor, _ := spine.ActorFrom(ctx)
	if in.TenantID == "" || in.TenantID != actor.TenantID {
		return EventPage{}, fault.Forbidden("tenant_mismatch", "protection events are listed for the caller's own tenant only")
	}
	return e.listAll(ctx, in)
}
