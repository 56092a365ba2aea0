package account

import (
	"context"
	"errors"

	spine "hoc/l4_spine"
)

// Guard is the registry's tenant guard: the lifecycle effects of SPEC §2.2
// for every tenant-scoped operation. It reads the tenant through
// TenantFacts, so a busy tenant costs no read per request and a lifecycle
// change made on another replica takes effect within TenantFactsTTL.
type Guard struct {
	tenants *TenantFacts
}

// NewGuard returns the guard.
func NewGuard(tenants *TenantFacts) (*Guard, error) {
	if tenants == nil {
		return nil, errors.New("tenant guard: nil tenant facts")
	}
	return &Guard{tenants: tenants}, nil
}

// Admit implements spine.TenantGuard.
func (g *Guard) Admit(ctx context.Context, actor spine.Actor, write bool) error {
	t, err := g.tenants.Get(ctx, actor.TenantID)
	if err != nil {
		return err
	}
	return t.Admits(write)
}

var _ spine.TenantGuard = (*Guard)(nil)
