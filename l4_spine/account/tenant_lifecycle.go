package account

import (
	"context"

	spine "hoc/l4_spine"
)

// ChangeLifecycle is POST /api/v1/fdr/tenants/{id}/lifecycle.
var ChangeLifecycle = spine.Declare[ChangeLifecycleInput, Tenant]("account.tenants.change_lifecycle",
	"Suspend, resume, terminate or archive a tenant", spine.Allow(spine.ActorFounder))

// ChangeLifecycleInput applies a lifecycle action to a tenant.
type ChangeLifecycleInput struct {
	TenantID string
	Action   string
	Reason   string
}

// changeLifecycle drops the cached tenant once the change commits, so this
// replica's tenant guard sees it at once.
func (h handlers) changeLifecycle(ctx context.Context, in ChangeLifecycleInput) (Tenant, error) {
	t, err := h.engine.ChangeLifecycle(ctx, in.TenantID, in.Action, in.Reason, changer(ctx))
	if err == nil {
		spine.AfterCommit(ctx, func() { h.tenants.Forget(in.TenantID) })
	}
	return tenantOut(t, err)
}
