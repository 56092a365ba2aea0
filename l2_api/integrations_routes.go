package api

import (
	"github.com/gofiber/fiber/v2"

	integrationsadapter "hoc/l3_adapters/integrations"
	"hoc/l4_spine/integrations"
)

// integrationRoutes serves the customer integrations API (SPEC §2.3). The
// handlers only translate: the tenant comes from the actor in L3, rules and
// permissions are decided below.
type integrationRoutes struct {
	integrations *integrationsadapter.Integrations
}

// register adds the customer integration routes.
func (r integrationRoutes) register(rt router) {
	rt.v1.Get("/integrations", rt.guard, r.list)
	rt.v1.Post("/integrations", rt.guard, r.create)
	rt.v1.Get("/integrations/:id", rt.guard, r.get)
	rt.v1.Patch("/integrations/:id", rt.guard, r.update)
	rt.v1.Delete("/integrations/:id", rt.guard, r.remove)
	rt.v1.Post("/integrations/:id/enable", rt.guard, r.enable)
	rt.v1.Post("/integrations/:id/disable", rt.guard, r.disable)
	rt.v1.Post("/integrations/:id/keys", rt.guard, r.rotateKey)
	rt.v1.Get("/integrations/:id/limits", rt.guard, r.limits)
	rt.v1.Get("/integrations/:id/usage-today", rt.guard, r.usageToday)
}

// newIntegrationSchema and integrationChangesSchema are the bodies of POST
// and PATCH /api/v1/integrations; the integrations engine decides the
// values. A PATCH changes the fields present: null clears default_model and
// is no value for any other field.
var (
	newIntegrationSchema = newSchema(
		field[integrations.NewIntegration]{name: "name", read: func(in *integrations.NewIntegration, r *valueReader) {
			in.Name, _ = r.text(0, noLimit)
		}},
		field[integrations.NewIntegration]{name: "provider_type", read: func(in *integrations.NewIntegration, r *valueReader) {
			in.ProviderType, _ = r.text(0, noLimit)
		}},
		field[integrations.NewIntegration]{name: "default_model", read: func(in *integrations.NewIntegration, r *valueReader) {
			in.DefaultModel = r.optText(noLimit)
		}},
		field[integrations.NewIntegration]{name: "budget_limit_cents", read: func(in *integrations.NewIntegration, r *valueReader) {
			in.BudgetLimitCents, _ = r.anyInteger()
		}},
		field[integrations.NewIntegration]{name: "token_limit_month", read: func(in *integrations.NewIntegration, r *valueReader) {
			in.TokenLimitMonth, _ = r.anyInteger()
		}},
		field[integrations.NewIntegration]{name: "rate_limit_rpm", read: func(in *integrations.NewIntegration, r *valueReader) {
			n, _ := r.anyInteger()
			in.RateLimitRPM = int(n)
		}},
	)
	integrationChangesSchema = newSchema(
		field[integrations.UpdateIntegrationInput]{name: "name", null: nullIsWrong[integrations.UpdateIntegrationInput]("must be a string"),
			read: func(in *integrations.UpdateIntegrationInput, r *valueReader) { in.Name = r.optText(noLimit) }},
		field[integrations.UpdateIntegrationInput]{name: "default_model",
			null: func(in *integrations.UpdateIntegrationInput, _ *valueReader) {
				in.SetDefaultModel, in.DefaultModel = true, nil
			},
			read: func(in *integrations.UpdateIntegrationInput, r *valueReader) {
				in.SetDefaultModel, in.DefaultModel = true, r.optText(noLimit)
			}},
		field[integrations.UpdateIntegrationInput]{name: "budget_limit_cents", null: nullIsWrong[integrations.UpdateIntegrationInput]("must be an integer"),
			read: func(in *integrations.UpdateIntegrationInput, r *valueReader) { in.BudgetLimitCents = optAnyInteger(r) }},
		field[integrations.UpdateIntegrationInput]{name: "token_limit_month", null: nullIsWrong[integrations.UpdateIntegrationInput]("must be an integer"),
			read: func(in *integrations.UpdateIntegrationInput, r *valueReader) { in.TokenLimitMonth = optAnyInteger(r) }},
		field[integrations.UpdateIntegrationInput]{name: "rate_limit_rpm", null: nullIsWrong[integrations.UpdateIntegrationInput]("must be an integer"),
			read: func(in *integrations.UpdateIntegrationInput, r *valueReader) {
				if n, ok := r.anyInteger(); ok {
					rpm := int(n)
					in.RateLimitRPM = &rpm
				}
			}},
	)
	rotateKeySchema = newSchema(
		field[integrations.RotateKeyInput]{name: "revoke_existing", read: func(in *integrations.RotateKeyInput, r *valueReader) {
			in.RevokeExisting, _ = r.boolean()
		}},
	)
)

