package api

import (
	"github.com/gofiber/fiber/v2"

	"hoc/l4_spine/account"
)

// registerStates adds the founder routes that change a tenant's states, and
// the session context, which every actor may read and which protection
// exempts (SPEC §5).
func (r tenantRoutes) registerStates(rt router) {
	rt.fdr.Post("/tenants/:id/lifecycle", r.lifecycle)
	rt.fdr.Post("/tenants/:id/onboarding", r.onboarding)
	rt.v1.Get("/session/context", r.session)
}

// lifecycleSchema and onboardingSchema are the bodies of the founder's
// state changes; the account engine decides the values.
var (
	lifecycleSchema = newSchema(
		field[account.ChangeLifecycleInput]{name: "action", read: func(in *account.ChangeLifecycleInput, r *valueReader) {
			in.Action, _ = r.text(0, noLimit)
		}},
		field[account.ChangeLifecycleInput]{name: "reason", read: func(in *account.ChangeLifecycleInput, r *valueReader) {
			in.Reason, _ = r.text(0, noLimit)
		}},
	)
	onboardingSchema = newSchema(
		field[account.AdvanceOnboardingInput]{name: "target_state", read: func(in *account.AdvanceOnboardingInput, r *valueReader) {
			in.TargetState, _ = r.text(0, noLimit)
		}},
		field[account.AdvanceOnboardingInput]{name: "reason", read: func(in *account.AdvanceOnboardingInput, r *valueReader) {
			in.Reason, _ = r.text(0, noLimit)
		}},
	)
)

// lifecycle handles POST /api/v1/fdr/tenants/:id/lifecycle {action, reason}.
func (r tenantRoutes) lifecycle(c *fiber.Ctx) error {
	in := account.ChangeLifecycleInput{TenantID: c.Params("id")}
	if err := readBody(c, lifecycleSchema, &in); err != nil {
		return err
	}
	t, err := r.tenants.ChangeLifecycle(c.UserContext(), in)
	if err != nil {
		return err
	}
	return respond(c, fiber.StatusOK, ToTenantJSON(t))
}

// onboarding handles POST /api/v1/fdr/tenants/:id/onboarding {target_state, reason}.
func (r tenantRoutes) onboarding(c *fiber.Ctx) error {
	in := account.AdvanceOnboardingInput{TenantID: c.Params("id")}
	if err := readBody(c, onboardingSchema, &in); err != nil {
		return err
	}
	t, err := r.tenants.AdvanceOnboarding(c.UserContext(), in)
	if err != nil {
		return err
	}
	return respond(c, fiber.StatusOK, ToTenantJSON(t))
}

// sessionJSON is the session context of SPEC §5.
type sessionJSON struct {
	ActorType       string   `json:"actor_type"`
	TenantID        *string  `json:"tenant_id"`
	TenantName      *string  `json:"tenant_name"`
	Capabilities    []string `json:"capabilities"`
	LifecycleState  *string  `json:"lifecycle_state"`
	OnboardingState *string  `json:"onboarding_state"`
}

// session handles GET /api/v1/session/context for every actor.
func (r tenantRoutes) session(c *fiber.Ctx) error {
	s, err := r.tenants.SessionContext(c.UserContext())
	if err != nil {
		return err
	}
	return respond(c, fiber.StatusOK, sessionJSON(s))
}
