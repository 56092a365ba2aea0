// Package protection adapts the HTTP layer's protection middleware and
// protection event listings to the protection operations.
package protection

import (
	"context"
	"errors"

	spine "hoc/l4_spine"
	ops "hoc/l4_spine/protection"
)

// Guard asks for protection decisions.
type Guard struct {
	reg *spine.Registry
}

// NewGuard returns the protection adapter.
func NewGuard(reg *spine.Registry) (*Guard, error) {
	if reg == nil {
		return nil, errors.New("protection adapter: nil registry")
	}
	return &Guard{reg: reg}, nil
}

// Decide decides on the request of the actor in ctx.
func (g *Guard) Decide(ctx context.Context, in ops.DecideInput) (ops.Decision, error) {
	return ops.Decide.Call(ctx, g.reg, in)
}