func optAnyInteger(r *valueReader) *int64 {
	if n, ok := r.anyInteger(); ok {
		return &n
	}
	return nil
}

// create handles POST /api/v1/integrations {name, provider_type,
// default_model?, budget_limit_cents?, token_limit_month?, rate_limit_rpm?}
// → 201 {integration, key}, the key shown this once.
func (r integrationRoutes) create(c *fiber.Ctx) error {
	var in integrations.NewIntegration
	if err := readBody(c, newIntegrationSchema, &in); err != nil {
		return err
	}
	created, err := r.integrations.Create(c.UserContext(), in)
	if err != nil {
		return err
	}
	return respond(c, fiber.StatusCreated, fiber.Map{"integration": ToIntegrationJSON(created.Integration), "key": created.Key})
}

// list handles GET /api/v1/integrations?limit=&offset=.
func (r integrationRoutes) list(c *fiber.Ctx) error {
	limit, offset, err := listParams(c)
	if err != nil {
		return err
	}
	p, err := r.integrations.List(c.UserContext(), limit, offset)
	if err != nil {
		return err
	}
	items := make([]IntegrationJSON, len(p.Items))
	for i, it := range p.Items {
		items[i] = ToIntegrationJSON(it)
	}
	return respondPage(c, items, offsetPage(p.Total, limit, offset, len(items)))
}

// get handles GET /api/v1/integrations/:id.
func (r integrationRoutes) get(c *fiber.Ctx) error {
	i, err := r.integrations.Get(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return respond(c, fiber.StatusOK, ToIntegrationJSON(i))
}

// update handles PATCH /api/v1/integrations/:id {name?, default_model?,
// budget_limit_cents?, token_limit_month?, rate_limit_rpm?}: only the fields
// present change. default_model: null clears the default model; null for
// any other field is not a value it can take.
func (r integrationRoutes) update(c *fiber.Ctx) error {
	in := integrations.UpdateIntegrationInput{ID: c.Params("id")}
	if err := readBody(c, integrationChangesSchema, &in); err != nil {
		return err
	}
	i, err := r.integrations.Update(c.UserContext(), in)
	if err != nil {
		return err
	}
	return respond(c, fiber.StatusOK, ToIntegrationJSON(i))
}

// remove handles DELETE /api/v1/integrations/:id → {id, deleted: true}. The
// envelope needs a body, so the answer is 200 rather than 204.
func (r integrationRoutes) remove(c *fiber.Ctx) error {
	id := c.Params("id")
	if err := r.integrations.Delete(c.UserContext(), id); err != nil {
		return err
	}
	return respond(c, fiber.StatusOK, fiber.Map{"id": id, "deleted": true})
}

// enable handles POST /api/v1/integrations/:id/enable → the integration.
func (r integrationRoutes) enable(c *fiber.Ctx) error {
	i, err := r.integrations.Enable(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return respond(c, fiber.StatusOK, ToIntegrationJSON(i))
}

// disable handles POST /api/v1/integrations/:id/disable → the integration.
func (r integrationRoutes) disable(c *fiber.Ctx) error {
	i, err := r.integrations.Disable(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return respond(c, fiber.StatusOK, ToIntegrationJSON(i))
}

// rotateKey handles POST /api/v1/integrations/:id/keys {revoke_existing?}
// → 201 {key, revoked_keys}. The body may be left out altogether.
func (r integrationRoutes) rotateKey(c *fiber.Ctx) error {
	in := integrations.RotateKeyInput{ID: c.Params("id")}
	if len(c.Request().Body()) > 0 {
		if err := readBody(c, rotateKeySchema, &in); err != nil {
			return err
		}
	}
	k, err := r.integrations.RotateKey(c.UserContext(), in)
	if err != nil {
		return err
	}
	return respond(c, fiber.StatusCreated, fiber.Map{"key": k.Key, "revoked_keys": k.Revoked})
}

// limits handles GET /api/v1/integrations/:id/limits, which the SDKs'
// check_limits() calls with the integration's own key.
func (r integrationRoutes) limits(c *fiber.Ctx) error {
	l, err := r.integrations.Limits(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return respond(c, fiber.StatusOK, ToLimitsJSON(l))
}

// usageToday handles GET /api/v1/integrations/:id/usage-today.
func (r integrationRoutes) usageToday(c *fiber.Ctx) error {
	u, err := r.integrations.UsageToday(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return respond(c, fiber.StatusOK, usageTodayJSON{IntegrationID: u.IntegrationID, Date: u.Date, totalsJSON: toTotalsJSON(u.Totals)})
}

type usageTodayJSON struct {
	IntegrationID string `json:"integration_id"`
	Date          string `json:"date"`
	totalsJSON
}
