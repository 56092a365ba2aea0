// Package ops adapts introspection of the operation registry, used by the
// founder operations listing and by `hocd ops`, so both print one list.
package ops

import (
	"context"
	"errors"

	spine "hoc/l4_spine"
	"hoc/l5_engines/fault"
)

// Catalog lists the registry's operations.
type Catalog struct {
	reg *spine.Registry
}

// NewCatalog returns the catalog adapter.
func NewCatalog(reg *spine.Registry) (*Catalog, error) {
	if reg == nil {
		return nil, errors.New("catalog adapter: nil registry")
	}
	return &Catalog{reg: reg}, nil
}

// List returns every operation sorted by name. The listing describes the
// platform, not a tenant, so only founders (and the CLI operator, who acts as
// one) may read it.
func (c *Catalog) List(ctx context.Context) ([]spine.OperationInfo, error) {
	if actor, ok := spine.ActorFrom(ctx); !ok || actor.Type != spine.ActorFounder {
		return nil, fault.Forbidden("actor_not_allowed", "founders only")
	}
	return c.reg.Operations(), nil
}
