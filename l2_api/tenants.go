package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	accountadapter "hoc/l3_adapters/account"
	"hoc/l4_spine/account"
)

// TenantJSON is a tenant object as SPEC §7 lists its fields; the CLI prints
// the same shape.
type TenantJSON struct {
	ID              string  `json:"id"`
	Name            string  `json:"name"`
	Slug            string  `json:"slug"`
	Plan            string  `json:"plan"`
	ExternalOrgID   *string `json:"external_org_id"`
	LifecycleState  string  `json:"lifecycle_state"`
	OnboardingState string  `json:"onboarding_state"`
	CostSource      string  `json:"cost_source"`
	CreatedAt       string  `json:"created_at"`
	UpdatedAt       string  `json:"updated_at"`
}

// ToTenantJSON presents a tenant.
func ToTenantJSON(t account.Tenant) TenantJSON {
	return TenantJSON{
		ID:              t.ID,
		Name:            t.Name,
		Slug:            t.Slug,
		Plan:            t.Plan,
		ExternalOrgID:   t.ExternalOrgID,
		LifecycleState:  t.LifecycleState,
		OnboardingState: t.OnboardingState,
		CostSource:      t.CostSource,
		CreatedAt:       formatTime(t.CreatedAt),
		UpdatedAt:       formatTime(t.UpdatedAt),
	}
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

type tenantRoutes struct{ tenants *accountadapter.Tenants }

// register adds the founder tenant routes.
func (r tenantRoutes) register(rt router) {
	rt.fdr.Post("/tenants", r.create)
	rt.fdr.Get("/tenants", r.list)
	rt.fdr.Get("/tenants/:id", r.get)
	rt.fdr.Patch("/tenants/:id", r.update)
}

// tenantChangesSchema is the body of PATCH /api/v1/fdr/tenants/:id: only
// the settings present change; null is no value for any of them.
var tenantChangesSchema = newSchema(
	field[account.TenantChanges]{name: "cost_source", null: nullIsWrong[account.TenantChanges]("must be price_table or client"),
		read: func(in *account.TenantChanges, r *valueReader) { in.CostSource = r.optText(noLimit) }},
)

// update handles PATCH /api/v1/fdr/tenants/:id {cost_source?} → the tenant.
func (r tenantRoutes) update(c *fiber.Ctx) error {
	in := account.TenantChanges{TenantID: c.Params("id")}
	if err := readBody(c, tenantChangesSchema, &in); err != nil {
		return err
	}
	t, err := r.tenants.Update(c.UserContext(), in)
	if err != nil {
		return err
	}
	return respond(c, fiber.StatusOK, ToTenantJSON(t))
}

// newTenantSchema is the body of POST /api/v1/fdr/tenants; the account
// engine decides the values.
var newTenantSchema = newSchema(
	field[account.NewTenant]{name: "name", read: func(in *account.NewTenant, r *valueReader) {
		in.Name, _ = r.text(0, noLimit)
	}},
	field[account.NewTenant]{name: "slug", read: func(in *account.NewTenant, r *valueReader) {
		in.Slug, _ = r.text(0, noLimit)
	}},
	field[account.NewTenant]{name: "plan", read: func(in *account.NewTenant, r *valueReader) {
		in.Plan, _ = r.text(0, noLimit)
	}},
	field[account.NewTenant]{name: "external_org_id", read: func(in *account.NewTenant, r *valueReader) {
		in.ExternalOrgID = r.optText(noLimit)
	}},
)

// create handles POST /api/v1/fdr/tenants {name, slug?, plan?, external_org_id?}.
func (r tenantRoutes) create(c *fiber.Ctx) error {
	var in account.NewTenant
	if err := readBody(c, newTenantSchema, &in); err != nil {
		return err
	}
	t, err := r.tenants.Create(c.UserContext(), in)
	if err != nil {
		return err
	}
	return respond(c, fiber.StatusCreated, ToTenantJSON(t))
}

// get handles GET /api/v1/fdr/tenants/:id.
func (r tenantRoutes) get(c *fiber.Ctx) error {
	t, err := r.tenants.Get(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return respond(c, fiber.StatusOK, ToTenantJSON(t))
}

// list handles GET /api/v1/fdr/tenants?limit=&offset=.
func (r tenantRoutes) list(c *fiber.Ctx) error {
	limit, offset, err := listParams(c)
	if err != nil {
		return err
	}
	p, err := r.tenants.List(c.UserContext(), limit, offset)
	if err != nil {
		return err
	}
	items := make([]TenantJSON, len(p.Items))
	for i, t := range p.Items {
		items[i] = ToTenantJSON(t)
	}
	return respondPage(c, items, offsetPage(p.Total, limit, offset, len(items)))
}
