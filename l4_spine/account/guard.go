package account

import (
	"context"
	"errors"

	spine "hoc/l4_spine"
	engine "hoc/l5_engines/account"
)

// Guard is the registry's tenant guard: the lifecycle effects of SPEC §2.2
// for every tenant-scoped operation. It costs one read of the tenant row by
// primary key per operation; the row is not cached, so a suspension takes
// effect on the next request on every replica.
type Guard struct {
	engine *engine.Engine
}

// NewGuard returns the guard.
func NewGuard(e *engine.Engine) (*Guard, error) {
	if e == nil {
		return nil, errors.New("tenant guard: nil engine")
	}
	return &Guard{engine: e}, nil
}

// Admit implements spine.TenantGuard.
func (g *Guard) Admit(ctx context.Context, actor spine.Actor, write bool) error {
	_, err := g.engine.Admit(ctx, actor.TenantID, write)
	return err
}

var _ spine.TenantGuard = (*Guard)(nil)
