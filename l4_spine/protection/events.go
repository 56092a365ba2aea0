package protection

import (
	"context"
	"errors"
	"time"

	spine "hoc/l4_spine"
	engine "hoc/l5_engines/protection"
)

// Event is a protection event as operations return it (SPEC §4.3).
type Event struct {
	ID         string
	OccurredAt time.Time
	TenantID   string
	ActorType  string
	ActorID    string
	Endpoint   string
	Method     string
	Operation  string
	Decision   string
	Dimension  string
	Details    map[string]any
}

// ListEventsInput asks for one page of protection events, newest first.
// For ListAllEvents TenantID is an optional filter (empty: every tenant);
// for ListEvents adapters set it from the actor, and the handler refuses
// any other tenant. Since keeps events at or after that instant; Dimension,
// when set, keeps one dimension's.
type ListEventsInput struct {
	TenantID  string
	Since     *time.Time
	Dimension string
	Limit     int
	Offset    int
}

// EventPage is one page of events and how many the query selects in all.
type EventPage struct {
	Items []Event
	Total int64
}

// scopeProtectionRead is the scope a machine key needs to read its tenant's
// protection events.
const scopeProtectionRead = "protection:read"

// The protection event listings (SPEC §2.3): founders across tenants, a
// tenant's customers and machine keys with protection:read their own.
var (
	ListAllEvents = spine.Declare[ListEventsInput, EventPage]("protection.events.list_all",
		"List protection events of every tenant, or of one, newest first", spine.Allow(spine.ActorFounder), spine.ReadOnly())
	ListEvents = spine.Declare[ListEventsInput, EventPage]("protection.events.list",
		"List the tenant's protection events, newest first", spine.Allow(spine.ActorCustomer, spine.ActorMachine),
		spine.RequireScope(scopeProtectionRead), spine.ReadOnly())
)

// eventHandlers binds the listings to the event recorder, which owns the
// stored events.
type eventHandlers struct {
	events *engine.Recorder
}

// EventBindings returns the bindings of the protection event listings.
func EventBindings(r *engine.Recorder) ([]spine.Binding, error) {
	if r == nil {
		return nil, errors.New("protection event operations: nil recorder")
	}
	h := eventHandlers{events: r}
	return []spine.Binding{
		spine.Bind(ListAllEvents, h.listAll),
		spine.Bind(ListEvents, h.list),
	}, nil
}

func (h eventHandlers) listAll(ctx context.Context, in ListEventsInput) (EventPage, error) {
	return h.page(ctx, in)
}

// list serves a tenant actor. An empty TenantID would select every tenant,
// so the handler insists on the actor's own, whatever the adapter passed.
func (h eventHandlers) list(ctx context.Context, in ListEventsInput) (EventPage, error) {
	actor, _ := spine.ActorFrom(ctx)
	if in.TenantID == "" || in.TenantID != actor.TenantID {
		return EventPage{}, spine.Forbidden("tenant_mismatch", "protection events are listed for the caller's own tenant only")
	}
	return h.page(ctx, in)
}

func (h eventHandlers) page(ctx context.Context, in ListEventsInput) (EventPage, error) {
	events, total, err := h.events.List(ctx, engine.EventQuery{
		TenantID: in.TenantID, Since: in.Since, Dimension: in.Dimension, Limit: in.Limit, Offset: in.Offset,
	})
	if err != nil {
		return EventPage{}, err
	}
	page := EventPage{Items: make([]Event, len(events)), Total: total}
	for i, e := range events {
		page.Items[i] = Event{
			ID: e.ID, OccurredAt: e.OccurredAt, TenantID: e.TenantID, ActorType: e.ActorType, ActorID: e.ActorID,
			Endpoint: e.Endpoint, Method: e.Method, Operation: e.Operation, Decision: e.Decision,
			Dimension: e.Dimension, Details: e.Details,
		}
	}
	return page, nil
}
