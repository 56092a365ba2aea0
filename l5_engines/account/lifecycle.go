package account

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"hoc/l5_engines/fault"
	store "hoc/l6_drivers/account"
)

// Changer is who changes a tenant's state, for the record.
type Changer struct {
	Type string
	ID   string
}

// transitions is the lifecycle table of SPEC §2.2: for each action, the
// states it may start from and the state it leads to. Nothing else is legal.
var transitions = map[string]struct {
	from []Lifecycle
	to   Lifecycle
}{
	"suspend":   {from: []Lifecycle{LifecycleActive}, to: LifecycleSuspended},
	"resume":    {from: []Lifecycle{LifecycleSuspended}, to: LifecycleActive},
	"terminate": {from: []Lifecycle{LifecycleActive, LifecycleSuspended}, to: LifecycleTerminated},
	"archive":   {from: []Lifecycle{LifecycleTerminated}, to: LifecycleArchived},
}

const maxReasonLen = 1000

// ChangeLifecycle applies a lifecycle action. An action the table does not
// allow from the tenant's current state is a CONFLICT; every transition is
// recorded with its actor and reason.
func (e *Engine) ChangeLifecycle(ctx context.Context, tenantID, action, reason string, by Changer) (Tenant, error) {
	var fields fault.Fields
	t, known := transitions[action]
	if !known {
		fields.Add("action", "must be one of suspend, resume, terminate, archive")
	}
	checkReason(reason, &fields)
	if err := fields.Err(); err != nil {
		return Tenant{}, err
	}
	current, err := e.GetTenant(ctx, tenantID)
	if err != nil {
		return Tenant{}, err
	}
	if !containsLifecycle(t.from, current.Lifecycle) {
		return Tenant{}, fault.Conflict("the tenant cannot "+action+" from "+string(current.Lifecycle)).
			WithDetail("lifecycle_state", string(current.Lifecycle))
	}
	from := string(current.Lifecycle)
	row, err := e.store.SetLifecycle(ctx, tenantID, from, string(t.to), store.EventRow{
		Kind: "lifecycle", FromState: &from, ToState: string(t.to), ActorType: by.Type, ActorID: by.ID, Reason: reason,
	})
	switch {
	case errors.Is(err, store.ErrTenantNotFound):
		return Tenant{}, fault.NotFound("tenant")
	case errors.Is(err, store.ErrStateChanged):
		return Tenant{}, fault.Conflict("the tenant's lifecycle changed concurrently; retry")
	case err != nil:
		return Tenant{}, err
	}
	return tenantFromRow(row)
}

func checkReason(reason string, fields *fault.Fields) {
	if n := utf8.RuneCountInString(strings.TrimSpace(reason)); n == 0 || n > maxReasonLen {
		fields.Add("reason", "is required (1..%d characters)", maxReasonLen)
	}
}

func containsLifecycle(list []Lifecycle, l Lifecycle) bool {
	for _, x := range list {
		if x == l {
			return true
		}
	}
	return false
}
