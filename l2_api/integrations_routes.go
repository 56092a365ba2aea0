package api

import (
	"encoding/json"

	"github.com/gofiber/fiber/v2"

	integrationsadapter "hoc/l3_adapters/integrations"
	spine "hoc/l4_spine"
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

// create handles POST /api/v1/integrations {name, provider_type,
// default_model?, budget_limit_cents?, token_limit_month?, rate_limit_rpm?}
// → 201 {integration, key}, the key shown this once.
func (r integrationRoutes) create(c *fiber.Ctx) error {
	obj, err := decodeObject(c)
	if err != nil {
		return err
	}
	var in integrations.CreateIntegrationInput
	var fields spine.Fields
	var budget, tokens, rpm int64
	obj.str("name", &in.Name, &fields)
	obj.str("provider_type", &in.ProviderType, &fields)
	obj.optStr("default_model", &in.DefaultModel, &fields)
	obj.integer("budget_limit_cents", &budget, &fields)
	obj.integer("token_limit_month", &tokens, &fields)
	obj.integer("rate_limit_rpm", &rpm, &fields)
	if err := fields.Err(); err != nil {
		return err
	}
	in.BudgetLimitCents, in.TokenLimitMonth, in.RateLimitRPM = budget, tokens, int(rpm)
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
	obj, err := decodeObject(c)
	if err != nil {
		return err
	}
	in := integrations.UpdateIntegrationInput{ID: c.Params("id")}
	var fields spine.Fields
	in.Name = obj.presentStr("name", &fields)
	if _, ok := obj["default_model"]; ok {
		in.SetDefaultModel = true
		obj.optStr("default_model", &in.DefaultModel, &fields)
	}
	in.BudgetLimitCents = obj.presentInteger("budget_limit_cents", &fields)
	in.TokenLimitMonth = obj.presentInteger("token_limit_month", &fields)
	if rpm := obj.presentInteger("rate_limit_rpm", &fields); rpm != nil {
		n := int(*rpm)
		in.RateLimitRPM = &n
	}
	if err := fields.Err(); err != nil {
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
		obj, err := decodeObject(c)
		if err != nil {
			return err
		}
		var fields spine.Fields
		obj.boolean("revoke_existing", &in.RevokeExisting, &fields)
		if err := fields.Err(); err != nil {
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

// presentStr reads a field that changes a setting when present: nil when
// absent, a field error when present but not a string (null included).
func (o object) presentStr(name string, fields *spine.Fields) *string {
	raw, ok := o[name]
	if !ok {
		return nil
	}
	if isNull(raw) {
		fields.Add(name, "must be a string")
		return nil
	}
	if s, ok := textField(name, raw, fields); ok {
		return &s
	}
	return nil
}

// presentInteger is presentStr for whole numbers.
func (o object) presentInteger(name string, fields *spine.Fields) *int64 {
	raw, ok := o[name]
	if !ok {
		return nil
	}
	n, ok := parseInteger(raw)
	if !ok {
		fields.Add(name, "must be an integer")
		return nil
	}
	return &n
}

// boolean reads an optional boolean field; absent or null leaves dst alone.
func (o object) boolean(name string, dst *bool, fields *spine.Fields) {
	raw, ok := o[name]
	if !ok || isNull(raw) {
		return
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		fields.Add(name, "must be a boolean")
	}
}
