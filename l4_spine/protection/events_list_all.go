package protection

import (
	"context"

	spine "hoc/l4_spine"
	engine "hoc/l5_engines/protection"
)

// ListAllEvents is GET /api/v1/fdr/protection/events: founders list the
// events of every tenant, or of one.
var ListAllEvents = spine.Declare[EventQuery, EventPage]("protection.events.list_all",
	"List protection events of every tenant, or of one, newest first", spine.Allow(spine.ActorFounder), spine.ReadOnly())

// Event is a protection event (SPEC §4.3).
type Event = engine.Event

// EventQuery asks for one page of protection events, newest first.
// For ListAllEvents TenantID is an optional filter (empty: every tenant);
// for ListEvents adapters set it from the actor, and the handler refuses
// any other tenant.
type EventQuery = engine.EventQuery

// EventPage is one page of events and how many the query selects in all.
type EventPage struct {
	Items []Event
	Total int64
}

// events lists the stored events through the event recorder, which owns them.
type events struct {
	recorder *engine.Recorder
}

func (e events) listAll(ctx context.Context, in EventQuery) (EventPage, error) {
	items, total, err := e.recorder.List(ctx, in)
	return EventPage{Items: items, Total: total}, err
}
