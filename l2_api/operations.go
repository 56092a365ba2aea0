package api

import (
	"github.com/gofiber/fiber/v2"

	opsadapter "hoc/l3_adapters/ops"
)

type operationRoutes struct {
	catalog *opsadapter.Catalog
}

// register adds the founders' operation listing.
func (r operationRoutes) register(rt router) {
	rt.fdr.Get("/operations", r.list)
}

// list handles GET /api/v1/fdr/operations.
func (r operationRoutes) list(c *fiber.Ctx) error {
	list, err := r.catalog.List(c.UserContext())
	if err != nil {
		return err
	}
	return respond(c, fiber.StatusOK, list)
}
