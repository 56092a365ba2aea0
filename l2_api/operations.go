package api

import (
	"context"

	"github.com/gofiber/fiber/v2"

	spine "hoc/l4_spine"
)

// Catalog lists the operation registry; the l3 ops adapter implements it.
type Catalog interface {
	List(ctx context.Context) ([]spine.OperationInfo, error)
}

// operations handles GET /api/v1/fdr/operations.
func operations(catalog Catalog) fiber.Handler {
	return func(c *fiber.Ctx) error {
		list, err := catalog.List(c.UserContext())
		if err != nil {
			return err
		}
		return respond(c, fiber.StatusOK, list)
	}
}
