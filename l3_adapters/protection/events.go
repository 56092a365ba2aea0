package protection

import (
	"context"
	"errors"

	spine "hoc/l4_spine"
	ops "hoc/l4_spine/protection"
)

// Events calls the protection event listings.
type Events struct {
	reg *spine.Registry
}

// NewEvents returns the protection events adapter.
func NewEvents(reg *spine.Registry) (*Events, error) {
	if reg == nil {
		return nil, errors.New("protection events adapter: nil registry")
	}
	return &Events{reg: reg}, nil
}

// ListAll returns one page of events across tenants, or of the tenant in
// in.TenantID; only founders may (the operation's policy).
func (a *Events) ListAll(ctx context.Context, in ops.EventQuery) (ops.EventPage, error) {
	return ops.ListAllEvents.Call(ctx, a.reg, in)
}

// List returns one page of the actor's tenant's events. The tenant comes
// from the actor; whatever in.TenantID held is replaced.
func (a *Events) List(ctx context.Context, in ops.EventQuery) (ops.EventPage, error) {
	actor, _ := spine.ActorFrom(ctx)
	in.TenantID = actor.TenantID
	return ops.ListEvents.Call(ctx, a.reg, in)
}

// Summary counts the actor's tenant's events per dimension and decision.
func (a *Events) Summary(ctx context.Context, in ops.EventQuery) ([]ops.EventCount, error) {
	actor, _ := spine.ActorFrom(ctx)
	in.TenantID = actor.TenantID
	return ops.SummarizeEvents.Call(ctx, a.reg, in)
}
